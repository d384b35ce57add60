#pragma once
// The HTTP/WebSocket server: Boost.Beast sessions around http::Api (server_state.h lists its
// files). No Beast type appears in this header, so that its users compile fast.
//
// Threading: `threads` io threads run the HTTP sessions; each session is serialised on its own
// strand. Writes complete on the committer thread and are posted back to their session. An
// upgraded connection (/v1/stream) moves to the `stream_threads`, which run at a lower priority
// (nice +5) than the io threads and the engine's: fan-out is the work that waits.

#include <cstdint>
#include <memory>
#include <string>

#include "adapters/http/api.h"
#include "engine/store/store.h"

namespace motcua::http {

struct ServerOptions {
  std::string address = "127.0.0.1";  // Default: loopback only
  uint16_t port = 8080;               // Default: 8080; 0 = any free port
  int threads = 2;                    // Default: 2 io threads
  int stream_threads = 1;             // Default: 1 thread for the WebSocket streams
  size_t header_limit = 8 * 1024;     // Default: 8 KiB of request headers, else 431
  size_t body_limit = 1 << 20;        // Default: 1 MiB request body, else 413
  // File uploads (PUT .../documents/{document_id}/files) have their own limit and time.
  uint64_t max_file_bytes = 20ull << 20;  // Default: 20 MiB a file, else 413
  int upload_timeout_seconds = 120;       // Default: an upload's body within 2 minutes
  // Upload bodies are held in memory until written: at most this much at once, then 503.
  uint64_t upload_memory_bytes = 256ull << 20;  // Default: 256 MiB
  int read_timeout_seconds = 10;        // Default: a request must arrive within 10 s (slowloris)
  int idle_timeout_seconds = 30;        // Default: keep-alive connections idle 30 s are closed
  size_t max_connections = 2048;        // Default: 2048 open connections, then 503
  size_t ws_message_limit = 16 * 1024;  // Default: 16 KiB per WebSocket message from clients
  size_t ws_queue_limit = 4096;         // Default: events waiting per subscriber before it is cut
  size_t ws_per_principal = 100;        // Default: 100 open streams per principal, then 429
  // Kernel send buffer of WebSocket connections: small, so that a consumer that stops reading
  // is noticed by its queue instead of hiding in kernel memory.
  int ws_send_buffer_bytes = 64 * 1024;  // Default: 64 KiB
  int shutdown_grace_seconds = 15;       // Default: in-flight requests get 15 s to finish
  bool log_requests = true;              // Default: one line per request on stderr
};

class Server {
 public:
  Server(Api* api, ServerOptions options);
  ~Server();
  // Binds and starts serving. The bound port is port() (useful with port 0).
  Status Start();
  uint16_t port() const;
  // New events are in the outbox up to `position` (called by the committer thread).
  void NotifyCommitted(uint64_t position);
  // The same, with the events themselves: the streams take them from memory.
  void NotifyCommitted(std::shared_ptr<const CommittedEvents> events);
  // Graceful shutdown: stop accepting, let in-flight requests finish (up to the grace period),
  // close WebSockets with 1001, stop the io threads. Idempotent; returns when done.
  void Shutdown();
  // Blocks until Shutdown() has completed (from another thread or a signal).
  void Wait();

  struct Impl;  // server.cc; public so that its session classes can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace motcua::http
