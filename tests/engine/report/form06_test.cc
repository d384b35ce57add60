// Report form 06 against a brute-force recount: a year of dossiers driven at random through the
// shipped procedures on a manual clock (the training clock's way of running time), then random
// windows and groupings, each report compared with what every dossier's history says about that
// window, row by row; and the identities in every row.

#include "engine/report/form06.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <map>
#include <random>

#include "engine/dossier/appliers.h"
#include "engine/report/counters.h"
#include "engine/report/steps.h"
#include "engine/store/indexes.h"
#include "engine/store/memory_store.h"
#include "engine/store/verify.h"
#include "tests/engine/batch/fixtures.h"

namespace motcua {
namespace {

constexpr int kOffset = 7 * 3600;

Instant At(const char* local) { return *ParseLocalDateTime(local, kOffset); }
CivilDate Day(Instant t) { return LocalDateAt(t, kOffset); }
// The first instant of a local day.
Instant StartOf(CivilDate d) { return Instant{DaysFromCivil(d) * 86400 - kOffset}; }

struct SerialIds : IdSource {
  int n = 0;
  std::string NewId() override {
    char buf[16];
    std::snprintf(buf, sizeof buf, "R%06d", ++n);
    return buf;
  }
};

// Where each shipped procedure is received and decided.
struct Where {
  const char* procedure;
  std::vector<const char*> agencies;
};
const std::vector<Where> kWhere = {
    {"2.000908", {"000.17.22.H56", "000.18.22.H56", "000.19.22.H56"}},
    {"1.001193", {"000.17.22.H56", "000.18.22.H56", "000.19.22.H56"}},
    {"1.013225", {"000.00.12.H56"}},
    {"1.012780", {"000.00.31.H56"}},
    {"2.001417", {"000.00.20.H56"}},
};

// Drives dossiers through the shipped procedures at random, one command per batch, on a manual
// clock: receptions in working hours (some submitted online at night first), every step action
// the definitions offer, supplements, payments, consultations, extensions, withdrawals, returns,
// and the due timers as they come.
class YearOfDossiers {
 public:
  YearOfDossiers() : catalog_(ShippedCatalog()), rng_(20261201) {}

  void Run(Instant from, Instant to) {
    for (now_ = from; now_ < to; now_.seconds += 1800) {
      FireTimers();
      const CivilDate day = Day(now_);
      const int64_t minute = (now_.seconds + kOffset) % 86400 / 60;
      const bool weekday = WeekdayFromDays(DaysFromCivil(day)) < 5;
      const bool working = weekday && minute >= 7 * 60 + 30 && minute < 17 * 60;
      if (working && Chance(0.45)) Receive();
      if (!working && Chance(0.03)) Receive();  // online at night; counted from the next session
      for (size_t i = 0; i < active_.size(); ++i) {
        if (Chance(working ? pace_[active_[i]] : 0.005)) Move(active_[i]);
      }
      std::erase_if(active_, [&](const std::string& id) { return Finished(id); });
    }
  }

  MemoryStore& store() { return store_; }
  const DefinitionCatalog& catalog() const { return *catalog_; }

 private:
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  CommandResult Run(CommandRequest r) {
    StoreState state(&store_);
    CommandBatch batch(catalog_.get(), EngineSettings{}, now_, &ids_, &state, next_position_);
    CommandResult result = batch.Add(r);
    if (result.accepted()) {
      EXPECT_TRUE(store_.Commit(batch.writes()).ok());
      next_position_ += batch.writes().event_count();
    }
    return result;
  }

  Actor Everyone(const Procedure& p) {
    Actor a{"u1", {}};
    for (const Role& r : p.roles) a.roles.push_back(r.id);
    return a;
  }

  void Receive() {
    const Where& w = kWhere[Pick(kWhere.size())];
    auto p = catalog_->InForce(w.procedure, Day(now_));
    if (!p) return;
    CommandRequest r;
    r.command.actor = Everyone(*p);
    r.command.procedure_code = p->code;
    r.command.receiving_agency = w.agencies[Pick(w.agencies.size())];
    r.command.applicant.name = "Trần Thị Bích";
    r.command.applicant.id_number = "001090012345";
    for (const Document& d : p->documents) {
      if (d.required && d.condition.empty()) r.command.documents.push_back({d.id, d.count});
    }
    r.command.channel = p->channels[Pick(p->channels.size())];
    const bool online =
        r.command.channel == Channel::kOnlineFull || r.command.channel == Channel::kOnlinePartial;
    r.command.type = online ? CommandType::kSubmit : CommandType::kReceive;
    CommandResult c = Run(r);
    if (!c.accepted()) return;
    const std::string id = c.dossier->id;
    pace_[id] = std::uniform_real_distribution<double>(0.01, 0.35)(rng_);
    if (online) {
      CommandRequest rec;
      rec.command.type = CommandType::kReceive;
      rec.command.dossier_id = id;
      rec.command.actor = r.command.actor;
      rec.command.documents = r.command.documents;
      if (!Run(rec).accepted()) return;
    }
    active_.push_back(id);
  }

  void Move(const std::string& id) {
    auto d = *store_.Get(id);
    if (!d) return;
    auto p = catalog_->Version(d->procedure_code, d->procedure_version);
    CommandRequest r;
    r.command.dossier_id = id;
    r.command.actor = Everyone(*p);
    if (Chance(0.01) && IsOpen(d->status)) {
      r.command.type = CommandType::kWithdraw;
      r.command.reason = "Người nộp rút hồ sơ";
      Run(r);
      return;
    }
    switch (d->status) {
      case DossierStatus::kSupplementRequested:
        r.command.type = CommandType::kSupplySupplement;
        for (const std::string& m : d->missing) r.command.documents.push_back({m, 1});
        break;
      case DossierStatus::kPaymentRequested:
        r.command.type = CommandType::kConfirmPayment;
        break;
      case DossierStatus::kConsulting:
        r.command.type = CommandType::kAnswerConsultation;
        break;
      case DossierStatus::kDecided:
        if (!d->after_decision) {
          r.command.type = CommandType::kReturnResult;
          break;
        }
        [[fallthrough]];
      default: {
        const Step* s = p->FindStep(d->current_step);
        if (s == nullptr || s->actions.empty()) return;
        const Action* a = &s->actions[Pick(s->actions.size())];
        // Extensions are rare at random (one action of many, at one step): ask for them often.
        for (const Action& e : s->actions) {
          if (e.kind == ActionKind::kExtend && Chance(0.5)) a = &e;
        }
        // Forward more often than anything else, so that most dossiers finish.
        if (a->kind != ActionKind::kForward && a->kind != ActionKind::kDecide &&
            a->kind != ActionKind::kExtend && Chance(0.6)) {
          return;
        }
        r.command.type = CommandType::kAct;
        r.command.action_id = a->id;
        if (!p->documents.empty()) r.command.missing = {p->documents.front().id};
      }
    }
    Run(r);
  }

  void FireTimers() {
    Result<std::vector<DueTimer>> due = store_.DueTimers(now_, 1000);
    ASSERT_TRUE(due.ok());
    for (const DueTimer& t : *due) Run(FireTimerCommand(t));
  }

  bool Finished(const std::string& id) {
    auto d = *store_.Get(id);
    return !d || d->status == DossierStatus::kStopped || d->status == DossierStatus::kReturned ||
           d->status == DossierStatus::kRefusedAtCounter;
  }

  std::shared_ptr<DefinitionCatalog> catalog_;
  MemoryStore store_;
  SerialIds ids_;
  std::mt19937_64 rng_;
  Instant now_;
  uint64_t next_position_ = 1;
  std::vector<std::string> active_;
  std::map<std::string, double> pace_;
};

// One dossier as its history tells it: the states after each event, in order.
struct Told {
  std::vector<Event> events;
  std::vector<Dossier> states;
  // The state at the end of local day `d`: after every event before the next day began.
  const Dossier* AtEndOf(CivilDate d) const {
    const Instant end = StartOf(CivilFromDays(DaysFromCivil(d) + 1));
    const Dossier* s = nullptr;
    for (size_t i = 0; i < events.size() && events[i].at < end; ++i) s = &states[i];
    return s;
  }
};

// The brute force: each dossier's history read directly, with the definitions of
// docs/reports.md written out again here.
class Recount {
 public:
  Recount(Store& store, const AgencyRegistry& agencies, const DefinitionCatalog& catalog)
      : agencies_(agencies), catalog_(catalog) {
    std::string after;
    while (true) {
      auto ids = *store.Ids(after, 1000);
      for (const std::string& id : ids) {
        Told t;
        t.events = *store.History(id);
        Dossier d;
        for (const Event& e : t.events) {
          Apply(d, e);
          t.states.push_back(d);
        }
        told_.push_back(std::move(t));
      }
      if (ids.size() < 1000) break;
      after = ids.back();
    }
  }

  size_t dossiers() const { return told_.size(); }

  // The per-step rows of a window, straight from the hand-overs in the histories: counts, and the
  // working times themselves.
  struct StepCount {
    int64_t early = 0, on_time = 0, late = 0;
    std::vector<int64_t> seconds;
  };
  std::map<std::array<std::string, 3>, StepCount> Steps(const StepReportRequest& q) const {
    std::map<std::array<std::string, 3>, StepCount> out;
    for (const Told& t : told_) {
      const Dossier& last = t.states.back();
      if (!q.agency.empty() && !agencies_.IsWithin(last.competent_agency, q.agency)) continue;
      for (const Event& e : t.events) {
        if (!e.hand_over || Day(e.at) < q.from || q.to < Day(e.at)) continue;
        for (const std::string& officer : {e.hand_over->giver, std::string()}) {
          StepCount& c = out[{last.procedure_code, e.hand_over->step_id, officer}];
          ++(e.hand_over->timeliness == Timeliness::kEarly    ? c.early
             : e.hand_over->timeliness == Timeliness::kOnTime ? c.on_time
                                                              : c.late);
          c.seconds.push_back(e.hand_over->working_seconds.value_or(0));
        }
      }
    }
    return out;
  }

  std::map<std::string, Form06Row> Report(const Form06Request& q) const {
    std::map<std::string, Form06Row> rows;
    for (const Told& t : told_) {
      const Dossier& last = t.states.back();
      if (!last.received_at) continue;  // never received: never counted
      const std::string key = KeyOf(q, last.competent_agency, last.procedure_code);
      if (key.empty()) continue;
      const CivilDate received = Day(*last.received_at);
      if (received > q.to) continue;
      // Finished: decided, or withdrawn (the event that stopped it).
      std::optional<CivilDate> finished;
      bool withdrawn = false;
      if (last.decided_at) finished = Day(*last.decided_at);
      for (size_t i = 0; i < t.events.size(); ++i) {
        if (t.states[i].status == DossierStatus::kStopped) {
          finished = Day(t.events[i].at);
          withdrawn = true;
          break;
        }
      }
      if (finished && *finished < q.from) continue;  // over before the window
      Form06Row& r = rows[key];
      if (received < q.from) {
        ++r.carried_over;
      } else if (last.channel == Channel::kCounter) {
        ++r.counter;
      } else if (last.channel == Channel::kPostal) {
        ++r.postal;
      } else if (last.channel == Channel::kOnlineFull) {
        ++r.online_full;
      } else {
        ++r.online_partial;
      }
      if (finished && *finished <= q.to) {
        if (withdrawn) {
          ++r.withdrawn;
        } else {
          ++r.processed;
          switch (*last.timeliness) {
            case Timeliness::kEarly:
              ++r.early;
              break;
            case Timeliness::kOnTime:
              ++r.on_time;
              break;
            case Timeliness::kLate:
              ++(last.extended_due_at ? r.late_with_apology : r.late_without_apology);
              break;
          }
          if (last.outcome == Outcome::kRefused) ++r.refused;
        }
        continue;
      }
      // In progress at the end of the window: overdue when its effective due instant has come
      // by then, unless it is in a pause that began before that instant.
      ++r.in_progress;
      const Dossier& s = *t.AtEndOf(q.to);
      const Instant end = StartOf(CivilFromDays(DaysFromCivil(q.to) + 1));
      const std::optional<Instant> due = s.extended_due_at ? s.extended_due_at : s.due_at;
      const bool paused_before_due =
          !s.pauses.empty() && !s.pauses.back().to && due && s.pauses.back().from < *due;
      if (due && *due < end && !paused_before_due) ++r.overdue;
      if (s.status == DossierStatus::kSupplementRequested) ++r.supplement;
    }
    for (auto& [key, r] : rows) {
      r.key = key;
      r.online = r.online_full + r.online_partial;
      r.direct = r.counter + r.postal;
      r.received = r.online + r.direct + r.carried_over;
      r.late = r.late_with_apology + r.late_without_apology;
      r.not_yet_due = r.in_progress - r.overdue;
    }
    return rows;
  }

 private:
  // The row a dossier counts in; empty when the report leaves it out.
  std::string KeyOf(const Form06Request& q, const std::string& agency,
                    const std::string& procedure) const {
    // Within the reported agency: itself or below it.
    std::vector<std::string> chain = {agency};
    for (const Agency* a = agencies_.Find(agency); a != nullptr && !a->parent.empty();
         a = agencies_.Find(a->parent)) {
      chain.push_back(a->parent);
    }
    auto at = std::find(chain.begin(), chain.end(), q.agency);
    if (!q.agency.empty() && at == chain.end()) return "";
    switch (q.group_by) {
      case ReportGrouping::kAgency:
        if (q.agency.empty()) return chain.back();
        return at == chain.begin() ? q.agency : *(at - 1);
      case ReportGrouping::kField: {
        auto p = catalog_.Version(procedure, 1);
        return p && !p->field.empty() ? p->field : "—";
      }
      case ReportGrouping::kProcedure:
        return procedure;
    }
    return "";
  }

  const AgencyRegistry& agencies_;
  const DefinitionCatalog& catalog_;
  std::vector<Told> told_;
};

// Rows without a single dossier are left out: the report lists the reported agency's units
// even when they have none.
std::map<std::string, Form06Row> NonEmpty(const Form06& f) {
  std::map<std::string, Form06Row> out;
  for (Form06Row r : f.rows) {
    Form06Row zero;
    zero.key = r.key;
    r.label.clear();
    if (!(r == zero)) out[r.key] = r;
  }
  return out;
}

std::string Describe(const Form06Row& r) {
  std::string s;
  auto add = [&s](const char* name, int64_t v) {
    s += std::string(" ") + name + "=" + std::to_string(v);
  };
  add("received", r.received);
  add("counter", r.counter);
  add("postal", r.postal);
  add("online_full", r.online_full);
  add("online_partial", r.online_partial);
  add("online", r.online);
  add("carried", r.carried_over);
  add("early", r.early);
  add("on_time", r.on_time);
  add("late+", r.late_with_apology);
  add("late-", r.late_without_apology);
  add("refused", r.refused);
  add("withdrawn", r.withdrawn);
  add("in_progress", r.in_progress);
  add("overdue", r.overdue);
  add("supplement", r.supplement);
  return s;
}

}  // namespace

void PrintTo(const Form06Row& r, std::ostream* os) { *os << r.key << ":" << Describe(r); }

namespace {

TEST(ReportPeriodTest, PresetsAreWholeMonthsQuartersHalvesAndYears) {
  using P = std::pair<CivilDate, CivilDate>;
  EXPECT_EQ(ParseReportPeriod("2026"), (P{{2026, 1, 1}, {2026, 12, 31}}));
  EXPECT_EQ(ParseReportPeriod("2026-H2"), (P{{2026, 7, 1}, {2026, 12, 31}}));
  EXPECT_EQ(ParseReportPeriod("2026-Q1"), (P{{2026, 1, 1}, {2026, 3, 31}}));
  EXPECT_EQ(ParseReportPeriod("2028-02"), (P{{2028, 2, 1}, {2028, 2, 29}}));
  for (const char* bad : {"", "26", "2026-13", "2026-Q5", "2026-H3", "2026-1", "2026-03-01"}) {
    EXPECT_EQ(ParseReportPeriod(bad), std::nullopt) << bad;
  }
}

TEST(Form06WindowTest, AWindowThatEndsBeforeItStartsIsRefused) {
  Form06Request q;
  q.from = {2026, 3, 2};
  q.to = {2026, 3, 1};
  Result<Form06> r = BuildForm06(
      q, AgencyRegistry(), [](std::string_view) { return nullptr; },
      [](const std::string&, const std::string&, const auto&) { return Status::Ok(); });
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

class Form06Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    year_ = new YearOfDossiers();
    year_->Run(At("2026-01-02T00:00"), At("2026-12-31T00:00"));
  }
  static void TearDownTestSuite() { delete year_; }

  Result<Form06> Build(const Form06Request& q) {
    Store& store = year_->store();
    const DefinitionCatalog& catalog = year_->catalog();
    return BuildForm06(
        q, catalog.Agencies(),
        [&catalog](std::string_view code) { return catalog.Version(std::string(code), 1).get(); },
        [&store](const std::string& b, const std::string& e,
                 const std::function<void(std::string_view, int64_t)>& fn) {
          return store.ScanReportCounters(b, e, fn);
        });
  }

  static YearOfDossiers* year_;
};
YearOfDossiers* Form06Test::year_ = nullptr;

TEST_F(Form06Test, FiftyRandomWindowsAndGroupingsAgreeWithTheHistories) {
  const DefinitionCatalog& catalog = year_->catalog();
  Recount recount(year_->store(), catalog.Agencies(), catalog);
  ASSERT_GT(recount.dossiers(), 1000u);
  std::mt19937 rng(7);
  const int64_t first = DaysFromCivil({2025, 12, 15});
  const int64_t last = DaysFromCivil({2027, 1, 20});
  const std::vector<std::string> roots = {"", "000.00.00.H56", "000.00.12.H56", "000.17.22.H56"};
  Form06Row sums;  // over every report: each kind of count must have come up
  for (int i = 0; i < 50; ++i) {
    Form06Request q;
    int64_t a = std::uniform_int_distribution<int64_t>(first, last)(rng);
    int64_t b = std::uniform_int_distribution<int64_t>(first, last)(rng);
    if (i % 10 == 0) b = a;  // a single day
    q.from = CivilFromDays(std::min(a, b));
    q.to = CivilFromDays(std::max(a, b));
    if (i % 7 == 0) {  // a preset period
      const char* presets[] = {"2026",    "2026-H1", "2026-H2", "2026-Q2",
                               "2026-Q4", "2026-03", "2026-11", "2026-12"};
      auto period = ParseReportPeriod(presets[(i / 7) % 8]);
      ASSERT_TRUE(period.has_value());
      std::tie(q.from, q.to) = *period;
    }
    q.group_by = static_cast<ReportGrouping>(i % 3);
    q.agency = roots[std::uniform_int_distribution<size_t>(0, roots.size() - 1)(rng)];
    const std::string what = "window " + FormatDate(q.from) + ".." + FormatDate(q.to) + " by " +
                             NameOf(q.group_by) + " in '" + q.agency + "'";
    Result<Form06> report = Build(q);
    ASSERT_TRUE(report.ok()) << what << ": " << report.status().message();
    for (const Form06Row& r : report->rows) {
      EXPECT_EQ(CheckForm06Identities(r), std::nullopt) << what << " row " << r.key;
    }
    EXPECT_EQ(CheckForm06Identities(report->total), std::nullopt) << what;
    const std::map<std::string, Form06Row> expected = recount.Report(q);
    const std::map<std::string, Form06Row> got = NonEmpty(*report);
    for (const auto& [key, row] : expected) {
      auto it = got.find(key);
      ASSERT_NE(it, got.end()) << what << ": no row " << key;
      EXPECT_EQ(it->second, row) << what << " row " << key << "\n  report:" << Describe(it->second)
                                 << "\n  history:" << Describe(row);
    }
    for (const auto& [key, row] : got) {
      EXPECT_TRUE(expected.count(key)) << what << ": a row " << key << " no history supports";
    }
    sums.carried_over += report->total.carried_over;
    sums.early += report->total.early;
    sums.on_time += report->total.on_time;
    sums.late_with_apology += report->total.late_with_apology;
    sums.late_without_apology += report->total.late_without_apology;
    sums.refused += report->total.refused;
    sums.withdrawn += report->total.withdrawn;
    sums.overdue += report->total.overdue;
    sums.supplement += report->total.supplement;
    sums.online += report->total.online;
    sums.postal += report->total.postal;
  }
  // The simulation reached every column (a report of zeros would agree with anything).
  for (int64_t v : {sums.carried_over, sums.early, sums.on_time, sums.late_with_apology,
                    sums.late_without_apology, sums.refused, sums.withdrawn, sums.overdue,
                    sums.supplement, sums.online, sums.postal}) {
    EXPECT_GT(v, 0) << Describe(sums);
  }
}

TEST_F(Form06Test, StepTimelinessAgreesWithTheHandOversOfTheWindow) {
  const DefinitionCatalog& catalog = year_->catalog();
  Recount recount(year_->store(), catalog.Agencies(), catalog);
  Store& store = year_->store();
  std::mt19937 rng(11);
  const int64_t first = DaysFromCivil({2025, 12, 20});
  const int64_t last = DaysFromCivil({2027, 1, 10});
  const std::vector<std::string> roots = {"", "000.00.00.H56", "000.17.22.H56"};
  int64_t late_seen = 0, hours_seen = 0;
  for (int i = 0; i < 20; ++i) {
    StepReportRequest q;
    int64_t a = std::uniform_int_distribution<int64_t>(first, last)(rng);
    int64_t b = std::uniform_int_distribution<int64_t>(first, last)(rng);
    q.from = CivilFromDays(std::min(a, b));
    q.to = CivilFromDays(std::max(a, b));
    q.agency = roots[i % roots.size()];
    const std::string what =
        "steps " + FormatDate(q.from) + ".." + FormatDate(q.to) + " in '" + q.agency + "'";
    Result<StepReport> report = BuildStepReport(
        q, catalog.Agencies(),
        [&catalog](std::string_view code) { return catalog.Version(std::string(code), 1).get(); },
        [&store](const std::string& begin, const std::string& end,
                 const std::function<void(std::string_view, int64_t)>& fn) {
          return store.ScanReportCounters(begin, end, fn);
        });
    ASSERT_TRUE(report.ok()) << what << ": " << report.status().message();
    auto expected = recount.Steps(q);
    ASSERT_EQ(report->rows.size(), expected.size()) << what;
    for (const StepRow& r : report->rows) {
      auto it = expected.find({r.procedure_code, r.step_id, r.officer});
      ASSERT_NE(it, expected.end()) << what << ": " << r.procedure_code << "/" << r.step_id;
      Recount::StepCount& c = it->second;
      EXPECT_EQ(r.early, c.early) << what << " " << r.step_id << " " << r.officer;
      EXPECT_EQ(r.on_time, c.on_time) << what << " " << r.step_id << " " << r.officer;
      EXPECT_EQ(r.late, c.late) << what << " " << r.step_id << " " << r.officer;
      // The percentile's own working time lies in the bucket whose upper edge is reported.
      std::sort(c.seconds.begin(), c.seconds.end());
      const auto at = [&c](double quantile) {
        return c.seconds[static_cast<size_t>(std::ceil(quantile * c.seconds.size())) - 1];
      };
      const auto minutes = [](int64_t s) {
        return (BucketUpperSeconds(WorkingTimeBucket(s)) + 59) / 60;
      };
      EXPECT_EQ(r.median_minutes, minutes(at(0.5))) << what << " " << r.step_id;
      EXPECT_EQ(r.p90_minutes, minutes(at(0.9))) << what << " " << r.step_id;
      EXPECT_LE(at(0.5), BucketUpperSeconds(WorkingTimeBucket(at(0.5))));
      late_seen += r.late;
      hours_seen += at(0.9) > 3600;
    }
  }
  EXPECT_GT(late_seen, 0);
  EXPECT_GT(hours_seen, 0);
}

TEST_F(Form06Test, TheStoredCountersAreWhatTheHistoriesCount) {
  Result<VerifyReport> v = VerifyStore(year_->store());
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << v->problems.front();
  EXPECT_GT(v->report_counters, 100u);
}

// Verification counts each change at its day alone and sums the months and years from the days:
// over the year's histories that gives every counter of every level, as counting all at once.
TEST_F(Form06Test, CountingByDayThenSummingGivesEveryLevel) {
  Store& store = year_->store();
  CounterDeltas all, days;
  Result<std::vector<std::string>> ids = store.Ids("", 1000000);
  ASSERT_TRUE(ids.ok());
  for (const std::string& id : *ids) {
    Result<std::vector<Event>> history = store.History(id);
    ASSERT_TRUE(history.ok());
    Dossier a, d;
    for (const Event& e : *history) {
      ApplyCounting(a, e, &all);
      ApplyCounting(d, e, &days, CountLevels::kDays);
    }
  }
  std::map<char, size_t> levels;  // of the report's counters, counted by day
  for (const auto& [name, delta] : days) ++levels[name[3]];  // "f6␟d␟…", "sp␟d␟…"
  EXPECT_EQ(levels.size(), 1u);
  EXPECT_GT(levels['d'], 100u);
  AddCoarserLevels(&days);
  const auto sums = SortedChanges(days);
  EXPECT_EQ(sums, SortedChanges(all));
  size_t months = 0, years = 0;
  for (const auto& [name, delta] : sums) {
    months += name[3] == 'm';
    years += name[3] == 'y';
  }
  EXPECT_GT(months, 10u);
  EXPECT_GT(years, 1u);
}

// A month's counter that is not the sum of its days is named, with what the histories say.
TEST_F(Form06Test, AMonthsCounterThatIsNotItsDaysSumIsNamed) {
  MemoryStore& store = year_->store();  // shared: changed, verified, and changed back
  std::string month;
  ASSERT_TRUE(store
                  .ScanReportCounters(std::string("f6") + kIndexSep + "m",
                                      std::string("f6") + kIndexSep + "n",
                                      [&](std::string_view name, int64_t value) {
                                        if (month.empty() && value > 0) month = name;
                                      })
                  .ok());
  ASSERT_FALSE(month.empty());
  WriteSet w;
  w.report_deltas = {{month, 1}};
  ASSERT_TRUE(store.Commit(w).ok());
  Result<VerifyReport> v = VerifyStore(store);
  w.report_deltas = {{month, -1}};
  ASSERT_TRUE(store.Commit(w).ok());
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->problems.size(), 1u);
  std::string readable = month;
  std::replace(readable.begin(), readable.end(), kIndexSep, '/');
  EXPECT_EQ(v->problems[0].rfind("report counter " + readable + " is ", 0), 0u) << v->problems[0];
  EXPECT_NE(v->problems[0].find("; the histories say "), std::string::npos) << v->problems[0];
}

}  // namespace
}  // namespace motcua
