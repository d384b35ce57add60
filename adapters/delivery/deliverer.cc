// Outbound delivery's I/O (deliverer.h): the outbox, the HTTP client, cursors and dead letters.
// Everything but Committed, States, DeadLetters and Redrive runs on the one delivery thread, so
// the subscriptions, their lanes and connections need no lock.

#include "adapters/delivery/deliverer.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <pthread.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <deque>
#include <map>
#include <random>
#include <thread>
#include <unordered_map>

#include "adapters/delivery/portal.h"
#include "adapters/delivery/webhook.h"
#include "adapters/json/json_writer.h"
#include "adapters/proto/view_codec.h"
#include "adapters/runtime/thread_priority.h"
#include "engine/common/mutex.h"
#include "engine/dossier/migration.h"
#include "engine/store/indexes.h"
#include "motcua/v1/api.pb.h"

namespace motcua {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

std::string DeliveryCursorKey(const std::string& subscription) {
  return std::string("dc") + kIndexSep + subscription;
}

std::string DeadLetterKey(const std::string& subscription, uint64_t position) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(position));
  return std::string("dl") + kIndexSep + subscription + kIndexSep + digits;
}

namespace {

constexpr size_t kOutboxPage = 256;
constexpr size_t kResponseBodyLimit = 64 * 1024;  // what is read of an answer's body
constexpr auto kIdleWake = std::chrono::seconds(1);
// How often the cursors are saved and the state for the admin routes and metrics is published,
// while events flow (at once when a subscription has nothing pending).
constexpr int64_t kCursorSaveEveryMs = 200;
constexpr int64_t kPublishEveryMs = 100;
// Rounds (retries due, cursors, state, commits taken together) follow one another at most this
// often while work goes on.
constexpr auto kRound = std::chrono::milliseconds(5);

int64_t SystemMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Target {
  std::string host, port, path;
  bool tls = false;  // https
};

// http[s]://host[:port][/path] (checked when the file was read: subscription_yaml.cc).
Target ParseTarget(const std::string& url) {
  Target t;
  t.tls = url.starts_with("https://");
  std::string rest = url.substr(url.find("://") + 3);
  const size_t slash = rest.find('/');
  t.path = slash == std::string::npos ? "/" : rest.substr(slash);
  const std::string authority = rest.substr(0, slash);
  const size_t colon = authority.rfind(':');
  t.host = authority.substr(0, colon);
  t.port = colon == std::string::npos ? (t.tls ? "443" : "80") : authority.substr(colon + 1);
  return t;
}

// The TLS client settings of an https subscription: the peer's certificate must chain to the
// CA file's certificates (or the system's) and name the host; TLS 1.2 at least.
std::shared_ptr<ssl::context> TlsContext(const std::string& ca_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  ctx->set_verify_mode(ssl::verify_peer);
  if (ca_file.empty()) {
    ctx->set_default_verify_paths();
  } else {
    ctx->load_verify_file(ca_file);
  }
  return ctx;
}

// One connection to a receiver: TCP, with TLS over it for https.
struct Conn {
  Conn(net::io_context& ioc, ssl::context* tls) {
    if (tls != nullptr) {
      secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc, *tls);
    } else {
      plain = std::make_unique<beast::tcp_stream>(ioc);
    }
  }
  beast::tcp_stream& tcp() { return plain ? *plain : beast::get_lowest_layer(*secure); }
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
};

// What a dossier-less event (gone since) and a dossier's event filter on.
EventFacts FactsOf(const Event& e, const Dossier* d) {
  EventFacts f;
  f.type = e.type;
  if (d != nullptr) {
    f.receiving_agency = d->receiving_agency;
    f.competent_agency = d->competent_agency;
    f.procedure_code = d->procedure_code;
  }
  return f;
}

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Resolves and connects, and for https shakes hands (the name sent with SNI and checked against
// the certificate), within `timeout`.
net::awaitable<void> Connect(Conn& c, const Target& t, std::chrono::milliseconds timeout) {
  tcp::resolver resolver(c.tcp().get_executor());
  auto endpoints = co_await resolver.async_resolve(t.host, t.port, net::use_awaitable);
  c.tcp().expires_after(timeout);
  co_await c.tcp().async_connect(endpoints, net::use_awaitable);
  if (c.secure) {
    // SNI names hosts, never addresses (RFC 6066 §3).
    boost::system::error_code not_an_address;
    net::ip::make_address(t.host, not_an_address);
    if (not_an_address && !SSL_set_tlsext_host_name(c.secure->native_handle(), t.host.c_str())) {
      throw boost::system::system_error(
          beast::error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category()));
    }
    c.secure->set_verify_callback(ssl::host_name_verification(t.host));
    co_await c.secure->async_handshake(ssl::stream_base::client, net::use_awaitable);
  }
}

// A JSON POST to `t`.
Request JsonPost(const Target& t, std::string body) {
  Request req{http::verb::post, t.path, 11};
  req.set(http::field::host, t.host);
  req.set(http::field::user_agent, "motcua-webhooks/1");
  req.set(http::field::content_type, "application/json");
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

// Sends `req` (the caller's, kept until the answer is read) and reads the answer (its body up
// to kResponseBodyLimit), within `timeout`.
template <typename Stream>
net::awaitable<Response> ExchangeOn(Stream& stream, const Request& req) {
  co_await http::async_write(stream, req, net::use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kResponseBodyLimit);
  co_await http::async_read(stream, buffer, parser, net::use_awaitable);
  co_return parser.release();
}

net::awaitable<Response> Exchange(Conn& c, const Request& req, std::chrono::milliseconds timeout) {
  c.tcp().expires_after(timeout);
  if (c.secure) co_return co_await ExchangeOn(*c.secure, req);
  co_return co_await ExchangeOn(*c.plain, req);
}

}  // namespace

struct Deliverer::Impl {
  struct Payload {
    std::string id;  // WebhookId: "msg_<dossier>_<version>"
    std::string dossier_id;
    int64_t version = 0;
    EventType type = EventType::kSubmitted;
    std::string body;                     // payload: event
    std::optional<PortalMessage> portal;  // payload: portal (its body carries the session)
    bool redrive = false;
  };
  struct Sub {
    Subscription config;
    Target target;
    DeliveryLane lane{0};
    // Of the pending events; shared with their sends (a retry sends the same one).
    std::unordered_map<uint64_t, std::shared_ptr<const Payload>> payloads;
    std::vector<std::unique_ptr<Conn>> idle;  // keep-alive connections
    std::shared_ptr<ssl::context> tls;        // https: the TLS client settings
    std::string tls_error;                    // https: why the settings could not be made
    uint64_t saved_cursor = 0;
    bool removed = false;
    std::string session;  // the portal's session token, once logged in
    SubscriptionState stats;
  };

  Store* store = nullptr;
  CatalogSource catalog;
  DeliveryOptions options;
  Clock clock;
  net::io_context ioc{1};
  net::steady_timer wake{ioc};
  std::thread thread;
  std::atomic<uint64_t> committed{0};
  std::atomic<bool> wake_posted{false};
  std::atomic<bool> stopping{false};
  std::map<std::string, std::shared_ptr<Sub>> subs;  // the delivery thread's
  std::mt19937_64 rng{std::random_device{}()};
  v1::EventView view;  // the delivery thread's, reused for every event's JSON

  mutable Mutex mu;
  std::vector<SubscriptionState> published GUARDED_BY(mu);
  std::vector<std::shared_ptr<const motcua::CommittedEvents>> incoming GUARDED_BY(mu);

  // A round is wanted; Run waits (idle_wait) only when none is.
  std::atomic<bool> pending_wake{false};
  std::atomic<bool> idle_wait{false};
  net::steady_timer pace{ioc};

  // On the delivery thread: another round soon.
  void Poke() {
    pending_wake.store(true);
    wake.cancel();
  }
  // From any thread.
  void WakeSoon() {
    pending_wake.store(true);
    if (!wake_posted.exchange(true)) {
      net::post(ioc, [this] {
        wake_posted.store(false);
        wake.cancel();
      });
    }
  }

  std::shared_ptr<Sub> MakeSub(Subscription config, uint64_t cursor) {
    auto s = std::make_shared<Sub>();
    s->target = ParseTarget(config.url);
    const bool tls = s->target.tls || config.portal.login_url.starts_with("https://");
    if (tls) {
      try {
        s->tls = TlsContext(config.ca_file);
      } catch (const boost::system::system_error& e) {
        s->tls_error = "TLS settings (ca_file '" + config.ca_file + "'): " + e.code().message();
      }
    }
    s->config = std::move(config);
    s->lane = DeliveryLane(cursor);
    s->saved_cursor = cursor;
    s->stats.id = s->config.id;
    s->stats.url = s->config.url;
    return s;
  }

  // The commits handed over by the committer (CommittedEvents), oldest first.
  std::deque<std::shared_ptr<const motcua::CommittedEvents>> recent;  // the delivery thread's
  size_t recent_count = 0;                                            // events in `recent`

  // Takes what the committer handed over, and forgets what every subscription has read or what
  // exceeds recent_events.
  void TakeRecent() {
    std::vector<std::shared_ptr<const motcua::CommittedEvents>> in;
    {
      MutexLock lock(&mu);
      in.swap(incoming);
    }
    for (auto& b : in) {
      recent_count += b->event_count;
      recent.push_back(std::move(b));
    }
    uint64_t slowest = UINT64_MAX;
    for (auto& [id, s] : subs) slowest = std::min(slowest, s->lane.read_upto());
    while (!recent.empty() &&
           (recent.front()->last_position() <= slowest || recent_count > options.recent_events)) {
      recent_count -= recent.front()->event_count;
      recent.pop_front();
    }
  }

  // One committed event into a subscription's lane (with its payload when wanted); false when it
  // must be taken again later (the reason in last_error).
  bool Take(Sub& s, const DefinitionCatalog& cat, uint64_t position, const Event& event,
            const Dossier* dossier) {
    // The portal's services carry the dossier's status and steps: a file attached changes
    // neither, and is not sent to it.
    const bool portal_noise =
        s.config.payload == PayloadKind::kPortal && event.type == EventType::kFileAttached;
    const bool wanted = !portal_noise && Wants(s.config, FactsOf(event, dossier), cat.Agencies());
    if (wanted) {
      Result<Payload> p = MakePayload(s, cat, position, event);
      if (!p.ok()) {
        s.stats.last_error = p.status().ToString();
        return false;
      }
      s.payloads[position] = std::make_shared<const Payload>(std::move(*p));
    }
    s.lane.Offer(position, event.dossier_id, wanted, event.at.seconds * 1000);
    return true;
  }

  // The commit held in memory that holds `position`, or recent.end().
  auto FindRecent(uint64_t position) {
    auto it = std::upper_bound(recent.begin(), recent.end(), position,
                               [](uint64_t p, const auto& b) { return p < b->first_position; });
    if (it == recent.begin()) return recent.end();
    --it;
    return (*it)->last_position() < position ? recent.end() : it;
  }

  // Takes the next events from the commits held in memory; false when the next one is not there.
  bool FillFromRecent(Sub& s, const DefinitionCatalog& cat, uint64_t upto) {
    const uint64_t next = s.lane.read_upto() + 1;
    auto it = FindRecent(next);
    if (it == recent.end()) return false;
    for (; it != recent.end(); ++it) {
      uint64_t position = (*it)->first_position;
      for (const motcua::CommittedEvents::Change& c : (*it)->changes) {
        for (const Event& e : c.events) {
          if (position >= next && position <= upto) {
            if (s.lane.pending() >= options.max_pending) return true;
            if (!Take(s, cat, position, e, c.dossier.get())) return true;
          }
          ++position;
        }
      }
    }
    return true;
  }

  // Reads what is committed into the lane, up to max_pending events in it: from the commits held
  // in memory, else from the outbox.
  void Fill(Sub& s) {
    // The commits handed over since the last round (a finished send fills its slot between
    // rounds), taken after `committed` is read: every event up to it is then in memory, or read
    // from the outbox only when delivery is further behind than recent_events.
    const uint64_t upto = committed.load();
    TakeRecent();
    std::shared_ptr<const DefinitionCatalog> cat = catalog();
    while (s.lane.read_upto() < upto && s.lane.pending() < options.max_pending) {
      const uint64_t before = s.lane.read_upto();
      if (FillFromRecent(s, *cat, upto)) {
        if (s.lane.read_upto() == before) return;  // held back (full, or a payload failed)
        continue;
      }
      Result<std::vector<OutboxEntry>> page = store->ReadOutbox(s.lane.read_upto(), kOutboxPage);
      if (!page.ok()) {
        s.stats.last_error = "reading the outbox: " + page.status().ToString();
        return;
      }
      if (page->empty()) return;
      for (OutboxEntry& entry : *page) {
        // Stop at the commits held in memory: they go from there.
        if (FindRecent(entry.position) != recent.end()) break;
        Result<std::shared_ptr<const Dossier>> d = store->GetShared(entry.event.dossier_id);
        if (!d.ok()) {
          s.stats.last_error = "reading a dossier: " + d.status().ToString();
          return;
        }
        if (!Take(s, *cat, entry.position, entry.event, d->get())) return;  // again next round
      }
    }
  }

  Result<Payload> MakePayload(const Sub& s, const DefinitionCatalog& cat, uint64_t position,
                              const Event& event) {
    Payload p;
    p.id = WebhookId(event);
    p.dossier_id = event.dossier_id;
    p.version = event.version;
    p.type = event.type;
    if (s.config.payload == PayloadKind::kPortal) {
      // The dossier as it stood at the event: its history up to it, replayed.
      ASSIGN_OR_RETURN(std::vector<Event> history, store->History(event.dossier_id));
      while (!history.empty() && history.back().version > event.version) history.pop_back();
      if (history.empty()) return Internal("the history of " + event.dossier_id + " is empty");
      // The version the dossier was at then: a migration may have moved it (migration.h).
      std::shared_ptr<const Procedure> procedure =
          cat.Version(history.front().procedure_code, ProcedureVersionAfter(history));
      p.portal = MakePortalMessage(history, procedure.get(), cat.Agencies(), s.config.portal);
      return p;
    }
    // One view, cleared for each event: its strings keep their memory.
    view.Clear();
    FillEvent(event, position, &view);
    p.body = WebhookBody(event, ToJson(view, false));
    return p;
  }

  // The portal's session-token login; an error, or empty once s.session is set.
  net::awaitable<std::string> Login(Sub& s) {
    const Target t = ParseTarget(s.config.portal.login_url);
    const auto timeout = std::chrono::milliseconds(s.config.timeout_ms);
    if (t.tls && !s.tls) co_return "login: " + s.tls_error;
    try {
      Conn stream(ioc, t.tls ? s.tls.get() : nullptr);
      co_await Connect(stream, t, timeout);
      std::string body = "{\"username\":";
      AppendJsonString(s.config.portal.username, &body);
      body += ",\"password\":";
      AppendJsonString(s.config.portal.password, &body);
      body += "}";
      const Request req = JsonPost(t, std::move(body));
      const Response res = co_await Exchange(stream, req, timeout);
      if (res.result_int() < 200 || res.result_int() >= 300) {
        co_return "login: HTTP " + std::to_string(res.result_int());
      }
      google::protobuf::Struct answer;
      if (!google::protobuf::util::JsonStringToMessage(res.body(), &answer).ok()) {
        co_return std::string("login: the answer is not JSON");
      }
      auto it = answer.fields().find("session");
      if (it == answer.fields().end() || it->second.string_value().empty()) {
        co_return std::string("login: the answer has no session");
      }
      s.session = it->second.string_value();
      co_return std::string();
    } catch (const boost::system::system_error& e) {
      co_return "login: " + e.code().message();
    }
  }

  // A subscription's saved cursor; nullopt when it has none.
  Result<std::optional<uint64_t>> SavedCursor(const std::string& id) {
    ASSIGN_OR_RETURN(std::optional<std::string> saved, store->GetState(DeliveryCursorKey(id)));
    if (!saved) return std::optional<uint64_t>();
    try {
      return std::optional<uint64_t>(std::stoull(*saved));
    } catch (const std::exception&) {
      return Internal("the delivery cursor of '" + id + "' is not a number: " + *saved);
    }
  }

  void SaveCursor(Sub& s, std::vector<Store::StateWrite>* writes) {
    if (s.lane.cursor() == s.saved_cursor) return;
    writes->push_back({DeliveryCursorKey(s.config.id), std::to_string(s.lane.cursor())});
    s.saved_cursor = s.lane.cursor();
  }

  int64_t last_save_ms = 0;
  int64_t last_publish_ms = 0;

  void Publish() {
    std::vector<SubscriptionState> out;
    for (auto& [id, s] : subs) {
      SubscriptionState st = s->stats;
      st.cursor = s->lane.cursor();
      st.read_upto = s->lane.read_upto();
      st.committed = committed.load();
      st.pending = s->lane.pending();
      st.in_flight = s->lane.in_flight();
      st.oldest_pending_ms = s->lane.oldest_pending().value_or(0);
      st.config = s->config;
      out.push_back(std::move(st));
    }
    MutexLock lock(&mu);
    published = std::move(out);
  }

  // Reads what is committed into the lane and sends what is ready: up to `concurrency`
  // requests in flight, each of up to `batch` events.
  void Pump(const std::shared_ptr<Sub>& s, int64_t now) {
    Fill(*s);
    const size_t per = static_cast<size_t>(std::max(1, s->config.batch));
    const size_t cap = static_cast<size_t>(s->config.concurrency) * per;
    const size_t room = cap > s->lane.in_flight() ? cap - s->lane.in_flight() : 0;
    std::vector<DeliveryLane::Attempt> ready = s->lane.Ready(now, room);
    for (size_t i = 0; i < ready.size(); i += per) {
      std::vector<DeliveryLane::Attempt> one(ready.begin() + i,
                                             ready.begin() + std::min(i + per, ready.size()));
      net::co_spawn(ioc, Send(s, std::move(one)), net::detached);
    }
  }

  net::awaitable<void> Run() {
    while (!stopping.load()) {
      const int64_t now = clock();
      const uint64_t round_committed = committed.load();
      std::optional<int64_t> next;
      std::vector<Store::StateWrite> writes;
      bool idle = true;
      bool room_to_read = false;  // some lane takes more events
      TakeRecent();
      for (auto& [id, s] : subs) {
        Pump(s, now);
        idle = idle && s->lane.pending() == 0;
        room_to_read = room_to_read || s->lane.pending() < options.max_pending;
        if (std::optional<int64_t> r = s->lane.next_retry(); r && (!next || *r < *next)) next = r;
      }
      if (idle || now - last_save_ms >= kCursorSaveEveryMs) {
        for (auto& [id, s] : subs) SaveCursor(*s, &writes);
        last_save_ms = now;
      }
      if (!writes.empty()) {
        if (Status st = store->WriteStates(writes); !st.ok()) {
          std::fprintf(stderr, "motcua: delivery cursors not saved: %s\n", st.ToString().c_str());
        }
      }
      if (idle || now - last_publish_ms >= kPublishEveryMs) {
        Publish();
        last_publish_ms = now;
      }
      auto wait = std::chrono::duration_cast<std::chrono::steady_clock::duration>(kIdleWake);
      if (next) {
        wait = std::min(wait, std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  std::chrono::milliseconds(std::max<int64_t>(*next - now, 1))));
      }
      beast::error_code ec;
      // Waits unless a round is wanted (a send finished, a re-drive, a reload: pending_wake) or
      // something was committed since this round began. While sends are finishing, rounds go
      // on without the committer waking this thread for each commit (Committed pokes only a
      // thread that waits).
      idle_wait.store(true);
      const bool more =
          pending_wake.exchange(false) || (room_to_read && committed.load() != round_committed);
      if (more || stopping.load()) {
        // Another round soon: a finished send refills its own slot meanwhile (Pump), so rounds
        // need not follow each other closely; the commits in between are taken together.
        idle_wait.store(false);
        pace.expires_after(kRound);
        co_await pace.async_wait(net::redirect_error(net::use_awaitable, ec));
        continue;
      }
      wake.expires_after(wait);
      co_await wake.async_wait(net::redirect_error(net::use_awaitable, ec));
      idle_wait.store(false);
      pending_wake.store(false);
    }
  }

  // One event's outcome: delivered (its dead letter, if re-driven, removed), or failed (retried
  // later, or given up: a dead letter).
  void Settle(Sub& s, const DeliveryLane::Attempt& a, const Payload& payload, bool ok,
              const std::string& error, std::optional<int64_t> retry_after,
              std::vector<Store::StateWrite>* writes) {
    if (ok) {
      s.lane.Delivered(a.position);
      ++s.stats.delivered;
      if (payload.redrive)
        writes->push_back({DeadLetterKey(s.config.id, a.position), std::nullopt});
    } else {
      std::uniform_real_distribution<double> jitter(0.0, 1.0);
      const DeliveryLane::Verdict v =
          s.lane.Failed(a.position, clock(), s.config.retry, jitter(rng), retry_after);
      if (v == DeliveryLane::Verdict::kRetry) {
        ++s.stats.retried;
      } else {
        ++s.stats.dead_lettered;
        v1::DeadLetter dl;
        dl.set_subscription(s.config.id);
        dl.set_position(a.position);
        dl.set_dossier_id(payload.dossier_id);
        dl.set_version(payload.version);
        dl.set_type(NameOf(payload.type));
        dl.set_attempts(a.number);
        dl.set_last_error(error);
        dl.set_at(FormatLocal(Instant{clock() / 1000}, kApiUtcOffsetSeconds));
        writes->push_back({DeadLetterKey(s.config.id, a.position), dl.SerializeAsString()});
        std::fprintf(stderr,
                     "motcua: delivery to %s gave up on event %llu (dossier %s) after %d "
                     "attempts: %s\n",
                     s.config.id.c_str(), static_cast<unsigned long long>(a.position),
                     payload.dossier_id.c_str(), a.number, error.c_str());
      }
    }
    // A finished event's payload goes; a retry keeps it.
    if (!s.lane.IsPending(a.position)) s.payloads.erase(a.position);
  }

  // One request: POST one event, or a batch of events of different dossiers; each event's
  // outcome goes to the lane.
  net::awaitable<void> Send(std::shared_ptr<Sub> s, std::vector<DeliveryLane::Attempt> attempts) {
    // The payloads, held while the send waits (a finished event's leaves the map meanwhile).
    std::vector<std::pair<DeliveryLane::Attempt, std::shared_ptr<const Payload>>> items;
    for (const DeliveryLane::Attempt& a : attempts) {
      auto found = s->payloads.find(a.position);
      if (found != s->payloads.end()) items.emplace_back(a, found->second);
    }
    if (items.empty()) co_return;
    const Payload& first = *items.front().second;
    std::string error;
    std::optional<int64_t> retry_after;
    bool ok = false;
    if (first.portal && !s->config.portal.login_url.empty() && s->session.empty()) {
      error = co_await Login(*s);
    }
    const int64_t ts = clock() / 1000;
    std::string id;
    std::string body;
    if (items.size() == 1) {
      id = first.id;
      if (!first.portal) body = first.body;
    } else {
      id = WebhookBatchId(items.front().first.position, items.back().first.position, items.size());
      std::vector<std::pair<std::string_view, std::string_view>> parts;
      parts.reserve(items.size());
      for (const auto& [a, p] : items) parts.emplace_back(p->id, p->body);
      body = WebhookBatchBody(parts, FormatLocal(Instant{ts}, kApiUtcOffsetSeconds));
    }
    // One request, signed once (the batch's body is tens of kilobytes: never copied). The
    // portal's body carries the session, which a login above may have renewed.
    Request req =
        JsonPost(s->target, first.portal ? PortalBody(*first.portal, s->session) : std::move(body));
    req.set("webhook-id", id);
    req.set("webhook-timestamp", std::to_string(ts));
    req.keep_alive(true);
    if (error.empty()) {
      if (Result<std::string> sig = SignWebhook(s->config.secrets, id, ts, req.body()); sig.ok()) {
        req.set("webhook-signature", *sig);
      } else {
        error = sig.status().message();
      }
    }
    // A kept-alive connection the receiver closed meanwhile fails at once: then one more try on
    // a new connection, within the same attempt.
    for (int tries = 0; tries < 2 && !ok && error.empty(); ++tries) {
      if (s->target.tls && !s->tls) {
        error = s->tls_error;
        break;
      }
      std::unique_ptr<Conn> stream;
      const bool reused = !s->idle.empty();
      if (reused) {
        stream = std::move(s->idle.back());
        s->idle.pop_back();
      } else {
        stream = std::make_unique<Conn>(ioc, s->target.tls ? s->tls.get() : nullptr);
      }
      const auto timeout = std::chrono::milliseconds(s->config.timeout_ms);
      beast::error_code ec;
      bool answered = false;
      try {
        if (!reused) co_await Connect(*stream, s->target, timeout);
        ++s->stats.requests;
        const Response res = co_await Exchange(*stream, req, timeout);
        answered = true;
        const unsigned status = res.result_int();
        if (status >= 200 && status < 300) {
          ok = true;
        } else {
          error = "HTTP " + std::to_string(status);
          if (status == 401) s->session.clear();  // log in again before the next attempt
          if (auto it = res.find(http::field::retry_after); it != res.end()) {
            retry_after =
                RetryAfterMs(std::string_view(it->value().data(), it->value().size()), clock());
          }
        }
        if (res.keep_alive() && !s->removed &&
            s->idle.size() < static_cast<size_t>(s->config.concurrency)) {
          s->idle.push_back(std::move(stream));
        }
      } catch (const boost::system::system_error& e) {
        ec = e.code();
        error = ec == beast::error::timeout
                    ? "no answer within " + std::to_string(s->config.timeout_ms) + " ms"
                    : e.code().message();
      } catch (const std::exception& e) {
        error = e.what();
      }
      if (answered || !reused) break;  // only a reused connection's early failure is tried again
    }
    if (stopping.load() || s->removed) co_return;
    std::vector<Store::StateWrite> writes;
    if (!ok) s->stats.last_error = error;
    for (const auto& [a, p] : items) Settle(*s, a, *p, ok, error, retry_after, &writes);
    // Dead letters are written at once; the cursor with the next round (Run), at most every
    // kCursorSaveEveryMs: a cursor saved a little behind only sends some events again after a
    // crash, where one write per delivered event would compete with the commits.
    if (!writes.empty()) {
      if (Status st = store->WriteStates(writes); !st.ok()) {
        std::fprintf(stderr, "motcua: delivery state not saved: %s\n", st.ToString().c_str());
      }
    }
    // The slot this request held takes the next events at once (rounds come only every kRound).
    if (!stopping.load() && !s->removed) Pump(s, clock());
    // A retry to wait for: a round sets the wake-up for it.
    if (!ok) WakeSoon();
  }
};

Deliverer::Deliverer(Store* store, CatalogSource catalog, std::vector<Subscription> subscriptions,
                     DeliveryOptions options, Clock clock)
    : impl_(std::make_unique<Impl>()) {
  impl_->store = store;
  impl_->catalog = std::move(catalog);
  impl_->options = options;
  impl_->clock = clock ? std::move(clock) : Clock(&SystemMs);
  for (Subscription& sub : subscriptions) {
    const std::string id = sub.id;
    impl_->subs[id] = impl_->MakeSub(std::move(sub), 0);
  }
}

Deliverer::~Deliverer() { Stop(); }

Status Deliverer::Start(uint64_t committed) {
  Impl& d = *impl_;
  d.committed.store(committed);
  std::vector<Store::StateWrite> writes;
  for (auto& [id, s] : d.subs) {
    ASSIGN_OR_RETURN(std::optional<uint64_t> saved, d.SavedCursor(id));
    // A new subscription gets what is committed from now on.
    const uint64_t cursor = saved.value_or(committed);
    if (!saved) writes.push_back({DeliveryCursorKey(id), std::to_string(cursor)});
    s = d.MakeSub(std::move(s->config), cursor);
  }
  if (!writes.empty()) RETURN_IF_ERROR(d.store->WriteStates(writes));
  d.Publish();
  net::co_spawn(d.ioc, d.Run(), net::detached);
  d.thread = std::thread([&d] {
    pthread_setname_np(pthread_self(), "motcua-deliver");
    LowerThisThreadPriority();  // background work: the writes get the CPU first
    d.ioc.run();
  });
  return Status::Ok();
}

void Deliverer::Stop() {
  Impl& d = *impl_;
  if (d.stopping.exchange(true)) return;
  net::post(d.ioc, [&d] {
    d.Poke();
    d.ioc.stop();
  });
  if (d.thread.joinable()) d.thread.join();
}

void Deliverer::Committed(uint64_t position) {
  Impl& d = *impl_;
  uint64_t seen = d.committed.load();
  while (position > seen && !d.committed.compare_exchange_weak(seen, position)) {
  }
  if (position > seen && d.idle_wait.load()) d.WakeSoon();
}

void Deliverer::CommittedEvents(std::shared_ptr<const motcua::CommittedEvents> events) {
  Impl& d = *impl_;
  const uint64_t last = events->last_position();
  {
    MutexLock lock(&d.mu);
    d.incoming.push_back(std::move(events));
  }
  Committed(last);
}

void Deliverer::Replace(std::vector<Subscription> subscriptions) {
  Impl& d = *impl_;
  net::post(d.ioc, [&d, subscriptions = std::move(subscriptions)]() mutable {
    std::map<std::string, std::shared_ptr<Impl::Sub>> next;
    for (Subscription& sub : subscriptions) {
      const std::string id = sub.id;
      auto it = d.subs.find(id);
      if (it != d.subs.end() && it->second->config.url == sub.url) {
        // Same target: the lane and connections go on; the filter applies to what is read next.
        it->second->config = std::move(sub);
        next[id] = it->second;
        continue;
      }
      // A new URL sends again what is unfinished; an id back in the file resumes where it stood;
      // a new id gets what is committed from now on.
      uint64_t cursor = d.committed.load();
      if (it != d.subs.end()) {
        cursor = it->second->lane.cursor();
      } else if (Result<std::optional<uint64_t>> saved = d.SavedCursor(id); saved.ok() && *saved) {
        cursor = **saved;
      }
      next[id] = d.MakeSub(std::move(sub), cursor);
    }
    for (auto& [id, s] : d.subs) {
      if (!next.contains(id)) s->removed = true;
    }
    d.subs = std::move(next);
    d.Poke();
  });
}

std::vector<SubscriptionState> Deliverer::States() const {
  MutexLock lock(&impl_->mu);
  return impl_->published;
}

Result<std::vector<v1::DeadLetter>> Deliverer::DeadLetters(const std::string& subscription,
                                                           uint64_t after, size_t limit) const {
  const std::string prefix = std::string("dl") + kIndexSep + subscription + kIndexSep;
  ASSIGN_OR_RETURN(auto found,
                   impl_->store->ScanStates(
                       prefix, after == 0 ? "" : DeadLetterKey(subscription, after), limit));
  std::vector<v1::DeadLetter> out;
  for (const auto& [key, value] : found) {
    v1::DeadLetter dl;
    if (!dl.ParseFromString(value)) return Internal("the dead letter " + key + " is unreadable");
    out.push_back(std::move(dl));
  }
  return out;
}

Status Deliverer::Redrive(const std::string& subscription, uint64_t position) {
  Impl& d = *impl_;
  ASSIGN_OR_RETURN(std::optional<std::string> saved,
                   d.store->GetState(DeadLetterKey(subscription, position)));
  if (!saved) {
    return NotFound("subscription '" + subscription + "' has no dead letter at position " +
                    std::to_string(position));
  }
  ASSIGN_OR_RETURN(std::vector<OutboxEntry> entries, d.store->ReadOutbox(position - 1, 1));
  if (entries.empty() || entries.front().position != position) {
    return NotFound("the outbox holds no event at position " + std::to_string(position));
  }
  net::post(d.ioc, [&d, subscription, entry = std::move(entries.front())] {
    auto it = d.subs.find(subscription);
    if (it == d.subs.end()) return;
    Impl::Sub& s = *it->second;
    Result<Impl::Payload> made = d.MakePayload(s, *d.catalog(), entry.position, entry.event);
    if (!made.ok()) {
      std::fprintf(stderr, "motcua: re-drive of event %llu: %s\n",
                   static_cast<unsigned long long>(entry.position),
                   made.status().ToString().c_str());
      return;
    }
    Impl::Payload p = std::move(*made);
    p.redrive = true;
    s.payloads[entry.position] = std::make_shared<const Impl::Payload>(std::move(p));
    s.lane.Redrive(entry.position, entry.event.dossier_id, entry.event.at.seconds * 1000);
    d.Poke();
  });
  return Status::Ok();
}

}  // namespace motcua
