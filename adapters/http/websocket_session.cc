// One /v1/stream subscriber (websocket_session.h).

#include "adapters/http/websocket_session.h"

namespace motcua::http {

namespace {

// Events of one page read from the outbox per pump step.
constexpr size_t kOutboxPage = 256;

}  // namespace

WsSession::WsSession(Server::Impl* server, beast::tcp_stream&& stream, Principal principal,
                     std::string remote)
    : server_(server),
      ws_(std::move(stream)),
      principal_(std::move(principal)),
      remote_(std::move(remote)) {
  server_->ws_count.fetch_add(1);
  server_->UpdateWsGauge();
}

WsSession::~WsSession() {
  server_->ws_count.fetch_sub(1);
  server_->UpdateWsGauge();
}

void WsSession::Run(bhttp::request<bhttp::string_body> req) {
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.read_message_max(server_->options.ws_message_limit);
  // The handshake's answer is framed like every other: our Server and a Date.
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(bhttp::field::server, "motcua");
    res.set(bhttp::field::date, HttpDate());
  }));
  ws_.async_accept(req, beast::bind_front_handler(&WsSession::OnAccept, shared_from_this()));
}

void WsSession::Notify() {
  net::post(ws_.get_executor(), beast::bind_front_handler(&WsSession::Pump, shared_from_this()));
}

void WsSession::GoingAway() {
  net::post(ws_.get_executor(), [self = shared_from_this()] {
    self->Close(websocket::close_code::going_away, "server shutting down");
  });
}

void WsSession::CheckToken(std::shared_ptr<const TokenStore> tokens) {
  if (!tokens || tokens->Active(principal_.token)) return;
  net::post(ws_.get_executor(), [self = shared_from_this()] {
    if (!self->accepted_) {
      self->revoked_ = true;
      return;
    }
    self->Close(websocket::close_code::policy_error, "token revoked");
  });
}

void WsSession::Failed(beast::error_code ec, const char* what) {
  closed_ = true;
  // A close handshake (either side's) and our own cancellations are how sessions end.
  if (ec == websocket::error::closed || ec == net::error::operation_aborted) return;
  ServerLog("websocket " + remote_ + " actor=" + principal_.id + ": " + what +
            " failed: " + ec.message());
}

void WsSession::OnAccept(beast::error_code ec) {
  if (ec) return Failed(ec, "handshake");
  accepted_ = true;
  if (revoked_) return Close(websocket::close_code::policy_error, "token revoked");
  ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::OnSubscribe, shared_from_this()));
}

void WsSession::OnSubscribe(beast::error_code ec, std::size_t) {
  if (ec) return Failed(ec, "reading the subscription");
  const std::string text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  const uint64_t committed = server_->committed.load();
  Result<Subscription> sub = Subscription::Open(text, principal_, server_->api->store(),
                                                server_->api->deps().catalog, committed);
  if (!sub.ok()) return Close(websocket::close_code::policy_error, sub.status().message());
  subscription_.emplace(std::move(sub).value());
  position_ = subscription_->start();
  sent_ = position_;  // a client cut before any delivery resumes where it asked to start
  // Catching up on a backlog is paced by the client's reads; once caught up, live events are
  // queued as they commit and a client that cannot keep up overflows the queue.
  catching_up_ = position_ < committed;
  // Keep reading so that pings, closes and errors are seen; clients send nothing else.
  ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::OnRead, shared_from_this()));
  Pump();
}

void WsSession::OnRead(beast::error_code ec, std::size_t) {
  if (ec) return Failed(ec, "read");
  buffer_.consume(buffer_.size());
  ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::OnRead, shared_from_this()));
}

void WsSession::Pump() {
  if (!subscription_ || closed_ || pumping_) return;
  pumping_ = true;
  while (position_ < server_->committed.load() && !closed_) {
    if (catching_up_ && queue_.size() >= server_->options.ws_queue_limit / 2) break;
    Result<std::vector<OutboxEntry>> page =
        server_->api->store()->ReadOutbox(position_, kOutboxPage);
    if (!page.ok()) {
      ServerLog("websocket " + remote_ + " actor=" + principal_.id +
                ": reading the outbox failed: " + page.status().ToString());
      break;
    }
    if (page->empty()) break;
    for (const OutboxEntry& o : *page) {
      position_ = o.position;
      if (!subscription_->Wants(o.event)) continue;
      if (!catching_up_ && queue_.size() >= server_->options.ws_queue_limit) {
        pumping_ = false;
        // The client has everything before the first queued message; it resumes from there.
        return Close(websocket::close_code::policy_error,
                     "slow consumer: queue of " + std::to_string(queue_.size()) +
                         " events overflowed; reconnect with from=" + std::to_string(sent_));
      }
      queue_.emplace_back(o.position, Subscription::Render(o));
    }
  }
  if (catching_up_ && position_ >= server_->committed.load()) catching_up_ = false;
  pumping_ = false;
  Write();
}

void WsSession::Write() {
  if (writing_ || queue_.empty() || closed_) return;
  writing_ = true;
  ws_.text(true);
  ws_.async_write(net::buffer(queue_.front().second),
                  beast::bind_front_handler(&WsSession::OnWrite, shared_from_this()));
}

void WsSession::OnWrite(beast::error_code ec, std::size_t) {
  writing_ = false;
  if (ec) return Failed(ec, "write");
  sent_ = queue_.front().first;
  queue_.pop_front();
  Write();
  if (queue_.empty() || catching_up_) Pump();
}

void WsSession::Close(websocket::close_code code, const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  if (code != websocket::close_code::going_away && server_->options.log_requests) {
    ServerLog("websocket " + remote_ + " actor=" + principal_.id + ": closed: " + reason);
  }
  // The message being written stays until its write completes: its buffer is in use.
  while (queue_.size() > (writing_ ? 1u : 0u)) queue_.pop_back();
  ws_.async_close(websocket::close_reason(code, reason),
                  [self = shared_from_this()](beast::error_code ec) {
                    if (ec) self->Failed(ec, "close");
                  });
}

}  // namespace motcua::http
