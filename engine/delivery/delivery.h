#pragma once
// Outbound delivery of committed events to subscribers (webhooks; docs/delivery.md), the pure
// part: what a subscription is and wants, how long to wait before a retry, and the lane that
// orders one subscription's deliveries. No I/O, no clock, no threads: the delivery worker
// (adapters/delivery/) reads the outbox, sends, and reports outcomes here.
//
// The guarantees the lane keeps:
//  * at least once: an event leaves the lane only delivered or dead-lettered, and the cursor
//    (every event at or below it is finished) never passes an unfinished one, so a restart from
//    the persisted cursor sends again what may not have arrived;
//  * in order per dossier: a dossier's next event is sent only after its previous one finished;
//  * other dossiers go on: a failing dossier holds only its own events.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/common/time.h"
#include "engine/definition/agency.h"
#include "engine/dossier/dossier.h"

namespace motcua {

struct RetryPolicy {
  int max_attempts = 12;                    // then the event is dead-lettered
  int64_t max_age_seconds = 24 * 3600;      // or once it is this old (from its commit)
  int64_t first_backoff_ms = 1000;          // the wait after the first failure
  int64_t max_backoff_ms = 10 * 60 * 1000;  // the longest wait (a Retry-After may ask longer)
  bool operator==(const RetryPolicy&) const = default;
};

enum class PayloadKind {
  kEvent = 0,  // {"type", "timestamp", "data": v1.EventView} (Standard Webhooks)
  kPortal,     // the national portal's services (DOMAIN.md §7; adapters/delivery/portal.h)
};
inline constexpr auto kPayloadKindNames =
    MakeNames<PayloadKind>({{PayloadKind::kEvent, "event"}, {PayloadKind::kPortal, "portal"}});
static_assert(kPayloadKindNames.Complete());
constexpr const auto& NamesOf(PayloadKind) { return kPayloadKindNames; }

// The national portal's payload (payload: portal): its login and the tenant's code tables.
struct PortalSettings {
  // The portal's session-token login: POST {"username", "password"} to login_url answers
  // {"session": "..."}; every message then carries it. Empty: no login.
  std::string login_url;
  std::string username;
  std::string password;   // never shown
  std::string unit_code;  // the tenant's unit code on the portal (MaDonVi); empty: the agency's
  // Portal status codes (TrangThaiHoSo) by internal status name, over the defaults of DOMAIN.md
  // §3 (submitted 1, received 2, not received 3, ...).
  std::map<std::string, int> status_codes;
  // Local → national procedure codes (MaTTHC); a code not listed goes as it is.
  std::map<std::string, std::string> procedure_codes;
  bool operator==(const PortalSettings&) const = default;
};

struct Subscription {
  std::string id;   // [a-z0-9_-], unique; names its cursor and dead letters
  std::string url;  // http://host[:port]/path or https://…
  // https: the PEM file of the certificate authorities to trust (a private CA, a self-signed
  // receiver); empty: the system's (/etc/ssl/certs). The receiver's name is always checked.
  std::string ca_file;
  // Filters; empty: every one.
  std::set<EventType> types;
  std::vector<std::string>
      agencies;  // the dossier's receiving or competent agency, or a unit below
  std::set<std::string> procedures;
  PayloadKind payload = PayloadKind::kEvent;
  PortalSettings portal;  // payload: portal
  // Signing secrets ("whsec_" + base64), the newest first; two during a rotation. Never shown.
  std::vector<std::string> secrets;
  RetryPolicy retry;
  int concurrency = 8;  // requests in flight at once
  // Events per request: 1 sends each event alone (Standard Webhooks' plain form); more sends up
  // to that many events of different dossiers in one request (docs/delivery.md, "Batches").
  int batch = 1;
  int timeout_ms = 10000;  // per request, connection included
  bool operator==(const Subscription&) const = default;
};

// What a subscription filters on, of one committed event and its dossier.
struct EventFacts {
  EventType type = EventType::kSubmitted;
  std::string receiving_agency;
  std::string competent_agency;
  std::string procedure_code;
};

bool Wants(const Subscription& s, const EventFacts& e, const AgencyRegistry& agencies);

// The wait before attempt `failures + 1`, after `failures` failed attempts (1 or more):
// exponential from first_backoff_ms, doubled each time up to max_backoff_ms, with "equal jitter"
// (half fixed, half drawn from `jitter01` in [0, 1)) so that retries of many dossiers spread out;
// at least what the receiver asked with Retry-After (up to an hour).
int64_t BackoffMs(const RetryPolicy& p, int failures, double jitter01,
                  std::optional<int64_t> retry_after_ms);

// One subscription's deliveries in flight, in order per dossier. Times are milliseconds since the
// epoch, on the caller's clock.
class DeliveryLane {
 public:
  struct Attempt {
    uint64_t position = 0;
    std::string dossier_id;
    int number = 1;  // 1 for the first attempt
  };
  enum class Verdict { kRetry, kDeadLetter };

  // Every event at or below `cursor` is finished.
  explicit DeliveryLane(uint64_t cursor) : cursor_(cursor), read_upto_(cursor) {}

  // The next outbox event (positions increase), wanted by the subscription or not; an event it
  // does not want is finished at once.
  void Offer(uint64_t position, const std::string& dossier_id, bool wanted, int64_t committed_ms);
  // A dead-lettered event sent again (an admin's re-drive): ahead of its dossier's later events.
  // Its position is at or below the cursor, which it does not hold back.
  void Redrive(uint64_t position, const std::string& dossier_id, int64_t committed_ms);

  // What to send now: the oldest first, at most `room`, each the next of its dossier and not
  // waiting for a retry later than `now`. They are in flight until their outcome is reported.
  std::vector<Attempt> Ready(int64_t now_ms, size_t room);
  void Delivered(uint64_t position);
  // A failed attempt: retried after BackoffMs, or dead-lettered when it was the last attempt the
  // policy allows or the event is older than its max age; a dead-lettered event is finished.
  Verdict Failed(uint64_t position, int64_t now_ms, const RetryPolicy& p, double jitter01,
                 std::optional<int64_t> retry_after_ms);

  // Every event at or below it is finished: where a restart resumes.
  uint64_t cursor() const { return cursor_; }
  // The last position offered.
  uint64_t read_upto() const { return read_upto_; }
  size_t pending() const { return pending_.size(); }
  // Whether the event is read and not finished (in flight, or waiting for a retry).
  bool IsPending(uint64_t position) const { return pending_.contains(position); }
  size_t in_flight() const { return in_flight_; }
  // The commit instant of the oldest event not yet finished (the subscription's lag).
  std::optional<int64_t> oldest_pending() const;
  // The earliest instant a waiting retry becomes ready.
  std::optional<int64_t> next_retry() const;

 private:
  struct Entry {
    std::string dossier_id;
    int64_t committed_ms = 0;  // the event's commit
    int failures = 0;
    int64_t not_before_ms = 0;
    bool in_flight = false;
    bool redrive = false;
  };
  void Finish(uint64_t position);
  void Advance();  // the cursor up to the first unfinished event read
  // A dossier's first pending event, unless in flight, joins ready_ (or waiting_ after a
  // failure); Unindex takes an event out of both.
  void IndexHead(const std::deque<uint64_t>& q);
  void Unindex(uint64_t position);

  uint64_t cursor_;
  uint64_t read_upto_;
  size_t in_flight_ = 0;
  std::map<uint64_t, Entry> pending_;
  std::unordered_map<std::string, std::deque<uint64_t>> by_dossier_;  // pending, in order
  // The indexes that keep Ready, next_retry and oldest_pending from walking every pending event
  // (10,000s under load): dossiers' first events that may go now, by position, and those
  // waiting for a retry, by the instant they may.
  std::set<uint64_t> ready_;
  std::set<std::pair<int64_t, uint64_t>> waiting_;
};

}  // namespace motcua
