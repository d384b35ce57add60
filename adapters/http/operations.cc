// Handlers for operations: liveness, readiness (writes possible and free disk above the guard),
// Prometheus metrics, the OpenAPI document, and the answer to a plain GET of the WebSocket stream
// (handlers.h).

#include "adapters/http/handlers.h"
#include "adapters/json/json_writer.h"
#include "adapters/json/utf8.h"

namespace motcua::http::handlers {

void Healthz(Api&, Call& call) {
  HttpResponse r;
  r.body = "{\"status\":\"ok\"}";
  call.Reply(std::move(r));
}

void Readyz(Api& api, Call& call) {
  HttpResponse r;
  if (!api.service()->writable()) {
    r.status = 503;
    r.body = "{\"status\":\"not ready\",\"reason\":";
    AppendJsonString(ValidUtf8("writes stopped: " + api.service()->failure()), &r.body);
    r.body += "}";
  } else if (api.deps().free_disk) {
    Result<uint64_t> free = api.deps().free_disk();
    if (free.ok() && *free < api.options().min_free_disk_bytes) {
      r.status = 503;
      r.body = "{\"status\":\"not ready\",\"reason\":\"free disk space below the guard\"}";
    } else {
      r.body = "{\"status\":\"ready\"}";
    }
  } else {
    r.body = "{\"status\":\"ready\"}";
  }
  call.Reply(std::move(r));
}

void MetricsText(Api& api, Call& call) {
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = api.metrics() ? api.metrics()->Render(*api.service(), *api.store()) : "";
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

}  // namespace motcua::http::handlers
