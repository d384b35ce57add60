// The server's life (server.h): listening, io threads, commit notifications to the WebSocket
// subscribers, and the graceful shutdown. Sessions are in http_session.cc and
// websocket_session.cc, the shared state in server_state.h.

#include "adapters/http/server.h"

#include "adapters/http/http_session.h"
#include "adapters/http/server_state.h"
#include "adapters/http/websocket_session.h"
#include "adapters/runtime/thread_priority.h"

namespace motcua::http {

Server::Server(Api* api, ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->api = api;
  impl_->options = std::move(options);
  // Answers to writes are rendered on the io threads (the committer only hands them over).
  net::io_context* ioc = &impl_->ioc;
  api->SetDeferral([ioc](std::function<void()> work) { net::post(*ioc, std::move(work)); });
}

Server::~Server() { Shutdown(); }

Status Server::Start() {
  Impl& s = *impl_;
  beast::error_code ec;
  auto address = net::ip::make_address(s.options.address, ec);
  if (ec) return InvalidArgument("bad listen address '" + s.options.address + "'");
  tcp::endpoint ep(address, s.options.port);
  s.acceptor.open(ep.protocol(), ec);
  if (!ec) s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(ep, ec);
  if (!ec) s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("cannot listen on " + s.options.address + ":" +
                       std::to_string(s.options.port) + ": " + ec.message());
  }
  s.hub = std::make_unique<StreamHub>(s.api->store(), s.api->deps().catalog,
                                      s.api->service()->last_outbox_position());
  s.hub->Start();
  s.Accept();
  s.Sweep();
  for (int i = 0; i < std::max(1, s.options.threads); ++i) {
    s.threads.emplace_back([&s] { s.ioc.run(); });
  }
  for (int i = 0; i < std::max(1, s.options.stream_threads); ++i) {
    s.stream_threads.emplace_back([&s] {
      pthread_setname_np(pthread_self(), "motcua-ws");
      LowerThisThreadPriority();
      s.stream_ioc.run();
    });
  }
  return Status::Ok();
}

uint16_t Server::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void Server::NotifyCommitted(uint64_t position) {
  // The hub thread does the fan-out; the committer goes on to answer the batch.
  if (impl_->hub) impl_->hub->Committed(position);
}

void Server::NotifyCommitted(std::shared_ptr<const CommittedEvents> events) {
  if (impl_->hub) impl_->hub->Committed(std::move(events));
}

void Server::Shutdown() {
  Impl& s = *impl_;
  {
    MutexLock lock(&s.done_mu);
    if (s.shut) return;
    s.shut = true;
  }
  s.stopping.store(true);
  net::post(s.ioc, [&s] {
    beast::error_code ec;
    s.acceptor.close(ec);
  });
  std::vector<std::shared_ptr<HttpSession>> https;
  std::vector<std::shared_ptr<WsSession>> wss;
  {
    MutexLock lock(&s.sessions_mu);
    for (const auto& w : s.http_sessions) {
      if (auto p = w.lock()) https.push_back(std::move(p));
    }
    for (const auto& w : s.ws_sessions) {
      if (auto p = w.lock()) wss.push_back(std::move(p));
    }
  }
  for (auto& h : https) h->Stop();
  for (auto& w : wss) w->GoingAway();
  https.clear();
  wss.clear();
  // In-flight requests finish (their writes are acknowledged only once durable).
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(s.options.shutdown_grace_seconds);
  while (s.in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (s.in_flight.load() > 0) {
    ServerLog("motcua: " + std::to_string(s.in_flight.load()) +
              " requests still in flight after the grace period; closing them");
  }
  // Give close frames and final responses a moment on the wire, then stop.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (s.hub) s.hub->Stop();
  s.work.reset();
  s.ioc.stop();
  s.stream_work.reset();
  s.stream_ioc.stop();
  for (auto& t : s.threads) {
    if (t.joinable()) t.join();
  }
  for (auto& t : s.stream_threads) {
    if (t.joinable()) t.join();
  }
  {
    MutexLock lock(&s.done_mu);
    s.done = true;
  }
  s.done_cv.SignalAll();
}

void Server::Wait() {
  Impl& s = *impl_;
  MutexLock lock(&s.done_mu);
  while (!s.done) s.done_cv.Wait(&s.done_mu);
}

}  // namespace motcua::http
