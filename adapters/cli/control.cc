// The data directory's control socket (control.h).

#include "adapters/cli/control.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <sstream>

namespace motcua {

namespace {

constexpr size_t kMaxRequestBytes = kMaxControlRequestBytes;

Result<sockaddr_un> Address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    return Status(StatusCode::kInvalidArgument,
                  "the control socket's path " + path + " is longer than " +
                      std::to_string(sizeof(addr.sun_path) - 1) + " characters");
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

bool WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Reads until `done` says the text is complete, the peer closes, or the limit.
std::string ReadUntil(int fd, size_t limit, const std::function<bool(const std::string&)>& done) {
  std::string text;
  char buf[4096];
  while (text.size() < limit && !done(text)) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

void SetTimeout(int fd, int seconds) {
  timeval tv{seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

Result<std::unique_ptr<ControlSocket>> ControlSocket::Listen(const std::string& path,
                                                             Handler handler) {
  ASSIGN_OR_RETURN(sockaddr_un addr, Address(path));
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return Unavailable("cannot create the control socket: " + std::string(strerror(errno)));
  ::unlink(path.c_str());
  // Only this user (chmod, not umask: the umask is the whole process's, other threads run). Until
  // the chmod, SO_PEERCRED below keeps other users out.
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
      ::chmod(path.c_str(), 0600) != 0 || ::listen(fd, 4) != 0) {
    const std::string why = strerror(errno);
    ::close(fd);
    return Unavailable("cannot listen on " + path + ": " + why);
  }
  return std::unique_ptr<ControlSocket>(new ControlSocket(fd, path, std::move(handler)));
}

ControlSocket::ControlSocket(int fd, std::string path, Handler handler)
    : fd_(fd), path_(std::move(path)), handler_(std::move(handler)) {
  thread_ = std::thread([this] { Serve(); });
}

ControlSocket::~ControlSocket() {
  ::shutdown(fd_, SHUT_RDWR);  // wakes accept()
  thread_.join();
  ::close(fd_);
  ::unlink(path_.c_str());
}

void ControlSocket::Serve() {
  for (;;) {
    const int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // shut down
    }
    ucred peer{};
    socklen_t len = sizeof peer;
    const bool allowed = ::getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &peer, &len) == 0 &&
                         (peer.uid == ::geteuid() || peer.uid == 0);
    if (!allowed) {
      WriteAll(conn, "error\nnot this server's user\n");
      ::close(conn);
      continue;
    }
    // The whole request within 5 s (each read waits at most that long, and the loop stops then).
    SetTimeout(conn, 5);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::string text = ReadUntil(conn, kMaxRequestBytes, [deadline](const std::string& t) {
      return t.find("\n\n") != std::string::npos || std::chrono::steady_clock::now() > deadline;
    });
    std::vector<std::string> request;
    std::istringstream lines(text.substr(0, text.find("\n\n")));
    for (std::string line; std::getline(lines, line);) request.push_back(line);
    Result<std::string> answer = text.find("\n\n") == std::string::npos
                                     ? InvalidArgument("incomplete request")
                                     : handler_(request);
    WriteAll(conn, answer.ok() ? "ok\n" + *answer : "error\n" + answer.status().message() + "\n");
    ::close(conn);
  }
}

Result<std::string> ControlCall(const std::string& path, const std::vector<std::string>& request,
                                int timeout_seconds) {
  ASSIGN_OR_RETURN(sockaddr_un addr, Address(path));
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Unavailable("cannot create a socket: " + std::string(strerror(errno)));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == ENOENT || err == ECONNREFUSED) return NotFound("no server listens on " + path);
    return Unavailable("cannot connect to " + path + ": " + strerror(err));
  }
  SetTimeout(fd, timeout_seconds);
  std::string text;
  for (const std::string& line : request) text += line + "\n";
  text += "\n";
  if (!WriteAll(fd, text)) {
    ::close(fd);
    return Unavailable("cannot send the request to " + path);
  }
  std::string answer = ReadUntil(fd, 1 << 20, [](const std::string&) { return false; });
  ::close(fd);
  if (answer.rfind("ok\n", 0) == 0) return answer.substr(3);
  if (answer.rfind("error\n", 0) == 0) {
    std::string why = answer.substr(6);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return FailedPrecondition(why);
  }
  return Unavailable(answer.empty() ? "the server on " + path +
                                          " closed the connection without an answer (stopping?)"
                                    : "an answer from " + path + " that is not one: " + answer);
}

}  // namespace motcua
