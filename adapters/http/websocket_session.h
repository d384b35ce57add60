#pragma once
// One /v1/stream subscriber: the WebSocket handshake, the client's subscription (its meaning is
// subscription.h's), and a single writer fed by a bounded queue. A backlog (a resume from an
// earlier position) is paced by the client's reads; once caught up, live events are queued as
// they commit, and a client that cannot keep up overflows the queue and is cut with the position
// to resume from. Every handler runs on the connection's strand.

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "adapters/http/server_state.h"
#include "adapters/http/subscription.h"

namespace motcua::http {

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(Server::Impl* server, beast::tcp_stream&& stream, Principal principal,
            std::string remote);
  ~WsSession();

  // Answers the upgrade request, then waits for the subscription.
  void Run(bhttp::request<bhttp::string_body> req);
  // From the committer thread: new events may be in the outbox.
  void Notify();
  // Shutdown: closes with 1001.
  void GoingAway();
  // The token store changed: closes with 1008 when this session's token is no longer in it
  // (revoked or removed).
  void CheckToken(std::shared_ptr<const TokenStore> tokens);

 private:
  void OnAccept(beast::error_code ec);
  void OnSubscribe(beast::error_code ec, std::size_t);
  void OnRead(beast::error_code ec, std::size_t);
  // Reads what the outbox has past our position and queues what the subscription wants.
  void Pump();
  void Write();
  void OnWrite(beast::error_code ec, std::size_t);
  void Close(websocket::close_code code, const std::string& reason);
  // Logs a failure that is not an ordinary close (ours or the client's) and stops the session.
  void Failed(beast::error_code ec, const char* what);

  Server::Impl* server_;
  websocket::stream<beast::tcp_stream> ws_;
  Principal principal_;
  std::string remote_;  // for logs
  beast::flat_buffer buffer_;
  std::optional<Subscription> subscription_;
  uint64_t position_ = 0;  // last outbox position examined
  uint64_t sent_ = 0;      // last position delivered to the client
  std::deque<std::pair<uint64_t, std::string>> queue_;
  bool pumping_ = false, writing_ = false, closed_ = false;
  bool accepted_ = false;  // the handshake is done: a close can be sent
  bool revoked_ = false;   // its token was revoked before the handshake finished
  bool catching_up_ = false;
};

}  // namespace motcua::http
