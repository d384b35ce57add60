// Per-step timeliness (steps.h): counters of the hand-overs, and the report from them.

#include "engine/report/steps.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>

#include "engine/store/indexes.h"

namespace motcua {

namespace {

constexpr const auto& kStepPrefix = kStepCounterPrefix;
constexpr int kBuckets = 64;
constexpr double kRatio = 1.25;

std::string Bound(char level, const std::string& period) {
  std::string s = kStepPrefix;
  s += kIndexSep;
  s += level;
  s += kIndexSep;
  s += period;
  return s;
}

std::string Period(char level, CivilDate d) {
  return ReportPeriod(level == 'm' ? ReportLevel::kMonth : ReportLevel::kDay, d);
}

// One row's sums while the counters are read.
struct Sums {
  int64_t early = 0, on_time = 0, late = 0;
  std::array<int64_t, kBuckets> buckets{};
};

// Minutes, rounded up: the upper edge of the bucket the q-th quantile falls in.
int64_t Percentile(const Sums& s, double q) {
  int64_t total = 0;
  for (int64_t n : s.buckets) total += n;
  if (total == 0) return 0;
  const auto rank = static_cast<int64_t>(std::ceil(q * static_cast<double>(total)));
  int b = 0;
  for (int64_t seen = 0; b < kBuckets - 1; ++b) {
    seen += s.buckets[b];
    if (seen >= rank) break;
  }
  return (BucketUpperSeconds(b) + 59) / 60;
}

}  // namespace

int WorkingTimeBucket(int64_t working_seconds) {
  const double minutes = static_cast<double>(working_seconds) / 60.0;
  if (minutes < 1) return 0;
  const int b = 1 + static_cast<int>(std::floor(std::log(minutes) / std::log(kRatio) + 1e-9));
  return std::min(b, kBuckets - 1);
}

int64_t BucketUpperSeconds(int bucket) {
  if (bucket <= 0) return 60;
  return static_cast<int64_t>(std::ceil(std::pow(kRatio, bucket) * 60.0));
}

void AddStepDeltas(const Event& e, const Dossier& after, CounterDeltas* out, CountLevels levels) {
  if (!e.hand_over) return;
  const HandOver& h = *e.hand_over;
  const CivilDate day = LocalDateAt(e.at, kReportUtcOffsetSeconds);
  const std::string_view timeliness = NameOf(h.timeliness);
  // Hand-overs recorded before working times were kept count without one.
  const std::string bucket =
      h.working_seconds ? "t" + std::to_string(WorkingTimeBucket(*h.working_seconds)) : "";
  std::string name;
  for (char level : {'m', 'd'}) {
    if (levels == CountLevels::kDays && level != 'd') continue;
    name.assign(kStepPrefix);
    name += kIndexSep;
    name += level;
    name += kIndexSep;
    name += Period(level, day);
    for (const std::string* f :
         {&after.competent_agency, &after.procedure_code, &h.step_id, &h.giver}) {
      name += kIndexSep;
      name += *f;
    }
    name += kIndexSep;
    const size_t stem = name.size();
    for (std::string_view m : {timeliness, std::string_view(bucket)}) {
      if (m.empty()) continue;
      name.resize(stem);
      name += m;
      AddDelta(name, 1, out);
    }
  }
}

Result<StepReport> BuildStepReport(const StepReportRequest& request, const AgencyRegistry& agencies,
                                   const ProcedureLookup& procedures, const CounterScan& scan) {
  if (request.to < request.from) {
    return InvalidArgument("the window ends (" + FormatDate(request.to) + ") before it starts (" +
                           FormatDate(request.from) + ")");
  }
  StepReport out;
  out.request = request;
  // (procedure, step, officer) → sums; officer "" is the step's total.
  std::map<std::array<std::string, 3>, Sums> rows;
  std::map<std::string, bool> in_scope;  // agency → whether the report covers it
  Status bad;
  auto add = [&](std::string_view name, int64_t value) {
    ++out.counters_read;
    // "sp" level period agency procedure step officer measure
    std::array<std::string_view, 8> f;
    size_t at = 0;
    for (size_t i = 0; i < f.size(); ++i) {
      const size_t sep = i + 1 < f.size() ? name.find(kIndexSep, at) : std::string_view::npos;
      if (i + 1 < f.size() && sep == std::string_view::npos) {
        if (bad.ok()) bad = Internal("a step counter has a malformed name: " + std::string(name));
        return;
      }
      f[i] = name.substr(at, sep == std::string_view::npos ? std::string_view::npos : sep - at);
      at = sep + 1;
    }
    const std::string agency(f[3]);
    auto scope = in_scope.find(agency);
    if (scope == in_scope.end()) {
      scope =
          in_scope
              .emplace(agency, request.agency.empty() || agencies.IsWithin(agency, request.agency))
              .first;
    }
    if (!scope->second) return;
    for (const std::string& officer : {std::string(f[6]), std::string()}) {
      Sums& s = rows[{std::string(f[4]), std::string(f[5]), officer}];
      const std::string_view m = f[7];
      if (m == "early") {
        s.early += value;
      } else if (m == "on_time") {
        s.on_time += value;
      } else if (m == "late") {
        s.late += value;
      } else if (m.size() > 1 && m[0] == 't') {
        const int b = std::atoi(std::string(m.substr(1)).c_str());
        if (b >= 0 && b < kBuckets) s.buckets[b] += value;
      }
    }
  };
  // Whole months from the month counters, the days of months the window cuts from day counters.
  for (CivilDate month{request.from.year, request.from.month, 1}; !(request.to < month);) {
    const CivilDate next = month.month == 12 ? CivilDate{month.year + 1, 1, 1}
                                             : CivilDate{month.year, month.month + 1, 1};
    const CivilDate last = CivilFromDays(DaysFromCivil(next) - 1);
    const CivilDate first_day = std::max(month, request.from);
    const CivilDate last_day = std::min(last, request.to);
    if (first_day == month && last_day == last) {
      RETURN_IF_ERROR(scan(Bound('m', Period('m', month)), Bound('m', Period('m', next)), add));
    } else {
      const CivilDate after = CivilFromDays(DaysFromCivil(last_day) + 1);
      RETURN_IF_ERROR(
          scan(Bound('d', Period('d', first_day)), Bound('d', Period('d', after)), add));
    }
    month = next;
  }
  RETURN_IF_ERROR(bad);
  // Rows in the procedure's step order (unknown steps last, by id), the total before officers.
  std::vector<std::pair<std::array<std::string, 3>, const Sums*>> ordered;
  for (const auto& [key, sums] : rows) ordered.emplace_back(key, &sums);
  auto step_order = [&procedures](const std::string& code, const std::string& step) {
    if (const Procedure* p = procedures(code)) {
      for (size_t i = 0; i < p->steps.size(); ++i) {
        if (p->steps[i].id == step) return static_cast<int>(i);
      }
    }
    return 1 << 20;
  };
  std::stable_sort(ordered.begin(), ordered.end(), [&](const auto& a, const auto& b) {
    if (a.first[0] != b.first[0]) return a.first[0] < b.first[0];
    const int oa = step_order(a.first[0], a.first[1]), ob = step_order(b.first[0], b.first[1]);
    if (oa != ob) return oa < ob;
    if (a.first[1] != b.first[1]) return a.first[1] < b.first[1];
    return a.first[2] < b.first[2];
  });
  for (const auto& [key, sums] : ordered) {
    StepRow r;
    r.procedure_code = key[0];
    r.step_id = key[1];
    r.officer = key[2];
    if (const Procedure* p = procedures(key[0])) {
      r.procedure_name = p->name;
      if (const Step* s = p->FindStep(key[1])) {
        r.step_name = s->name;
        r.unit = s->unit;
      }
    }
    r.early = sums->early;
    r.on_time = sums->on_time;
    r.late = sums->late;
    r.handovers = r.early + r.on_time + r.late;
    if (r.handovers == 0) continue;
    r.median_minutes = Percentile(*sums, 0.5);
    r.p90_minutes = Percentile(*sums, 0.9);
    out.rows.push_back(std::move(r));
  }
  return out;
}

}  // namespace motcua
