// Handlers for operations: liveness, readiness (writes possible, free disk above the guard,
// outbound delivery within its lag bound),
// Prometheus metrics, the OpenAPI document, and the answer to a plain GET of the WebSocket stream
// (handlers.h).

#include <cctype>
#include <cstdlib>

#include "adapters/http/handlers.h"
#include "adapters/json/json_reader.h"
#include "adapters/json/json_writer.h"
#include "adapters/json/utf8.h"
#include "adapters/proto/view_codec.h"
#include "engine/store/audit_checkpoints.h"
#include "motcua/v1/api.pb.h"

namespace motcua::http::handlers {

void Healthz(Api& api, Call& call) {
  HttpResponse r;
  r.body = "{\"status\":\"ok\"";
  if (api.options().manual_clock) {
    // A training system says so wherever anyone looks.
    r.body += ",\"clock\":\"manual\",\"now\":\"" +
              FormatLocal(api.deps().clock->Now(), kApiUtcOffsetSeconds) + "\"";
  }
  r.body += "}";
  call.Reply(std::move(r));
}

void Readyz(Api& api, Call& call) {
  HttpResponse r;
  if (!api.service()->writable()) {
    r.status = 503;
    r.body = "{\"status\":\"not ready\",\"reason\":";
    AppendJsonString(ValidUtf8("writes stopped: " + api.service()->failure()), &r.body);
    r.body += "}";
  } else if (Status ping = api.store()->Ping(); !ping.ok()) {
    r.status = 503;
    r.body = "{\"status\":\"not ready\",\"reason\":";
    AppendJsonString(ValidUtf8("the store does not answer: " + ping.message()), &r.body);
    r.body += "}";
  } else if (Result<uint64_t> free =
                 api.deps().free_disk ? api.deps().free_disk() : Result<uint64_t>(~uint64_t{0});
             free.ok() && *free < api.options().min_free_disk_bytes) {
    r.status = 503;
    r.body = "{\"status\":\"not ready\",\"reason\":\"free disk space below the guard\"}";
  } else if (std::string late = DeliveryNotReady(api); !late.empty()) {
    r.status = 503;
    r.body = "{\"status\":\"not ready\",\"reason\":";
    AppendJsonString(ValidUtf8(late), &r.body);
    r.body += "}";
  } else {
    r.body = "{\"status\":\"ready\"}";
  }
  call.Reply(std::move(r));
}

void MetricsText(Api& api, Call& call) {
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = api.metrics() ? api.metrics()->Render(*api.service(), *api.store()) : "";
  if (api.deps().more_metrics) r.body += api.deps().more_metrics();
  r.body += DeliveryMetrics(api);
  call.Reply(std::move(r));
}

void OpenApi(Api& api, Call& call) {
  HttpResponse r;
  r.body = api.options().openapi_json;
  call.Reply(std::move(r));
}

void StreamNeedsUpgrade(Api&, Call& call) {
  call.Problem(426, "upgrade-required", "Upgrade required",
               "/v1/stream is a WebSocket: send Connection: Upgrade, Upgrade: websocket", "",
               {{"Upgrade", "websocket"}});
}

namespace {

bool RequireAdmin(Call& call) {
  if (call.principal->HasRole("admin")) return true;
  call.Problem(403, "forbidden", "Not allowed", "the clock is an admin's");
  return false;
}

void AnswerClock(Api& api, Call& call, int fired) {
  v1::ClockView v;
  v.set_mode(api.options().manual_clock ? "manual" : "system");
  v.set_now(FormatLocal(api.deps().clock->Now(), kApiUtcOffsetSeconds));
  v.set_timers_fired(fired);
  call.Json(200, v);
}

// Moves the manual clock forward to `to`, stopping at every pending timer on the way so that
// each fires at its own instant, as it would have in real time.
void MoveClock(Api& api, Call& call, Instant to) {
  const Instant now = api.deps().clock->Now();
  if (to < now) {
    // Back in time only before the first dossier (to start a course on a chosen day).
    Result<std::vector<std::string>> any = api.deps().store->Ids("", 1);
    if (!any.ok()) return call.Problem(500, "internal", "Store error", any.status().message());
    if (!any->empty()) {
      return call.Problem(409, "clock-backwards", "The clock does not go back",
                          "it is " + FormatLocal(now, kApiUtcOffsetSeconds) +
                              " and dossiers exist: their histories would go back in time",
                          "now");
    }
    if (Status s = api.deps().set_clock(to); !s.ok()) {
      return call.Problem(503, "unavailable", "Cannot move the clock", s.message());
    }
    return AnswerClock(api, call, 0);
  }
  int fired = 0;
  while (true) {
    Result<std::vector<DueTimer>> next = api.deps().store->DueTimers(to, 1);
    if (!next.ok()) return call.Problem(500, "internal", "Store error", next.status().message());
    const Instant at =
        next->empty() ? to : std::max(next->front().timer.at, api.deps().clock->Now());
    if (Status s = api.deps().set_clock(at); !s.ok()) {
      return call.Problem(503, "unavailable", "Cannot move the clock", s.message());
    }
    if (next->empty()) break;
    Result<size_t> n = api.service()->FireDueTimers();
    if (!n.ok()) return call.Problem(503, "unavailable", "Timers failed", n.status().message());
    if (*n == 0) break;  // due but not fired (refused): do not spin
    fired += static_cast<int>(*n);
  }
  AnswerClock(api, call, fired);
}

bool ManualClockOnly(Api& api, Call& call) {
  if (api.options().manual_clock && api.deps().set_clock) return true;
  call.Problem(409, "system-clock", "The clock is the system's",
               "only a training system (clock: manual, a data directory created in training "
               "mode) has a clock to move");
  return false;
}

}  // namespace

void GetClock(Api& api, Call& call) {
  if (!RequireAdmin(call)) return;
  AnswerClock(api, call, 0);
}

void SetClock(Api& api, Call& call) {
  if (!RequireAdmin(call) || !ManualClockOnly(api, call)) return;
  v1::ClockRequest body;
  std::string error;
  if (!ReadJsonBody(call.request.body, api.options().max_json_depth, &body, &error)) {
    return call.Problem(400, "malformed-body", "Malformed JSON body", error);
  }
  std::optional<Instant> to = ParseLocalDateTime(body.now(), kApiUtcOffsetSeconds);
  if (!to) {
    return call.Problem(400, "invalid-field", "Invalid now",
                        "expected local time YYYY-MM-DDTHH:MM[:SS], got '" + body.now() + "'",
                        "now");
  }
  MoveClock(api, call, *to);
}

void AdvanceClock(Api& api, Call& call) {
  if (!RequireAdmin(call) || !ManualClockOnly(api, call)) return;
  v1::ClockRequest body;
  std::string error;
  if (!ReadJsonBody(call.request.body, api.options().max_json_depth, &body, &error)) {
    return call.Problem(400, "malformed-body", "Malformed JSON body", error);
  }
  for (const auto& [field, value] :
       {std::pair{"days", body.days()}, std::pair{"hours", body.hours()},
        std::pair{"minutes", body.minutes()}}) {
    if (value < 0) {
      return call.Problem(
          400, "invalid-field", std::string("Invalid ") + field,
          "the clock only moves forward: expected 0 or more, got " + std::to_string(value), field);
    }
  }
  const int64_t seconds =
      int64_t{body.days()} * 86400 + int64_t{body.hours()} * 3600 + int64_t{body.minutes()} * 60;
  if (seconds <= 0 || seconds > int64_t{366} * 86400) {
    return call.Problem(400, "invalid-field", "Invalid advance",
                        "give days, hours and/or minutes adding up to more than nothing and at "
                        "most a year",
                        "days");
  }
  MoveClock(api, call, Instant{api.deps().clock->Now().seconds + seconds});
}

bool PositionPage(Call& call, uint64_t* after, size_t* limit) {
  if (auto it = call.query.find("after"); it != call.query.end()) {
    char* end = nullptr;
    *after = std::strtoull(it->second.c_str(), &end, 10);
    if (it->second.empty() || *end != '\0' ||
        !std::isdigit(static_cast<unsigned char>(it->second[0]))) {
      call.Problem(400, "invalid-query", "Invalid after",
                   "expected an outbox position, got '" + it->second + "'", "after");
      return false;
    }
  }
  if (auto it = call.query.find("limit"); it != call.query.end()) {
    const int n = std::atoi(it->second.c_str());
    if (n < 1 || n > 1000) {
      call.Problem(400, "invalid-query", "Invalid limit",
                   "expected 1..1000, got '" + it->second + "'", "limit");
      return false;
    }
    *limit = static_cast<size_t>(n);
  }
  return true;
}

void GetAuditCheckpoints(Api& api, Call& call) {
  if (!call.principal->HasRole("auditor") && !call.principal->HasRole("admin")) {
    return call.Problem(403, "forbidden", "Not allowed",
                        "the audit checkpoints are an auditor's or an admin's");
  }
  uint64_t after = 0;
  size_t limit = 100;
  if (!PositionPage(call, &after, &limit)) return;
  Result<std::vector<AuditCheckpoint>> found = ReadAuditCheckpoints(*api.store(), after, limit + 1);
  if (!found.ok()) return call.Problem(500, "internal", "Internal error", found.status().message());
  v1::AuditCheckpointList out;
  for (size_t i = 0; i < found->size() && i < limit; ++i) {
    const AuditCheckpoint& c = (*found)[i];
    v1::AuditCheckpointView* v = out.add_checkpoints();
    v->set_position(c.position);
    v->set_hash(c.hash);
    v->set_at(FormatLocal(Instant{c.at}, kApiUtcOffsetSeconds));
  }
  if (found->size() > limit) out.set_next_after((*found)[limit - 1].position);
  call.Json(200, out);
}

void CreateCheckpoint(Api& api, Call& call) {
  if (!call.principal->HasRole("admin") || !call.principal->AllAgencies()) {
    return call.Problem(403, "forbidden", "Not allowed",
                        "a checkpoint holds every agency's dossiers: it is for an admin of every "
                        "agency (*)");
  }
  if (!api.deps().checkpoint) {
    return call.Problem(404, "not-found", "No checkpoints", "this server cannot make checkpoints");
  }
  std::shared_ptr<Call> keep = call.shared_from_this();
  Api* front = &api;
  const std::string at = FormatLocal(api.deps().clock->Now(), kApiUtcOffsetSeconds);
  auto make = [front, keep, at] {
    Result<Api::Deps::Checkpoint> made = front->deps().checkpoint();
    front->Defer([keep, made = std::move(made), at] {
      if (!made.ok() && made.status().code() == StatusCode::kFailedPrecondition) {
        return keep->Problem(409, "checkpoint-in-progress", "Checkpoint in progress",
                             made.status().message(), "", {{"Retry-After", "5"}});
      }
      if (!made.ok()) {
        return keep->Problem(503, "checkpoint-failed", "Checkpoint failed", made.status().message(),
                             "", {{"Retry-After", "60"}});
      }
      v1::CheckpointView view;
      view.set_path(made->path);
      view.set_files(static_cast<int32_t>(made->files));
      view.set_took_ms(static_cast<int32_t>(made->took_ms));
      view.set_at(at);
      keep->Json(201, view);
    });
  };
  // Flushing the memtables and linking every stored file block on the disk: off the io threads.
  if (!api.deps().run_blocking) return make();
  if (!api.deps().run_blocking(make)) {
    return call.Problem(503, "overloaded", "Busy", "too much disk work waits; try again shortly",
                        "", {{"Retry-After", "5"}});
  }
}

}  // namespace motcua::http::handlers
