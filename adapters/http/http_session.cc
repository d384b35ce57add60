// One HTTP/1.1 connection (http_session.h).

#include "adapters/http/http_session.h"

#include <unistd.h>

#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>

#include "adapters/http/routes.h"
#include "adapters/http/websocket_session.h"
#include "adapters/json/json_writer.h"
#include "adapters/json/utf8.h"

namespace motcua::http {

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

namespace {

// Deadlines: a session stores when its current phase (request, idle keep-alive, response) must
// end; one sweeper timer per server checks them (Impl::Sweep) instead of a timer armed and
// cancelled around every socket operation, which cost two extra handler runs per request.
void AppendUnsigned(std::string& out, uint64_t v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

// Header values are ours, but some carry request data: never let one end the header line.
void AppendHeaderValue(std::string& out, const std::string& v) {
  for (char c : v) out += (c == '\r' || c == '\n') ? ' ' : c;
}

}  // namespace

HttpSession::HttpSession(Server::Impl* server, tcp::socket&& socket)
    : server_(server), socket_(std::move(socket)), executor_(socket_.get_executor()) {
  beast::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  remote_ = ec ? "?" : ep.address().to_string();
}

HttpSession::~HttpSession() {
  ReleaseUpload();
  if (!handed_over_) server_->connections.fetch_sub(1);
}

void HttpSession::ReleaseUpload() {
  if (upload_bytes_ != 0) server_->upload_bytes.fetch_sub(upload_bytes_);
  upload_bytes_ = 0;
}

void HttpSession::TooLarge() {
  const ServerOptions& o = server_->options;
  if (upload_) {
    return Fail(
        413, "file-too-large",
        "files are limited to " + std::to_string(o.max_file_bytes) + " bytes (max_file_bytes)");
  }
  return Fail(413, "body-too-large",
              "request bodies are limited to " + std::to_string(o.body_limit) + " bytes");
}

void HttpSession::Run() {
  net::dispatch(executor_, beast::bind_front_handler(&HttpSession::Read, shared_from_this()));
}

void HttpSession::Stop() {
  net::post(executor_, [self = shared_from_this()] {
    if (!self->busy_) self->Close();
  });
}

void HttpSession::CheckDeadline(int64_t now) {
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

void HttpSession::Deadline(int seconds) {
  timed_out_ = false;
  deadline_.store(SteadyNowNs() + int64_t{seconds} * 1'000'000'000, std::memory_order_relaxed);
}

void HttpSession::NoDeadline() {
  timed_out_ = false;
  deadline_.store(0, std::memory_order_relaxed);
}

void HttpSession::Read() {
  if (server_->stopping.load()) return Close();
  method_.clear();  // for logs of requests refused before their head is read
  target_.clear();
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(server_->options.header_limit));
  const ServerOptions& o = server_->options;
  // The head says which limit applies (OnHeader); until then the larger one.
  parser_->body_limit(std::max<uint64_t>(o.body_limit, o.max_file_bytes));
  upload_ = false;
  Deadline(first_ ? o.read_timeout_seconds : o.idle_timeout_seconds);
  bhttp::async_read_header(socket_, buffer_, *parser_,
                           beast::bind_front_handler(&HttpSession::OnHeader, shared_from_this()));
}

void HttpSession::OnHeader(beast::error_code ec, std::size_t) {
  if (ec == bhttp::error::end_of_stream || ec == net::error::eof) return Close();
  if (ec && (timed_out_ || server_->stopping.load())) return Close();
  if (ec == bhttp::error::header_limit) {
    return Fail(
        431, "request-header-too-large",
        "request headers exceed " + std::to_string(server_->options.header_limit) + " bytes");
  }
  if (ec == bhttp::error::body_limit) {  // a declared Content-Length over either limit
    const auto& head = parser_->get();
    method_.assign(head.method_string().data(), head.method_string().size());
    const auto target = head.target();
    target_.assign(target.data(), std::min(target.size(), target.find('?')));
    upload_ = IsFileUpload(method_, target_);
    return TooLarge();
  }
  if (ec) {
    // Beast refuses a length and a transfer coding together, and codings it cannot read, before
    // we see the head: name them for what they are (request smuggling defences).
    if (ec == bhttp::error::bad_transfer_encoding || ec == bhttp::error::bad_content_length ||
        ec == bhttp::error::multiple_content_length) {
      const auto& head = parser_->get();
      if (ec == bhttp::error::bad_transfer_encoding ||
          head.find(bhttp::field::transfer_encoding) != head.end()) {
        return Fail(400, "bad-transfer-encoding",
                    "only Transfer-Encoding: chunked is accepted, never with Content-Length (" +
                        ec.message() + ")");
      }
    }
    return Fail(400, "malformed-request", ec.message());
  }
  first_ = false;
  busy_ = true;
  start_ = std::chrono::steady_clock::now();
  const auto& req = parser_->get();
  method_.assign(req.method_string().data(), req.method_string().size());
  const auto target = req.target();
  target_.assign(target.data(), std::min(target.size(), target.find('?')));
  // Request smuggling defences: only chunked transfer coding (Beast refused a length with it).
  if (req.find(bhttp::field::transfer_encoding) != req.end()) {
    const std::string te(req[bhttp::field::transfer_encoding]);
    if (te != "chunked") {
      return Fail(400, "bad-transfer-encoding",
                  "only Transfer-Encoding: chunked is accepted, got '" + te + "'");
    }
  }
  if (req.version() == 11 && req.find(bhttp::field::host) == req.end()) {
    return Fail(400, "missing-host", "an HTTP/1.1 request needs a Host header");
  }
  if (req.target().size() > 4096) {
    return Fail(414, "uri-too-long", "the request target exceeds 4096 bytes");
  }
  if (websocket::is_upgrade(req)) return Upgrade();
  // A request without a body is complete: answer it now, without another trip through the
  // reader (and the executor).
  if (parser_->is_done()) return OnBody({}, 0);
  const ServerOptions& o = server_->options;
  upload_ = IsFileUpload(method_, target_);
  const uint64_t limit = upload_ ? o.max_file_bytes : o.body_limit;
  const auto length = parser_->content_length();
  if (length && *length > limit) return TooLarge();
  parser_->body_limit(limit);
  if (upload_) {
    // Bodies are held in memory until written: bounded together, not just each.
    const uint64_t want = length ? *length : limit;
    if (server_->upload_bytes.fetch_add(want) + want > o.upload_memory_bytes) {
      server_->upload_bytes.fetch_sub(want);
      return Fail(503, "overloaded",
                  "too many uploads at once (upload_memory_bytes); try again shortly",
                  {{"Retry-After", "1"}});
    }
    upload_bytes_ = want;
  }
  // The body must arrive within the read deadline too (slow bodies are slowloris as well).
  Deadline(upload_ ? o.upload_timeout_seconds : o.read_timeout_seconds);
  // A client that waits for the go-ahead (curl does for large bodies) gets it now: the head
  // passed every check that can be made without the body.
  if (req.version() == 11 && beast::iequals(req[bhttp::field::expect], "100-continue")) {
    static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    return net::async_write(socket_, net::buffer(kContinue),
                            [self = shared_from_this()](beast::error_code wec, std::size_t) {
                              if (wec) return self->Close();
                              self->ReadBody();
                            });
  }
  ReadBody();
}

void HttpSession::ReadBody() {
  bhttp::async_read(socket_, buffer_, *parser_,
                    beast::bind_front_handler(&HttpSession::OnBody, shared_from_this()));
}

void HttpSession::OnBody(beast::error_code ec, std::size_t) {
  if (ec && timed_out_) {
    return Fail(408, "request-timeout", "the request did not arrive in time");
  }
  if (ec == bhttp::error::body_limit) return TooLarge();
  if (ec) return Fail(400, "malformed-request", ec.message());
  auto req = parser_->release();
  HttpRequest r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  for (const auto& f : req) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string& value = r.headers[name];
    // A proxy chain may add a forwarding header line per hop: one list, in order (RFC 9110).
    if (!value.empty() && (name == "x-forwarded-for" || name == "forwarded")) {
      value += ", " + std::string(f.value());
    } else {
      value = std::string(f.value());
    }
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

void HttpSession::Upgrade() {
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
  r.headers["cookie"] = std::string(req[bhttp::field::cookie]);  // a console session's
  std::optional<Principal> p = server_->api->Authenticate(r);
  if (!p) {
    return Fail(401, "unauthenticated", "send Authorization: Bearer <token>, or sign in",
                {{"WWW-Authenticate", "Bearer"}});
  }
  if (!p->csrf.empty()) {
    // A session's cookie comes with any page's handshake: only our own pages (and the CORS
    // origins allowed) may open a stream with it (cross-site WebSocket hijacking).
    const std::string origin(req[bhttp::field::origin]);
    const std::string host(req[bhttp::field::host]);
    const auto& allowed = server_->api->options().cors_origins;
    if (!origin.empty() && origin != "http://" + host && origin != "https://" + host &&
        std::find(allowed.begin(), allowed.end(), origin) == allowed.end()) {
      return Fail(403, "forbidden", "a session's stream opens only from this server's pages");
    }
  }
  // RFC 6455 §4.2.1: version 13 and a 16-byte key, base64.
  if (req[bhttp::field::sec_websocket_version] != "13") {
    return Fail(426, "upgrade-required", "WebSocket version 13 only",
                {{"Sec-WebSocket-Version", "13"}});
  }
  if (req[bhttp::field::sec_websocket_key].size() != 24) {
    return Fail(400, "malformed-request", "Sec-WebSocket-Key must be 16 bytes in base64");
  }
  if (!server_->ReserveStream(p->id)) {
    return Fail(429, "too-many-streams",
                "at most " + std::to_string(server_->options.ws_per_principal) +
                    " open streams per principal (ws_per_principal)");
  }
  NoDeadline();  // the WebSocket keeps its own timeouts
  beast::error_code sec;
  socket_.set_option(net::socket_base::send_buffer_size(server_->options.ws_send_buffer_bytes),
                     sec);
  // The connection moves to the stream threads (server_state.h): its socket is re-registered
  // with their io_context, on a strand of its own.
  tcp::socket moved(net::make_strand(server_->stream_ioc));
  const auto protocol = socket_.local_endpoint(sec).protocol();
  const tcp::socket::native_handle_type fd = sec ? -1 : socket_.release(sec);
  if (sec) {
    ServerLog("websocket " + remote_ +
              ": cannot hand the connection to the stream threads: " + sec.message());
    server_->ReleaseStream(p->id);
    return Fail(503, "unavailable", "cannot open the stream now; try again");
  }
  moved.assign(protocol, fd, sec);
  if (sec) {
    ServerLog("websocket " + remote_ +
              ": cannot hand the connection to the stream threads: " + sec.message());
    ::close(fd);
    server_->ReleaseStream(p->id);
    return;
  }
  // The stream takes this connection's place in max_connections: counting it twice until this
  // session is gone would refuse a connection the limit allows.
  handed_over_ = true;
  auto ws = std::make_shared<WsSession>(server_, std::move(moved), std::move(*p), remote_);
  server_->AddWebSocket(ws);
  // A client may send its first frames right behind the upgrade request: they were read already.
  ws->Run(req, beast::buffers_to_string(buffer_.data()));
  buffer_.consume(buffer_.size());
}

void HttpSession::Refuse() {
  net::dispatch(executor_, [self = shared_from_this()] {
    self->Fail(503, "overloaded", "busy", {{"Retry-After", "1"}});
  });
}

void HttpSession::Fail(int status, const std::string& type, const std::string& detail,
                       Headers headers) {
  HttpResponse r = ProblemResponse(status, type, "", detail, "", "", std::move(headers));
  r.route = "invalid";
  keep_alive_ = false;
  if (!busy_) {
    busy_ = true;
    start_ = std::chrono::steady_clock::now();
  }
  server_->in_flight.fetch_add(1);
  Send(std::move(r));
}

void HttpSession::Send(HttpResponse r) {
  const bool keep = keep_alive_ && !server_->stopping.load();
  head_.clear();
  head_ += version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  AppendUnsigned(head_, static_cast<uint64_t>(r.status));
  head_ += ' ';
  const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(r.status));
  head_.append(reason.data(), reason.size());
  head_ += "\r\nDate: ";
  head_ += HttpDate();
  head_ += "\r\nServer: motcua";
  ReleaseUpload();  // the body was consumed (or refused) by now
  // A 204 has no content and says nothing of its length (RFC 9110 §8.6); a 304 has none either,
  // and its headers are the validators of what GET would send (§15.4.5).
  const bool no_content = r.status == 204 || r.status == 304;
  if (!no_content) {
    head_ += "\r\nContent-Type: ";
    AppendHeaderValue(head_, r.content_type);
  }
  for (const auto& [k, v] : r.headers) {
    head_ += "\r\n";
    AppendHeaderValue(head_, k);
    head_ += ": ";
    AppendHeaderValue(head_, v);
  }
  if (no_content) {
    r.body.clear();
  } else {
    head_ += "\r\nContent-Length: ";
    AppendUnsigned(head_, r.body.size());
  }
  if (!keep) {
    head_ += "\r\nConnection: close";
  } else if (version_ == 10) {
    head_ += "\r\nConnection: keep-alive";
  }
  head_ += "\r\n\r\n";
  body_ = std::move(r.body);
  if (method_ == "HEAD") body_.clear();  // the length of what GET would send, no body
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (server_->api && server_->options.log_requests) {
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.2fms", seconds * 1e3);
    std::string line = (method_.empty() ? "-" : method_) + " " + (target_.empty() ? "-" : target_) +
                       " " + std::to_string(r.status) + " " + ms +
                       " actor=" + (r.actor.empty() ? "-" : r.actor) +
                       " client=" + (r.client.empty() ? remote_ : r.client);
    if (!r.log_note.empty() && r.status >= 400) {
      // It may quote the request: at most 1 KB of it, so that no client makes a log line huge.
      constexpr size_t kMaxNote = 1024;
      std::string note = r.log_note.size() > kMaxNote
                             ? r.log_note.substr(0, kMaxNote) + "… (" +
                                   std::to_string(r.log_note.size()) + " bytes)"
                             : r.log_note;
      line += " reason=";
      AppendJsonString(ValidUtf8(note), &line);
    }
    ServerLog(line);
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

void HttpSession::Linger() {
  beast::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return Close();
  Deadline(2);
  DropInput();
}

void HttpSession::DropInput() {
  socket_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) return self->Close();
                            self->DropInput();
                          });
}

void HttpSession::Close() {
  NoDeadline();
  beast::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  socket_.close(ec);
}

Metrics* HttpSession::metrics() const { return server_->api->metrics(); }

}  // namespace motcua::http
