// Validation of compiled procedure definitions: references, reachability, outcomes, and the main
// path's step budgets against the statutory time (DOMAIN.md §5.9).

#include "engine/definition/validate.h"

#include <set>

#include "engine/common/strings.h"

namespace motcua {

namespace {

// "a, b, c" in declaration order, each id once.
std::string JoinIds(const std::vector<std::string>& ids) {
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (const std::string& id : ids) {
    if (seen.insert(id).second) unique.push_back(id);
  }
  return Join(unique);
}

}  // namespace

std::vector<int> MainPath(const Procedure& p, bool* ends_in_outcome) {
  std::vector<int> path;
  std::vector<bool> seen(p.steps.size(), false);
  *ends_in_outcome = false;
  int i = p.steps.empty() ? -1 : 0;
  while (i >= 0 && !seen[i]) {
    seen[i] = true;
    path.push_back(i);
    int next = -1;
    for (const Action& a : p.steps[i].actions) {
      if (a.kind == ActionKind::kDecide) {
        // The outcome is reached; a result that goes on is followed to its return step.
        *ends_in_outcome = true;
        next = a.target_index;
        break;
      }
      if ((a.kind == ActionKind::kForward || a.kind == ActionKind::kSendBack) &&
          a.target_index >= 0) {
        next = a.target_index;
        break;
      }
    }
    i = next;
  }
  return path;
}

int64_t CountedBudgetMilliHours(const Procedure& p, const std::vector<int>& path) {
  int64_t total = 0;
  for (int i : path) {
    if (p.steps[i].clock_runs) total += p.steps[i].budget.InMilliHours();
  }
  return total;
}

std::vector<Diagnostic> ValidateProcedure(Procedure& p) {
  std::vector<Diagnostic> out;
  auto err = [&out](const SourceRef& at, std::string path, std::string msg) {
    out.push_back({at, std::move(path), std::move(msg)});
  };

  std::vector<std::string> role_ids, step_ids;
  std::set<std::string> seen;
  for (size_t i = 0; i < p.roles.size(); ++i) {
    if (!seen.insert(p.roles[i].id).second) {
      err(p.roles[i].src, "roles[" + std::to_string(i) + "].id",
          "duplicate role id '" + p.roles[i].id + "'");
    }
    role_ids.push_back(p.roles[i].id);
  }
  seen.clear();
  for (size_t i = 0; i < p.documents.size(); ++i) {
    if (!seen.insert(p.documents[i].id).second) {
      err(p.documents[i].src, "documents[" + std::to_string(i) + "].id",
          "duplicate document id '" + p.documents[i].id + "'");
    }
  }
  for (size_t i = 0; i < p.documents.size(); ++i) {
    const Document& d = p.documents[i];
    if (d.id == kResultDocumentId) {
      err(d.src, "documents[" + std::to_string(i) + "].id",
          std::string("'") + kResultDocumentId +
              "' is the dossier's result document, which every procedure has; choose another id");
    }
    for (size_t t = 0; t < d.file_types.size(); ++t) {
      if (FindFileType(d.file_types[t]) == nullptr) {
        std::vector<std::string> known;
        for (const FileType& k : KnownFileTypes()) known.emplace_back(k.name);
        err(d.src, "documents[" + std::to_string(i) + "].file_types[" + std::to_string(t) + "]",
            "unknown file type '" + d.file_types[t] + "'; expected one of " + Join(known));
      }
    }
    if (!d.substitutes_for.empty()) {
      const Document* target = p.FindDocument(d.substitutes_for);
      if (target == nullptr) {
        err(d.src, "documents[" + std::to_string(i) + "].substitutes_for",
            "unknown document '" + d.substitutes_for + "'");
      } else if (target == &d) {
        err(d.src, "documents[" + std::to_string(i) + "].substitutes_for",
            "a document cannot substitute for itself");
      }
    }
  }
  seen.clear();
  for (size_t i = 0; i < p.steps.size(); ++i) {
    if (!seen.insert(p.steps[i].id).second) {
      err(p.steps[i].src, "steps[" + std::to_string(i) + "].id",
          "duplicate step id '" + p.steps[i].id + "'");
    }
    step_ids.push_back(p.steps[i].id);
  }

  const std::string known_roles = "; declared roles: " + JoinIds(role_ids);
  for (size_t i = 0; i < p.steps.size(); ++i) {
    Step& s = p.steps[i];
    const std::string sp = "steps[" + std::to_string(i) + "]";
    if (!p.HasRole(s.role)) err(s.src, sp + ".role", "unknown role '" + s.role + "'" + known_roles);
    std::set<std::string> action_ids;
    for (size_t j = 0; j < s.actions.size(); ++j) {
      Action& a = s.actions[j];
      const std::string ap = sp + ".actions[" + std::to_string(j) + "]";
      if (!action_ids.insert(a.id).second) {
        err(a.src, ap + ".id", "duplicate action id '" + a.id + "' in step '" + s.id + "'");
      }
      for (size_t r = 0; r < a.roles.size(); ++r) {
        if (!p.HasRole(a.roles[r])) {
          err(a.src, ap + ".roles[" + std::to_string(r) + "]",
              "unknown role '" + a.roles[r] + "'" + known_roles);
        }
      }
      if (a.kind == ActionKind::kForward || a.kind == ActionKind::kSendBack ||
          (a.kind == ActionKind::kDecide && !a.to.empty())) {
        a.target_index = p.StepIndex(a.to);
        if (a.target_index < 0) {
          err(a.src, ap + ".to",
              "unknown step '" + a.to + "'; expected one of: " + JoinIds(step_ids));
        } else if (a.target_index == static_cast<int>(i)) {
          err(a.src, ap + ".to", "an action cannot lead to its own step '" + a.to + "'");
        } else if (a.kind == ActionKind::kSendBack) {
          // A send-back must go to a step from which this one is reached: checked loosely as
          // "declared earlier", which is how published processes list their steps.
          if (a.target_index > static_cast<int>(i)) {
            err(a.src, ap + ".to",
                "send_back must return to an earlier step; '" + a.to + "' comes after '" + s.id +
                    "'");
          }
        }
      }
    }
  }
  if (!out.empty()) return out;  // graph checks need resolved references
  if (p.steps.empty()) return out;

  // Reachability from the start step.
  const size_t n = p.steps.size();
  std::vector<bool> reached(n, false);
  std::vector<int> stack = {0};
  reached[0] = true;
  while (!stack.empty()) {
    int i = stack.back();
    stack.pop_back();
    for (const Action& a : p.steps[i].actions) {
      if (a.target_index >= 0 && !reached[a.target_index]) {
        reached[a.target_index] = true;
        stack.push_back(a.target_index);
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (!reached[i]) {
      err(p.steps[i].src, "steps[" + std::to_string(i) + "]",
          "step '" + p.steps[i].id + "' is unreachable from the start step '" + p.steps[0].id +
              "'");
    }
  }
  // Steps after a decision: the decide actions' targets and what they forward to. They carry
  // the result to the applicant, so they are reached only after a decision, only forward, and
  // end at a return step without actions (the result is returned with the return command).
  std::vector<bool> after(n, false);
  stack.clear();
  for (const Step& s : p.steps) {
    for (const Action& a : s.actions) {
      if (a.kind == ActionKind::kDecide && a.target_index >= 0 && !after[a.target_index]) {
        after[a.target_index] = true;
        stack.push_back(a.target_index);
      }
    }
  }
  while (!stack.empty()) {
    int i = stack.back();
    stack.pop_back();
    for (const Action& a : p.steps[i].actions) {
      if (a.kind == ActionKind::kForward && a.target_index >= 0 && !after[a.target_index]) {
        after[a.target_index] = true;
        stack.push_back(a.target_index);
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    Step& s = p.steps[i];
    s.after_decision = after[i];
    const std::string sp = "steps[" + std::to_string(i) + "]";
    for (size_t j = 0; j < s.actions.size(); ++j) {
      const Action& a = s.actions[j];
      const std::string ap = sp + ".actions[" + std::to_string(j) + "]";
      if (after[i] && a.kind != ActionKind::kForward) {
        err(a.src, ap + ".kind",
            "step '" + s.id +
                "' comes after a decision: only forward actions carry the result "
                "on, not " +
                NameOf(a.kind));
      } else if (!after[i] && a.target_index >= 0 && a.kind != ActionKind::kDecide &&
                 after[a.target_index]) {
        err(a.src, ap + ".to",
            "step '" + a.to + "' comes after a decision, but '" + s.id +
                "' reaches it before one; lead to it only from a decide action or a step after "
                "one");
      }
    }
    if (after[i] && (s.kind == StepKind::kPayment || !s.clock_runs)) {
      err(s.src, sp + ".kind",
          "step '" + s.id +
              "' comes after a decision, when no time is counted any more: it "
              "cannot be a payment step or stop the clock");
    }
    const bool result_returned_here = after[i] && s.kind == StepKind::kReturn;
    if (result_returned_here && !s.actions.empty()) {
      err(s.actions.front().src, sp + ".actions",
          "step '" + s.id +
              "' returns the result after the decision: it takes no actions (the "
              "counter records the return with the return command, T14)");
    } else if (!result_returned_here && s.actions.empty()) {
      err(s.src, sp + ".actions",
          "step '" + s.id + "' has no actions; only a return step after a decision has none");
    }
  }
  // Every step after a decision leads to a return step.
  std::vector<bool> returns(n, false);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < n; ++i) {
      if (!after[i] || returns[i]) continue;
      bool r = p.steps[i].kind == StepKind::kReturn;
      for (const Action& a : p.steps[i].actions) {
        r = r || (a.target_index >= 0 && returns[a.target_index]);
      }
      if (r) returns[i] = changed = true;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (after[i] && !returns[i] && !p.steps[i].actions.empty()) {
      err(p.steps[i].src, "steps[" + std::to_string(i) + "]",
          "the result cannot reach a return step from step '" + p.steps[i].id +
              "' after the decision; forward it to a step of kind return");
    }
  }

  // Steps that can reach an outcome: fixed point over reverse edges.
  std::vector<bool> decides(n, false);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < n; ++i) {
      if (decides[i]) continue;
      for (const Action& a : p.steps[i].actions) {
        if (a.kind == ActionKind::kDecide ||
            (a.target_index >= 0 && !after[a.target_index] && decides[a.target_index])) {
          decides[i] = changed = true;
          break;
        }
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (reached[i] && !after[i] && !decides[i]) {
      err(p.steps[i].src, "steps[" + std::to_string(i) + "]",
          "no outcome can be reached from step '" + p.steps[i].id +
              "'; add a decide action or a path to one");
    }
  }
  // The main path's budgets against the statutory time.
  bool ends = false;
  std::vector<int> path = MainPath(p, &ends);
  std::vector<std::string> ids;
  for (int i : path) ids.push_back(p.steps[i].id);
  const std::string names = Join(ids, " -> ");
  const int64_t total = CountedBudgetMilliHours(p, path);
  if (!ends) {
    const Step& last = p.steps[path.back()];
    err(last.src, "steps",
        "the main path " + names +
            " does not end in an outcome (each step's first action with "
            "'to' or 'outcome' is followed)");
  } else if (total > p.TimeLimitMilliHours()) {
    err(p.src, "steps",
        "step budgets along the main path " + names + " add up to " + FormatMilliHours(total) +
            ", exceeding the statutory time of " +
            (p.time_limit.same_day ? std::string("same day (8 WH)")
                                   : FormatWorkDuration(p.time_limit.duration) + " (" +
                                         FormatMilliHours(p.TimeLimitMilliHours()) + ")") +
            " by " + FormatMilliHours(total - p.TimeLimitMilliHours()));
  }
  return out;
}

std::vector<Diagnostic> ValidateProcedureSet(const std::vector<const Procedure*>& all) {
  std::vector<Diagnostic> out;
  for (size_t i = 0; i < all.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const Procedure& a = *all[j];
      const Procedure& b = *all[i];
      if (a.code != b.code) continue;
      if (a.version == b.version) {
        out.push_back({b.effective_src, "version",
                       "procedure " + b.code + " version " + std::to_string(b.version) +
                           " is also defined in " + a.src.file});
        continue;
      }
      bool a_before_b = a.effective_until && *a.effective_until < b.effective_from;
      bool b_before_a = b.effective_until && *b.effective_until < a.effective_from;
      if (!a_before_b && !b_before_a) {
        out.push_back({b.effective_src, "effective",
                       "procedure " + b.code + " version " + std::to_string(b.version) + " (from " +
                           FormatDate(b.effective_from) +
                           (b.effective_until ? " until " + FormatDate(*b.effective_until) : "") +
                           ") overlaps version " + std::to_string(a.version) + " in " + a.src.file +
                           " (from " + FormatDate(a.effective_from) +
                           (a.effective_until ? " until " + FormatDate(*a.effective_until) : "") +
                           "); set effective.until on the older version"});
      }
    }
  }
  return out;
}

}  // namespace motcua
