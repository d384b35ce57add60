// Withdrawal (T12, M05), the result returned (T14) and timers that came due.

#include <algorithm>

#include "engine/dossier/processor_internal.h"

namespace motcua::processor_internal {

Decision Processor::Withdraw() {
  if (auto r = LoadRules()) return *r;
  if (!IsOpen(d_->status) && d_->status != DossierStatus::kSubmitted &&
      d_->status != DossierStatus::kNotReceived) {
    return Reject(RejectionCode::kRule, "Expected to withdraw dossier '" + d_->id +
                                            "' before a decision, but it is " + NameOf(d_->status));
  }
  if (auto r = RequireRole(rules_.counter_role(), "withdraw")) return *r;
  if (c_.reason.empty())
    return Reject(RejectionCode::kInvalid, "a withdrawal needs a reason (M05)");
  Event e = Make(EventType::kWithdrawn);
  e.status = DossierStatus::kStopped;
  e.reason = c_.reason;
  e.pause_ends = d_->paused();
  return Finish(std::move(e));
}

Decision Processor::ReturnResult() {
  if (auto r = LoadRules()) return *r;
  if (d_->status != DossierStatus::kDecided) {
    return Reject(RejectionCode::kRule, "Expected to return the result of dossier '" + d_->id +
                                            "' once decided, but it is " + NameOf(d_->status));
  }
  if (auto r = RequireRole(rules_.counter_role(), "return the result of")) return *r;
  Event e = Make(EventType::kResultReturned);
  e.status = DossierStatus::kReturned;
  return Finish(std::move(e));
}

Decision Processor::FireTimer() {
  if (auto r = LoadRules()) return *r;
  if (!c_.timer) return Reject(RejectionCode::kInvalid, "fire_timer needs a timer");
  const Timer& t = *c_.timer;
  if (std::find(d_->timers.begin(), d_->timers.end(), t) == d_->timers.end()) {
    return Reject(RejectionCode::kRule, "Expected timer " + std::string(NameOf(t.kind)) +
                                            " of dossier '" + d_->id +
                                            "' to be pending, but it is not (fired or cancelled)");
  }
  if (ctx_.now < t.at) {
    return Reject(RejectionCode::kRule, "Expected timer " + std::string(NameOf(t.kind)) +
                                            " of dossier '" + d_->id +
                                            "' to be due, but it is not yet");
  }
  role_used_ = "system";
  Event e = Make(EventType::kTimerFired);
  e.fired = t;
  return Finish(std::move(e));
}

}  // namespace motcua::processor_internal
