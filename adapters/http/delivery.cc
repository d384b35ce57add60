// Handlers for outbound delivery (docs/delivery.md, handlers.h): the subscriptions and their
// state, their dead letters, and a dead letter sent again. An admin's; a subscription's secrets
// are never shown.

#include <chrono>

#include "adapters/http/handlers.h"
#include "adapters/proto/view_codec.h"
#include "motcua/v1/api.pb.h"

namespace motcua::http::handlers {

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The subscription named by the path, or answered 404.
const SubscriptionState* FindState(DeliveryControl* d, std::vector<SubscriptionState>* states,
                                   Call& call) {
  if (d != nullptr) *states = d->States();
  for (const SubscriptionState& s : *states) {
    if (s.id == call.params[0]) return &s;
  }
  call.Problem(404, "not-found", "No such subscription",
               "no subscription has the id '" + call.params[0] + "'" +
                   (d == nullptr ? " (outbound delivery is not configured: the `subscriptions` "
                                   "setting)"
                                 : ""));
  return nullptr;
}

// The subscription the path names, for an admin; null when the call was answered.
DeliveryControl* AdminDeliverer(Api& api, Call& call) {
  if (!call.principal->HasRole("admin")) {
    call.Problem(403, "forbidden", "Not allowed", "outbound delivery is an admin's");
    return nullptr;
  }
  std::vector<SubscriptionState> states;
  if (FindState(api.deps().deliverer, &states, call) == nullptr) return nullptr;
  return api.deps().deliverer;
}

}  // namespace

void GetSubscriptions(Api& api, Call& call) {
  if (!call.principal->HasRole("admin")) {
    return call.Problem(403, "forbidden", "Not allowed", "outbound delivery is an admin's");
  }
  DeliveryControl* d = api.deps().deliverer;
  const int64_t now = NowMs();
  v1::SubscriptionList out;
  for (const SubscriptionState& s : d ? d->States() : std::vector<SubscriptionState>()) {
    v1::SubscriptionView* v = out.add_subscriptions();
    v->set_id(s.id);
    v->set_url(s.url);
    for (EventType t : s.config.types) v->add_events(NameOf(t));
    for (const std::string& a : s.config.agencies) v->add_agencies(a);
    for (const std::string& p : s.config.procedures) v->add_procedures(p);
    v->set_payload(NameOf(s.config.payload));
    v->set_cursor(s.cursor);
    v->set_read_upto(s.read_upto);
    v->set_committed(s.committed);
    v->set_pending(s.pending);
    v->set_in_flight(s.in_flight);
    v->set_delivered(s.delivered);
    v->set_requests(s.requests);
    v->set_retried(s.retried);
    v->set_dead_lettered(s.dead_lettered);
    if (s.oldest_pending_ms > 0) {
      v->set_oldest_pending_at(
          FormatLocal(Instant{s.oldest_pending_ms / 1000}, kApiUtcOffsetSeconds));
      v->set_lag_seconds(std::max<int64_t>(0, (now - s.oldest_pending_ms) / 1000));
    }
    v->set_last_error(s.last_error);
    v->set_secrets(static_cast<int>(s.config.secrets.size()));
  }
  call.Json(200, out);
}

void GetDeadLetters(Api& api, Call& call) {
  DeliveryControl* d = AdminDeliverer(api, call);
  if (d == nullptr) return;
  uint64_t after = 0;
  size_t limit = 100;
  if (!PositionPage(call, &after, &limit)) return;
  Result<std::vector<v1::DeadLetter>> found = d->DeadLetters(call.params[0], after, limit + 1);
  if (!found.ok()) return call.Problem(500, "internal", "Internal error", found.status().message());
  v1::DeadLetterList out;
  for (size_t i = 0; i < found->size() && i < limit; ++i) *out.add_dead_letters() = (*found)[i];
  if (found->size() > limit) out.set_next_after((*found)[limit - 1].position());
  call.Json(200, out);
}

void RedriveDeadLetter(Api& api, Call& call) {
  DeliveryControl* d = AdminDeliverer(api, call);
  if (d == nullptr) return;
  uint64_t position = 0;
  try {
    position = std::stoull(call.params[1]);
  } catch (const std::exception&) {
    return call.Problem(400, "invalid-path", "Invalid position",
                        "expected an outbox position, got '" + call.params[1] + "'");
  }
  Status s = d->Redrive(call.params[0], position);
  if (s.code() == StatusCode::kNotFound) {
    return call.Problem(404, "not-found", "No such dead letter", s.message());
  }
  if (!s.ok()) return call.Problem(500, "internal", "Internal error", s.message());
  HttpResponse r;
  r.status = 202;
  r.body = "{\"status\":\"sending again\"}";
  call.Reply(std::move(r));
}

std::string DeliveryNotReady(Api& api) {
  if (api.deps().deliverer == nullptr) return "";
  const int64_t now = NowMs();
  const int64_t bound = api.options().delivery_lag_bound_seconds;
  for (const SubscriptionState& s : api.deps().deliverer->States()) {
    if (s.oldest_pending_ms == 0) continue;
    const int64_t lag = (now - s.oldest_pending_ms) / 1000;
    if (lag > bound) {
      return "delivery to '" + s.id + "' is " + std::to_string(lag) +
             " s behind (bound: " + std::to_string(bound) + " s); last error: " + s.last_error;
    }
  }
  return "";
}

std::string DeliveryMetrics(Api& api) {
  if (api.deps().deliverer == nullptr) return "";
  const int64_t now = NowMs();
  const std::vector<SubscriptionState> states = api.deps().deliverer->States();
  std::string out;
  auto family = [&](const char* name, const char* type, const char* help, auto value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    for (const SubscriptionState& s : states) {
      out +=
          std::string(name) + "{subscription=\"" + s.id + "\"} " + std::to_string(value(s)) + "\n";
    }
  };
  family("motcua_delivery_delivered_total", "counter", "Events delivered since the start.",
         [](const SubscriptionState& s) { return s.delivered; });
  family("motcua_delivery_requests_total", "counter",
         "HTTP requests sent since the start (a batch of events is one).",
         [](const SubscriptionState& s) { return s.requests; });
  family("motcua_delivery_retried_total", "counter", "Failed attempts that are tried again.",
         [](const SubscriptionState& s) { return s.retried; });
  family("motcua_delivery_dead_lettered_total", "counter", "Events given up on.",
         [](const SubscriptionState& s) { return s.dead_lettered; });
  family("motcua_delivery_pending", "gauge", "Events read and wanted, not yet finished.",
         [](const SubscriptionState& s) { return static_cast<uint64_t>(s.pending); });
  family("motcua_delivery_lag_seconds", "gauge", "Age of the oldest unfinished event.",
         [now](const SubscriptionState& s) {
           return s.oldest_pending_ms == 0
                      ? int64_t{0}
                      : std::max<int64_t>(0, (now - s.oldest_pending_ms) / 1000);
         });
  return out;
}

}  // namespace motcua::http::handlers
