#pragma once
// The API's handlers, by family, each family in its own file. A handler answers its Call exactly
// once (at once, or for writes after their fsync); the route table (routes.cc) says which
// handler serves which method and path, and whether a principal is required first.

#include "adapters/http/api.h"
#include "adapters/http/call.h"
#include "engine/batch/command_batch.h"

namespace motcua::http::handlers {

// procedures.cc: definitions and due-date previews.
void GetProcedures(Api& api, Call& call);
void GetProcedure(Api& api, Call& call);
void GetDuePreview(Api& api, Call& call);

// agencies.cc
void GetAgencies(Api& api, Call& call);

// dossier_reads.cc: one dossier, by id or number, and its history.
void GetDossier(Api& api, Call& call);
void GetDossierByNumber(Api& api, Call& call);
void GetHistory(Api& api, Call& call);
// The printed forms M01–M06 of a dossier (text/html; adapters/report/forms.h).
void GetForm(Api& api, Call& call);

// dossier_writes.cc: reception and commands (idempotent, acknowledged once durable).
void CreateDossier(Api& api, Call& call);
void DossierCommand(Api& api, Call& call);

// queues.cc: work queues and search.
void ListDossiers(Api& api, Call& call);

// registers.cc: the M07 register of results returned.
void GetM07Register(Api& api, Call& call);

// reports.cc: report form 06 and the per-step timeliness report.
void GetForm06(Api& api, Call& call);
void GetStepReport(Api& api, Call& call);

// The agency a register or report is about: `agency` from the query, else the caller's only
// one; none (every agency) only when `every_allowed` and the caller sees them all. False when
// the call was answered: 400 when one is needed, 404 when it is unknown or outside the scope.
bool AgencyInScope(Call& call, const AgencyRegistry& registry, bool every_allowed,
                   std::string* agency);

// public_lookup.cc: the citizen's progress lookup.
void PublicProgress(Api& api, Call& call);

// operations.cc: health, readiness, metrics, the OpenAPI document, and the stream's plain GET.
void Healthz(Api& api, Call& call);
void Readyz(Api& api, Call& call);
void MetricsText(Api& api, Call& call);
void OpenApi(Api& api, Call& call);
void StreamNeedsUpgrade(Api& api, Call& call);
void GetClock(Api& api, Call& call);
void SetClock(Api& api, Call& call);
void AdvanceClock(Api& api, Call& call);

// delivery.cc: outbound delivery's subscriptions, dead letters and re-drive (an admin's), and
// what readiness and metrics say of it.
void GetSubscriptions(Api& api, Call& call);
void GetDeadLetters(Api& api, Call& call);
void RedriveDeadLetter(Api& api, Call& call);
// Why /readyz is not ready on delivery's account (a subscription behind its bound), or empty.
std::string DeliveryNotReady(Api& api);
// The delivery metrics in Prometheus' text format (empty without subscriptions).
std::string DeliveryMetrics(Api& api);

}  // namespace motcua::http::handlers

namespace motcua::http {

// Answers a command's outcome (api.cc): refusals and rejections as problems with their HTTP
// status, an accepted command as its dossier view and events with the dossier's ETag.
void AnswerCommand(Call& call, const CommandResult& result, const ProcedureCatalog& catalog,
                   Instant now, Metrics* metrics, int success_status);

}  // namespace motcua::http
