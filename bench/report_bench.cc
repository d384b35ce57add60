// Report form 06 on a large store (issue 12 §5): N dossiers (default 1,000,000) received over two
// years (2025–2026) by the 50 units of one province, 10 procedures in 5 fields, every channel;
// most decided (early, on time, late, some after an extension, some refused on the merits), some
// withdrawn, some paused for a supplement, the rest open. Their report counters are made by the
// engine's own AddReportDeltas from each dossier's successive states and written to a RocksDB
// store as commits write them (a report log entry a commit, folded into the counters). Then the
// province's form 06 is timed: the year 2026 by unit, by field and by procedure, and an arbitrary
// window.
//
// With --pg-csv FILE it also writes the same dossiers as CSV, one row each with the columns a
// SQL report needs (bench/baselines/form06_pg.sh loads them and times the same report as a
// PostgreSQL GROUP BY). It prints the yearly report's totals, so the two can be compared.
//
//   report_bench [--dir PATH] [--dossiers N] [--reports N] [--pg-csv FILE]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "adapters/rocksdb/rocks_store.h"
#include "engine/report/counters.h"
#include "engine/report/form06.h"

using namespace motcua;

namespace {

constexpr char kProvince[] = "000.00.00.H56";
constexpr int kUnits = 50;
constexpr int kProcedures = 10;

std::string Unit(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "000.%02d.%02d.H56", 10 + i / 10, i % 10 + 10);
  return buf;
}

std::string Iso(Instant t) {
  return FormatLocal(t, kReportUtcOffsetSeconds).substr(0, 19);  // YYYY-MM-DDTHH:MM:SS
}

Instant Local(CivilDate d, int minutes) {
  return Instant{DaysFromCivil(d) * 86400 + minutes * 60 - kReportUtcOffsetSeconds};
}

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

AgencyRegistry Registry() {
  std::vector<Agency> all;
  Agency root;
  root.code = kProvince;
  root.name = "UBND tỉnh (mẫu)";
  root.kind = "UBND cấp tỉnh";
  all.push_back(root);
  for (int i = 0; i < kUnits; ++i) {
    Agency a;
    a.code = Unit(i);
    a.name = "Đơn vị " + std::to_string(i + 1);
    a.kind = "UBND cấp xã";
    a.parent = kProvince;
    all.push_back(a);
  }
  std::vector<Diagnostic> errors;
  AgencyRegistry r = AgencyRegistry::Build(std::move(all), {}, &errors);
  for (const Diagnostic& e : errors) std::fprintf(stderr, "registry: %s\n", e.ToString().c_str());
  return r;
}

// Fills the store with the report counters of `n` dossiers; writes the CSV when asked.
bool Fill(RocksStore& store, long n, const std::string& csv_path) {
  std::mt19937_64 rng(20261201);
  auto uniform = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto chance = [&rng](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  FILE* csv = csv_path.empty() ? nullptr : std::fopen(csv_path.c_str(), "w");
  if (!csv_path.empty() && csv == nullptr) {
    std::fprintf(stderr, "cannot write %s\n", csv_path.c_str());
    return false;
  }
  const int64_t first_day = DaysFromCivil({2025, 1, 1});
  const Channel channels[] = {Channel::kOnlineFull, Channel::kOnlineFull, Channel::kOnlinePartial,
                              Channel::kCounter,    Channel::kCounter,    Channel::kPostal};
  CounterDeltas deltas;
  uint64_t position = 1;
  auto flush = [&]() {
    WriteSet w;
    w.first_outbox_position = position;
    w.report_deltas = SortedChanges(deltas);
    deltas.clear();
    Status s = store.Commit(w);
    if (!s.ok()) std::fprintf(stderr, "commit: %s\n", s.ToString().c_str());
    return s.ok();
  };
  for (long k = 0; k < n; ++k) {
    Dossier d;
    d.id = "B" + std::to_string(k);
    d.competent_agency = d.receiving_agency = Unit(uniform(0, kUnits - 1));
    const int procedure = uniform(0, kProcedures - 1);
    d.procedure_code = "1.00" + std::to_string(1000 + procedure);
    d.channel = channels[uniform(0, 5)];
    const CivilDate day = CivilFromDays(first_day + k * 730 / n);
    const Instant received = Local(day, uniform(7 * 60 + 30, 16 * 60 + 30));
    const int sla_days = 1 + procedure;
    d.status = DossierStatus::kInProcessing;
    d.received_at = received;
    d.due_at = Instant{received.seconds + sla_days * 86400};
    AddReportDeltas(nullptr, d, received, &deltas);
    // A supplement for some: three days waiting, the due instant moved by them.
    std::optional<Instant> supplement_from;
    if (chance(0.05)) {
      Dossier before = d;
      supplement_from = Instant{received.seconds + 4 * 3600};  // before the due instant
      d.status = DossierStatus::kSupplementRequested;
      d.pauses.push_back({*supplement_from, std::nullopt, "supplement"});
      AddReportDeltas(&before, d, *supplement_from, &deltas);
      before = d;
      const Instant back{supplement_from->seconds + 3 * 86400};
      d.status = DossierStatus::kInProcessing;
      d.pauses.back().to = back;
      d.due_at = Instant{d.due_at->seconds + 3 * 86400};
      AddReportDeltas(&before, d, back, &deltas);
    }
    // The end: withdrawn, or decided early / on time / late (some after an extension).
    const Dossier before = d;
    std::optional<Instant> decided, withdrawn;
    const int roll = uniform(0, 99);
    if (roll < 2) {
      withdrawn = Instant{received.seconds + uniform(0, sla_days) * 86400 + 3600};
      d.status = DossierStatus::kStopped;
      AddReportDeltas(&before, d, *withdrawn, &deltas);
    } else {
      int64_t at = roll < 70   ? d.due_at->seconds - uniform(1, sla_days) * 86400 + 1800
                   : roll < 90 ? d.due_at->seconds - 1800
                               : d.due_at->seconds + uniform(1, 10) * 86400;
      at = std::max(at, received.seconds + 600);
      decided = Instant{at};
      d.status = DossierStatus::kDecided;
      d.decided_at = decided;
      d.timeliness = roll < 70   ? Timeliness::kEarly
                     : roll < 90 ? Timeliness::kOnTime
                                 : Timeliness::kLate;
      if (roll >= 90 && chance(0.3)) d.extended_due_at = Instant{d.due_at->seconds + 5 * 86400};
      d.outcome = chance(0.05) ? Outcome::kRefused : Outcome::kApproved;
      AddReportDeltas(&before, d, *decided, &deltas);
    }
    if (csv != nullptr) {
      std::fprintf(csv, "%ld,%s,%s,F%d,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", k, d.competent_agency.c_str(),
                   d.procedure_code.c_str(), procedure % 5, NameOf(d.channel),
                   Iso(received).c_str(), decided ? Iso(*decided).c_str() : "",
                   withdrawn ? Iso(*withdrawn).c_str() : "",
                   d.timeliness ? NameOf(*d.timeliness) : "", d.extended_due_at ? "t" : "f",
                   d.outcome == Outcome::kRefused ? "t" : "f", Iso(*before.due_at).c_str(),
                   supplement_from ? Iso(*supplement_from).c_str() : "");
    }
    if (deltas.size() > 200000 && !flush()) return false;
  }
  if (csv != nullptr) std::fclose(csv);
  return flush();
}

void PrintRow(const char* what, const Form06Row& r) {
  std::printf(
      "%s: received %ld (online %ld, direct %ld, carried over %ld) = processed %ld (early %ld, on "
      "time %ld, late %ld) + withdrawn %ld + in progress %ld (overdue %ld, supplement %ld)\n",
      what, r.received, r.online, r.direct, r.carried_over, r.processed, r.early, r.on_time, r.late,
      r.withdrawn, r.in_progress, r.overdue, r.supplement);
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "/tmp/motcua-report-bench";
  std::string csv;
  long dossiers = 1000000;
  int reports = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    if (!std::strcmp(argv[i], "--dossiers")) dossiers = std::atol(argv[i + 1]);
    if (!std::strcmp(argv[i], "--reports")) reports = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--pg-csv")) csv = argv[i + 1];
  }
  const bool fresh = !std::filesystem::exists(dir + "/CURRENT");
  Result<std::unique_ptr<RocksStore>> opened = RocksStore::Open(dir);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  RocksStore& store = **opened;
  if (fresh || !csv.empty()) {
    if (!fresh) {
      std::fprintf(stderr,
                   "--pg-csv needs a fresh --dir (the CSV is written as the store fills)\n");
      return 1;
    }
    const auto t0 = std::chrono::steady_clock::now();
    if (!Fill(store, dossiers, csv)) return 1;
    // Folded and compacted, as a store that has lived a while is (the report log folded into
    // the counters, merge operands into values).
    if (Result<size_t> r = store.FoldReportLog(); !r.ok()) {
      std::fprintf(stderr, "fold: %s\n", r.status().ToString().c_str());
      return 1;
    }
    store.db()->CompactRange(rocksdb::CompactRangeOptions(), store.handle(ColumnFamily::kReports),
                             nullptr, nullptr);
    std::printf("filled the counters of %ld dossiers in %.0f s\n", dossiers,
                Ms(std::chrono::steady_clock::now() - t0) / 1000);
  }
  const AgencyRegistry registry = Registry();
  // Ten procedures in five fields, as the generator names them.
  std::vector<Procedure> procedures(kProcedures);
  for (int i = 0; i < kProcedures; ++i) {
    procedures[i].code = "1.00" + std::to_string(1000 + i);
    procedures[i].name = "Thủ tục " + std::to_string(i + 1);
    procedures[i].field = "Lĩnh vực " + std::to_string(i % 5 + 1);
  }
  const ProcedureLookup lookup = [&procedures](std::string_view code) -> const Procedure* {
    for (const Procedure& p : procedures) {
      if (p.code == code) return &p;
    }
    return nullptr;
  };
  const CounterScan scan = [&store](const std::string& b, const std::string& e,
                                    const std::function<void(std::string_view, int64_t)>& fn) {
    return store.ScanReportCounters(b, e, fn);
  };
  struct Case {
    const char* what;
    Form06Request q;
  };
  std::vector<Case> cases = {
      {"year 2026 by unit", {{2026, 1, 1}, {2026, 12, 31}, kProvince, ReportGrouping::kAgency}},
      {"year 2026 by field", {{2026, 1, 1}, {2026, 12, 31}, kProvince, ReportGrouping::kField}},
      {"year 2026 by procedure",
       {{2026, 1, 1}, {2026, 12, 31}, kProvince, ReportGrouping::kProcedure}},
      {"2026-03-15..2026-09-10 by unit",
       {{2026, 3, 15}, {2026, 9, 10}, kProvince, ReportGrouping::kAgency}},
  };
  std::printf(
      "| report | runs | p50 ms | p99 ms | counters read | rows |\n|---|---|---|---|---|---|\n");
  for (const Case& c : cases) {
    std::vector<double> ms;
    Form06 last;
    for (int i = 0; i < reports; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      Result<Form06> r = BuildForm06(c.q, registry, lookup, scan);
      ms.push_back(Ms(std::chrono::steady_clock::now() - t0));
      if (!r.ok()) {
        std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
        return 1;
      }
      last = std::move(*r);
    }
    std::sort(ms.begin(), ms.end());
    std::printf("| %s | %d | %.2f | %.2f | %zu | %zu |\n", c.what, reports, ms[ms.size() / 2],
                ms[static_cast<size_t>(0.99 * (ms.size() - 1))], last.counters_read,
                last.rows.size());
    if (&c == &cases.front()) PrintRow("  totals", last.total);
    if (std::optional<std::string> broken = CheckForm06Identities(last.total)) {
      std::fprintf(stderr, "identity broken in %s: %s\n", c.what, broken->c_str());
      return 1;
    }
  }
  return 0;
}
