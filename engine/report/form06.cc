// Report form 06 from the report counters (form06.h).

#include "engine/report/form06.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>

#include "engine/report/counters.h"
#include "engine/store/indexes.h"

namespace motcua {

namespace {

using Sums = std::array<int64_t, kReportMeasureCount>;

std::string Digits(int value, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*d", width, value);
  return buf;
}

bool LastOfMonth(CivilDate d) { return !IsValidDate(d.year, d.month, d.day + 1); }

// Name ranges [begin, end) whose counters together cover every day up to and including `x`,
// each day once: whole years before it (and its own when `x` ends it), whole months of its year
// before it (and its own when `x` ends it), and the days of its month up to `x`.
std::vector<std::pair<std::string, std::string>> RangesUpTo(CivilDate x) {
  std::vector<std::pair<std::string, std::string>> out;
  const bool year_ends = x.month == 12 && x.day == 31;
  const bool month_ends = LastOfMonth(x);
  out.emplace_back(ReportLevelBound(ReportLevel::kYear, "0000"),
                   ReportLevelBound(ReportLevel::kYear, Digits(x.year + (year_ends ? 1 : 0), 4)));
  if (year_ends) return out;
  const std::string y = Digits(x.year, 4);
  out.emplace_back(
      ReportLevelBound(ReportLevel::kMonth, y + "01"),
      ReportLevelBound(ReportLevel::kMonth, y + Digits(x.month + (month_ends ? 1 : 0), 2)));
  if (month_ends) return out;
  const std::string ym = y + Digits(x.month, 2);
  out.emplace_back(ReportLevelBound(ReportLevel::kDay, ym + "01"),
                   ReportLevelBound(ReportLevel::kDay, ym + Digits(x.day + 1, 2)));
  return out;
}

struct Group {
  std::string key;
  std::string label;
  Sums to{};      // every change up to the end of the window
  Sums before{};  // every change before the window
};

// The rows the report has, and which one each (agency, procedure) pair counts in.
class Grouper {
 public:
  Grouper(const Form06Request& r, const AgencyRegistry& agencies, const ProcedureLookup& procs)
      : r_(r), agencies_(agencies), procs_(procs) {
    if (r.group_by == ReportGrouping::kAgency && !r.agency.empty()) {
      // The agency itself and every unit directly below it, with or without dossiers.
      GroupIndex(r.agency);
      for (const Agency* a : agencies.All()) {
        if (a->parent == r.agency) GroupIndex(a->code);
      }
    }
  }

  // The group of a counter's (agency, procedure) pair, -1 when the report leaves it out.
  int Of(std::string_view agency, std::string_view procedure, std::string_view pair) {
    auto it = memo_.find(pair);
    if (it != memo_.end()) return it->second;
    const int g = Resolve(std::string(agency), procedure);
    memo_.emplace(std::string(pair), g);
    return g;
  }

  std::vector<Group>& groups() { return groups_; }

 private:
  int Resolve(const std::string& agency, std::string_view procedure) {
    if (!r_.agency.empty() && !agencies_.IsWithin(agency, r_.agency)) return -1;
    switch (r_.group_by) {
      case ReportGrouping::kAgency:
        return GroupIndex(UnitFor(agency));
      case ReportGrouping::kField: {
        const Procedure* p = procs_(procedure);
        const std::string field = p != nullptr ? p->field : std::string();
        return GroupIndex(field.empty() ? std::string("—") : field);
      }
      case ReportGrouping::kProcedure:
        return GroupIndex(std::string(procedure));
    }
    return -1;
  }

  // The row an agency's dossiers count in: the reported agency's own, the unit directly below it
  // that `code` lies in, or (reporting on every agency) the root of `code`'s tree.
  std::string UnitFor(const std::string& code) const {
    std::string at = code;
    for (int guard = 0; guard < 64; ++guard) {
      if (at == r_.agency) return at;
      const Agency* a = agencies_.Find(at);
      if (a == nullptr || a->parent.empty()) return at;
      if (a->parent == r_.agency) return at;
      at = a->parent;
    }
    return at;
  }

  int GroupIndex(const std::string& key) {
    auto it = index_.find(key);
    if (it != index_.end()) return it->second;
    Group g;
    g.key = key;
    g.label = Label(key);
    groups_.push_back(std::move(g));
    const int i = static_cast<int>(groups_.size()) - 1;
    index_.emplace(key, i);
    return i;
  }

  std::string Label(const std::string& key) const {
    switch (r_.group_by) {
      case ReportGrouping::kAgency: {
        const Agency* a = agencies_.Find(key);
        return a != nullptr ? a->name : key;
      }
      case ReportGrouping::kField:
        return key;
      case ReportGrouping::kProcedure: {
        const Procedure* p = procs_(key);
        return p != nullptr ? p->name : key;
      }
    }
    return key;
  }

  const Form06Request& r_;
  const AgencyRegistry& agencies_;
  const ProcedureLookup& procs_;
  std::vector<Group> groups_;
  std::map<std::string, int> index_;
  std::map<std::string, int, std::less<>> memo_;
};

int64_t Diff(const Group& g, ReportMeasure m) {
  const auto i = static_cast<size_t>(m);
  return g.to[i] - g.before[i];
}

Form06Row RowOf(const Group& g) {
  using M = ReportMeasure;
  const auto at = [](const Sums& s, M m) { return s[static_cast<size_t>(m)]; };
  Form06Row r;
  r.key = g.key;
  r.label = g.label;
  r.counter = Diff(g, M::kReceivedCounter);
  r.postal = Diff(g, M::kReceivedPostal);
  r.online_full = Diff(g, M::kReceivedOnlineFull);
  r.online_partial = Diff(g, M::kReceivedOnlinePartial);
  r.online = r.online_full + r.online_partial;
  r.direct = r.counter + r.postal;
  const auto received_by = [&](const Sums& s) {
    return at(s, M::kReceivedCounter) + at(s, M::kReceivedPostal) + at(s, M::kReceivedOnlineFull) +
           at(s, M::kReceivedOnlinePartial);
  };
  const auto finished_by = [&](const Sums& s) {
    return at(s, M::kEarly) + at(s, M::kOnTime) + at(s, M::kLate) + at(s, M::kLateExtended) +
           at(s, M::kWithdrawn);
  };
  r.carried_over = received_by(g.before) - finished_by(g.before);
  r.received = r.online + r.direct + r.carried_over;
  r.early = Diff(g, M::kEarly);
  r.on_time = Diff(g, M::kOnTime);
  r.late_with_apology = Diff(g, M::kLateExtended);
  r.late_without_apology = Diff(g, M::kLate);
  r.late = r.late_with_apology + r.late_without_apology;
  r.processed = r.early + r.on_time + r.late;
  r.refused = Diff(g, M::kRefused);
  r.withdrawn = Diff(g, M::kWithdrawn);
  r.in_progress = received_by(g.to) - finished_by(g.to);
  r.overdue = at(g.to, M::kOverdue);
  r.not_yet_due = r.in_progress - r.overdue;
  r.supplement = at(g.to, M::kSupplement);
  return r;
}

void AddInto(Form06Row* total, const Form06Row& r) {
  total->received += r.received;
  total->online += r.online;
  total->online_full += r.online_full;
  total->online_partial += r.online_partial;
  total->direct += r.direct;
  total->counter += r.counter;
  total->postal += r.postal;
  total->carried_over += r.carried_over;
  total->processed += r.processed;
  total->early += r.early;
  total->on_time += r.on_time;
  total->late += r.late;
  total->late_with_apology += r.late_with_apology;
  total->late_without_apology += r.late_without_apology;
  total->refused += r.refused;
  total->withdrawn += r.withdrawn;
  total->in_progress += r.in_progress;
  total->not_yet_due += r.not_yet_due;
  total->overdue += r.overdue;
  total->supplement += r.supplement;
}

bool AllZero(const Form06Row& r) {
  Form06Row zero;
  zero.key = r.key;
  zero.label = r.label;
  return r == zero;
}

}  // namespace

Result<Form06> BuildForm06(
    const Form06Request& request, const AgencyRegistry& agencies, const ProcedureLookup& procedures,
    const CounterScan& scan,
    const std::vector<std::pair<std::string, std::string>>& not_yet_overdue) {
  if (request.to < request.from) {
    return InvalidArgument("the window ends (" + FormatDate(request.to) + ") before it starts (" +
                           FormatDate(request.from) + ")");
  }
  Form06 out;
  out.request = request;
  Grouper grouper(request, agencies, procedures);
  Status bad;
  // Adds every counter of the ranges to one side of the sums.
  auto sum_up_to = [&](CivilDate x, bool before) -> Status {
    for (const auto& [begin, end] : RangesUpTo(x)) {
      RETURN_IF_ERROR(scan(begin, end, [&](std::string_view name, int64_t value) {
        ++out.counters_read;
        const std::optional<ReportCounterKey> k = ParseReportCounter(name);
        if (!k) {
          if (bad.ok())
            bad = Internal("a report counter has a malformed name: " + std::string(name));
          return;
        }
        const std::string_view pair(k->agency.data(),
                                    k->procedure.data() + k->procedure.size() - k->agency.data());
        const int g = grouper.Of(k->agency, k->procedure, pair);
        if (g < 0) return;
        Group& group = grouper.groups()[static_cast<size_t>(g)];
        (before ? group.before : group.to)[static_cast<size_t>(k->measure)] += value;
      }));
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(sum_up_to(request.to, false));
  RETURN_IF_ERROR(sum_up_to(CivilFromDays(DaysFromCivil(request.from) - 1), true));
  RETURN_IF_ERROR(bad);
  // Read apart from the counters (no snapshot): a dossier decided in between would be taken off
  // twice, so a group never goes below none.
  for (const auto& [agency, procedure] : not_yet_overdue) {
    const int g = grouper.Of(agency, procedure, agency + kIndexSep + procedure);
    if (g < 0) continue;
    int64_t& overdue =
        grouper.groups()[static_cast<size_t>(g)].to[static_cast<size_t>(ReportMeasure::kOverdue)];
    if (overdue > 0) --overdue;
  }
  const bool keep_empty = request.group_by == ReportGrouping::kAgency && !request.agency.empty();
  for (const Group& g : grouper.groups()) {
    Form06Row row = RowOf(g);
    if (!keep_empty && AllZero(row)) continue;
    AddInto(&out.total, row);
    out.rows.push_back(std::move(row));
  }
  std::sort(out.rows.begin(), out.rows.end(),
            [](const Form06Row& a, const Form06Row& b) { return a.key < b.key; });
  out.total.key = "total";
  out.total.label = "Tổng số";
  return out;
}

std::optional<std::string> CheckForm06Identities(const Form06Row& r) {
  if (r.received != r.online + r.direct + r.carried_over) {
    return "received != online + direct + carried over";
  }
  if (r.received != r.processed + r.withdrawn + r.in_progress) {
    return "received != processed + withdrawn + in progress";
  }
  if (r.processed != r.early + r.on_time + r.late) return "processed != early + on time + late";
  if (r.late != r.late_with_apology + r.late_without_apology) {
    return "late != with apology + without";
  }
  if (r.in_progress != r.not_yet_due + r.overdue) {
    return "in progress != not yet due + overdue";
  }
  if (r.online != r.online_full + r.online_partial) return "online != fully + partly online";
  if (r.direct != r.counter + r.postal) return "direct != counter + postal";
  for (int64_t v :
       {r.received, r.carried_over, r.processed, r.early, r.on_time, r.late, r.withdrawn,
        r.in_progress, r.not_yet_due, r.overdue, r.supplement, r.refused}) {
    if (v < 0) return "a count is negative";
  }
  if (r.overdue > r.in_progress) return "overdue > in progress";
  if (r.supplement > r.in_progress) return "waiting for a supplement > in progress";
  if (r.refused > r.processed) return "refused > processed";
  return std::nullopt;
}

std::optional<std::pair<CivilDate, CivilDate>> ParseReportPeriod(std::string_view text) {
  auto number = [](std::string_view s, int* out) {
    if (s.empty()) return false;
    int v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
  };
  int year = 0;
  if (text.size() < 4 || !number(text.substr(0, 4), &year) || year < 1970) return std::nullopt;
  auto last_day = [](int y, int m) {
    int d = 31;
    while (!IsValidDate(y, m, d)) --d;
    return d;
  };
  auto months = [&](int first, int last) {
    return std::make_pair(CivilDate{year, first, 1}, CivilDate{year, last, last_day(year, last)});
  };
  if (text.size() == 4) return months(1, 12);
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  const std::string_view rest = text.substr(5);
  int n = 0;
  if (rest[0] == 'H' && number(rest.substr(1), &n) && (n == 1 || n == 2)) {
    return months(n * 6 - 5, n * 6);
  }
  if (rest[0] == 'Q' && number(rest.substr(1), &n) && n >= 1 && n <= 4) {
    return months(n * 3 - 2, n * 3);
  }
  if (number(rest, &n) && n >= 1 && n <= 12) return months(n, n);
  return std::nullopt;
}

}  // namespace motcua
