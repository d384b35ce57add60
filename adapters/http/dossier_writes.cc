// Handlers for writes: reception at the counter or online (POST /v1/dossiers) and commands on a
// dossier (POST /v1/dossiers/{id}/commands). Every write carries an Idempotency-Key; commands
// carry If-Match with the dossier's version. An answer comes only once the write is durable
// (handlers.h).

#include "adapters/http/handlers.h"
#include "adapters/json/json_reader.h"
#include "engine/dossier/appliers.h"
#include "motcua/v1/api.pb.h"

namespace motcua::http::handlers {

namespace {

// Roles of the API itself (definitions add their own, e.g. "counter", "leader").
constexpr char kIntegrator[] = "integrator";
constexpr char kAdmin[] = "admin";

}  // namespace

bool WritesRefused(Api& api, Call& call) {
  if (!api.deps().service->writable()) {
    call.Problem(503, "writes-stopped", "Writes are stopped",
                 "the store refused a write (" + api.deps().service->failure() +
                     "); reads still work; an operator must restart the service",
                 "", {{"Retry-After", "60"}});
    return true;
  }
  if (api.deps().free_disk) {
    Result<uint64_t> free = api.deps().free_disk();
    if (free.ok() && *free < api.options().min_free_disk_bytes) {
      call.Problem(503, "disk-full", "Disk nearly full",
                   "free space " + std::to_string(*free >> 20) + " MiB is below the guard of " +
                       std::to_string(api.options().min_free_disk_bytes >> 20) + " MiB",
                   "", {{"Retry-After", "60"}});
      return true;
    }
  }
  return false;
}

bool IdempotencyKey(Call& call, std::string* key) {
  *key = call.request.Header("idempotency-key");
  if (!key->empty() && key->size() <= 200) return true;
  call.Problem(400, "idempotency-key-required", "Idempotency-Key required",
               "every write needs an Idempotency-Key header of 1..200 characters",
               "Idempotency-Key");
  return false;
}

void Execute(Api& api, Call& call, CommandRequest request, int success_status,
             std::string location) {
  std::shared_ptr<Call> keep = call.shared_from_this();
  auto catalog = api.deps().catalog();
  Clock* clock = api.deps().clock;
  Metrics* metrics = api.metrics();
  const Api* front = &api;
  api.service()->SubmitAsync(
      std::move(request), [keep, catalog, clock, metrics, front, success_status,
                           location = std::move(location)](CommandResult r) {
        auto result = std::make_shared<CommandResult>(std::move(r));
        front->Defer([keep, catalog, clock, metrics, success_status, result, location] {
          AnswerCommand(*keep, *result, *catalog, clock->Now(), metrics, success_status, location);
        });
      });
}

std::optional<int64_t> EtagVersion(std::string_view v) {
  if (v.substr(0, 2) == "W/") v.remove_prefix(2);
  if (v.size() < 3 || v.size() > 20 || v.front() != '"' || v.back() != '"') return std::nullopt;
  v = v.substr(1, v.size() - 2);
  if (v.front() == '0') return std::nullopt;
  int64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

namespace {

// A document's count: at least one (absent means one), at most this many copies.
constexpr int kMaxDocumentCount = 99;

}  // namespace

bool TextFieldsValid(Call& call, const std::vector<TextField>& fields) {
  for (const TextField& f : fields) {
    if (f.value.size() > f.max_bytes) {
      call.Problem(400, "invalid-field", "Invalid " + f.name,
                   "at most " + std::to_string(f.max_bytes) + " bytes, got " +
                       std::to_string(f.value.size()),
                   f.name);
      return false;
    }
    for (size_t i = 0; i < f.value.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(f.value[i]);
      const bool allowed_space = f.multiline && (c == '\n' || c == '\t' || c == '\r');
      if ((c < 0x20 && !allowed_space) || c == 0x7f) {
        char code[8];
        std::snprintf(code, sizeof code, "U+%04X", c);
        call.Problem(400, "invalid-field", "Invalid " + f.name,
                     std::string("must not contain control characters; found ") + code +
                         " at byte " + std::to_string(i),
                     f.name);
        return false;
      }
    }
  }
  return true;
}

namespace {

// The documents of a request, each with its count (absent: one). Answers 400 for a count out of
// 1..kMaxDocumentCount, and returns false.
bool ReadDocuments(Call& call,
                   const google::protobuf::RepeatedPtrField<v1::SubmittedDocument>& documents,
                   std::vector<SubmittedDocument>* out) {
  std::vector<TextField> ids;
  for (int i = 0; i < documents.size(); ++i) {
    const std::string field = "documents[" + std::to_string(i) + "]";
    ids.push_back({field + ".document_id", documents[i].document_id(), kMaxCodeBytes});
    const int count = documents[i].count();
    if (count < 0 || count > kMaxDocumentCount) {
      call.Problem(400, "invalid-field", "Invalid " + field + ".count",
                   "expected 1.." + std::to_string(kMaxDocumentCount) + " copies, got " +
                       std::to_string(count),
                   field + ".count");
      return false;
    }
    out->push_back({documents[i].document_id(), count ? count : 1});
  }
  return TextFieldsValid(call, ids);
}

// Runs a command as the calling principal under its idempotency key (a retry of the same request
// replays the outcome; the same key with another request is refused).
void ExecuteAs(Api& api, Call& call, const std::string& key, CommandRequest req,
               int success_status) {
  const Principal& p = *call.principal;
  req.command.actor = Actor{p.id, p.roles};
  req.idempotency_key = p.id + ":" + key;
  req.payload_hash = PayloadHash(call.request.method + " " + call.path, call.request.body);
  Execute(api, call, std::move(req), success_status);
}

}  // namespace

bool NoDryRun(Call& call) {
  if (call.query.count("dry_run") == 0) return true;
  call.Problem(400, "invalid-field", "Invalid dry_run",
               "only POST /v1/dossiers/{id}/commands has a dry run; this request would write",
               "dry_run");
  return false;
}

void CreateDossier(Api& api, Call& call) {
  if (!NoDryRun(call) || WritesRefused(api, call)) return;
  std::string key;
  if (!IdempotencyKey(call, &key)) return;
  v1::CreateDossierRequest body;
  std::string error;
  if (!ReadJsonBody(call.request.body, api.options().max_json_depth, &body, &error)) {
    return call.Problem(400, "malformed-body", "Malformed JSON body", error);
  }
  const Principal& p = *call.principal;
  CommandRequest req;
  Command& c = req.command;
  const std::string mode = body.mode().empty() ? "receive" : body.mode();
  if (mode == "receive") {
    c.type = CommandType::kReceive;
  } else if (mode == "submit") {
    c.type = CommandType::kSubmit;
    if (!p.HasRole(kIntegrator) && !p.HasRole(kAdmin)) {
      return call.Problem(403, "forbidden", "Not allowed",
                          "online submission needs the integrator role", "mode");
    }
  } else if (mode == "refuse") {
    c.type = CommandType::kRefuseAtCounter;
  } else {
    return call.Problem(400, "invalid-field", "Invalid mode",
                        "expected receive, submit or refuse, got '" + mode + "'", "mode");
  }
  if (body.procedure_code().empty()) {
    return call.Problem(400, "invalid-field", "procedure_code required", "", "procedure_code");
  }
  if (body.receiving_agency().empty()) {
    return call.Problem(400, "invalid-field", "receiving_agency required", "", "receiving_agency");
  }
  const AgencyRegistry& registry = api.deps().catalog()->Agencies();
  // An unknown agency is named as such, whatever the caller's scope: the registry is public.
  for (const auto& [field, code] : {std::pair{"receiving_agency", &body.receiving_agency()},
                                    std::pair{"competent_agency", &body.competent_agency()}}) {
    if (!code->empty() && registry.Find(*code) == nullptr) {
      FieldProblem unknown = AgencyRegistry::Unknown(field, *code);
      return call.Problem(400, "invalid-field", "Invalid " + unknown.field, unknown.message,
                          unknown.field);
    }
  }
  if (!p.InScope(body.receiving_agency(), registry)) {
    return call.Problem(403, "forbidden", "Outside your agency scope",
                        "you cannot receive for agency '" + body.receiving_agency() + "'",
                        "receiving_agency");
  }
  if (!body.portal_code().empty() && c.type != CommandType::kSubmit) {
    return call.Problem(400, "invalid-field", "Invalid portal_code",
                        "portal_code goes with mode submit (an online submission from a portal)",
                        "portal_code");
  }
  c.portal_code = body.portal_code();
  c.procedure_code = body.procedure_code();
  c.receiving_agency = body.receiving_agency();
  c.competent_agency = body.competent_agency();
  c.channel = mode == "submit" ? Channel::kOnlineFull : Channel::kCounter;
  if (!body.channel().empty()) {
    std::optional<Channel> channel = ParseName<Channel>(body.channel());
    if (!channel) {
      return call.Problem(400, "invalid-field", "Invalid channel",
                          "expected " + kChannelNames.List(" or "), "channel");
    }
    c.channel = *channel;
  }
  const auto& a = body.applicant();
  if (!TextFieldsValid(call, {{"procedure_code", body.procedure_code(), kMaxCodeBytes},
                              {"receiving_agency", body.receiving_agency(), kMaxCodeBytes},
                              {"competent_agency", body.competent_agency(), kMaxCodeBytes},
                              {"applicant.name", a.name(), kMaxNameBytes},
                              {"applicant.id_number", a.id_number(), kMaxContactBytes},
                              {"applicant.address", a.address(), kMaxAddressBytes, true},
                              {"applicant.phone", a.phone(), kMaxContactBytes},
                              {"applicant.email", a.email(), kMaxContactBytes},
                              {"applicant.representative", a.representative(), kMaxNameBytes},
                              {"comment", body.comment(), kMaxNoteBytes, true},
                              {"reason", body.reason(), kMaxNoteBytes, true},
                              {"portal_code", body.portal_code(), kMaxCodeBytes}}) ||
      !ReadDocuments(call, body.documents(), &c.documents)) {
    return;
  }
  c.applicant.name = a.name();
  c.applicant.id_number = a.id_number();
  if (!a.id_kind().empty()) {
    std::optional<IdKind> kind = ParseName<IdKind>(a.id_kind());
    if (!kind) {
      return call.Problem(400, "invalid-field", "Invalid applicant.id_kind",
                          "expected " + kIdKindNames.List(" or ") + " (absent: citizen_id)",
                          "applicant.id_kind");
    }
    c.applicant.id_kind = *kind;
  }
  c.applicant.address = a.address();
  c.applicant.phone = a.phone();
  c.applicant.email = a.email();
  c.applicant.representative = a.representative();
  c.comment = body.comment();
  c.reason = body.reason();
  ExecuteAs(api, call, key, std::move(req), 201);
}

Decision DryRun(Api& api, const Command& c, const Dossier& d) {
  const std::shared_ptr<const DefinitionCatalog> catalog = api.deps().catalog();
  ProcessContext ctx;
  ctx.catalog = catalog.get();
  ctx.settings.nearly_due = api.options().nearly_due;
  ctx.now = api.deps().clock->Now();
  ctx.next_sequence = [](const std::string&, CivilDate) -> int64_t { return 0; };
  ctx.history = [](const std::string&) -> Result<std::vector<Event>> {
    return Unavailable("a dry run does not read the history");
  };
  return Process(c, &d, ctx);
}

namespace {

// ?dry_run=true: the command's outcome on the dossier as it stands, written nowhere (the console
// shows an extension's new due date before the leader confirms it).
void AnswerDryRun(Api& api, Call& call, Command c, const Dossier& d) {
  if (c.type == CommandType::kRecomputeDue) {
    return call.Problem(400, "invalid-field", "Invalid dry_run",
                        "recompute_due has no dry run (it reads the committed history)", "dry_run");
  }
  const Principal& p = *call.principal;
  c.actor = Actor{p.id, p.roles};
  Decision decision = DryRun(api, c, d);
  if (!decision.accepted()) return AnswerRejection(call, *decision.rejection, nullptr);
  CommandResult r;
  Dossier after = d;
  for (const Event& e : decision.events) Apply(after, e);
  after.number = d.number;  // a dry run takes no number
  r.dossier = std::move(after);
  r.events = std::move(decision.events);
  AnswerCommand(call, r, *api.deps().catalog(), api.deps().clock->Now(), nullptr, 200, "",
                /*dry_run=*/true);
}

}  // namespace

void DossierCommand(Api& api, Call& call) {
  const std::string& id = call.params[0];
  // The dossier must exist and be visible before anything else is said about it.
  const std::shared_ptr<const Dossier> current = VisibleDossier(api, call, id);
  if (!current) return;
  bool dry_run = false;
  if (auto it = call.query.find("dry_run"); it != call.query.end()) {
    if (it->second != "true" && it->second != "false") {
      return call.Problem(400, "invalid-field", "Invalid dry_run",
                          "expected true or false, got '" + it->second + "'", "dry_run");
    }
    dry_run = it->second == "true";
  }
  std::string key;
  if (!dry_run && (WritesRefused(api, call) || !IdempotencyKey(call, &key))) return;
  std::string if_match = call.request.Header("if-match");
  if (if_match.empty() && !dry_run) {
    return call.Problem(428, "precondition-required", "If-Match required",
                        "send If-Match with the dossier's ETag (its version) to act on it",
                        "If-Match");
  }
  const std::optional<int64_t> expected =
      if_match.empty() ? std::optional<int64_t>(current->version) : EtagVersion(if_match);
  if (!expected) {
    return call.Problem(400, "invalid-field", "Invalid If-Match",
                        "expected the ETag of GET /v1/dossiers/{id}, e.g. \"3\"", "If-Match");
  }
  v1::DossierCommandRequest body;
  std::string error;
  if (!ReadJsonBody(call.request.body, api.options().max_json_depth, &body, &error)) {
    return call.Problem(400, "malformed-body", "Malformed JSON body", error);
  }
  CommandRequest req;
  Command& c = req.command;
  static const std::map<std::string, CommandType> kCommands = {
      {"act", CommandType::kAct},
      {"receive", CommandType::kReceive},
      {"refuse", CommandType::kRefuseAtCounter},
      {"assign", CommandType::kAssign},
      {"supply_supplement", CommandType::kSupplySupplement},
      {"confirm_payment", CommandType::kConfirmPayment},
      {"answer_consultation", CommandType::kAnswerConsultation},
      {"withdraw", CommandType::kWithdraw},
      {"return_result", CommandType::kReturnResult},
      {"recompute_due", CommandType::kRecomputeDue},
      {"rate_satisfaction", CommandType::kRateSatisfaction}};
  auto it = kCommands.find(body.command());
  if (it == kCommands.end()) {
    return call.Problem(400, "invalid-field", "Invalid command",
                        "expected one of act, receive, refuse, assign, supply_supplement, "
                        "confirm_payment, answer_consultation, withdraw, return_result, "
                        "recompute_due, rate_satisfaction; got '" +
                            body.command() + "'",
                        "command");
  }
  c.type = it->second;
  c.dossier_id = id;
  c.expected_version = *expected;
  c.action_id = body.action();
  if (c.type == CommandType::kAct && c.action_id.empty()) {
    return call.Problem(400, "invalid-field", "action required", "name the step action to take",
                        "action");
  }
  std::vector<TextField> texts = {{"action", body.action(), kMaxCodeBytes},
                                  {"comment", body.comment(), kMaxNoteBytes, true},
                                  {"extend_by", body.extend_by(), kMaxCodeBytes},
                                  {"assignee", body.assignee(), kMaxCodeBytes},
                                  {"reason", body.reason(), kMaxNoteBytes, true},
                                  {"returned_to", body.returned_to(), kMaxNameBytes}};
  for (int i = 0; i < body.missing_size(); ++i) {
    texts.push_back({"missing[" + std::to_string(i) + "]", body.missing(i), kMaxCodeBytes});
  }
  if (!TextFieldsValid(call, texts) || !ReadDocuments(call, body.documents(), &c.documents)) {
    return;
  }
  c.comment = body.comment();
  c.missing.assign(body.missing().begin(), body.missing().end());
  if (!body.extend_by().empty()) {
    auto dur = ParseWorkDuration(body.extend_by());
    if (!dur) {
      return call.Problem(400, "invalid-field", "Invalid extend_by",
                          "expected a duration like \"5 WD\"", "extend_by");
    }
    c.extend_by = *dur;
  }
  c.assignee = body.assignee();
  c.reason = body.reason();
  if (!body.returned_via().empty()) {
    c.returned_via = ParseName<ReturnVia>(body.returned_via());
    if (!c.returned_via) {
      return call.Problem(
          400, "invalid-field", "Invalid returned_via",
          "expected " + kReturnViaNames.List(" or ") + ", got '" + body.returned_via() + "'",
          "returned_via");
    }
  }
  c.returned_to = body.returned_to();
  c.receipt_signed = body.receipt_signed();
  if (!body.satisfaction().empty()) {
    std::optional<Satisfaction> s = ParseName<Satisfaction>(body.satisfaction());
    if (!s || *s == Satisfaction::kNone) {
      return call.Problem(
          400, "invalid-field", "Invalid satisfaction",
          "expected not_satisfied, satisfied or very_satisfied, got '" + body.satisfaction() + "'",
          "satisfaction");
    }
    c.satisfaction = *s;
  }
  if (dry_run) return AnswerDryRun(api, call, std::move(c), *current);
  ExecuteAs(api, call, key, std::move(req), 200);
}

}  // namespace motcua::http::handlers
