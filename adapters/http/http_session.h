#pragma once
// One HTTP/1.1 connection on its strand: requests read with limits (header and body size, the
// read and idle deadlines that the server's sweeper enforces), handed to the API, answered with
// a response head written here and the body in one gathered write; a WebSocket upgrade of
// /v1/stream is handed to a WsSession. Refusals before the API (400, 408, 413, 414, 431) render
// through the API's ProblemResponse.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "adapters/http/server_state.h"

namespace motcua::http {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(Server::Impl* server, tcp::socket&& socket);
  ~HttpSession();

  // Starts reading requests (on the connection's strand).
  void Run();

  // Shutdown: an idle connection is closed now; a busy one after its response.
  void Stop();

  // Over max_connections: answers 503 without reading the request (through the same framing as
  // every response), then closes.
  void Refuse();

  // From the sweeper: the current phase may be over its deadline. Checked again on the
  // session's strand, where the deadline may have moved on.
  void CheckDeadline(int64_t now);

 private:
  void Deadline(int seconds);
  void NoDeadline();

  void Read();

  void OnHeader(beast::error_code ec, std::size_t);

  void ReadBody();
  void OnBody(beast::error_code ec, std::size_t);
  // The 413 of a body over its limit (a file's or any other request's).
  void TooLarge();
  // Returns the memory an upload reserved (upload_memory_bytes).
  void ReleaseUpload();

  void Upgrade();

  void Fail(int status, const std::string& type, const std::string& detail, Headers headers = {});

  // The response head is written here (status line, Date, Server, Content-Type, the
  // response's own headers, Content-Length, Connection) and sent with the body in one
  // gathered write.
  void Send(HttpResponse r);

  Metrics* metrics() const;

  // After a final answer: stop sending, then read and drop what the client still sends (a
  // refused body, say) for up to two seconds before closing. Closing with unread data would
  // make the kernel reset the connection, and a reset can destroy the answer before the
  // client reads it.
  void Linger();
  void DropInput();

  void Close();

  Server::Impl* server_;
  tcp::socket socket_;
  // The connection's strand, kept apart from the socket: it stays usable after an upgrade has
  // moved the socket into a WebSocket session.
  net::any_io_executor executor_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::atomic<int64_t> deadline_{0};  // steady-clock ns; 0: none (waiting for a commit)
  bool timed_out_ = false;            // the sweeper cancelled the pending operation
  bool keep_alive_ = false;
  bool busy_ = false;
  bool first_ = true;
  bool upload_ = false;        // the request being read is a file upload
  bool handed_over_ = false;   // its connection (and its place in max_connections) went to a stream
  uint64_t upload_bytes_ = 0;  // of Server::Impl::upload_bytes, held by this request
  unsigned version_ = 11;
  std::string method_, target_;
  std::string head_, body_;  // the response being written
  std::string remote_;       // the peer address, read once per connection
  std::chrono::steady_clock::time_point start_;
};

}  // namespace motcua::http
