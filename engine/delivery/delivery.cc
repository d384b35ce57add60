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
  std::deque<uint64_t>& q = by_dossier_[dossier_id];
  q.push_back(position);
  if (q.size() == 1) IndexHead(q);
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
  if (at == q.begin() && !q.empty()) Unindex(q.front());  // no longer the dossier's next
  q.insert(at, position);
  IndexHead(q);
}

void DeliveryLane::IndexHead(const std::deque<uint64_t>& q) {
  if (q.empty()) return;
  const uint64_t head = q.front();
  const Entry& e = pending_.at(head);
  if (e.in_flight) return;
  if (e.failures > 0) {
    waiting_.emplace(e.not_before_ms, head);
  } else {
    ready_.insert(head);
  }
}

void DeliveryLane::Unindex(uint64_t position) {
  ready_.erase(position);
  auto it = pending_.find(position);
  if (it != pending_.end()) waiting_.erase({it->second.not_before_ms, position});
}

std::vector<DeliveryLane::Attempt> DeliveryLane::Ready(int64_t now_ms, size_t room) {
  // Retries whose wait is over join the ready ones; the oldest positions go first.
  while (!waiting_.empty() && waiting_.begin()->first <= now_ms) {
    ready_.insert(waiting_.begin()->second);
    waiting_.erase(waiting_.begin());
  }
  std::vector<Attempt> out;
  while (out.size() < room && !ready_.empty()) {
    const uint64_t position = *ready_.begin();
    ready_.erase(ready_.begin());
    Entry& e = pending_.at(position);
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
  Unindex(position);
  ++e.failures;
  const bool too_old = now_ms - e.committed_ms >= p.max_age_seconds * 1000;
  if (e.failures >= p.max_attempts || too_old) {
    Finish(position);
    return Verdict::kDeadLetter;
  }
  const int64_t wait_ms = BackoffMs(p, e.failures, jitter01, retry_after_ms);
  e.not_before_ms = now_ms + wait_ms;
  const std::deque<uint64_t>& q = by_dossier_.at(e.dossier_id);
  if (q.front() == position) waiting_.emplace(e.not_before_ms, position);
  return Verdict::kRetry;
}

void DeliveryLane::Finish(uint64_t position) {
  if (auto it = pending_.find(position); it != pending_.end()) {
    Unindex(position);
    if (it->second.in_flight) --in_flight_;
    const std::string dossier_id = it->second.dossier_id;
    std::deque<uint64_t>& q = by_dossier_[dossier_id];
    const bool was_head = !q.empty() && q.front() == position;
    q.erase(std::find(q.begin(), q.end(), position));
    pending_.erase(it);
    if (q.empty()) {
      by_dossier_.erase(dossier_id);
    } else if (was_head) {
      IndexHead(q);  // the dossier's next event may go
    }
  }
  Advance();
}

void DeliveryLane::Advance() {
  // The cursor reaches up to the first unfinished event read from the outbox. Every such event
  // lies above the cursor; re-drives, which (nearly always) lie below it, do not hold it back.
  uint64_t first_open = read_upto_ + 1;
  for (auto it = pending_.upper_bound(cursor_); it != pending_.end(); ++it) {
    if (!it->second.redrive) {
      first_open = it->first;
      break;
    }
  }
  cursor_ = std::max(cursor_, first_open - 1);
}

std::optional<int64_t> DeliveryLane::oldest_pending() const {
  // Commit instants grow with outbox positions: the first pending event is the oldest.
  if (pending_.empty()) return std::nullopt;
  return pending_.begin()->second.committed_ms;
}

std::optional<int64_t> DeliveryLane::next_retry() const {
  if (waiting_.empty()) return std::nullopt;
  return waiting_.begin()->first;
}

}  // namespace motcua
