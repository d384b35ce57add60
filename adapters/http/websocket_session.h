#pragma once
// One /v1/stream subscriber: the WebSocket protocol after the upgrade (RFC 6455: the 101
// answer, the client's masked frames, our unmasked text frames), the client's subscription (its
// meaning is subscription.h's), and a send queue.
//
// Live events come from the stream hub (stream_hub.h) already rendered and shared by every
// subscriber; the session only queues pointers and writes several frames per socket write. A
// backlog (a resume from an earlier position) is read from the store, paced by the client's
// reads, until the session catches up and joins the hub. A subscriber is cut (1008 "slow
// consumer") only when more than `ws_queue` events wait and its socket does not drain (the
// kernel holds a backlog for it), not when this server is behind; the close names the position
// of the last event written before the close frame. Every handler
// runs on the connection's strand, on the stream threads (the connection moves there from the
// HTTP io threads at the upgrade); the hub hands events over through a small locked inbox.

#include <array>
#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/http/server_state.h"
#include "adapters/http/stream_hub.h"
#include "adapters/http/subscription.h"

namespace motcua::http {

class WsSession : public std::enable_shared_from_this<WsSession>, public StreamSink {
 public:
  WsSession(Server::Impl* server, tcp::socket&& socket, Principal principal, std::string remote);
  ~WsSession() override;

  // Answers the upgrade request (its key checked by the HTTP session), then waits for the
  // subscription.
  // `early` holds what the client sent behind the request, already read.
  void Run(const bhttp::request<bhttp::string_body>& req, std::string early);
  // Shutdown: closes with 1001.
  void GoingAway();
  // Closes with 1008 when this stream's credential is no longer good: its token revoked or
  // removed from the tokens file, its console session ended (signed out, expired, account
  // disabled).
  void CheckCredential();

  // StreamSink, on the hub's thread.
  Route route() const override { return subscription_ ? subscription_->route() : Route{}; }
  bool Wants(const StreamEvent& e, const AgencyRegistry& registry) const override;
  void Deliver(std::vector<std::shared_ptr<const StreamEvent>> events) override EXCLUDES(inbox_mu_);

  const std::string& principal_id() const { return principal_.id; }

 private:
  void Read();
  void OnRead(beast::error_code ec, std::size_t n);
  // Takes the complete frames out of in_.
  void Parse();
  void OnMessage(const std::string& message);
  // Moves what the hub delivered into the queue; closes a subscriber whose queue overflowed
  // because it does not read (1008), or because this server fell too far behind (1013).
  void TakeInbox() EXCLUDES(inbox_mu_);
  // Whether the client does not drain its connection: a socket write waits, and the kernel holds
  // half a send buffer or more of bytes for it, not yet sent or not yet acknowledged.
  bool NotDraining();
  // Reads the backlog from the store while few events wait; joins the hub once caught up.
  void CatchUp();
  void Write();
  void OnWrite(beast::error_code ec, std::size_t);
  // Queues a control frame (pong, close): it goes before the next events.
  void Control(uint8_t opcode, const std::string& payload);
  // Sends a close frame, then ends the connection once the client answers (or after 5 s).
  void Close(uint16_t code, const std::string& reason);
  // Pings a silent client; drops one silent for 300 s.
  void KeepAlive();
  // Closes the socket and leaves the hub.
  void Finish();
  // Logs a failure that is not an ordinary end of the connection, then finishes.
  void Failed(beast::error_code ec, const char* what);

  Server::Impl* server_;
  tcp::socket socket_;
  net::steady_timer timer_;       // the subscription's deadline, then the close handshake's
  net::steady_timer ping_timer_;  // keep-alive: a ping after 150 s of silence, cut after 300 s
  std::chrono::steady_clock::time_point last_heard_ = std::chrono::steady_clock::now();
  Principal principal_;
  std::string remote_;  // for logs

  // Reading.
  std::array<char, 4096> chunk_;
  std::string in_;       // bytes received, not yet parsed
  std::string message_;  // a fragmented message being assembled
  bool in_message_ = false;

  std::optional<Subscription> subscription_;  // set once, before the session joins the hub
  uint64_t position_ = 0;                     // backlog: the last outbox position examined
  uint64_t queued_upto_ = 0;  // the last position queued: later deliveries start after it
  uint64_t handed_ = 0;       // the last position handed to a socket write (the resume point)
  bool catching_up_ = false;

  // Writing.
  std::deque<std::shared_ptr<const StreamEvent>> queue_;
  std::string control_;                                      // control frames waiting
  std::string control_writing_;                              // control frames being written
  std::vector<std::shared_ptr<const StreamEvent>> writing_;  // events being written
  std::vector<std::array<uint8_t, 10>> headers_;             // their frame headers
  std::vector<net::const_buffer> buffers_;
  std::string handshake_;
  bool accepted_ = false;  // the 101 is written: frames may follow
  bool revoked_ = false;   // its token was revoked before the handshake finished
  bool writing_now_ = false;
  bool closing_ = false;        // our close frame is queued or sent
  bool close_written_ = false;  // our close frame is on the wire
  bool peer_closed_ = false;    // the client's close frame arrived
  bool finished_ = false;       // the socket is closed

  // From the hub's thread.
  Mutex inbox_mu_;
  std::vector<std::shared_ptr<const StreamEvent>> inbox_ GUARDED_BY(inbox_mu_);
  bool inbox_posted_ GUARDED_BY(inbox_mu_) = false;
};

}  // namespace motcua::http
