// Which migrations between procedure versions may be applied (migration.h).

#include "engine/dossier/migration.h"

#include "engine/common/strings.h"

namespace motcua {

namespace {

// The steps of `p` from which a decision can still be made: a decide action, or a path through
// steps before the decision to one (a fixed point over the actions).
std::vector<bool> CanDecide(const Procedure& p) {
  const size_t n = p.steps.size();
  std::vector<bool> decides(n, false);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < n; ++i) {
      if (decides[i] || p.steps[i].after_decision) continue;
      for (const Action& a : p.steps[i].actions) {
        const bool leads = a.target_index >= 0 && static_cast<size_t>(a.target_index) < n &&
                           decides[a.target_index];
        if (a.kind == ActionKind::kDecide || leads) {
          decides[i] = changed = true;
          break;
        }
      }
    }
  }
  return decides;
}

}  // namespace

std::string Migration::Describe() const {
  return procedure_code + " v" + std::to_string(from_version) + " -> v" +
         std::to_string(to_version);
}

std::vector<std::string> CheckMigration(const Procedure& from, const Procedure& to,
                                        const Migration& m) {
  std::vector<std::string> out;
  const std::string v_from = "v" + std::to_string(from.version);
  const std::string v_to = "v" + std::to_string(to.version);
  if (from.code != m.procedure_code || to.code != m.procedure_code) {
    out.push_back("a dossier keeps its procedure: migrate between versions of " + m.procedure_code +
                  ", not to " + to.code);
    return out;
  }
  if (from.version == to.version) {
    out.push_back("expected two different versions of " + from.code + ", got " + v_from + " twice");
    return out;
  }
  if (m.reason.empty()) {
    out.push_back("expected the reason: the transitional provision that moves the dossiers");
  }
  for (const auto& [old_step, new_step] : m.steps) {
    if (!from.FindStep(old_step)) {
      out.push_back("'" + old_step + "' is not a step of " + from.code + " " + v_from +
                    " (its steps: " + Join(from.StepIds()) + ")");
    }
    if (!to.FindStep(new_step)) {
      out.push_back("step '" + old_step + "' maps to '" + new_step + "', which is not a step of " +
                    to.code + " " + v_to + " (its steps: " + Join(to.StepIds()) + ")");
    }
  }
  const std::vector<bool> decides = CanDecide(to);
  for (const Step& s : from.steps) {
    auto it = m.steps.find(s.id);
    if (it == m.steps.end()) {
      out.push_back("step '" + s.id + "' of " + v_from + " is not mapped: name the step of " +
                    v_to + " its dossiers move to");
      continue;
    }
    const int target_index = to.StepIndex(it->second);
    if (target_index < 0) continue;  // said above
    const Step& target = to.steps[target_index];
    const std::string mapping = "step '" + s.id + "' maps to '" + target.id + "'";
    if (!s.after_decision && !decides[target_index]) {
      out.push_back(mapping + ", from which no outcome can be reached in " + v_to +
                    (target.after_decision ? " (it comes after the decision)" : ""));
    } else if (s.after_decision && !target.after_decision) {
      out.push_back(mapping + ": '" + s.id + "' carries a decided dossier's result, but '" +
                    target.id + "' comes before the decision (the dossier would be decided twice)");
    }
    if ((s.kind == StepKind::kPayment) != (target.kind == StepKind::kPayment)) {
      out.push_back(mapping +
                    ", but only one of them is a payment step: a dossier waiting for "
                    "its payment would be at a step that does not take it, or the reverse");
    }
    if (s.clock_runs != target.clock_runs) {
      out.push_back(mapping + ", but time is counted in only one of them ('" +
                    (s.clock_runs ? target.id : s.id) +
                    "' stops the clock): map it to a step that counts time as it does");
    }
  }
  return out;
}

bool InFlight(const Dossier& d) { return d.received_at.has_value() && IsOpen(d.status); }

std::vector<int> VersionsRecordedUnder(const std::vector<Event>& history) {
  std::vector<int> out;
  out.reserve(history.size());
  int version = 0;
  for (const Event& e : history) {
    // A dossier's identity events name the version (a reception the one in force that day, which
    // may differ from the one an online submission named); a migration moves it.
    if (e.type != EventType::kMigrated && e.procedure_version != 0) version = e.procedure_version;
    out.push_back(e.type == EventType::kMigrated ? e.previous_procedure_version : version);
    if (e.type == EventType::kMigrated) version = e.procedure_version;
  }
  return out;
}

int ProcedureVersionAfter(const std::vector<Event>& history) {
  int version = 0;
  for (const Event& e : history) {
    if (e.procedure_version != 0) version = e.procedure_version;
  }
  return version;
}

}  // namespace motcua
