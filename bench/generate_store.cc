// A realistic store for the scale benchmarks (issue 15 §4): N dossiers of every sample procedure,
// received in working hours from 1 July 2025 (when the sample versions took effect) to late
// November 2026, each living a life drawn at random: refused at the counter, completed first
// (M02), supplements, consultations, payments, extensions, withdrawals, refusals on the merits,
// approvals, returns and satisfaction ratings, with delays from hours to weeks (so some are late,
// and their timers fire). Every command goes through the dossier service on RocksDB (group
// commit, durable), the clock moving an hour at a time; timers are fired as they come due. The
// store ends on 1 December 2026 with the dossiers still open that a live province would have.
//
//   generate_store --dir PATH [--dossiers N] [--seed S]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>
#include <map>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "adapters/rocksdb/rocks_store.h"
#include "tests/adapters/runtime/service_fixture.h"

using namespace motcua;

namespace {

constexpr int kOffset = 7 * 3600;

// What a dossier's life will hold, drawn at its reception.
struct Plan {
  bool refuse_at_counter = false;
  bool completion_first = false;
  bool supplement = false;
  bool consult = false;
  bool payment = false;
  bool extend = false;
  bool refuse_on_merits = false;
  bool rate = false;
  int withdraw_after = -1;  // withdrawn after this many commands; -1: never
};

struct Live {
  const Procedure* procedure = nullptr;
  std::string agency;
  uint64_t number = 0;  // the applicant's
  Plan plan;
  std::optional<Dossier> state;  // none before the first command
  int commands = 0;
  bool supplemented = false, consulted = false, paid = false, extended = false, rated = false;
  bool done = false;
};

class Generator {
 public:
  Generator(DossierService& service, ManualClock& clock, const DefinitionCatalog& catalog,
            uint64_t seed)
      : service_(service), clock_(clock), rng_(seed) {
    for (const auto& p : catalog.set().procedures) procedures_.push_back(p.get());
  }

  int Run(uint64_t dossiers) {
    const Instant first = *ParseLocalDateTime("2025-07-01T08:00", kOffset);
    const Instant last_reception = *ParseLocalDateTime("2026-11-20T16:00", kOffset);
    const Instant end = *ParseLocalDateTime("2026-12-01T17:00", kOffset);
    // Receptions come in working-hour ticks (Mon–Fri 08:00–16:00), spread evenly over them.
    std::vector<int64_t> reception_ticks;
    for (int64_t t = first.seconds; t <= last_reception.seconds; t += 3600) {
      if (WorkingHour(Instant{t})) reception_ticks.push_back(t);
    }
    const auto t0 = std::chrono::steady_clock::now();
    size_t next_tick = 0;
    uint64_t received = 0;
    for (int64_t t = first.seconds; t <= end.seconds; t += 3600) {
      clock_.Set(Instant{t});
      if (next_tick < reception_ticks.size() && reception_ticks[next_tick] == t) {
        ++next_tick;
        const uint64_t due = dossiers * next_tick / reception_ticks.size();
        for (; received < due; ++received) NewDossier(received, t);
      }
      // Officials and applicants act in working hours; timers fire whenever they come due.
      if (WorkingHour(Instant{t})) Advance(t);
      Result<size_t> fired = service_.FireDueTimers();
      if (!fired.ok()) {
        std::fprintf(stderr, "timers: %s\n", fired.status().ToString().c_str());
        return 1;
      }
      timers_ += *fired;
      if ((t - first.seconds) % (30 * 86400) == 0) {
        std::fprintf(stderr, "%s: %llu received, %llu commands, %llu timers fired\n",
                     FormatLocal(Instant{t}, kOffset).substr(0, 10).c_str(),
                     static_cast<unsigned long long>(received),
                     static_cast<unsigned long long>(commands_),
                     static_cast<unsigned long long>(timers_));
      }
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::map<std::string, uint64_t> by_status;
    for (const Live& l : live_) {
      by_status[l.state ? std::string(NameOf(l.state->status)) : "never created"]++;
    }
    std::printf(
        "generated %llu dossiers: %llu durable commands and %llu timers fired in %.0f s "
        "(%.0f a second)\n",
        static_cast<unsigned long long>(received), static_cast<unsigned long long>(commands_),
        static_cast<unsigned long long>(timers_), s, (commands_ + timers_) / s);
    for (const auto& [status, n] : by_status) {
      std::printf("  %-22s %llu\n", status.c_str(), static_cast<unsigned long long>(n));
    }
    std::printf("  detours refused by the rules and skipped: %llu; lives ended early: %llu\n",
                static_cast<unsigned long long>(skipped_),
                static_cast<unsigned long long>(dropped_));
    return 0;
  }

 private:
  static bool WorkingHour(Instant t) {
    const int64_t local = t.seconds + kOffset;
    const int weekday = WeekdayFromDays(local / 86400);  // 0 = Monday
    const int hour = static_cast<int>(local % 86400 / 3600);
    return weekday <= 4 && hour >= 8 && hour < 17;
  }

  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int64_t Hours(int lo, int hi) {
    return 3600 * std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  // How long until the next command: mostly hours, sometimes days, now and then weeks.
  int64_t Delay() {
    const double r = std::uniform_real_distribution<double>(0, 1)(rng_);
    return r < 0.7 ? Hours(1, 6) : r < 0.95 ? Hours(24, 72) : Hours(120, 360);
  }

  void NewDossier(uint64_t i, int64_t t) {
    Live l;
    // The procedures in force that day, in turn.
    const CivilDate today = LocalDateAt(Instant{t}, kOffset);
    for (size_t k = 0; k < procedures_.size() && !l.procedure; ++k) {
      const Procedure* p = procedures_[(i + k) % procedures_.size()];
      if (p->InForceOn(today)) l.procedure = p;
    }
    l.agency = AgencyFor(*l.procedure, i);
    l.number = i;
    Plan& p = l.plan;
    p.refuse_at_counter = Chance(0.02);
    p.completion_first = Chance(0.04);
    p.supplement = Chance(0.12);
    p.consult = Chance(0.08);
    p.payment = Chance(0.5);
    p.extend = Chance(0.04);
    p.refuse_on_merits = Chance(0.05);
    p.rate = Chance(0.6);
    if (Chance(0.03)) p.withdraw_after = std::uniform_int_distribution<int>(1, 4)(rng_);
    live_.push_back(std::move(l));
    queue_.push({t, live_.size() - 1});
  }

  // A receiving agency that takes the procedure: the communes for commune procedures, the
  // province's one-stop centre for the others.
  std::string AgencyFor(const Procedure& p, uint64_t i) {
    static const char* kCommunes[] = {"000.17.22.H56", "000.18.22.H56", "000.19.22.H56",
                                      "000.17.22.H99"};
    if (p.level == Level::kCommune) return kCommunes[i % 4];
    return "000.00.01.H56";
  }

  Actor ActorFor(const Procedure& p) const {
    Actor a{"gen", {}};
    for (const Role& r : p.roles) a.roles.push_back(r.id);
    return a;
  }

  std::vector<SubmittedDocument> Documents(const Procedure& p) const {
    std::vector<SubmittedDocument> out;
    for (const Document& d : p.documents) {
      if (d.required) out.push_back({d.id, d.count});
    }
    return out;
  }

  const Action* Find(const Step& s, ActionKind kind, Outcome outcome = Outcome::kNone) const {
    for (const Action& a : s.actions) {
      if (a.kind == kind && (outcome == Outcome::kNone || a.outcome == outcome)) return &a;
    }
    return nullptr;
  }

  // The command that carries the dossier on, or none once its life is over. `detour`: a command
  // the plan adds (refused by the rules, it is skipped and the life goes on).
  std::optional<CommandRequest> Next(Live& l, bool* detour) {
    *detour = false;
    const Procedure& p = *l.procedure;
    CommandRequest r;
    Command& c = r.command;
    c.actor = ActorFor(p);
    c.procedure_code = p.code;
    c.receiving_agency = l.agency;
    c.applicant.name = "Trần Thị " + std::to_string(l.number);
    char id_number[16];
    std::snprintf(id_number, sizeof id_number, "0011%08llu",
                  static_cast<unsigned long long>(l.number % 100'000'000ull));
    c.applicant.id_number = id_number;
    c.applicant.phone = "09" + std::to_string(10'000'000 + l.number % 90'000'000);
    if (!l.state) {
      if (l.plan.refuse_at_counter) {
        c.type = CommandType::kRefuseAtCounter;
        c.reason = "Hồ sơ không thuộc thẩm quyền giải quyết";
      } else {
        c.type = CommandType::kReceive;
        if (!l.plan.completion_first) c.documents = Documents(p);
      }
      return r;
    }
    const Dossier& d = *l.state;
    c.dossier_id = d.id;
    switch (d.status) {
      case DossierStatus::kNotReceived:
        c.type = CommandType::kReceive;
        c.documents = Documents(p);
        return r;
      case DossierStatus::kSupplementRequested:
        c.type = CommandType::kSupplySupplement;
        for (const std::string& m : d.missing) c.documents.push_back({m, 1});
        return r;
      case DossierStatus::kConsulting:
        c.type = CommandType::kAnswerConsultation;
        return r;
      case DossierStatus::kPaymentRequested: {
        // At a payment step the step's own action records the payment.
        const Step* s = p.FindStep(d.current_step);
        if (s && s->kind == StepKind::kPayment && !s->actions.empty()) {
          c.type = CommandType::kAct;
          c.action_id = s->actions.front().id;
        } else {
          c.type = CommandType::kConfirmPayment;
        }
        return r;
      }
      case DossierStatus::kReturned:
        if (!l.plan.rate || l.rated) return std::nullopt;
        l.rated = true;
        c.type = CommandType::kRateSatisfaction;
        c.satisfaction = Chance(0.8) ? Satisfaction::kSatisfied : Satisfaction::kVerySatisfied;
        return r;
      case DossierStatus::kDecided: {
        const Step* s = d.after_decision ? p.FindStep(d.current_step) : nullptr;
        const Action* on = s ? Find(*s, ActionKind::kForward) : nullptr;
        if (on) {
          c.type = CommandType::kAct;
          c.action_id = on->id;
        } else {
          c.type = CommandType::kReturnResult;
          c.returned_via = Chance(0.8) ? ReturnVia::kCounter : ReturnVia::kPost;
          c.returned_to = c.applicant.name;
          c.receipt_signed = true;
        }
        return r;
      }
      case DossierStatus::kReceived:
      case DossierStatus::kInProcessing:
        break;
      default:
        return std::nullopt;  // refused at the counter, withdrawn
    }
    if (l.plan.withdraw_after >= 0 && l.commands >= l.plan.withdraw_after) {
      l.plan.withdraw_after = -1;
      *detour = true;
      c.type = CommandType::kWithdraw;
      c.reason = "Người nộp hồ sơ xin rút";
      return r;
    }
    const Step* s = p.FindStep(d.current_step);
    if (!s) return std::nullopt;
    c.type = CommandType::kAct;
    auto detour_by = [&](bool wanted, bool& taken, ActionKind kind) {
      const Action* a = wanted && !taken ? Find(*s, kind) : nullptr;
      if (!a) return false;
      taken = true;
      *detour = true;
      c.action_id = a->id;
      if (kind == ActionKind::kRequestSupplement) {
        c.missing = {p.documents.front().id};
      }
      return true;
    };
    if (detour_by(l.plan.supplement, l.supplemented, ActionKind::kRequestSupplement) ||
        detour_by(l.plan.consult, l.consulted, ActionKind::kConsult) ||
        detour_by(l.plan.payment, l.paid, ActionKind::kRequestPayment) ||
        detour_by(l.plan.extend, l.extended, ActionKind::kExtend)) {
      return r;
    }
    const Action* main =
        l.plan.refuse_on_merits ? Find(*s, ActionKind::kDecide, Outcome::kRefused) : nullptr;
    if (!main) main = Find(*s, ActionKind::kForward);
    if (!main) main = Find(*s, ActionKind::kDecide, Outcome::kApproved);
    if (!main) main = Find(*s, ActionKind::kDecide);
    if (!main) return std::nullopt;
    c.action_id = main->id;
    return r;
  }

  // Every dossier whose next command is due by `t` takes it, all through the group commit.
  void Advance(int64_t t) {
    std::vector<size_t> due;
    while (!queue_.empty() && queue_.top().first <= t) {
      due.push_back(queue_.top().second);
      queue_.pop();
    }
    std::vector<std::pair<size_t, bool>> sent;  // (dossier, detour)
    std::vector<std::future<CommandResult>> results;
    for (size_t i : due) {
      bool detour = false;
      std::optional<CommandRequest> next = Next(live_[i], &detour);
      if (!next) {
        live_[i].done = true;
        continue;
      }
      sent.emplace_back(i, detour);
      results.push_back(service_.Submit(std::move(*next)));
    }
    for (size_t k = 0; k < results.size(); ++k) {
      CommandResult r = results[k].get();
      Live& l = live_[sent[k].first];
      ++commands_;
      if (r.accepted()) {
        l.state = std::move(r.dossier);
        ++l.commands;
        // An applicant answers a supplement request in days; a consulted agency in a week or two.
        const bool waiting = l.state->status == DossierStatus::kSupplementRequested ||
                             l.state->status == DossierStatus::kConsulting;
        queue_.push({t + (waiting ? Hours(48, 240) : Delay()), sent[k].first});
        continue;
      }
      --commands_;
      if (sent[k].second && r.status.ok()) {
        ++skipped_;  // the rules refused the detour now: the life goes on
        queue_.push({t + 3600, sent[k].first});
        continue;
      }
      if (dropped_++ < 10) {
        std::fprintf(stderr, "a life ended early (%s): %s\n", l.procedure->code.c_str(),
                     r.rejection ? r.rejection->message.c_str() : r.status.ToString().c_str());
      }
    }
  }

  DossierService& service_;
  ManualClock& clock_;
  std::mt19937_64 rng_;
  std::vector<const Procedure*> procedures_;
  std::vector<Live> live_;
  using Due = std::pair<int64_t, size_t>;  // (when, dossier)
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> queue_;
  uint64_t commands_ = 0;
  uint64_t timers_ = 0;
  uint64_t skipped_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  uint64_t n = 100'000;
  uint64_t seed = 15;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    if (!std::strcmp(argv[i], "--dossiers")) n = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--seed")) seed = std::strtoull(argv[i + 1], nullptr, 10);
  }
  if (dir.empty()) {
    std::fprintf(stderr, "usage: generate_store --dir PATH [--dossiers N] [--seed S]\n");
    return 2;
  }
  auto store = RocksStore::Open(dir + "/db");
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  ServiceHarness h(store->get(), {.start = *ParseLocalDateTime("2025-07-01T08:00", kOffset)});
  if (!h.started.ok()) return 1;
  Generator g(h.service, h.clock, *h.catalog, seed);
  const int rc = g.Run(n);
  h.service.Stop();
  return rc;
}
