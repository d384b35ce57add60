// One /v1/stream subscriber (websocket_session.h).

#include "adapters/http/websocket_session.h"

#include <linux/sockios.h>
#include <sys/ioctl.h>

#include <boost/beast/websocket/detail/hybi13.hpp>

namespace motcua::http {

namespace {

// Events read from the outbox per backlog step, and steps per handler turn (the io thread
// goes on to other connections between turns).
constexpr size_t kOutboxPage = 256;
constexpr int kPagesPerTurn = 2;
// One socket write carries at most this many events, or about this many bytes.
constexpr size_t kFramesPerWrite = 64;
constexpr size_t kBytesPerWrite = 256 * 1024;
// A subscriber that reads is never cut as slow: when this server falls behind (its stream thread
// short of CPU), events may wait beyond ws_queue. Past this many times ws_queue, memory wins:
// the stream is closed with 1013 (try again later) and the position to resume from.
constexpr size_t kBehindFactor = 4;
// The client has this long to subscribe, and to answer our close frame.
constexpr auto kSubscribeTimeout = std::chrono::seconds(30);
constexpr auto kCloseTimeout = std::chrono::seconds(5);
// A client silent this long is pinged; silent twice as long, it is dropped.
constexpr auto kPingAfter = std::chrono::seconds(150);

enum Opcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// A server frame's header (never masked); returns its length.
size_t FrameHeader(uint8_t opcode, size_t length, uint8_t* out) {
  out[0] = static_cast<uint8_t>(0x80 | opcode);  // FIN
  if (length < 126) {
    out[1] = static_cast<uint8_t>(length);
    return 2;
  }
  if (length <= 0xffff) {
    out[1] = 126;
    out[2] = static_cast<uint8_t>(length >> 8);
    out[3] = static_cast<uint8_t>(length);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<uint8_t>(uint64_t{length} >> (56 - 8 * i));
  return 10;
}

std::string Frame(uint8_t opcode, const std::string& payload) {
  uint8_t header[10];
  const size_t n = FrameHeader(opcode, payload.size(), header);
  return std::string(reinterpret_cast<const char*>(header), n) + payload;
}

}  // namespace

WsSession::WsSession(Server::Impl* server, tcp::socket&& socket, Principal principal,
                     std::string remote)
    : server_(server),
      socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      ping_timer_(socket_.get_executor()),
      principal_(std::move(principal)),
      remote_(std::move(remote)) {
  // A stream is a connection: it counts against max_connections for as long as it is open, in
  // the place the HTTP session that upgraded handed over.
  server_->ws_count.fetch_add(1);
  server_->UpdateWsGauge();
}

// A session's end is Finish(), which gives its connection back. A session still open when the
// server is destroyed goes with the io_context's abandoned handlers, after the server's state:
// it must not touch it then.
WsSession::~WsSession() = default;

void WsSession::Run(const bhttp::request<bhttp::string_body>& req, std::string early) {
  in_ = std::move(early);
  boost::beast::websocket::detail::sec_ws_accept_type accept;
  boost::beast::websocket::detail::make_sec_ws_accept(accept, req[bhttp::field::sec_websocket_key]);
  handshake_ =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " +
      std::string(accept.data(), accept.size()) + "\r\nServer: motcua\r\nDate: " + HttpDate() +
      "\r\n\r\n";
  timer_.expires_after(kSubscribeTimeout);
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->subscription_) return;
    self->Close(1008, "no subscription within 30 s");
  });
  net::async_write(socket_, net::buffer(handshake_),
                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
                     if (ec) return self->Failed(ec, "handshake");
                     self->accepted_ = true;
                     if (self->revoked_) return self->Close(1008, "token revoked");
                     if (!self->in_.empty()) self->Parse();
                     self->Read();
                     self->KeepAlive();
                     self->Write();  // what was queued meanwhile (a close)
                   });
}

void WsSession::GoingAway() {
  net::post(socket_.get_executor(),
            [self = shared_from_this()] { self->Close(1001, "server shutting down"); });
}

void WsSession::CheckCredential() {
  if (server_->api->CredentialActive(principal_)) return;
  const bool session = !principal_.csrf.empty();
  net::post(socket_.get_executor(), [self = shared_from_this(), session] {
    if (!self->accepted_) {
      self->revoked_ = true;
      return;
    }
    self->Close(1008, session ? "session ended" : "token revoked");
  });
}

bool WsSession::Wants(const StreamEvent& e, const AgencyRegistry& registry) const {
  return subscription_ && subscription_->Wants(e, registry);
}

void WsSession::Deliver(std::vector<std::shared_ptr<const StreamEvent>> events) {
  MutexLock lock(&inbox_mu_);
  if (inbox_.empty()) {
    inbox_ = std::move(events);
  } else {
    inbox_.insert(inbox_.end(), events.begin(), events.end());
  }
  if (inbox_posted_) return;
  inbox_posted_ = true;
  net::post(socket_.get_executor(), [self = shared_from_this()] { self->TakeInbox(); });
}

bool WsSession::NotDraining() {
  if (!writing_now_) return false;  // nothing waits for the socket: the wait is ours
  int unsent = 0;
  if (ioctl(socket_.native_handle(), SIOCOUTQ, &unsent) != 0) return true;
  return unsent >= server_->options.ws_send_buffer_bytes / 2;
}

void WsSession::TakeInbox() {
  std::vector<std::shared_ptr<const StreamEvent>> events;
  {
    MutexLock lock(&inbox_mu_);
    events.swap(inbox_);
    inbox_posted_ = false;
  }
  if (closing_) return;
  // A backlog that built up over several rounds while the client read: this server is behind.
  const bool behind = queue_.size() > kBehindFactor * server_->options.ws_queue_limit;
  for (auto& e : events) {
    if (e->position <= queued_upto_) continue;  // committed before the subscription's start
    queued_upto_ = e->position;
    queue_.push_back(std::move(e));
  }
  // What the socket takes now goes first: only what it does not take waits in the queue.
  Write();
  if (queue_.size() > server_->options.ws_queue_limit && NotDraining()) {
    return Close(1008, "slow consumer: queue of " + std::to_string(queue_.size()) +
                           " events overflowed; reconnect with from=" + std::to_string(handed_));
  }
  if (behind) {
    // The client reads, but this server fell this far behind with it: memory is bounded.
    return Close(1013, "server behind: queue of " + std::to_string(queue_.size()) +
                           " events; reconnect with from=" + std::to_string(handed_));
  }
}

void WsSession::Read() {
  if (finished_) return;
  socket_.async_read_some(net::buffer(chunk_),
                          beast::bind_front_handler(&WsSession::OnRead, shared_from_this()));
}

void WsSession::OnRead(beast::error_code ec, std::size_t n) {
  if (ec) {
    // The client went away: after our close, or without one.
    if (closing_ || peer_closed_ || ec == net::error::eof) return Finish();
    return Failed(ec, "read");
  }
  last_heard_ = std::chrono::steady_clock::now();
  in_.append(chunk_.data(), n);
  Parse();
  Read();
}

void WsSession::Parse() {
  const size_t limit = server_->options.ws_message_limit;
  size_t at = 0;
  while (!finished_ && in_.size() - at >= 2) {
    const auto* p = reinterpret_cast<const uint8_t*>(in_.data() + at);
    const size_t avail = in_.size() - at;
    const bool fin = p[0] & 0x80;
    const uint8_t opcode = p[0] & 0x0f;
    const bool masked = p[1] & 0x80;
    uint64_t length = p[1] & 0x7f;
    size_t header = 2;
    if (length == 126) {
      if (avail < 4) break;
      length = (uint64_t{p[2]} << 8) | p[3];
      header = 4;
    } else if (length == 127) {
      if (avail < 10) break;
      length = 0;
      for (int i = 0; i < 8; ++i) length = (length << 8) | p[2 + i];
      header = 10;
    }
    if (p[0] & 0x70) return Close(1002, "reserved bits set");
    if (!masked) return Close(1002, "client frames must be masked");
    const bool control = opcode & 0x8;
    if (control && (!fin || length > 125)) return Close(1002, "bad control frame");
    if (!control && message_.size() + length > limit) return Close(1009, "message too big");
    if (avail < header + 4 + length) break;
    const uint8_t* key = p + header;
    std::string payload(in_.data() + at + header + 4, static_cast<size_t>(length));
    for (size_t i = 0; i < payload.size(); ++i)
      payload[i] = static_cast<char>(payload[i] ^ key[i % 4]);
    at += header + 4 + static_cast<size_t>(length);
    switch (opcode) {
      case kContinuation:
      case kText:
      case kBinary:
        if ((opcode == kContinuation) != in_message_) {
          return Close(1002, "unexpected continuation frame");
        }
        message_ += payload;
        in_message_ = !fin;
        if (fin) {
          std::string message;
          message.swap(message_);
          OnMessage(message);
        }
        break;
      case kPing:
        // A client that pings without reading gets no more pongs than a few kilobytes' worth
        // (RFC 6455 §5.5.3 allows answering only the latest ping).
        if (control_.size() < 4096) Control(kPong, payload);
        break;
      case kPong:
        break;
      case kClose:
        peer_closed_ = true;
        if (close_written_) return Finish();  // the answer to ours
        if (!closing_) {
          // Echo the client's code; then we close the connection, as a server should.
          closing_ = true;
          queue_.clear();
          server_->hub->Leave(this);
          Control(kClose, payload.size() >= 2 ? payload.substr(0, 2) : std::string());
        }
        break;
      default:
        return Close(1002, "unknown opcode");
    }
  }
  in_.erase(0, at);
}

void WsSession::OnMessage(const std::string& message) {
  if (subscription_ || closing_) return;  // messages after the subscription are ignored
  // "From now" is the last durable event: the committer records it before it answers, so an
  // event whose answer the client has seen is never sent as new (the hub hears of it later).
  Result<Subscription> sub =
      Subscription::Open(message, principal_, server_->api->store(), server_->api->deps().catalog,
                         server_->api->service()->last_outbox_position());
  if (!sub.ok()) return Close(1008, sub.status().message());
  subscription_.emplace(std::move(sub).value());
  timer_.cancel();
  position_ = subscription_->start();
  queued_upto_ = position_;
  handed_ = position_;  // a client cut before any delivery resumes where it asked to start
  catching_up_ = true;
  CatchUp();
}

void WsSession::CatchUp() {
  if (!catching_up_ || closing_) return;
  Store* store = server_->api->store();
  const std::shared_ptr<const DefinitionCatalog> catalog = server_->api->deps().catalog();
  for (int pages = 0; queue_.size() < server_->options.ws_queue_limit / 2 && !closing_; ++pages) {
    if (position_ >= server_->hub->fanned() && server_->hub->Join(shared_from_this(), position_)) {
      catching_up_ = false;
      break;
    }
    Result<std::vector<OutboxEntry>> page = store->ReadOutbox(position_, kOutboxPage);
    if (!page.ok()) {
      ServerLog("websocket " + remote_ + " actor=" + principal_.id +
                ": reading the outbox failed: " + page.status().ToString());
      return Close(1011, "cannot read the outbox; reconnect with from=" + std::to_string(handed_));
    }
    if (page->empty()) continue;  // the hub is ahead of what we read: join at once
    if (pages == kPagesPerTurn) {
      // Enough for one turn: the writes that follow, or a fresh turn, read on.
      if (queue_.empty()) {
        net::post(socket_.get_executor(), [self = shared_from_this()] { self->CatchUp(); });
      }
      break;
    }
    for (const OutboxEntry& o : *page) {
      position_ = o.position;
      Result<std::shared_ptr<const StreamEvent>> e = MakeStreamEvent(store, o);
      if (!e.ok()) {
        return Close(1011,
                     "cannot read the outbox; reconnect with from=" + std::to_string(handed_));
      }
      if (!subscription_->Wants(**e, catalog->Agencies())) continue;
      queued_upto_ = o.position;
      queue_.push_back(std::move(*e));
    }
  }
  Write();
}

void WsSession::Control(uint8_t opcode, const std::string& payload) {
  control_ += Frame(opcode, payload);
  Write();
}

void WsSession::Write() {
  if (writing_now_ || finished_ || !accepted_) return;
  buffers_.clear();
  writing_.clear();
  headers_.clear();
  const bool close_in_this_write = closing_ && !close_written_ && !control_.empty();
  if (!control_.empty()) {
    control_writing_.swap(control_);
    control_.clear();
    buffers_.push_back(net::buffer(control_writing_));
  }
  if (!closing_) {
    headers_.reserve(kFramesPerWrite);
    size_t bytes = 0;
    while (!queue_.empty() && writing_.size() < kFramesPerWrite && bytes < kBytesPerWrite) {
      std::shared_ptr<const StreamEvent> e = std::move(queue_.front());
      queue_.pop_front();
      headers_.emplace_back();
      const size_t n = FrameHeader(kText, e->json.size(), headers_.back().data());
      buffers_.push_back(net::buffer(headers_.back().data(), n));
      buffers_.push_back(net::buffer(e->json));
      bytes += e->json.size() + n;
      handed_ = e->position;  // written before any close frame that may follow
      writing_.push_back(std::move(e));
    }
  }
  if (buffers_.empty()) return;
  writing_now_ = true;
  if (close_in_this_write) close_written_ = true;
  net::async_write(socket_, buffers_,
                   beast::bind_front_handler(&WsSession::OnWrite, shared_from_this()));
}

void WsSession::OnWrite(beast::error_code ec, std::size_t) {
  writing_now_ = false;
  writing_.clear();
  control_writing_.clear();
  if (ec) return Failed(ec, "write");
  if (close_written_) {
    // The client answered first (we echoed its close), or has 5 s to answer ours.
    if (peer_closed_) return Finish();
    timer_.expires_after(kCloseTimeout);
    timer_.async_wait([self = shared_from_this()](beast::error_code e) {
      if (!e) self->Finish();
    });
    return;
  }
  Write();
  if (catching_up_ && queue_.size() < server_->options.ws_queue_limit / 2) CatchUp();
}

void WsSession::Close(uint16_t code, const std::string& reason) {
  if (closing_ || finished_) return;
  closing_ = true;
  if (code != 1001 && server_->options.log_requests) {
    ServerLog("websocket " + remote_ + " actor=" + principal_.id + ": closed: " + reason);
  }
  server_->hub->Leave(this);
  queue_.clear();
  std::string payload;
  payload += static_cast<char>(code >> 8);
  payload += static_cast<char>(code & 0xff);
  payload += reason.substr(0, 123);  // a control frame holds at most 125 bytes
  if (!accepted_) return Finish();
  Control(kClose, payload);
}

void WsSession::KeepAlive() {
  ping_timer_.expires_after(kPingAfter);
  ping_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->finished_) return;
    const auto silent = std::chrono::steady_clock::now() - self->last_heard_;
    if (silent >= 2 * kPingAfter) {
      if (self->server_->options.log_requests) {
        ServerLog("websocket " + self->remote_ + " actor=" + self->principal_.id +
                  ": dropped: silent for 300 s (no pong)");
      }
      return self->Finish();
    }
    if (silent >= kPingAfter && !self->closing_) self->Control(kPing, "");
    self->KeepAlive();
  });
}

void WsSession::Finish() {
  if (finished_) return;
  finished_ = true;
  server_->hub->Leave(this);
  server_->connections.fetch_sub(1);
  server_->ws_count.fetch_sub(1);
  server_->ReleaseStream(principal_.id);
  server_->UpdateWsGauge();
  timer_.cancel();
  ping_timer_.cancel();
  beast::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

void WsSession::Failed(beast::error_code ec, const char* what) {
  // Our own cancellations end sessions quietly; a client that vanishes without a close frame
  // (a reset, an end of stream) is logged.
  if (ec != net::error::operation_aborted) {
    ServerLog("websocket " + remote_ + " actor=" + principal_.id + ": " + what +
              " failed: " + ec.message());
  }
  Finish();
}

}  // namespace motcua::http
