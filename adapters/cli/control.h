#pragma once
// The data directory's control socket, <data>/control.sock: how a command run on the same
// machine (`motcua backup <data> <dir>`) asks the server serving that directory to do work only
// the process holding the store can do. A Unix socket, mode 0600, answering only its own user
// (or root): whoever may use it may read the data directory anyway.
//
// One request per connection: the request's lines, an empty line; the answer is "ok" or "error"
// on its first line and the text after it, then the server closes the connection. Requests are
// served one at a time, on a thread of their own.

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/common/status.h"

namespace motcua {

// The most a request may hold, its lines and the empty line after them.
constexpr size_t kMaxControlRequestBytes = 64 << 10;

class ControlSocket {
 public:
  // Answers a request (its lines): the text of the answer, or an error.
  using Handler = std::function<Result<std::string>(const std::vector<std::string>& request)>;
  // Listens at `path`, replacing a socket an earlier server left (the store's lock is held).
  static Result<std::unique_ptr<ControlSocket>> Listen(const std::string& path, Handler handler);
  ~ControlSocket();  // stops listening (after the request being served), removes the socket

 private:
  ControlSocket(int fd, std::string path, Handler handler);
  void Serve();
  int fd_;
  std::string path_;
  Handler handler_;
  std::thread thread_;
};

// Sends `request` to the server at `path` and waits for its answer (up to `timeout_seconds`).
// kNotFound when no server listens there; the server's error as kFailedPrecondition.
Result<std::string> ControlCall(const std::string& path, const std::vector<std::string>& request,
                                int timeout_seconds);

}  // namespace motcua
