#pragma once
// Inside the server (server.h): the state its listener and sessions share, as Beast's
// chat-multi example keeps it in shared_state. Only the server's own files include this.
//
//   server.cc             Server: start, commit notifications, graceful shutdown
//   listener.cc           accepting connections, the deadline sweeper
//   http_session.cc       one HTTP/1.1 connection (requests, deadlines, upgrade to WebSocket)
//   websocket_session.cc  one /v1/stream subscriber (the WebSocket frames, a bounded queue)
//   subscription.cc       what a subscriber may see and wants (no Beast; tested without a socket)
//   stream_hub.cc         the fan-out of committed events, rendered once (no Beast)
// The Beast files are compiled as one unit (CMake's unity build): Beast code is slow to compile.

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "adapters/http/server.h"
#include "adapters/http/stream_hub.h"
#include "adapters/runtime/cond_var.h"
#include "engine/common/mutex.h"

namespace motcua::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class HttpSession;
class WsSession;

// One line on stderr; lines of concurrent sessions never interleave.
void ServerLog(const std::string& line);
// The Date header's value now (http_session.cc).
const std::string& HttpDate();

// Deadlines are kept on the steady clock, in nanoseconds.
inline int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Server::Impl {
  Api* api;
  ServerOptions options;
  net::io_context ioc;
  // Keeps the io threads running while requests wait for a group commit with no socket
  // operation pending (otherwise run() would return once the acceptor closes).
  net::executor_work_guard<net::io_context::executor_type> work{ioc.get_executor()};
  tcp::acceptor acceptor{ioc};
  net::steady_timer sweeper{ioc};  // checks the HTTP sessions' deadlines and streams' tokens
  std::shared_ptr<const TokenStore> swept_tokens;  // the token store the last sweep saw
  uint64_t sweeps = 0;
  std::vector<std::thread> threads;
  // The WebSocket streams run on their own io thread(s), below the write path's priority: a
  // round of fan-out to a thousand subscribers never queues the HTTP answers of a commit behind
  // it, and on a busy machine the writes get the CPU first (server.cc).
  net::io_context stream_ioc;
  net::executor_work_guard<net::io_context::executor_type> stream_work{stream_ioc.get_executor()};
  std::vector<std::thread> stream_threads;
  std::atomic<bool> stopping{false};
  std::atomic<size_t> connections{0};
  std::atomic<size_t> in_flight{0};       // requests being answered
  std::atomic<int64_t> ws_count{0};       // live WebSocket sessions
  std::atomic<uint64_t> upload_bytes{0};  // upload bodies being read or held (upload_memory_bytes)
  std::unique_ptr<StreamHub> hub;         // fans committed events out to the streams
  Mutex sessions_mu;
  std::set<std::weak_ptr<HttpSession>, std::owner_less<std::weak_ptr<HttpSession>>> http_sessions
      GUARDED_BY(sessions_mu);
  std::set<std::weak_ptr<WsSession>, std::owner_less<std::weak_ptr<WsSession>>> ws_sessions
      GUARDED_BY(sessions_mu);
  std::map<std::string, size_t> streams_per_principal GUARDED_BY(sessions_mu);
  Mutex done_mu;
  CondVar done_cv;
  bool done GUARDED_BY(done_mu) = false;
  bool shut GUARDED_BY(done_mu) = false;

  // listener.cc
  void Accept();
  void Sweep();
  // Keeps a new WebSocket session, forgetting those that are gone.
  void AddWebSocket(const std::shared_ptr<WsSession>& ws) EXCLUDES(sessions_mu);
  // A stream for `principal`, unless it has ws_per_principal open already.
  bool ReserveStream(const std::string& principal) EXCLUDES(sessions_mu);
  void ReleaseStream(const std::string& principal) EXCLUDES(sessions_mu);
  void UpdateWsGauge();
};

}  // namespace motcua::http
