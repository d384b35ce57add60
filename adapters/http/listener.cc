// Accepting connections (up to max_connections), the sweeper that enforces the HTTP sessions'
// deadlines, and the server's shared bookkeeping of sessions (server_state.h).

#include <cstdio>

#include "adapters/http/http_session.h"
#include "adapters/http/server_state.h"
#include "adapters/http/websocket_session.h"

namespace motcua::http {

namespace {
Mutex log_mu;
}  // namespace

void ServerLog(const std::string& line) {
  MutexLock lock(&log_mu);
  std::fprintf(stderr, "%s\n", line.c_str());
}

void Server::Impl::UpdateWsGauge() {
  if (Metrics* m = api->metrics()) m->SetWebSocketSubscribers(ws_count.load());
}

void Server::Impl::AddWebSocket(const std::shared_ptr<WsSession>& ws) {
  MutexLock lock(&sessions_mu);
  for (auto it = ws_sessions.begin(); it != ws_sessions.end();) {
    it = it->expired() ? ws_sessions.erase(it) : std::next(it);
  }
  ws_sessions.insert(ws);
}

bool Server::Impl::ReserveStream(const std::string& principal) {
  MutexLock lock(&sessions_mu);
  size_t& n = streams_per_principal[principal];
  if (n >= options.ws_per_principal) return false;
  ++n;
  return true;
}

void Server::Impl::ReleaseStream(const std::string& principal) {
  MutexLock lock(&sessions_mu);
  auto it = streams_per_principal.find(principal);
  if (it == streams_per_principal.end()) return;
  if (--it->second == 0) streams_per_principal.erase(it);
}

void Server::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!stopping.load()) Accept();
      return;
    }
    // Over the limit, the session says so and closes without reading the request.
    const bool over = connections.load() >= options.max_connections;
    connections.fetch_add(1);
    auto s = std::make_shared<HttpSession>(this, std::move(socket));
    {
      MutexLock lock(&sessions_mu);  // closed sessions are dropped by Sweep
      http_sessions.insert(s);
    }
    if (over) {
      s->Refuse();
    } else {
      s->Run();
    }
    if (!stopping.load()) Accept();
  });
}

// Every 200 ms: sessions past their deadline are told so (at most 0.2 s late); sessions that
// are gone leave the set.
void Server::Impl::Sweep() {
  sweeper.expires_after(std::chrono::milliseconds(200));
  // Deadlines hold during a shutdown's grace period too; ioc.stop() ends the sweeps.
  sweeper.async_wait([this](beast::error_code ec) {
    if (ec) return;
    const int64_t now = SteadyNowNs();
    // A new token store (a reload) may have revoked the token of an open stream; console
    // sessions end with time, sign-out and accounts disabled: checked every second.
    std::shared_ptr<const TokenStore> tokens = api->deps().tokens();
    const bool check_streams = tokens != swept_tokens || ++sweeps % 5 == 0;
    swept_tokens = tokens;
    {
      MutexLock lock(&sessions_mu);
      for (auto it = http_sessions.begin(); it != http_sessions.end();) {
        if (auto s = it->lock()) {
          s->CheckDeadline(now);
          ++it;
        } else {
          it = http_sessions.erase(it);
        }
      }
      if (check_streams) {
        for (const auto& w : ws_sessions) {
          if (auto ws = w.lock()) ws->CheckCredential();
        }
      }
    }
    Sweep();
  });
}

}  // namespace motcua::http
