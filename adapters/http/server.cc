#include "adapters/http/server.h"

#include <google/protobuf/util/json_util.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "adapters/proto/definition_codec.h"
#include "motcua/v1/api.pb.h"

namespace motcua::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

std::mutex log_mu;

void Log(const std::string& line) {
  std::lock_guard lock(log_mu);
  std::fprintf(stderr, "%s\n", line.c_str());
}

// Events of one page read from the outbox per pump step.
constexpr size_t kOutboxPage = 256;

}  // namespace

class HttpSession;
class WsSession;

struct Server::Impl {
  Api* api;
  ServerOptions options;
  net::io_context ioc;
  // Keeps the io threads running while requests wait for a group commit with no socket
  // operation pending (otherwise run() would return once the acceptor closes).
  net::executor_work_guard<net::io_context::executor_type> work{ioc.get_executor()};
  tcp::acceptor acceptor{ioc};
  net::steady_timer sweeper{ioc};  // checks the HTTP sessions' deadlines
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<size_t> connections{0};
  std::atomic<size_t> in_flight{0};  // requests being answered
  std::atomic<int64_t> ws_count{0};  // live WebSocket sessions
  std::atomic<uint64_t> committed{0};
  std::mutex sessions_mu;
  std::set<std::weak_ptr<HttpSession>, std::owner_less<std::weak_ptr<HttpSession>>> http_sessions;
  std::set<std::weak_ptr<WsSession>, std::owner_less<std::weak_ptr<WsSession>>> ws_sessions;
  std::mutex done_mu;
  std::condition_variable done_cv;
  bool done = false;
  bool shut = false;

  void Accept();
  void Sweep();
  void UpdateWsGauge();
};

// ---------------------------------------------------------------- WebSocket

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(Server::Impl* server, beast::tcp_stream&& stream, Principal principal)
      : server_(server), ws_(std::move(stream)), principal_(std::move(principal)) {
    server_->ws_count.fetch_add(1);
    server_->UpdateWsGauge();
  }
  ~WsSession() {
    server_->ws_count.fetch_sub(1);
    server_->UpdateWsGauge();
  }

  void Run(bhttp::request<bhttp::string_body> req) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(server_->options.ws_message_limit);
    ws_.async_accept(req, beast::bind_front_handler(&WsSession::OnAccept, shared_from_this()));
  }

  // From the committer thread: new events may be in the outbox.
  void Notify() {
    net::post(ws_.get_executor(), beast::bind_front_handler(&WsSession::Pump, shared_from_this()));
  }

  void GoingAway() {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      self->Close(websocket::close_code::going_away, "server shutting down");
    });
  }

 private:
  void OnAccept(beast::error_code ec) {
    if (ec) return;
    ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::OnSubscribe, shared_from_this()));
  }

  void OnSubscribe(beast::error_code ec, std::size_t) {
    if (ec) return;
    const std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    v1::StreamSubscribe sub;
    google::protobuf::util::JsonParseOptions opts;
    if (!google::protobuf::util::JsonStringToMessage(text, &sub, opts).ok()) {
      return Close(websocket::close_code::policy_error,
                   "first message must be a subscription: {\"dossier_id\"|\"agency\"|\"all\", "
                   "\"from\"}");
    }
    Api* api = server_->api;
    if (!sub.dossier_id().empty()) {
      auto d = api->store()->Get(sub.dossier_id());
      if (!d.ok() || !*d || !api->CanSee(principal_, **d)) {
        return Close(websocket::close_code::policy_error, "unknown dossier");
      }
    } else if (!sub.agency().empty()) {
      if (!principal_.InScope(sub.agency())) {
        return Close(websocket::close_code::policy_error, "agency outside your scope");
      }
    } else if (!sub.all()) {
      return Close(websocket::close_code::policy_error,
                   "subscribe to a dossier_id, an agency (optionally step/assignee) or all");
    }
    sub_ = sub;
    position_ = sub.from() > 0 ? sub.from() : (sub.from_start() ? 0 : server_->committed.load());
    sent_ = position_;  // a client cut before any delivery resumes where it asked to start
    // Catching up on a backlog is paced by the client's reads; once caught up, live events are
    // queued as they commit and a client that cannot keep up overflows the queue.
    catching_up_ = position_ < server_->committed.load();
    subscribed_ = true;
    // Keep reading so that pings, closes and errors are seen; clients send nothing else.
    ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::OnRead, shared_from_this()));
    Pump();
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) {
      closed_ = true;
      return;
    }
    buffer_.consume(buffer_.size());
    ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::OnRead, shared_from_this()));
  }

  bool Wanted(const Event& e) {
    if (!sub_.dossier_id().empty()) return e.dossier_id == sub_.dossier_id();
    auto d = server_->api->store()->Get(e.dossier_id);
    if (!d.ok() || !*d || !server_->api->CanSee(principal_, **d)) return false;
    if (!sub_.agency().empty()) {
      if ((*d)->receiving_agency != sub_.agency() && (*d)->competent_agency != sub_.agency()) {
        return false;
      }
      if (!sub_.step().empty() && e.to_step != sub_.step() && (*d)->current_step != sub_.step()) {
        return false;
      }
      if (!sub_.assignee().empty() && (*d)->assignee != sub_.assignee()) return false;
    }
    return true;
  }

  // Reads what the outbox has past our position and queues what the subscription wants.
  void Pump() {
    if (!subscribed_ || closed_ || pumping_) return;
    pumping_ = true;
    while (position_ < server_->committed.load() && !closed_) {
      if (catching_up_ && queue_.size() >= server_->options.ws_queue_limit / 2) break;
      auto page = server_->api->store()->ReadOutbox(position_, kOutboxPage);
      if (!page.ok() || page->empty()) break;
      for (const OutboxEntry& o : *page) {
        position_ = o.position;
        if (!Wanted(o.event)) continue;
        if (!catching_up_ && queue_.size() >= server_->options.ws_queue_limit) {
          pumping_ = false;
          // The client has everything before the first queued message; it resumes from there.
          return Close(websocket::close_code::policy_error,
                       "slow consumer: queue of " + std::to_string(queue_.size()) +
                           " events overflowed; reconnect with from=" + std::to_string(sent_));
        }
        queue_.push_back(std::make_pair(o.position, server_->api->EventJson(o)));
      }
    }
    if (catching_up_ && position_ >= server_->committed.load()) catching_up_ = false;
    pumping_ = false;
    Write();
  }

  void Write() {
    if (writing_ || queue_.empty() || closed_) return;
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front().second),
                    beast::bind_front_handler(&WsSession::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) {
      closed_ = true;
      return;
    }
    sent_ = queue_.front().first;
    queue_.pop_front();
    Write();
    if (queue_.empty() || catching_up_) Pump();
  }

  void Close(websocket::close_code code, const std::string& reason) {
    if (closed_) return;
    closed_ = true;
    // The message being written stays until its write completes: its buffer is in use.
    while (queue_.size() > (writing_ ? 1u : 0u)) queue_.pop_back();
    ws_.async_close(websocket::close_reason(code, reason),
                    [self = shared_from_this()](beast::error_code) {});
  }

  Server::Impl* server_;
  websocket::stream<beast::tcp_stream> ws_;
  Principal principal_;
  beast::flat_buffer buffer_;
  v1::StreamSubscribe sub_;
  uint64_t position_ = 0;  // last outbox position examined
  uint64_t sent_ = 0;      // last position delivered to the client
  std::deque<std::pair<uint64_t, std::string>> queue_;
  bool subscribed_ = false, pumping_ = false, writing_ = false, closed_ = false;
  bool catching_up_ = false;
};

// ---------------------------------------------------------------- HTTP

// Deadlines: a session stores when its current phase (request, idle keep-alive, response) must
// end; one sweeper timer per server checks them (Impl::Sweep) instead of a timer armed and
// cancelled around every socket operation, which cost two extra handler runs per request.
int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void AppendUnsigned(std::string& out, uint64_t v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

// RFC 9110 §6.6.1: an origin server with a clock sends Date. Formatted at most once a second
// per io thread (IMF-fixdate, English names whatever the locale).
const std::string& HttpDate() {
  thread_local std::time_t shown = -1;
  thread_local std::string text;
  const std::time_t now = std::time(nullptr);
  if (now != shown) {
    static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                  tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    text = buf;
    shown = now;
  }
  return text;
}

// Header values are ours, but some carry request data: never let one end the header line.
void AppendHeaderValue(std::string& out, const std::string& v) {
  for (char c : v) out += (c == '\r' || c == '\n') ? ' ' : c;
}

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(Server::Impl* server, tcp::socket&& socket)
      : server_(server), socket_(std::move(socket)), executor_(socket_.get_executor()) {
    beast::error_code ec;
    auto ep = socket_.remote_endpoint(ec);
    remote_ = ec ? "?" : ep.address().to_string();
  }
  ~HttpSession() { server_->connections.fetch_sub(1); }

  void Run() {
    net::dispatch(executor_, beast::bind_front_handler(&HttpSession::Read, shared_from_this()));
  }

  // Shutdown: an idle connection is closed now; a busy one after its response.
  void Stop() {
    net::post(executor_, [self = shared_from_this()] {
      if (!self->busy_) self->Close();
    });
  }

  // From the sweeper: the current phase may be over its deadline. Checked again on the
  // session's strand, where the deadline may have moved on.
  void CheckDeadline(int64_t now) {
    const int64_t d = deadline_.load(std::memory_order_relaxed);
    if (d == 0 || d > now) return;
    net::post(executor_, [self = shared_from_this()] {
      const int64_t due = self->deadline_.load(std::memory_order_relaxed);
      if (due == 0 || due > SteadyNowNs()) return;
      // The pending operation completes with operation_aborted. The deadline stays: a composed
      // read or write between two of its steps has nothing to cancel yet, and the next sweep
      // cancels again until a handler ends the phase (Deadline, NoDeadline or Close).
      self->timed_out_ = true;
      beast::error_code ec;
      self->socket_.cancel(ec);
    });
  }

 private:
  void Deadline(int seconds) {
    timed_out_ = false;
    deadline_.store(SteadyNowNs() + int64_t{seconds} * 1'000'000'000, std::memory_order_relaxed);
  }
  void NoDeadline() {
    timed_out_ = false;
    deadline_.store(0, std::memory_order_relaxed);
  }

  void Read() {
    if (server_->stopping.load()) return Close();
    method_.clear();  // for logs of requests refused before their head is read
    target_.clear();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_->options.header_limit));
    parser_->body_limit(server_->options.body_limit);
    const ServerOptions& o = server_->options;
    Deadline(first_ ? o.read_timeout_seconds : o.idle_timeout_seconds);
    bhttp::async_read_header(socket_, buffer_, *parser_,
                             beast::bind_front_handler(&HttpSession::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof) return Close();
    if (ec && (timed_out_ || server_->stopping.load())) return Close();
    if (ec == bhttp::error::header_limit) {
      return Fail(
          431, "request-header-too-large",
          "request headers exceed " + std::to_string(server_->options.header_limit) + " bytes");
    }
    if (ec == bhttp::error::body_limit) {  // a declared Content-Length over the limit
      return Fail(413, "body-too-large",
                  "request bodies are limited to " + std::to_string(server_->options.body_limit) +
                      " bytes");
    }
    if (ec) return Fail(400, "malformed-request", ec.message());
    first_ = false;
    busy_ = true;
    start_ = std::chrono::steady_clock::now();
    const auto& req = parser_->get();
    method_.assign(req.method_string().data(), req.method_string().size());
    const auto target = req.target();
    target_.assign(target.data(), std::min(target.size(), target.find('?')));
    // Request smuggling defences: only chunked transfer coding, never with a length as well.
    const bool has_te = req.find(bhttp::field::transfer_encoding) != req.end();
    const bool has_cl = req.find(bhttp::field::content_length) != req.end();
    if (has_te) {
      const std::string te(req[bhttp::field::transfer_encoding]);
      if (te != "chunked") {
        return Fail(400, "bad-transfer-encoding",
                    "only Transfer-Encoding: chunked is accepted, got '" + te + "'");
      }
      if (has_cl) {
        return Fail(400, "bad-transfer-encoding",
                    "a request must not carry both Transfer-Encoding and Content-Length");
      }
    }
    if (req.target().size() > 4096) {
      return Fail(414, "uri-too-long", "the request target exceeds 4096 bytes");
    }
    if (websocket::is_upgrade(req)) return Upgrade();
    // A request without a body is complete: answer it now, without another trip through the
    // reader (and the executor).
    if (parser_->is_done()) return OnBody({}, 0);
    // The body must arrive within the read deadline too (slow bodies are slowloris as well).
    Deadline(server_->options.read_timeout_seconds);
    bhttp::async_read(socket_, buffer_, *parser_,
                      beast::bind_front_handler(&HttpSession::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, std::size_t) {
    if (ec && timed_out_) {
      return Fail(408, "request-timeout", "the request did not arrive in time");
    }
    if (ec == bhttp::error::body_limit) {
      return Fail(413, "body-too-large",
                  "request bodies are limited to " + std::to_string(server_->options.body_limit) +
                      " bytes");
    }
    if (ec) return Fail(400, "malformed-request", ec.message());
    auto req = parser_->release();
    HttpRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    for (const auto& f : req) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(f.value());
    }
    r.body = std::move(req.body());
    r.remote = remote_;
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    server_->in_flight.fetch_add(1);
    // Reads answer inside Handle on this thread: they are sent right after it returns. Writes
    // answer later from the committer: they are posted back to this connection's executor, and
    // the connection has no deadline while it waits for the group commit.
    // Only this thread reads or writes `answer->returned`.
    struct Answer {
      bool returned = false;
      std::optional<HttpResponse> now;
    };
    auto answer = std::make_shared<Answer>();
    const std::thread::id caller = std::this_thread::get_id();
    server_->api->Handle(
        std::move(r), [self = shared_from_this(), answer, caller](HttpResponse resp) {
          if (std::this_thread::get_id() == caller && !answer->returned) {
            answer->now = std::move(resp);
            return;
          }
          net::post(self->executor_,
                    [self, resp = std::move(resp)]() mutable { self->Send(std::move(resp)); });
        });
    answer->returned = true;
    if (answer->now) return Send(std::move(*answer->now));
    NoDeadline();
  }

  void Upgrade() {
    // The upgrade request has no body; authenticate with the header, or ?access_token= for
    // browsers, which cannot set headers on WebSocket upgrades.
    bhttp::request<bhttp::string_body> req = parser_->release();
    HttpRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    const std::string path = r.target.substr(0, r.target.find('?'));
    if (path != "/v1/stream") return Fail(404, "not-found", "no WebSocket at " + path);
    std::string auth(req[bhttp::field::authorization]);
    if (auth.empty()) {
      const size_t at = r.target.find("access_token=");
      if (at != std::string::npos) {
        auth = "Bearer " + r.target.substr(at + 13, r.target.find('&', at) - at - 13);
      }
    }
    r.headers["authorization"] = auth;
    std::optional<Principal> p = server_->api->Authenticate(r);
    if (!p) return Fail(401, "unauthenticated", "send Authorization: Bearer <token>");
    NoDeadline();  // the WebSocket keeps its own timeouts
    beast::error_code sec;
    socket_.set_option(net::socket_base::send_buffer_size(server_->options.ws_send_buffer_bytes),
                       sec);
    auto ws =
        std::make_shared<WsSession>(server_, beast::tcp_stream(std::move(socket_)), std::move(*p));
    {
      std::lock_guard lock(server_->sessions_mu);
      for (auto it = server_->ws_sessions.begin(); it != server_->ws_sessions.end();) {
        it = it->expired() ? server_->ws_sessions.erase(it) : std::next(it);
      }
      server_->ws_sessions.insert(ws);
    }
    ws->Run(std::move(req));
  }

  void Fail(int status, const std::string& type, const std::string& detail) {
    HttpResponse r;
    r.status = status;
    r.content_type = "application/problem+json";
    v1::Problem problem;
    problem.set_type("urn:problem:motcua:" + type);
    problem.set_status(status);
    problem.set_detail(ValidUtf8(detail));  // the detail may quote the request
    r.body = ToJson(problem, false);
    r.route = "invalid";
    r.log_note = type + ": " + detail;
    keep_alive_ = false;
    if (!busy_) {
      busy_ = true;
      start_ = std::chrono::steady_clock::now();
    }
    server_->in_flight.fetch_add(1);
    Send(std::move(r));
  }

  // The response head is written here (status line, Date, Server, Content-Type, the
  // response's own headers, Content-Length, Connection) and sent with the body in one
  // gathered write.
  void Send(HttpResponse r) {
    const bool keep = keep_alive_ && !server_->stopping.load();
    head_.clear();
    head_ += version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    AppendUnsigned(head_, static_cast<uint64_t>(r.status));
    head_ += ' ';
    const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(r.status));
    head_.append(reason.data(), reason.size());
    head_ += "\r\nDate: ";
    head_ += HttpDate();
    head_ += "\r\nServer: motcua\r\nContent-Type: ";
    AppendHeaderValue(head_, r.content_type);
    for (const auto& [k, v] : r.headers) {
      head_ += "\r\n";
      AppendHeaderValue(head_, k);
      head_ += ": ";
      AppendHeaderValue(head_, v);
    }
    head_ += "\r\nContent-Length: ";
    AppendUnsigned(head_, r.body.size());
    if (!keep) {
      head_ += "\r\nConnection: close";
    } else if (version_ == 10) {
      head_ += "\r\nConnection: keep-alive";
    }
    head_ += "\r\n\r\n";
    body_ = std::move(r.body);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (server_->api && server_->options.log_requests) {
      char ms[32];
      std::snprintf(ms, sizeof ms, "%.2fms", seconds * 1e3);
      std::string line = (method_.empty() ? "-" : method_) + " " +
                         (target_.empty() ? "-" : target_) + " " + std::to_string(r.status) + " " +
                         ms + " actor=" + (r.actor.empty() ? "-" : r.actor);
      if (!r.log_note.empty() && r.status >= 400) {
        line += " reason=";
        AppendJsonString(ValidUtf8(r.log_note), &line);  // it may quote the request
      }
      Log(line);
    }
    if (Metrics* m = metrics())
      m->Record(method_.empty() ? "-" : method_, r.route, r.status, seconds);
    Deadline(server_->options.read_timeout_seconds);
    const std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(body_)};
    net::async_write(socket_, buffers,
                     [self = shared_from_this(), keep](beast::error_code ec, std::size_t) {
                       self->busy_ = false;
                       self->server_->in_flight.fetch_sub(1);
                       if (ec) return self->Close();
                       if (!keep) return self->Linger();
                       self->Read();
                     });
  }

  Metrics* metrics() const;

  // After a final answer: stop sending, then read and drop what the client still sends (a
  // refused body, say) for up to two seconds before closing. Closing with unread data would
  // make the kernel reset the connection, and a reset can destroy the answer before the
  // client reads it.
  void Linger() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    Deadline(2);
    DropInput();
  }
  void DropInput() {
    socket_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->Close();
                              self->DropInput();
                            });
  }

  void Close() {
    NoDeadline();
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    socket_.close(ec);
  }

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
  unsigned version_ = 11;
  std::string method_, target_;
  std::string head_, body_;  // the response being written
  std::string remote_;       // the peer address, read once per connection
  std::chrono::steady_clock::time_point start_;
};

Metrics* HttpSession::metrics() const { return server_->api->metrics(); }

void Server::Impl::UpdateWsGauge() {
  if (Metrics* m = api->metrics()) m->SetWebSocketSubscribers(ws_count.load());
}

void Server::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!stopping.load()) Accept();
      return;
    }
    if (connections.load() >= options.max_connections) {
      // Over the limit: say so and close, without reading the request.
      static const std::string kBusy =
          "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n"
          "Content-Type: application/problem+json\r\nContent-Length: 72\r\n\r\n"
          "{\"type\":\"urn:problem:motcua:overloaded\",\"status\":503,\"detail\":\"busy\"}\n";
      beast::error_code wec;
      net::write(socket, net::buffer(kBusy), wec);
      socket.close(wec);
    } else {
      connections.fetch_add(1);
      auto s = std::make_shared<HttpSession>(this, std::move(socket));
      {
        std::lock_guard lock(sessions_mu);  // closed sessions are dropped by Sweep
        http_sessions.insert(s);
      }
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
    {
      std::lock_guard lock(sessions_mu);
      for (auto it = http_sessions.begin(); it != http_sessions.end();) {
        if (auto s = it->lock()) {
          s->CheckDeadline(now);
          ++it;
        } else {
          it = http_sessions.erase(it);
        }
      }
    }
    Sweep();
  });
}

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
  s.committed.store(s.api->service()->last_outbox_position());
  s.Accept();
  s.Sweep();
  for (int i = 0; i < std::max(1, s.options.threads); ++i) {
    s.threads.emplace_back([&s] { s.ioc.run(); });
  }
  return Status::Ok();
}

uint16_t Server::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void Server::NotifyCommitted(uint64_t position) {
  Impl& s = *impl_;
  s.committed.store(position);
  std::vector<std::shared_ptr<WsSession>> live;
  {
    std::lock_guard lock(s.sessions_mu);
    for (const auto& w : s.ws_sessions) {
      if (auto p = w.lock()) live.push_back(std::move(p));
    }
  }
  for (auto& p : live) p->Notify();
}

void Server::Shutdown() {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.done_mu);
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
    std::lock_guard lock(s.sessions_mu);
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
    Log("motcua: " + std::to_string(s.in_flight.load()) +
        " requests still in flight after the grace period; closing them");
  }
  // Give close frames and final responses a moment on the wire, then stop.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  s.work.reset();
  s.ioc.stop();
  for (auto& t : s.threads) {
    if (t.joinable()) t.join();
  }
  {
    std::lock_guard lock(s.done_mu);
    s.done = true;
  }
  s.done_cv.notify_all();
}

void Server::Wait() {
  Impl& s = *impl_;
  std::unique_lock lock(s.done_mu);
  s.done_cv.wait(lock, [&s] { return s.done; });
}

}  // namespace motcua::http
