// Outbound delivery, the pure part (delivery.h).

#include "engine/delivery/delivery.h"

#include <algorithm>

namespace motcua {

bool Wants(const Subscription& s, const EventFacts& e, const AgencyRegistry& agencies) {
  if (!s.types.empty() && !s.types.contains(e.type)) return false;
  if (!s.procedures.empty() && !s.procedures.contains(e.procedure_code)) return false;
  if (s.agencies.empty()) return true;
  for (const std::string& a : s.agencies) {
    for (const std::string* mine : {&e.receiving_agency, &e.competent_agency}) {
      if (!mine->empty() && (*mine == a || agencies.IsWithin(*mine, a))) return true;
    }
  }
  return false;
}

int64_t BackoffMs(const RetryPolicy& p, int failures, double jitter01,
                  std::optional<int64_t> retry_after_ms) {
  int64_t base = std::max<int64_t>(p.first_backoff_ms, 1);
  for (int i = 1; i < failures && base < p.max_backoff_ms; ++i) base *= 2;
  base = std::min(base, std::max<int64_t>(p.max_backoff_ms, 1));
  const double j = std::clamp(jitter01, 0.0, 1.0);
  int64_t wait = base / 2 + static_cast<int64_t>(j * static_cast<double>(base - base / 2));
  constexpr int64_t kLongestRetryAfter = 3600 * 1000;
  if (retry_after_ms) wait = std::max(wait, std::min(*retry_after_ms, kLongestRetryAfter));
  return wait;
}

void DeliveryLane::Offer(uint64_t position, const std::string& dossier_id, bool wanted,
                         int64_t committed_ms) {
  if (position <= read_upto_) return;  // offered before
  read_upto_ = position;
  if (!wanted) {
    Advance();
    return;
  }
  Entry e;
  e.dossier_id = dossier_id;
  e.committed_ms = committed_ms;
  e.not_before_ms = 0;
  pending_.emplace(position, std::move(e));
  by_dossier_[dossier_id].push_back(position);
}

void DeliveryLane::Redrive(uint64_t position, const std::string& dossier_id, int64_t committed_ms) {
  if (pending_.contains(position)) return;
  Entry e;
  e.dossier_id = dossier_id;
  e.committed_ms = committed_ms;
  e.not_before_ms = 0;
  e.redrive = true;
  pending_.emplace(position, std::move(e));
  // Older than the dossier's events read since: first, unless the first is in flight already.
  std::deque<uint64_t>& q = by_dossier_[dossier_id];
  auto at = q.begin();
  if (at != q.end() && pending_.at(*at).in_flight) ++at;
  while (at != q.end() && *at < position) ++at;
  q.insert(at, position);
}

std::vector<DeliveryLane::Attempt> DeliveryLane::Ready(int64_t now_ms, size_t room) {
  std::vector<Attempt> out;
  for (auto& [position, e] : pending_) {
    if (out.size() >= room) break;
    if (e.in_flight || now_ms < e.not_before_ms) continue;
    if (by_dossier_.at(e.dossier_id).front() != position) continue;  // an earlier one goes first
    e.in_flight = true;
    ++in_flight_;
    out.push_back(Attempt{position, e.dossier_id, e.failures + 1});
  }
  return out;
}

void DeliveryLane::Delivered(uint64_t position) { Finish(position); }

DeliveryLane::Verdict DeliveryLane::Failed(uint64_t position, int64_t now_ms, const RetryPolicy& p,
                                           double jitter01, std::optional<int64_t> retry_after_ms) {
  auto it = pending_.find(position);
  if (it == pending_.end()) return Verdict::kDeadLetter;
  Entry& e = it->second;
  if (e.in_flight) {
    e.in_flight = false;
    --in_flight_;
  }
  ++e.failures;
  const bool too_old = now_ms - e.committed_ms >= p.max_age_seconds * 1000;
  if (e.failures >= p.max_attempts || too_old) {
    Finish(position);
    return Verdict::kDeadLetter;
  }
  const int64_t wait_ms = BackoffMs(p, e.failures, jitter01, retry_after_ms);
  e.not_before_ms = now_ms + wait_ms;
  return Verdict::kRetry;
}

void DeliveryLane::Finish(uint64_t position) {
  if (auto it = pending_.find(position); it != pending_.end()) {
    if (it->second.in_flight) --in_flight_;
    std::deque<uint64_t>& q = by_dossier_[it->second.dossier_id];
    q.erase(std::find(q.begin(), q.end(), position));
    if (q.empty()) by_dossier_.erase(it->second.dossier_id);
    pending_.erase(it);
  }
  Advance();
}

void DeliveryLane::Advance() {
  // The cursor reaches up to the first unfinished event read from the outbox (re-drives, which
  // lie below it, do not hold it back).
  uint64_t first_open = read_upto_ + 1;
  for (const auto& [p, e] : pending_) {
    if (!e.redrive) {
      first_open = p;
      break;
    }
  }
  cursor_ = std::max(cursor_, first_open - 1);
}

std::optional<int64_t> DeliveryLane::oldest_pending() const {
  std::optional<int64_t> oldest;
  for (const auto& [p, e] : pending_) {
    if (!oldest || e.committed_ms < *oldest) oldest = e.committed_ms;
  }
  return oldest;
}

std::optional<int64_t> DeliveryLane::next_retry() const {
  std::optional<int64_t> next;
  for (const auto& [p, e] : pending_) {
    if (e.in_flight || e.failures == 0) continue;
    if (!next || e.not_before_ms < *next) next = e.not_before_ms;
  }
  return next;
}

}  // namespace motcua
