// The scenario runner (scenario_runner.h) and its pure-core driver.

#include "tests/engine/dossier/scenario_runner.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "adapters/yaml/definition_loader.h"
#include "adapters/yaml/migration_yaml.h"
#include "engine/common/strings.h"
#include "engine/definition/catalog.h"
#include "engine/dossier/appliers.h"
#include "engine/store/due_changes.h"
#include "engine/store/migration_plan.h"

namespace motcua::testing {

namespace {

constexpr int kOffset = 7 * 3600;

// Splits "verb key=value key="quoted value" bare" into words.
std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false, any = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if ((c == ' ' || c == '\t') && !quoted) {
      if (any) out.push_back(cur);
      cur.clear();
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (any) out.push_back(cur);
  return out;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!s.empty()) out.push_back(cur);
  return out;
}

std::string Local(std::optional<Instant> t) {
  return t ? FormatLocal(*t, kOffset).substr(0, 16) : "none";
}

class Runner {
 public:
  Runner(std::string path, Store* store, ScenarioDriver* driver, std::string id_prefix)
      : path_(std::move(path)), store_(store), driver_(driver), id_prefix_(std::move(id_prefix)) {}

  std::vector<std::string> Run() {
    std::ifstream in(path_);
    if (!in) return {path_ + ": cannot open"};
    std::string line;
    while (std::getline(in, line)) {
      ++line_no_;
      size_t hash = line.find('#');
      if (hash != std::string::npos && (hash == 0 || line[hash - 1] == ' ')) line.resize(hash);
      std::vector<std::string> w = Words(line);
      if (w.empty()) continue;
      Step(w);
      if (failures_.size() > 20) break;
    }
    CheckNoPendingRejection();
    if (started_) CheckDueDatesRecompute();
    if (started_) driver_->Stop();
    return failures_;
  }

 private:
  void Fail(const std::string& m) {
    failures_.push_back(path_ + ":" + std::to_string(line_no_) + ": " + m);
  }

  std::map<std::string, std::string> Args(const std::vector<std::string>& w, size_t from) {
    std::map<std::string, std::string> a;
    for (size_t i = from; i < w.size(); ++i) {
      size_t eq = w[i].find('=');
      if (eq == std::string::npos) {
        a[w[i]] = "";
      } else {
        a[w[i].substr(0, eq)] = w[i].substr(eq + 1);
      }
    }
    return a;
  }

  bool EnsureStarted() {
    if (started_) return true;
    DefinitionSet set = LoadDefinitions(std::string(MOTCUA_SOURCE_DIR) + "/" + definitions_);
    for (const auto& e : set.errors) Fail("definitions: " + e.ToString());
    if (!set.ok()) return false;
    catalog_ = std::make_shared<DefinitionCatalog>(std::move(set), nullptr);
    clock_ = std::make_unique<ManualClock>(now_);
    ids_ = std::make_unique<CountingIds>();
    ids_->prefix = id_prefix_;
    Status s = driver_->Start(catalog_, clock_.get(), ids_.get());
    if (!s.ok()) Fail("start: " + s.ToString());
    started_ = s.ok();
    return started_;
  }

  struct CountingIds : IdSource {
    std::string prefix;
    int n = 0;
    std::string NewId() override {
      char buf[16];
      std::snprintf(buf, sizeof buf, "D%05d", ++n);
      return prefix + buf;
    }
  };

  Actor ParseActor(const std::string& s) {
    Actor a;
    auto parts = Split(s, ':');
    a.id = parts.empty() ? "" : parts[0];
    if (parts.size() > 1) a.roles = Split(parts[1], ',');
    return a;
  }

  std::vector<SubmittedDocument> ParseDocs(const std::string& s) {
    std::vector<SubmittedDocument> out;
    for (const auto& d : Split(s, ',')) {
      auto parts = Split(d, '*');
      out.push_back({parts[0], parts.size() > 1 ? std::stoi(parts[1]) : 1});
    }
    return out;
  }

  void CheckNoPendingRejection() {
    if (last_ && !last_->accepted() && !last_checked_) {
      Fail("the previous command was " +
           (last_->rejection ? "rejected (" + std::string(NameOf(last_->rejection->code)) +
                                   "): " + last_->rejection->message
                             : "refused: " + last_->status.ToString()) +
           "; expect it with `reject`");
    }
  }

  // Every dossier's due instants are what a recomputation from its history gives on the
  // definitions loaded at the end (engine/dossier/due_recompute.h).
  void CheckDueDatesRecompute() {
    ++line_no_;
    for (int i = 1; i <= ids_->n; ++i) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "D%05d", i);
      Result<std::shared_ptr<const Dossier>> d = store_->GetShared(id_prefix_ + buf);
      if (!d.ok() || !*d) continue;
      Result<std::optional<DueChange>> c = DueChangeOf(*store_, *catalog_, *d);
      if (!c.ok()) {
        Fail("recomputing the due dates of " + (**d).id + ": " + c.status().ToString());
      } else if (*c) {
        Fail("the due dates of " + (**d).id + " (due " + Local((**d).due_at) + ", extended " +
             Local((**d).extended_due_at) + ") recompute to due " + Local((*c)->due_at) +
             ", extended " + Local((*c)->extended_due_at) + (*c)->problem);
      }
    }
  }

  // due-changes [none | H=DUE[/EXTENDED] ...]: the open dossiers whose dates differ on the
  // definitions loaded now, by handle, with the recomputed dates.
  void ExpectDueChanges(const std::vector<std::string>& w) {
    Result<DueChanges> found = FindDueChanges(*store_, *catalog_);
    if (!found.ok()) return Fail("due-changes: " + found.status().ToString());
    std::vector<std::string> actual;
    for (const DueChange& c : found->changes) {
      std::string name = c.dossier->id;
      for (const auto& [h, id] : handles_) {
        if (id == c.dossier->id) name = h;
      }
      std::string s = name + "=" + (c.problem.empty() ? Local(c.due_at) : "problem");
      if (c.extended_due_at) s += "/" + Local(c.extended_due_at);
      actual.push_back(s);
    }
    std::sort(actual.begin(), actual.end());
    std::vector<std::string> want(w.begin() + 1, w.end());
    if (want == std::vector<std::string>{"none"}) want.clear();
    std::sort(want.begin(), want.end());
    if (actual != want) {
      Fail("expected due changes " + Join(want, " ") + ", got " +
           (actual.empty() ? std::string("none") : Join(actual, " ")));
    }
  }

  // reload DIR: the definitions at DIR replace the loaded ones, as SIGHUP does.
  void Reload(const std::string& dir) {
    DefinitionSet set = LoadDefinitions(std::string(MOTCUA_SOURCE_DIR) + "/" + dir);
    for (const auto& e : set.errors) Fail("definitions: " + e.ToString());
    if (!set.ok()) return;
    catalog_ = std::make_shared<DefinitionCatalog>(std::move(set), nullptr);
    driver_->SetCatalog(catalog_);
  }

  // The migration map `a["map"]` (relative to the repo) from version a["from"] to a["to"] of the
  // scenario's procedure; nullopt after failing.
  std::optional<MigrationFile> LoadMigration(std::map<std::string, std::string>& a) {
    if (!a.count("map") || !a.count("from") || !a.count("to")) {
      Fail("a migration needs map=FILE from=V to=V");
      return std::nullopt;
    }
    const std::string path = std::string(MOTCUA_SOURCE_DIR) + "/" + a["map"];
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      Fail("cannot read " + path);
      return std::nullopt;
    }
    const int from = std::stoi(a["from"]), to = std::stoi(a["to"]);
    std::vector<Diagnostic> errors;
    std::optional<MigrationFile> file =
        ParseMigrationFile(text.str(), a["map"], catalog_->Version(procedure_, from).get(),
                           catalog_->Version(procedure_, to).get(), &errors);
    for (const Diagnostic& d : errors) Fail("migration map: " + d.ToString());
    if (file) {
      file->migration.procedure_code = procedure_;
      file->migration.from_version = from;
      file->migration.to_version = to;
    }
    return file;
  }

  // The handle of dossier `id` (its id when it has none).
  std::string HandleOf(const std::string& id) const {
    for (const auto& [h, i] : handles_) {
      if (i == id) return h;
    }
    return id;
  }

  // migrate-all as=… map=FILE from=V to=V moved=H,H|none refused=H,H|none not_selected=N: plans
  // the migration over the store with the map's selection (as `motcua migrate plan` does), then
  // applies each move with the migrate command (as `motcua migrate apply` does).
  void MigrateAll(std::map<std::string, std::string>& a) {
    std::optional<MigrationFile> file = LoadMigration(a);
    if (!file) return;
    Result<MigrationPlan> plan = PlanMigration(*store_, *catalog_, file->migration, file->select,
                                               ParseActor(a["as"]), now_, EngineSettings{});
    if (!plan.ok()) return Fail("migrate-all: " + plan.status().ToString());
    auto migration = std::make_shared<const Migration>(file->migration);
    std::vector<std::string> moved, refused;
    for (const PlannedMove& m : plan->moves) {
      if (!m.event) {
        refused.push_back(HandleOf(m.dossier->id));
        continue;
      }
      CommandRequest req;
      req.command = MigrateCommand(migration, m.dossier->id, ParseActor(a["as"]));
      CommandResult r = driver_->Execute(std::move(req));
      if (!r.accepted()) {
        return Fail("migrate-all: " + m.dossier->id + " planned, then refused: " +
                    (r.rejection ? r.rejection->message : r.status.ToString()));
      }
      // What was recorded is what the plan said.
      if (!(r.events.front().to_step == m.event->to_step &&
            r.events.front().due_at == m.event->due_at &&
            r.events.front().step_due_at == m.event->step_due_at)) {
        Fail("migrate-all: " + m.dossier->id + " moved otherwise than planned");
      }
      moved.push_back(HandleOf(m.dossier->id));
    }
    auto check = [&](const std::string& key, std::vector<std::string> actual) {
      std::sort(actual.begin(), actual.end());
      const std::string got = actual.empty() ? "none" : Join(actual, ",");
      if (a.count(key) && a[key] != got) Fail("expected " + key + "=" + a[key] + ", got " + got);
    };
    check("moved", moved);
    check("refused", refused);
    if (a.count("not_selected") && a["not_selected"] != std::to_string(plan->not_selected)) {
      Fail("expected not_selected=" + a["not_selected"] + ", got " +
           std::to_string(plan->not_selected));
    }
    last_.reset();
  }

  void Step(const std::vector<std::string>& w) {
    const std::string& verb = w[0];
    auto a = Args(w, 1);
    if (verb == "definitions") {
      definitions_ = w.at(1);
      return;
    }
    if (verb == "procedure") {
      procedure_ = w.at(1);
      return;
    }
    if (verb == "at") {
      auto t = ParseLocalDateTime(w.at(1), kOffset);
      if (!t) return Fail("bad instant " + w.at(1));
      now_ = *t;
      if (clock_) clock_->Set(now_);
      return;
    }
    if (!EnsureStarted()) return;
    if (verb == "expect") return Expect(a);
    if (verb == "reject") return ExpectReject(w);
    if (verb == "handover") return ExpectHandOver(w);
    if (verb == "fired") return ExpectFired(w);
    if (verb == "history") return ExpectHistory(w);
    if (verb == "due-changes") return ExpectDueChanges(w);
    CheckNoPendingRejection();
    if (verb == "reload") return Reload(w.at(1));
    if (verb == "migrate-all") return MigrateAll(a);
    if (verb == "timers") {
      Result<size_t> n = driver_->FireDueTimers();
      if (!n.ok()) return Fail("timers: " + n.status().ToString());
      last_fired_ = *n;
      last_.reset();
      return;
    }
    CommandRequest req;
    Command& c = req.command;
    static const std::map<std::string, CommandType> kVerbs = {
        {"submit", CommandType::kSubmit},
        {"receive", CommandType::kReceive},
        {"refuse", CommandType::kRefuseAtCounter},
        {"assign", CommandType::kAssign},
        {"act", CommandType::kAct},
        {"supply", CommandType::kSupplySupplement},
        {"pay", CommandType::kConfirmPayment},
        {"answer", CommandType::kAnswerConsultation},
        {"withdraw", CommandType::kWithdraw},
        {"return", CommandType::kReturnResult},
        {"recompute", CommandType::kRecomputeDue},
        {"rate", CommandType::kRateSatisfaction},
        {"attach", CommandType::kAttachFile},
        {"migrate", CommandType::kMigrate}};
    auto it = kVerbs.find(verb);
    if (it == kVerbs.end()) return Fail("unknown verb '" + verb + "'");
    c.type = it->second;
    c.actor = ParseActor(a["as"]);
    const bool creates =
        (c.type == CommandType::kSubmit || a.count("new") ||
         ((c.type == CommandType::kReceive || c.type == CommandType::kRefuseAtCounter) &&
          !a.count("on") && current_.empty()));
    if (!creates) c.dossier_id = a.count("on") ? handles_[a["on"]] : current_;
    if (c.type == CommandType::kAct) {
      if (w.size() < 2 || w[1].find('=') != std::string::npos)
        return Fail("act needs an action id");
      c.action_id = w[1];
    }
    if (c.type == CommandType::kAttachFile) {
      if (w.size() < 2 || w[1].find('=') != std::string::npos)
        return Fail("attach needs a document id");
      // sha=X: one hex digit stands for 64 of it; type: a known file type's name.
      const std::string sha = a.count("sha") ? a["sha"] : "a";
      const FileType* type = FindFileType(a.count("type") ? a["type"] : "pdf");
      AttachedFile f;
      f.document_id = w[1];
      f.sha256 = sha.size() == 1 ? std::string(64, sha[0]) : sha;
      f.size = a.count("size") ? std::stoll(a["size"]) : 1000;
      f.media_type = type ? std::string(type->media_type) : a["type"];
      f.name = a.count("file") ? a["file"] : w[1] + ".pdf";
      c.file = std::move(f);
    }
    if (c.type == CommandType::kMigrate) {
      std::optional<MigrationFile> file = LoadMigration(a);
      if (!file) return;
      c.migration = std::make_shared<const Migration>(std::move(file->migration));
    }
    c.procedure_code = a.count("procedure") ? a["procedure"] : procedure_;
    c.receiving_agency = a.count("agency") ? a["agency"] : "000.00.01.H56";
    c.competent_agency = a["competent"];
    c.applicant.name = a.count("applicant") ? a["applicant"] : "Nguyễn Văn An";
    c.applicant.id_number = a.count("idno") ? a["idno"] : "001090012345";
    if (a.count("channel")) {
      std::optional<Channel> channel = ParseName<Channel>(a["channel"]);
      if (!channel) return Fail("unknown channel '" + a["channel"] + "'");
      c.channel = *channel;
    } else if (c.type == CommandType::kSubmit) {
      c.channel = Channel::kOnlineFull;
    }
    if (a.count("docs")) c.documents = ParseDocs(a["docs"]);
    if (a.count("missing")) c.missing = Split(a["missing"], ',');
    if (a.count("reason")) c.reason = a["reason"];
    if (a.count("comment")) c.comment = a["comment"];
    if (a.count("to")) c.assignee = a["to"];
    if (a.count("via")) {
      c.returned_via = ParseName<ReturnVia>(a["via"]);
      if (!c.returned_via) return Fail("unknown via '" + a["via"] + "'");
    }
    if (a.count("recipient")) c.returned_to = a["recipient"];
    if (a.count("signed")) c.receipt_signed = a["signed"] == "true";
    if (a.count("satisfaction")) {
      std::optional<Satisfaction> s = ParseName<Satisfaction>(a["satisfaction"]);
      if (!s) return Fail("unknown satisfaction '" + a["satisfaction"] + "'");
      c.satisfaction = *s;
    }
    if (a.count("version")) c.expected_version = std::stoll(a["version"]);
    if (a.count("extend_by")) {
      c.extend_by = ParseWorkDuration(a["extend_by"]);
      if (!c.extend_by) return Fail("bad extend_by \"" + a["extend_by"] + "\"");
    }
    if (a.count("key")) {
      req.idempotency_key = a["key"];
      req.payload_hash = a.count("hash") ? std::stoull(a["hash"]) : 1;
    }
    last_ = driver_->Execute(std::move(req));
    last_checked_ = false;
    if (last_->accepted() && last_->dossier) {
      if (creates || current_.empty()) current_ = last_->dossier->id;
      if (a.count("name")) handles_[a["name"]] = last_->dossier->id;
      if (creates && !a.count("name")) handles_["last"] = last_->dossier->id;
    }
  }

  std::optional<Dossier> Current(const std::map<std::string, std::string>& a) {
    std::string id = a.count("on") ? handles_[a.at("on")] : current_;
    Result<std::optional<Dossier>> d = store_->Get(id);
    if (!d.ok() || !*d) {
      Fail("no dossier '" + id + "'");
      return std::nullopt;
    }
    return **d;
  }

  void Expect(const std::map<std::string, std::string>& a) {
    std::optional<Dossier> d = Current(a);
    if (!d) return;
    auto check = [&](const std::string& key, const std::string& actual) {
      auto it = a.find(key);
      if (it != a.end() && it->second != actual) {
        Fail("expected " + key + "=" + it->second + ", but it is " + actual);
      }
    };
    check("status", NameOf(d->status));
    check("portal", std::to_string(PortalStatusCode(d->status)));
    check("number", d->number.empty() ? "none" : d->number);
    check("receiving", d->receiving_agency);
    check("competent", d->competent_agency);
    check("provisional", d->due_provisional ? "true" : "false");
    check("received", Local(d->received_at));
    check("counting", Local(d->counting_start));
    check("due", Local(d->due_at));
    check("extended_due", Local(d->extended_due_at));
    check("step", d->current_step.empty() ? "none" : d->current_step);
    check("step_due", Local(d->step_due_at));
    check("assignee", d->assignee.empty() ? "none" : d->assignee);
    check("timeliness", d->timeliness ? NameOf(*d->timeliness) : "none");
    check("outcome", NameOf(d->outcome));
    check("supplements", std::to_string(d->supplement_requests));
    check("asked_by", d->supplement_requested_by.empty() ? "none" : d->supplement_requested_by);
    check("paused", d->paused() ? "true" : "false");
    check("overdue", d->OverdueAt(now_) ? "true" : "false");
    check("pauses", std::to_string(d->pauses.size()));
    check("version", std::to_string(d->version));
    check("procedure_version", std::to_string(d->procedure_version));
    check("waiting_until", Local(d->waiting_until));
    check("returned", Local(d->returned_at));
    check("returned_via", d->returned_via ? NameOf(*d->returned_via) : "none");
    check("recipient", d->returned_to.empty() ? "none" : d->returned_to);
    check("signed", d->receipt_signed ? "true" : "false");
    check("satisfaction", NameOf(d->satisfaction));
    std::vector<std::string> files;
    for (const AttachedFile& f : d->files) files.push_back(f.document_id);
    check("files", files.empty() ? "none" : Join(files, ","));
    check("decided", Local(d->decided_at));
    check("missing", d->missing.empty() ? "none" : Join(d->missing, ","));
    std::vector<std::string> timers;
    for (const auto& t : d->timers)
      timers.push_back(std::string(NameOf(t.kind)) + "@" + Local(t.at));
    check("timers", timers.empty() ? "none" : Join(timers, ","));
  }

  void ExpectReject(const std::vector<std::string>& w) {
    if (!last_) return Fail("reject: no previous command");
    last_checked_ = true;
    std::string code = w.size() > 1 ? w[1] : "";
    std::string text = w.size() > 2 ? w[2] : "";
    std::string actual_code, message;
    if (last_->rejection) {
      actual_code = NameOf(last_->rejection->code);
      message = last_->rejection->message;
    } else if (!last_->status.ok()) {
      actual_code = last_->status.code() == StatusCode::kConflict ? "conflict" : "error";
      message = last_->status.message();
    } else {
      return Fail("expected a rejection (" + code + "), but the command was accepted");
    }
    if (actual_code != code)
      Fail("expected rejection " + code + ", got " + actual_code + ": " + message);
    if (message.find(text) == std::string::npos) {
      Fail("expected the rejection to say \"" + text + "\", but it says \"" + message + "\"");
    }
  }

  // handover N step giver receiver timeliness
  void ExpectHandOver(const std::vector<std::string>& w) {
    if (w.size() != 6) return Fail("handover N step giver receiver timeliness");
    std::optional<Dossier> d = Current({});
    if (!d) return;
    Result<std::vector<Event>> h = store_->History(d->id);
    std::vector<HandOver> rows;
    for (const Event& e : *h) {
      if (e.hand_over) rows.push_back(*e.hand_over);
    }
    size_t n = std::stoul(w[1]);
    if (n < 1 || n > rows.size()) {
      return Fail("expected M06 row " + w[1] + ", but there are " + std::to_string(rows.size()));
    }
    const HandOver& r = rows[n - 1];
    std::string actual = r.step_id + " " + r.giver + " " + r.receiver + " " + NameOf(r.timeliness);
    std::string want = w[2] + " " + w[3] + " " + w[4] + " " + w[5];
    if (actual != want)
      Fail("M06 row " + w[1] + ": expected \"" + want + "\", got \"" + actual + "\"");
  }

  // fired N
  void ExpectFired(const std::vector<std::string>& w) {
    if (w.size() != 2) return Fail("fired N");
    if (std::to_string(last_fired_) != w[1]) {
      Fail("expected " + w[1] + " timers to fire, but " + std::to_string(last_fired_) + " did");
    }
  }

  // history type,type,... [on=H]   the event types of the dossier, in order
  void ExpectHistory(const std::vector<std::string>& w) {
    std::map<std::string, std::string> on;
    std::vector<std::string> words;
    for (size_t i = 1; i < w.size(); ++i) {
      if (w[i].starts_with("on=")) {
        on["on"] = w[i].substr(3);
      } else {
        words.push_back(w[i]);
      }
    }
    std::optional<Dossier> d = Current(on);
    if (!d) return;
    Result<std::vector<Event>> h = store_->History(d->id);
    std::vector<std::string> types;
    for (const Event& e : *h) types.push_back(NameOf(e.type));
    const std::string actual = Join(types, ",");
    if (words.size() != 1 || actual != words[0])
      Fail("expected history " + (words.empty() ? "" : words[0]) + ", got " + actual);
    // Replaying the history reproduces the stored record.
    Dossier replay;
    for (const Event& e : *h) Apply(replay, e);
    if (!(replay == *d)) Fail("replaying the history does not reproduce the stored dossier");
  }

  std::string path_;
  Store* store_;
  ScenarioDriver* driver_;
  bool started_ = false;
  std::string id_prefix_;
  int line_no_ = 0;
  std::string definitions_ = "definitions";
  std::string procedure_;
  Instant now_;
  std::shared_ptr<DefinitionCatalog> catalog_;
  std::unique_ptr<ManualClock> clock_;
  std::unique_ptr<CountingIds> ids_;
  std::optional<CommandResult> last_;
  bool last_checked_ = true;
  size_t last_fired_ = 0;
  std::string current_;
  std::map<std::string, std::string> handles_;
  std::vector<std::string> failures_;
};

}  // namespace

Status CoreDriver::Start(std::shared_ptr<const ProcedureCatalog> catalog, Clock* clock,
                         IdSource* ids) {
  catalog_ = std::move(catalog);
  clock_ = clock;
  ids_ = ids;
  ASSIGN_OR_RETURN(uint64_t last, store_->LastOutboxPosition());
  next_position_ = last + 1;
  return Status::Ok();
}

CommandResult CoreDriver::Execute(CommandRequest request) {
  CommandBatch batch(catalog_.get(), EngineSettings{}, clock_->Now(), ids_, &state_,
                     next_position_);
  CommandResult result = batch.Add(request);
  WriteSet& w = batch.writes();
  if (!w.changes.empty() || !w.idempotency.empty()) {
    if (Status s = store_->Commit(w); !s.ok()) {
      CommandResult failed;
      failed.status = s;
      return failed;
    }
    next_position_ += w.event_count();
  }
  return result;
}

Result<size_t> CoreDriver::FireDueTimers() {
  ASSIGN_OR_RETURN(std::vector<DueTimer> due, store_->DueTimers(clock_->Now(), 1000));
  size_t fired = 0;
  for (const DueTimer& t : due) {
    CommandResult r = Execute(FireTimerCommand(t));
    if (!r.status.ok()) return r.status;
    if (r.accepted()) ++fired;
  }
  return fired;
}

std::vector<std::string> RunScenario(const std::string& path, Store* store, ScenarioDriver* driver,
                                     const std::string& id_prefix) {
  return Runner(path, store, driver, id_prefix).Run();
}

std::string ScenarioTestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string stem = std::filesystem::path(info.param).stem().string();
  for (char& c : stem) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return stem;
}

std::vector<std::string> ScenarioFiles() {
  std::vector<std::string> out;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(MOTCUA_SOURCE_DIR) + "/tests/scenarios")) {
    if (e.path().extension() == ".scenario") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace motcua::testing
