// Cost of the calendar operations behind every due date (bench/README.md has the results).

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "adapters/yaml/definition_loader.h"
#include "engine/calendar/deadline.h"

namespace motcua {
namespace {

const WorkCalendar& Calendar() {
  static const std::shared_ptr<WorkCalendar> cal = [] {
    std::ifstream in(std::string(MOTCUA_SOURCE_DIR) + "/definitions/calendars/vn.yaml");
    std::ostringstream ss;
    ss << in.rdbuf();
    std::vector<Diagnostic> errors;
    return ParseCalendarYaml(ss.str(), "vn.yaml", &errors);
  }();
  return *cal;
}

// A five-year calendar (2025-2029) for the long-span measurements.
const WorkCalendar& FiveYears() {
  static const WorkCalendar cal = [] {
    CalendarSpec spec = Calendar().spec();
    for (int y = 2028; y <= 2029; ++y) spec.years.push_back(CalendarYear{y, false, {}, {}});
    return std::move(WorkCalendar::Build(spec)).value();
  }();
  return cal;
}

Instant At(const char* s) { return *ParseLocalDateTime(s, 7 * 3600); }

void BM_ComputeDue10WD(benchmark::State& state) {
  const WorkCalendar& cal = Calendar();
  Instant t = At("2026-02-12T16:20");
  TimeLimit limit{false, WorkDuration::Days(10)};
  for (auto _ : state) {
    auto d = ComputeDue(cal, t, limit, Cutoff{}, DueRule::kSameClockTime);
    benchmark::DoNotOptimize(d);
    t.seconds += 97;  // walk through different receptions
    if (t.seconds > At("2026-11-01T00:00").seconds) t = At("2026-02-12T16:20");
  }
}
BENCHMARK(BM_ComputeDue10WD);

void BM_ComputeDueSameDayCutoff(benchmark::State& state) {
  const WorkCalendar& cal = Calendar();
  Instant t = At("2026-02-13T15:01");
  TimeLimit limit{true, {}};
  Cutoff cutoff{CutoffPolicy::kResultNextDay, 15 * 60};
  for (auto _ : state) {
    auto d = ComputeDue(cal, t, limit, cutoff, DueRule::kSameClockTime);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_ComputeDueSameDayCutoff);

void BM_Add200WorkingDays(benchmark::State& state) {
  const WorkCalendar& cal = FiveYears();
  Instant t = At("2025-01-02T09:00");
  for (auto _ : state) {
    auto d = cal.Add(t, WorkDuration::Days(200));
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_Add200WorkingDays);

void BM_WorkingTimeAcrossFiveYears(benchmark::State& state) {
  const WorkCalendar& cal = FiveYears();
  Instant a = At("2025-01-02T09:13"), b = At("2029-12-28T15:47");
  for (auto _ : state) {
    auto d = cal.WorkingSecondsBetween(a, b);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_WorkingTimeAcrossFiveYears);

void BM_AddWorkingHours(benchmark::State& state) {
  const WorkCalendar& cal = Calendar();
  Instant t = At("2026-03-02T15:30");
  for (auto _ : state) {
    auto d = cal.Add(t, WorkDuration::Hours(3.5));
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_AddWorkingHours);

}  // namespace
}  // namespace motcua

BENCHMARK_MAIN();
