// Outbound delivery's I/O (deliverer.h): the outbox, the HTTP client, cursors and dead letters.
// Everything but Committed, States, DeadLetters and Redrive runs on the one delivery thread, so
// the subscriptions, their lanes and connections need no lock.

#include "adapters/delivery/deliverer.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <pthread.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <thread>
#include <unordered_map>

#include "adapters/delivery/portal.h"
#include "adapters/delivery/webhook.h"
#include "adapters/json/json_writer.h"
#include "adapters/proto/view_codec.h"
#include "engine/common/mutex.h"
#include "engine/store/indexes.h"
#include "motcua/v1/api.pb.h"

namespace motcua {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
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

int64_t SystemMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Target {
  std::string host, port, path;
};

// http://host[:port][/path] (checked when the file was read: subscription_yaml.cc).
Target ParseTarget(const std::string& url) {
  Target t;
  std::string rest = url.substr(url.find("://") + 3);
  const size_t slash = rest.find('/');
  t.path = slash == std::string::npos ? "/" : rest.substr(slash);
  const std::string authority = rest.substr(0, slash);
  const size_t colon = authority.rfind(':');
  t.host = authority.substr(0, colon);
  t.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  return t;
}

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

// Retry-After in seconds (an HTTP date is not read: the backoff applies).
std::optional<int64_t> RetryAfterMs(std::string_view v) {
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  return std::stoll(std::string(v)) * 1000;
}

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Resolves and connects, within `timeout`.
net::awaitable<void> Connect(beast::tcp_stream& stream, const Target& t,
                             std::chrono::milliseconds timeout) {
  tcp::resolver resolver(stream.get_executor());
  auto endpoints = co_await resolver.async_resolve(t.host, t.port, net::use_awaitable);
  stream.expires_after(timeout);
  co_await stream.async_connect(endpoints, net::use_awaitable);
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

// Sends `req` (kept in the coroutine's frame) and reads the answer (its body up to
// kResponseBodyLimit), within `timeout`.
net::awaitable<Response> Exchange(beast::tcp_stream& stream, Request req,
                                  std::chrono::milliseconds timeout) {
  stream.expires_after(timeout);
  co_await http::async_write(stream, req, net::use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kResponseBodyLimit);
  co_await http::async_read(stream, buffer, parser, net::use_awaitable);
  co_return parser.release();
}

}  // namespace

struct Deliverer::Impl {
  struct Payload {
    Event event;
    std::string body;                     // payload: event
    std::optional<PortalMessage> portal;  // payload: portal (its body carries the session)
    bool redrive = false;
  };
  struct Sub {
    Subscription config;
    Target target;
    DeliveryLane lane{0};
    std::unordered_map<uint64_t, Payload> payloads;        // of the pending events
    std::vector<std::unique_ptr<beast::tcp_stream>> idle;  // keep-alive connections
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

  mutable Mutex mu;
  std::vector<SubscriptionState> published GUARDED_BY(mu);

  void WakeSoon() {
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
    s->config = std::move(config);
    s->lane = DeliveryLane(cursor);
    s->saved_cursor = cursor;
    s->stats.id = s->config.id;
    s->stats.url = s->config.url;
    return s;
  }

  // Reads what is committed into the lane, up to max_pending events in it.
  void Fill(Sub& s) {
    const uint64_t upto = committed.load();
    std::shared_ptr<const DefinitionCatalog> cat = catalog();
    while (s.lane.read_upto() < upto && s.lane.pending() < options.max_pending) {
      Result<std::vector<OutboxEntry>> page = store->ReadOutbox(s.lane.read_upto(), kOutboxPage);
      if (!page.ok()) {
        s.stats.last_error = "reading the outbox: " + page.status().ToString();
        return;
      }
      if (page->empty()) return;
      for (OutboxEntry& entry : *page) {
        Result<std::shared_ptr<const Dossier>> d = store->GetShared(entry.event.dossier_id);
        if (!d.ok()) {
          s.stats.last_error = "reading a dossier: " + d.status().ToString();
          return;
        }
        const bool wanted = Wants(s.config, FactsOf(entry.event, d->get()), cat->Agencies());
        if (wanted) {
          Result<Payload> p = MakePayload(s, *cat, entry);
          if (!p.ok()) {
            s.stats.last_error = p.status().ToString();
            return;  // read again next round
          }
          s.payloads[entry.position] = std::move(*p);
        }
        s.lane.Offer(entry.position, entry.event.dossier_id, wanted, entry.event.at.seconds * 1000);
      }
    }
  }

  Result<Payload> MakePayload(const Sub& s, const DefinitionCatalog& cat,
                              const OutboxEntry& entry) {
    Payload p;
    p.event = entry.event;
    if (s.config.payload == PayloadKind::kPortal) {
      // The dossier as it stood at the event: its history up to it, replayed.
      ASSIGN_OR_RETURN(std::vector<Event> history, store->History(entry.event.dossier_id));
      while (!history.empty() && history.back().version > entry.event.version) history.pop_back();
      if (history.empty())
        return Internal("the history of " + entry.event.dossier_id + " is empty");
      const Event& first = history.front();
      std::shared_ptr<const Procedure> procedure =
          cat.Version(first.procedure_code, first.procedure_version);
      p.portal = MakePortalMessage(history, procedure.get(), cat.Agencies(), s.config.portal);
      return p;
    }
    v1::EventView v;
    FillEvent(entry.event, entry.position, &v);
    p.body = WebhookBody(entry.event, ToJson(v, false));
    return p;
  }

  // The portal's session-token login; an error, or empty once s.session is set.
  net::awaitable<std::string> Login(Sub& s) {
    const Target t = ParseTarget(s.config.portal.login_url);
    const auto timeout = std::chrono::milliseconds(s.config.timeout_ms);
    try {
      beast::tcp_stream stream(ioc);
      co_await Connect(stream, t, timeout);
      std::string body = "{\"username\":";
      AppendJsonString(s.config.portal.username, &body);
      body += ",\"password\":";
      AppendJsonString(s.config.portal.password, &body);
      body += "}";
      const Response res = co_await Exchange(stream, JsonPost(t, std::move(body)), timeout);
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

  net::awaitable<void> Run() {
    while (!stopping.load()) {
      const int64_t now = clock();
      std::optional<int64_t> next;
      std::vector<Store::StateWrite> writes;
      for (auto& [id, s] : subs) {
        Fill(*s);
        const size_t room = static_cast<size_t>(s->config.concurrency) - s->lane.in_flight();
        for (const DeliveryLane::Attempt& a : s->lane.Ready(now, room)) {
          net::co_spawn(ioc, Send(s, a), net::detached);
        }
        SaveCursor(*s, &writes);
        if (std::optional<int64_t> r = s->lane.next_retry(); r && (!next || *r < *next)) next = r;
      }
      if (!writes.empty()) {
        if (Status st = store->WriteStates(writes); !st.ok()) {
          std::fprintf(stderr, "motcua: delivery cursors not saved: %s\n", st.ToString().c_str());
        }
      }
      Publish();
      auto wait = std::chrono::duration_cast<std::chrono::steady_clock::duration>(kIdleWake);
      if (next) {
        wait = std::min(wait, std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  std::chrono::milliseconds(std::max<int64_t>(*next - now, 1))));
      }
      wake.expires_after(wait);
      beast::error_code ec;
      co_await wake.async_wait(net::redirect_error(net::use_awaitable, ec));
    }
  }

  // One attempt: POST the event; the outcome goes to the lane.
  net::awaitable<void> Send(std::shared_ptr<Sub> s, DeliveryLane::Attempt a) {
    auto found = s->payloads.find(a.position);
    if (found == s->payloads.end()) co_return;
    const Payload payload = found->second;
    std::string error;
    std::optional<int64_t> retry_after;
    bool ok = false;
    if (payload.portal && !s->config.portal.login_url.empty() && s->session.empty()) {
      error = co_await Login(*s);
    }
    // A kept-alive connection the receiver closed meanwhile fails at once: then one more try on
    // a new connection, within the same attempt.
    for (int tries = 0; tries < 2 && !ok && error.empty(); ++tries) {
      std::unique_ptr<beast::tcp_stream> stream;
      const bool reused = !s->idle.empty();
      if (reused) {
        stream = std::move(s->idle.back());
        s->idle.pop_back();
      } else {
        stream = std::make_unique<beast::tcp_stream>(ioc);
      }
      const auto timeout = std::chrono::milliseconds(s->config.timeout_ms);
      beast::error_code ec;
      bool answered = false;
      try {
        if (!reused) co_await Connect(*stream, s->target, timeout);
        const int64_t ts = clock() / 1000;
        Request req = JsonPost(
            s->target, payload.portal ? PortalBody(*payload.portal, s->session) : payload.body);
        req.set("webhook-id", WebhookId(payload.event));
        req.set("webhook-timestamp", std::to_string(ts));
        Result<std::string> sig =
            SignWebhook(s->config.secrets, WebhookId(payload.event), ts, req.body());
        if (!sig.ok()) throw std::runtime_error(sig.status().message());
        req.set("webhook-signature", *sig);
        req.keep_alive(true);
        const Response res = co_await Exchange(*stream, std::move(req), timeout);
        answered = true;
        const unsigned status = res.result_int();
        if (status >= 200 && status < 300) {
          ok = true;
        } else {
          error = "HTTP " + std::to_string(status);
          if (status == 401) s->session.clear();  // log in again before the next attempt
          if (auto it = res.find(http::field::retry_after); it != res.end()) {
            retry_after = RetryAfterMs(std::string_view(it->value().data(), it->value().size()));
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
    if (ok) {
      s->lane.Delivered(a.position);
      ++s->stats.delivered;
      if (payload.redrive)
        writes.push_back({DeadLetterKey(s->config.id, a.position), std::nullopt});
    } else {
      s->stats.last_error = error;
      std::uniform_real_distribution<double> jitter(0.0, 1.0);
      const DeliveryLane::Verdict v =
          s->lane.Failed(a.position, clock(), s->config.retry, jitter(rng), retry_after);
      if (v == DeliveryLane::Verdict::kRetry) {
        ++s->stats.retried;
      } else {
        ++s->stats.dead_lettered;
        v1::DeadLetter dl;
        dl.set_subscription(s->config.id);
        dl.set_position(a.position);
        dl.set_dossier_id(payload.event.dossier_id);
        dl.set_version(payload.event.version);
        dl.set_type(NameOf(payload.event.type));
        dl.set_attempts(a.number);
        dl.set_last_error(error);
        dl.set_at(FormatLocal(Instant{clock() / 1000}, kApiUtcOffsetSeconds));
        writes.push_back({DeadLetterKey(s->config.id, a.position), dl.SerializeAsString()});
        std::fprintf(stderr,
                     "motcua: delivery to %s gave up on event %llu (dossier %s) after %d "
                     "attempts: %s\n",
                     s->config.id.c_str(), static_cast<unsigned long long>(a.position),
                     payload.event.dossier_id.c_str(), a.number, error.c_str());
      }
    }
    // A finished event's payload goes; a retry keeps it.
    if (!s->lane.IsPending(a.position)) s->payloads.erase(a.position);
    SaveCursor(*s, &writes);
    if (!writes.empty()) {
      if (Status st = store->WriteStates(writes); !st.ok()) {
        std::fprintf(stderr, "motcua: delivery state not saved: %s\n", st.ToString().c_str());
      }
    }
    WakeSoon();
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
    d.ioc.run();
  });
  return Status::Ok();
}

void Deliverer::Stop() {
  Impl& d = *impl_;
  if (d.stopping.exchange(true)) return;
  net::post(d.ioc, [&d] {
    d.wake.cancel();
    d.ioc.stop();
  });
  if (d.thread.joinable()) d.thread.join();
}

void Deliverer::Committed(uint64_t position) {
  Impl& d = *impl_;
  uint64_t seen = d.committed.load();
  while (position > seen && !d.committed.compare_exchange_weak(seen, position)) {
  }
  if (position > seen) d.WakeSoon();
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
    d.wake.cancel();
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
    Result<Impl::Payload> made = d.MakePayload(s, *d.catalog(), entry);
    if (!made.ok()) {
      std::fprintf(stderr, "motcua: re-drive of event %llu: %s\n",
                   static_cast<unsigned long long>(entry.position),
                   made.status().ToString().c_str());
      return;
    }
    Impl::Payload p = std::move(*made);
    p.redrive = true;
    s.payloads[entry.position] = std::move(p);
    s.lane.Redrive(entry.position, entry.event.dossier_id, entry.event.at.seconds * 1000);
    d.wake.cancel();
  });
  return Status::Ok();
}

}  // namespace motcua
