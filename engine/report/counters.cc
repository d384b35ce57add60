// Report counters (counters.h): what a dossier's state contributes to them, and the changes
// between two states.

#include "engine/report/counters.h"

#include <algorithm>
#include <array>

#include "engine/dossier/appliers.h"
#include "engine/report/steps.h"
#include "engine/store/indexes.h"

namespace motcua {

namespace {

constexpr char kReportPrefix[] = "f6";

CivilDate DayOf(Instant t) { return LocalDateAt(t, kReportUtcOffsetSeconds); }

ReportMeasure ReceivedMeasure(Channel c) {
  switch (c) {
    case Channel::kCounter:
      return ReportMeasure::kReceivedCounter;
    case Channel::kPostal:
      return ReportMeasure::kReceivedPostal;
    case Channel::kOnlineFull:
      return ReportMeasure::kReceivedOnlineFull;
    case Channel::kOnlinePartial:
      return ReportMeasure::kReceivedOnlinePartial;
  }
  return ReportMeasure::kReceivedCounter;
}

// What the counters follow of one state of a dossier; the agency and procedure are views into
// the dossier it was taken from.
struct Facts {
  bool counted = false;  // received (T2): it counts from its reception
  std::string_view agency;
  std::string_view procedure;
  CivilDate received_day;
  ReportMeasure received = ReportMeasure::kReceivedCounter;
  std::optional<ReportMeasure> decided;  // processed: its timeliness
  bool refused = false;                  // decided: refused on the merits
  CivilDate decided_day;
  bool withdrawn = false;
  std::optional<Instant> overdue_from;
  bool supplement = false;  // waiting for the applicant's supplement
  bool operator==(const Facts&) const = default;
};

Facts FactsOf(const Dossier& d) {
  Facts f;
  if (!d.received_at) return f;
  f.counted = true;
  f.agency = d.competent_agency;
  f.procedure = d.procedure_code;
  f.received_day = DayOf(*d.received_at);
  f.received = ReceivedMeasure(d.channel);
  if ((d.status == DossierStatus::kDecided || d.status == DossierStatus::kReturned) &&
      d.decided_at) {
    const Timeliness t = d.timeliness.value_or(Timeliness::kOnTime);
    f.decided = t == Timeliness::kEarly    ? ReportMeasure::kEarly
                : t == Timeliness::kOnTime ? ReportMeasure::kOnTime
                : d.extended_due_at        ? ReportMeasure::kLateExtended
                                           : ReportMeasure::kLate;
    f.refused = d.outcome == Outcome::kRefused;
    f.decided_day = DayOf(*d.decided_at);
  }
  f.withdrawn = d.status == DossierStatus::kStopped;
  f.overdue_from = d.OverdueFrom();
  f.supplement = d.status == DossierStatus::kSupplementRequested;
  return f;
}

// Appends `v` as `width` decimal digits, zero-padded.
void AppendDigits(int v, int width, std::string* out) {
  char buf[8];
  for (int i = width - 1; i >= 0; --i, v /= 10) buf[i] = static_cast<char>('0' + v % 10);
  out->append(buf, static_cast<size_t>(width));
}

void AppendPeriod(ReportLevel level, CivilDate d, std::string* out) {
  AppendDigits(d.year, 4, out);
  if (level == ReportLevel::kYear) return;
  AppendDigits(d.month, 2, out);
  if (level == ReportLevel::kMonth) return;
  AppendDigits(d.day, 2, out);
}

// Adds `delta` to the counters of `day`, its month and its year (or of the day alone); `name` is
// scratch space.
void Add(const Facts& f, CivilDate day, ReportMeasure m, int64_t delta, std::string* name,
         CountLevels levels, CounterDeltas* out) {
  for (ReportLevel level : {ReportLevel::kYear, ReportLevel::kMonth, ReportLevel::kDay}) {
    if (levels == CountLevels::kDays && level != ReportLevel::kDay) continue;
    name->assign(kReportPrefix);
    *name += kIndexSep;
    *name += static_cast<char>(level);
    *name += kIndexSep;
    AppendPeriod(level, day, name);
    *name += kIndexSep;
    *name += f.agency;
    *name += kIndexSep;
    *name += f.procedure;
    *name += kIndexSep;
    *name += NameOf(m);
    AddDelta(*name, delta, out);
  }
}

// One counter a state contributes to (at the day, month and year of `day`).
struct Part {
  CivilDate day;
  ReportMeasure measure = ReportMeasure::kReceivedCounter;
  bool operator==(const Part&) const = default;
};
struct Parts {
  std::array<Part, 6> at;
  size_t size = 0;
  void Add(CivilDate day, ReportMeasure m) { at[size++] = Part{day, m}; }
  const Part* begin() const { return at.data(); }
  const Part* end() const { return at.data() + size; }
};

// What a state with facts `f` contributes, seen at `at`.
Parts PartsOf(const Facts& f, Instant at) {
  Parts p;
  if (!f.counted) return p;
  p.Add(f.received_day, f.received);
  if (f.decided) {
    p.Add(f.decided_day, *f.decided);
    if (f.refused) p.Add(f.decided_day, ReportMeasure::kRefused);
  }
  const CivilDate today = DayOf(at);
  if (f.withdrawn) p.Add(today, ReportMeasure::kWithdrawn);
  // Overdue from its due instant, or from now when that has passed already.
  if (f.overdue_from) {
    p.Add(*f.overdue_from < at ? today : DayOf(*f.overdue_from), ReportMeasure::kOverdue);
  }
  if (f.supplement) p.Add(today, ReportMeasure::kSupplement);
  return p;
}

// Adds `sign` times each of `parts` but those in `except` (the other state's, when both count
// for the same agency and procedure: they cancel out).
void Contribute(const Facts& f, const Parts& parts, const Parts* except, int64_t sign,
                CountLevels levels, CounterDeltas* out) {
  std::string name;
  for (const Part& p : parts) {
    if (except && std::find(except->begin(), except->end(), p) != except->end()) continue;
    if (name.capacity() == 0) name.reserve(f.agency.size() + f.procedure.size() + 40);
    Add(f, p.day, p.measure, sign, &name, levels, out);
  }
}

// What the change of a dossier from facts `b` to facts `a` at `at` moves.
void AddFactsDeltas(const Facts* b, const Facts& a, Instant at, CountLevels levels,
                    CounterDeltas* out) {
  const Parts after = PartsOf(a, at);
  if (b == nullptr) {
    Contribute(a, after, nullptr, +1, levels, out);
    return;
  }
  if (*b == a) return;  // nothing the counters follow changed (most steps)
  const Parts before = PartsOf(*b, at);
  const bool same = b->counted && a.counted && b->agency == a.agency && b->procedure == a.procedure;
  Contribute(*b, before, same ? &after : nullptr, -1, levels, out);
  Contribute(a, after, same ? &before : nullptr, +1, levels, out);
}

}  // namespace

void AddDelta(std::string_view name, int64_t delta, CounterDeltas* out) {
  auto it = out->find(name);
  if (it == out->end()) {
    if (delta != 0) out->emplace(std::string(name), delta);
    return;
  }
  it->second += delta;
}

std::vector<std::pair<std::string, int64_t>> SortedChanges(const CounterDeltas& deltas) {
  std::vector<std::pair<std::string, int64_t>> out;
  out.reserve(deltas.size());
  for (const auto& [name, delta] : deltas) {
    if (delta != 0) out.emplace_back(name, delta);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void AddReportDeltas(const Dossier* before, const Dossier& after, Instant at, CounterDeltas* out) {
  const Facts a = FactsOf(after);
  if (before == nullptr) return AddFactsDeltas(nullptr, a, at, CountLevels::kAll, out);
  const Facts b = FactsOf(*before);
  AddFactsDeltas(&b, a, at, CountLevels::kAll, out);
}

void ApplyCounting(Dossier& d, const Event& e, CounterDeltas* out, CountLevels levels) {
  if (d.version == 0) {
    Apply(d, e);
    AddFactsDeltas(nullptr, FactsOf(d), e.at, levels, out);
  } else {
    // The facts before, without a copy of the dossier: only the agency and procedure are views
    // into it, and those are copied (short codes: no allocation).
    Facts b = FactsOf(d);
    const std::string agency(b.agency), procedure(b.procedure);
    b.agency = agency;
    b.procedure = procedure;
    Apply(d, e);
    AddFactsDeltas(&b, FactsOf(d), e.at, levels, out);
  }
  AddStepDeltas(e, d, out, levels);
}

void AddCoarserLevels(CounterDeltas* deltas) {
  // "<prefix>␟d␟yyyymmdd␟<rest>": the report's counters are kept by day, month and year, the
  // steps' by day and month (steps.cc).
  struct Coarser {
    std::string_view prefix;
    bool year;
  };
  static constexpr Coarser kKinds[] = {{kReportPrefix, true}, {kStepCounterPrefix, false}};
  std::vector<std::pair<std::string, int64_t>> more;
  for (const auto& [name, delta] : *deltas) {
    if (delta == 0) continue;
    for (const Coarser& kind : kKinds) {
      const std::string_view n = name;
      const size_t p = kind.prefix.size();
      if (n.size() < p + 13 || !n.starts_with(kind.prefix) || n[p] != kIndexSep ||
          n[p + 1] != 'd' || n[p + 2] != kIndexSep || n[p + 11] != kIndexSep) {
        continue;
      }
      const std::string_view rest = n.substr(p + 11);  // from the separator after the day
      std::string coarser(n.substr(0, p + 1));
      coarser.append(1, 'm').append(1, kIndexSep).append(n.substr(p + 3, 6)).append(rest);
      more.emplace_back(std::move(coarser), delta);
      if (kind.year) {
        std::string year(n.substr(0, p + 1));
        year.append(1, 'y').append(1, kIndexSep).append(n.substr(p + 3, 4)).append(rest);
        more.emplace_back(std::move(year), delta);
      }
      break;
    }
  }
  for (const auto& [name, delta] : more) AddDelta(name, delta, deltas);
}

void AddHistoryDeltas(const std::vector<Event>& history, CounterDeltas* out) {
  Dossier d;
  for (const Event& e : history) ApplyCounting(d, e, out);
}

std::optional<ReportCounterKey> ParseReportCounter(std::string_view name) {
  std::array<std::string_view, 6> f;
  size_t at = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    const size_t sep = i + 1 < f.size() ? name.find(kIndexSep, at) : std::string_view::npos;
    if (i + 1 < f.size() && sep == std::string_view::npos) return std::nullopt;
    f[i] = name.substr(at, sep == std::string_view::npos ? std::string_view::npos : sep - at);
    at = sep + 1;
  }
  if (f[0] != kReportPrefix || f[1].size() != 1) return std::nullopt;
  ReportCounterKey k;
  const char level = f[1][0];
  if (level != 'y' && level != 'm' && level != 'd') return std::nullopt;
  k.level = static_cast<ReportLevel>(level);
  const size_t width = level == 'y' ? 4 : level == 'm' ? 6 : 8;
  if (f[2].size() != width) return std::nullopt;
  k.period = f[2];
  k.agency = f[3];
  k.procedure = f[4];
  std::optional<ReportMeasure> m = ParseName<ReportMeasure>(f[5]);
  if (!m) return std::nullopt;
  k.measure = *m;
  return k;
}

std::string ReportLevelBound(ReportLevel level, std::string_view period) {
  std::string s = kReportPrefix;
  s += kIndexSep;
  s += static_cast<char>(level);
  s += kIndexSep;
  s += period;
  return s;
}

std::string ReportPeriod(ReportLevel level, CivilDate d) {
  std::string s;
  AppendPeriod(level, d, &s);
  return s;
}

}  // namespace motcua
