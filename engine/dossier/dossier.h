#pragma once
// The dossier (hồ sơ): its state, the events that change it, and the commands that ask for
// change (DOMAIN.md §3, T1–T14).
//
// Processors (processor.h) check a command against the current state and either reject it
// with a reason or emit events; the appliers (appliers.h) are the only code that changes a
// Dossier.
// Replaying a dossier's events through Apply reproduces its stored record exactly; events
// therefore carry every computed value (due dates, numbers, timeliness), never a rule to
// recompute.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/calendar/work_duration.h"
#include "engine/common/field_problem.h"
#include "engine/common/time.h"
#include "engine/definition/procedure.h"

namespace motcua {

enum class DossierStatus {
  kSubmitted = 0,        // T1: online, not yet received
  kNotReceived,          // T3: completion needed (M02); no number, no clock
  kRefusedAtCounter,     // T4: refused at the counter (M03); terminal
  kReceived,             // T2: received, at the reception step
  kInProcessing,         // T5/T6: at a department step
  kConsulting,           // T7: waiting for another agency's opinion
  kSupplementRequested,  // T8: waiting for the applicant
  kPaymentRequested,     // T10: waiting for payment of financial obligations
  kStopped,              // T12: withdrawn; terminal
  kDecided,              // T13: result ready (approved or refused on the merits)
  kReturned,             // T14: result returned; terminal
};
// Persisted: in records, in index keys and in counter names (docs/storage.md).
inline constexpr auto kDossierStatusNames = MakeNames<DossierStatus>({
    {DossierStatus::kSubmitted, "submitted"},
    {DossierStatus::kNotReceived, "not_received"},
    {DossierStatus::kRefusedAtCounter, "refused_at_counter"},
    {DossierStatus::kReceived, "received"},
    {DossierStatus::kInProcessing, "in_processing"},
    {DossierStatus::kConsulting, "consulting"},
    {DossierStatus::kSupplementRequested, "supplement_requested"},
    {DossierStatus::kPaymentRequested, "payment_requested"},
    {DossierStatus::kStopped, "stopped"},
    {DossierStatus::kDecided, "decided"},
    {DossierStatus::kReturned, "returned"},
});
static_assert(kDossierStatusNames.Complete());
constexpr const auto& NamesOf(DossierStatus) { return kDossierStatusNames; }
// DVCQG TrangThaiHoSo (DOMAIN.md §3).
int PortalStatusCode(DossierStatus s);
// Open = the agency still owes the applicant something (counts as "in progress").
bool IsOpen(DossierStatus s);

enum class TimerKind {
  kDossierDue = 0,   // the dossier's due instant
  kNearlyDue,        // a warning threshold before the due instant
  kStepDue,          // the current step's budget is used up
  kSupplementWait,   // the applicant's time to supply documents is over
  kConsultationDue,  // the consulted agency's time is over (silence = consent in some laws)
};
// Persisted: in records, events and the timer index's keys (docs/storage.md).
inline constexpr auto kTimerKindNames = MakeNames<TimerKind>({
    {TimerKind::kDossierDue, "dossier_due"},
    {TimerKind::kNearlyDue, "nearly_due"},
    {TimerKind::kStepDue, "step_due"},
    {TimerKind::kSupplementWait, "supplement_wait"},
    {TimerKind::kConsultationDue, "consultation_due"},
});
static_assert(kTimerKindNames.Complete());
constexpr const auto& NamesOf(TimerKind) { return kTimerKindNames; }

struct Timer {
  TimerKind kind = TimerKind::kDossierDue;
  Instant at;
  bool operator==(const Timer&) const = default;
};

// What an applicant's identity number is (DOMAIN.md §3: M01 carries it).
enum class IdKind {
  kCitizenId = 0,  // số định danh cá nhân / căn cước: 12 digits (9-digit CMND ended 2024-12-31)
  kPassport,  // a passport number: 6–9 capital letters and digits (ICAO 9303)
  kTaxCode,   // an organisation's tax (enterprise) code: 10 digits, or 10-3 for a branch
};
// Persisted in records and events; the API's `applicant.id_kind`.
inline constexpr auto kIdKindNames = MakeNames<IdKind>({
    {IdKind::kCitizenId, "citizen_id"},
    {IdKind::kPassport, "passport"},
    {IdKind::kTaxCode, "tax_code"},
});
static_assert(kIdKindNames.Complete());
constexpr const auto& NamesOf(IdKind) { return kIdKindNames; }

// How a result was returned (T14; the M07 register's "how returned").
enum class ReturnVia { kCounter = 0, kPost, kElectronic };
// Persisted in records and events; the API's `returned_via`.
inline constexpr auto kReturnViaNames = MakeNames<ReturnVia>({
    {ReturnVia::kCounter, "counter"},
    {ReturnVia::kPost, "post"},
    {ReturnVia::kElectronic, "electronic"},
});
static_assert(kReturnViaNames.Complete());
constexpr const auto& NamesOf(ReturnVia) { return kReturnViaNames; }

// The applicant's satisfaction, recorded once at or after the return (DOMAIN.md §3, T14).
enum class Satisfaction { kNone = 0, kNotSatisfied, kSatisfied, kVerySatisfied };
// Persisted in records and events; the API's `satisfaction`.
inline constexpr auto kSatisfactionNames = MakeNames<Satisfaction>({
    {Satisfaction::kNone, "none"},
    {Satisfaction::kNotSatisfied, "not_satisfied"},
    {Satisfaction::kSatisfied, "satisfied"},
    {Satisfaction::kVerySatisfied, "very_satisfied"},
});
static_assert(kSatisfactionNames.Complete());
constexpr const auto& NamesOf(Satisfaction) { return kSatisfactionNames; }

struct Applicant {
  std::string name;
  std::string id_number;  // of kind id_kind
  IdKind id_kind = IdKind::kCitizenId;
  std::string address;
  std::string phone;
  std::string email;
  std::string representative;
  bool operator==(const Applicant&) const = default;
};

// Why `a` cannot be the applicant of a new dossier: a name and an identity number whose shape
// fits its kind are required. Nothing for a good applicant.
std::optional<FieldProblem> CheckApplicant(const Applicant& a);

struct SubmittedDocument {
  std::string document_id;
  int count = 1;
  bool operator==(const SubmittedDocument&) const = default;
};

// An electronic file of one of the dossier's documents, or of its result (kResultDocumentId).
// The bytes are stored content-addressed outside the dossier (adapters/files/file_store.h); the
// dossier holds their hash and what they are.
struct AttachedFile {
  std::string document_id;
  std::string sha256;      // 64 lower-case hex digits
  int64_t size = 0;        // bytes
  std::string media_type;  // as recognised from the content, e.g. "application/pdf"
  std::string name;        // the uploader's file name, for downloads
  Instant at;              // when it was attached
  std::string actor;       // who attached it
  bool operator==(const AttachedFile&) const = default;
};
// Why `sha256` is not a SHA-256 as the dossier stores it (64 lower-case hex digits); empty: it is.
std::string CheckSha256(std::string_view sha256);

struct PausedInterval {
  Instant from;
  std::optional<Instant> to;  // open while paused
  std::string reason;         // supplement | payment | consult | step
  bool operator==(const PausedInterval&) const = default;
};

// One M06 row: a hand-over between steps.
struct HandOver {
  std::string step_id;   // the step handed over from
  std::string giver;     // actor id
  std::string receiver;  // role (or assignee) that takes it next
  Timeliness timeliness = Timeliness::kOnTime;
  std::string note;
  // Working time the step took, its pauses left out; none in events written before it was kept
  // (they count in the per-step report's timeliness, not in its working times).
  std::optional<int64_t> working_seconds;
  bool operator==(const HandOver&) const = default;
};

enum class EventType {
  kSubmitted = 0,
  kReceived,
  kCompletionRequested,
  kRefusedAtCounter,
  kAssigned,
  kForwarded,  // to another step (forward or send_back), with an M06 row
  kSupplementRequested,
  kSupplementReceived,
  kPaymentRequested,
  kPaymentConfirmed,
  kConsultationRequested,
  kConsultationAnswered,
  kExtended,
  kDecided,
  kResultReturned,
  kWithdrawn,
  kTimerFired,
  kDueRecomputed,      // due instants recomputed on the calendar data now loaded (an official year)
  kSatisfactionRated,  // the applicant's satisfaction, once the result is returned
  kFileAttached,       // a file of a document or of the result (a mark: changes no state)
  kMigrated,  // moved in flight to another version of its procedure (a transitional provision)
};
// Persisted: in every stored event (docs/storage.md).
inline constexpr auto kEventTypeNames = MakeNames<EventType>({
    {EventType::kSubmitted, "submitted"},
    {EventType::kReceived, "received"},
    {EventType::kCompletionRequested, "completion_requested"},
    {EventType::kRefusedAtCounter, "refused_at_counter"},
    {EventType::kAssigned, "assigned"},
    {EventType::kForwarded, "forwarded"},
    {EventType::kSupplementRequested, "supplement_requested"},
    {EventType::kSupplementReceived, "supplement_received"},
    {EventType::kPaymentRequested, "payment_requested"},
    {EventType::kPaymentConfirmed, "payment_confirmed"},
    {EventType::kConsultationRequested, "consultation_requested"},
    {EventType::kConsultationAnswered, "consultation_answered"},
    {EventType::kExtended, "extended"},
    {EventType::kDecided, "decided"},
    {EventType::kResultReturned, "result_returned"},
    {EventType::kWithdrawn, "withdrawn"},
    {EventType::kTimerFired, "timer_fired"},
    {EventType::kDueRecomputed, "due_recomputed"},
    {EventType::kSatisfactionRated, "satisfaction_rated"},
    {EventType::kFileAttached, "file_attached"},
    {EventType::kMigrated, "migrated"},
});
static_assert(kEventTypeNames.Complete());
constexpr const auto& NamesOf(EventType) { return kEventTypeNames; }

// What a dossier is and whose: recorded by its first event (submitted, received, completion
// requested, refused at the counter) and kept by the dossier. A dossier keeps the procedure
// version it was received under and its receiving agency forever (DOMAIN.md §1, §4), unless a
// transitional provision moves it to a new version (kMigrated, engine/dossier/migration.h).
struct DossierIdentity {
  std::string procedure_code;
  int procedure_version = 0;
  std::string receiving_agency;
  std::string competent_agency;
  Applicant applicant;
  Channel channel = Channel::kCounter;
  std::string portal_code;  // the portal's code of an online submission, if it gave one
  // As submitted or checked at the counter; supplements append to the dossier's list.
  std::vector<SubmittedDocument> documents;

  DossierIdentity& identity() { return *this; }
  const DossierIdentity& identity() const { return *this; }
  bool operator==(const DossierIdentity&) const = default;
};

// One change to one dossier. Fields not used by a type stay empty; the identity is set by a
// dossier's first event (and `documents` also by kSupplementReceived: the documents supplied).
struct Event : DossierIdentity {
  EventType type = EventType::kSubmitted;
  // Which applier replays it (appliers.h): the version of the rules that wrote it.
  int event_version = 1;
  std::string dossier_id;
  int64_t version = 0;                               // the dossier's version after this event
  DossierStatus status = DossierStatus::kSubmitted;  // the dossier's status after this event
  Instant at;
  std::string actor;
  std::string role;
  std::string comment;
  std::string action_id;

  std::string number;                      // kReceived
  std::optional<Instant> counting_start;   // kReceived, restart after supplement
  std::optional<Instant> due_at;           // new statutory due instant
  std::optional<Instant> waiting_until;    // supplement / consultation waiting limit
  std::optional<Instant> extended_due_at;  // kExtended
  std::string to_step;                     // the step the dossier is now at
  std::optional<Instant> step_due_at;      // the new step's due instant (empty: clock stopped)
  std::optional<HandOver> hand_over;       // kForwarded, kDecided, kResultReturned
  std::string assignee;                    // kAssigned
  std::vector<std::string> missing;        // kCompletionRequested, kSupplementRequested
  std::string reason;                      // refusals, withdrawal, pause reason
  Outcome outcome = Outcome::kNone;        // kDecided
  std::optional<Timeliness> timeliness;    // kDecided: against the original due instant
  bool pause_starts = false;               // a pause opens at `at` with `reason`
  bool pause_ends = false;                 // the open pause closes at `at`
  std::vector<Timer> timers;               // the complete set of pending timers after the event
  bool timers_set = false;                 // whether `timers` replaces the dossier's timers
  std::optional<Timer> fired;              // kTimerFired: the timer that fired
  // The due instant before this event moved it (a pause closed, counting restarted).
  std::optional<Instant> previous_due_at;
  std::optional<WorkDuration> extend_by;            // kExtended: the length granted
  std::optional<Instant> previous_extended_due_at;  // kDueRecomputed: the extended due before
  std::optional<ReturnVia> returned_via;            // kResultReturned (version 2 on)
  std::string returned_to;                          // kResultReturned: who received the result
  bool receipt_signed = false;                      // kResultReturned: signed in the M07 register
  Satisfaction satisfaction = Satisfaction::kNone;  // kSatisfactionRated
  std::optional<AttachedFile> file;                 // kFileAttached
  // The due instants this event sets were computed on a calendar year not yet announced.
  bool due_provisional = false;
  // kMigrated: the procedure version and step the dossier left (the new ones are
  // procedure_version and to_step), and the step's due instant before.
  int previous_procedure_version = 0;
  std::string from_step;
  std::optional<Instant> previous_step_due_at;

  bool operator==(const Event&) const = default;
};

struct Dossier : DossierIdentity {
  std::string id;
  int64_t version = 0;  // 0 = does not exist yet; each event adds one
  std::string number;   // empty until received
  DossierStatus status = DossierStatus::kSubmitted;
  std::string current_step;
  std::string assignee;
  std::optional<Instant> submitted_at;
  std::optional<Instant> received_at;
  std::optional<Instant> counting_start;
  std::optional<Instant> due_at;  // current due instant (moves with pauses)
  // The statutory due instant, moved by pauses; timeliness is judged against it.
  std::optional<Instant> extended_due_at;  // set once by an extension (M04), moved by pauses
  std::optional<Instant> waiting_until;    // supplement / consultation waiting limit
  std::vector<PausedInterval> pauses;
  std::optional<Instant> step_entered_at;
  std::optional<Instant> step_due_at;
  int supplement_requests = 0;
  std::string supplement_requested_by;  // role of whoever asked last
  std::vector<std::string> missing;     // documents asked for (M02)
  Outcome outcome = Outcome::kNone;
  std::optional<Instant> decided_at;
  std::optional<Instant> returned_at;
  std::optional<Timeliness> timeliness;
  std::string stop_reason;
  std::vector<Timer> timers;  // pending; the due-instant index is derived from these
  std::vector<Timer> fired;   // timers that have fired, in order (each fires once)
  // Versions of the events that only marked the dossier (timers fired, event version 2 on):
  // an expected version stale only by these still names the state a command was meant for.
  std::vector<int64_t> mark_versions;
  // The due instant was computed on calendar data not yet announced (a provisional year).
  bool due_provisional = false;
  // Decided, and at a step after the decision: the result on its way to the applicant.
  bool after_decision = false;
  // The return (M07): how, to whom, whether the recipient signed the register; none before the
  // return, or when it was recorded before these were.
  std::optional<ReturnVia> returned_via;
  std::string returned_to;
  bool receipt_signed = false;
  Satisfaction satisfaction = Satisfaction::kNone;
  std::string satisfaction_comment;
  std::vector<AttachedFile> files;  // in the order attached
  // The chain hash of the last event of its history (32 bytes; empty in stores without hash
  // chains): kept by the store (docs/storage.md, "Hash chains"); the engine carries it and never
  // reads it. Bookkeeping, not state: it takes no part in a dossier's equality (a replay of the
  // history equals the stored record).
  struct ChainHead {
    std::string bytes;
    bool operator==(const ChainHead&) const { return true; }
  };
  ChainHead history_hash;
  // Whether every version after `expected` up to the current one is a mark.
  bool OnlyMarkedSince(int64_t expected) const;

  bool paused() const { return !pauses.empty() && !pauses.back().to.has_value(); }
  // Someone works on it at its current step: open, or carrying its result after the decision.
  bool AtWork() const {
    return IsOpen(status) || (status == DossierStatus::kDecided && after_decision);
  }
  // The instant the dossier is due now: the extended one after an extension.
  std::optional<Instant> effective_due() const {
    return extended_due_at ? extended_due_at : due_at;
  }
  // The instant from which the dossier is overdue if nothing happens to it (docs/reports.md):
  // its effective due instant while it is open, unless it is in a pause begun before that
  // instant. A pause does not cure lateness: one begun at or after the due instant leaves the
  // dossier overdue while it lasts. None: as it stands it does not become overdue.
  std::optional<Instant> OverdueFrom() const;
  bool OverdueAt(Instant t) const {
    const std::optional<Instant> from = OverdueFrom();
    return from && *from <= t;
  }
  bool operator==(const Dossier&) const = default;
};

// "<agency>-<YYMMDD>-<sequence>": at least four digits, more when needed (DOMAIN.md §4).
std::string FormatDossierNumber(const std::string& agency, CivilDate day, int64_t sequence);

}  // namespace motcua
