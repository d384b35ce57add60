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
// The dossier `id` when the caller may see it; otherwise the call is answered (404 as on every
// dossier route, whether it is missing or outside the caller's agencies; 500) and it is null.
std::shared_ptr<const Dossier> VisibleDossier(Api& api, Call& call, const std::string& id);
void GetDossier(Api& api, Call& call);
void GetDossierByNumber(Api& api, Call& call);
void GetHistory(Api& api, Call& call);
// The printed forms M01–M06 of a dossier (text/html; adapters/report/forms.h).
void GetForm(Api& api, Call& call);

// dossier_writes.cc: reception and commands (idempotent, acknowledged once durable).
void CreateDossier(Api& api, Call& call);
void DossierCommand(Api& api, Call& call);
// What every write does first (dossier_writes.cc): answers 503 (and returns true) while writes
// are stopped or the disk is nearly full.
bool WritesRefused(Api& api, Call& call);
// Writes other than commands have no dry run: answers 400 (and returns false) for ?dry_run, so a
// client expecting a preview does not write.
bool NoDryRun(Call& call);
// The Idempotency-Key every write carries; answers 400 (and returns false) without one.
bool IdempotencyKey(Call& call, std::string* key);
// The dossier version an If-Match names: one entity tag (RFC 9110 §8.8.3), `"<version>"`,
// optionally weak (`W/"3"`), the version a whole number from 1. Anything else (a list, `*`, an
// unquoted number, spaces inside the quotes) names none.
std::optional<int64_t> EtagVersion(std::string_view v);
// Submits the command; its answer is rendered where the API defers work (an io thread), never on
// the committer that reports the outcome. `location`: the Location of a 201 (default: the
// dossier's).
void Execute(Api& api, Call& call, CommandRequest request, int success_status,
             std::string location = "");
// What the rules would decide on `c` against the dossier as it stands, now, writing nothing: a
// reception takes no number, and recompute_due (which reads the history) is unavailable.
Decision DryRun(Api& api, const Command& c, const Dossier& d);
// Limits on what a request's text fields may hold (bytes of UTF-8); a longer value is refused.
constexpr size_t kMaxCodeBytes = 64;      // procedure codes, agency codes, ids, action ids
constexpr size_t kMaxNameBytes = 200;     // names of people and representatives, file names
constexpr size_t kMaxAddressBytes = 500;  // postal addresses
constexpr size_t kMaxContactBytes = 254;  // phone numbers, e-mail addresses, ID numbers
constexpr size_t kMaxNoteBytes = 2000;    // comments and reasons
struct TextField {
  std::string name;  // the field's path in the request, for the answer
  const std::string& value;
  size_t max_bytes;
  bool multiline = false;  // newlines and tabs allowed (comments, reasons, addresses)
};
// Text that may be stored: within its length, without control characters. Answers 400 naming
// the first field that is not, and returns false. (JSON strings are valid UTF-8 already: the
// parsers refuse anything else.)
bool TextFieldsValid(Call& call, const std::vector<TextField>& fields);

// files.cc: files of a dossier's documents and of its result (docs/files.md).
void PutFile(Api& api, Call& call);
void GetFile(Api& api, Call& call);

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
// The public catalogue (no sign-in, rate-limited): the procedures in force, searchable as
// GetProcedures is, and one procedure in force with its documents, fees, time and steps.
void PublicProcedures(Api& api, Call& call);

// sign_in.cc: console sessions (POST signs in, GET tells the page who it is and its CSRF token,
// DELETE signs out).
void SignIn(Api& api, Call& call);
void GetSession(Api& api, Call& call);
void SignOut(Api& api, Call& call);
// GET /v1/admin/accounts: the staff accounts in an admin's scope (never their hashes).
void GetAccounts(Api& api, Call& call);
void PublicProcedure(Api& api, Call& call);

// operations.cc: health, readiness, metrics, the OpenAPI document, and the stream's plain GET.
void Healthz(Api& api, Call& call);
void Readyz(Api& api, Call& call);
void MetricsText(Api& api, Call& call);
void OpenApi(Api& api, Call& call);
void StreamNeedsUpgrade(Api& api, Call& call);
void GetClock(Api& api, Call& call);
void SetClock(Api& api, Call& call);
void AdvanceClock(Api& api, Call& call);
// POST /v1/admin/checkpoint: a checkpoint of the data directory (an admin's; made off the io
// threads).
void CreateCheckpoint(Api& api, Call& call);
// GET /v1/audit/checkpoints?after=&limit=: the audit checkpoints of the global hash chain (an
// auditor's or an admin's).
void GetAuditCheckpoints(Api& api, Call& call);
// Reads ?after= (an outbox position) and ?limit= (1..1000) into the defaults given; false when
// the call was answered 400.
bool PositionPage(Call& call, uint64_t* after, size_t* limit);

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
// status, an accepted command as its dossier view and events with the dossier's ETag (a dry
// run's, marked dry_run, without: nothing was written).
void AnswerCommand(Call& call, const CommandResult& result, const ProcedureCatalog& catalog,
                   Instant now, Metrics* metrics, int success_status,
                   const std::string& location = "", bool dry_run = false);
// A rejection by the rules as its problem (404, 412, 403, 400, 409, 503).
void AnswerRejection(Call& call, const Rejection& rejection, Metrics* metrics);

}  // namespace motcua::http
