#pragma once
// Command processing: check a command against a dossier's current state and either reject it
// with a reason or emit the events that carry it out. Pure: time, ids, numbers and definitions
// come in through the arguments; nothing here reads a clock or touches storage.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/calendar/calendar.h"
#include "engine/definition/catalog.h"
#include "engine/dossier/dossier.h"
#include "engine/dossier/migration.h"

namespace motcua {

enum class CommandType {
  kSubmit = 0,          // T1: online submission
  kReceive,             // T2 or T3: completeness check at the counter
  kRefuseAtCounter,     // T4
  kAssign,              // take up / assign the dossier at its current step
  kAct,                 // a step action the definition declares (T5–T8, T10, T11, T13)
  kSupplySupplement,    // T9
  kConfirmPayment,      // end of T10
  kAnswerConsultation,  // end of T7
  kWithdraw,            // T12
  kReturnResult,        // T14
  kFireTimer,           // a due-instant timer has come due
  kRecomputeDue,        // due instants recomputed on the calendar data now loaded (admin)
  kRateSatisfaction,    // the applicant's satisfaction, once, after the return
  kAttachFile,          // a file of a document or of the result, stored already
  kMigrate,             // moved to another version of its procedure (admin; migration.h)
};
inline constexpr auto kCommandTypeNames = MakeNames<CommandType>({
    {CommandType::kSubmit, "submit"},
    {CommandType::kReceive, "receive"},
    {CommandType::kRefuseAtCounter, "refuse_at_counter"},
    {CommandType::kAssign, "assign"},
    {CommandType::kAct, "act"},
    {CommandType::kSupplySupplement, "supply_supplement"},
    {CommandType::kConfirmPayment, "confirm_payment"},
    {CommandType::kAnswerConsultation, "answer_consultation"},
    {CommandType::kWithdraw, "withdraw"},
    {CommandType::kReturnResult, "return_result"},
    {CommandType::kFireTimer, "fire_timer"},
    {CommandType::kRecomputeDue, "recompute_due"},
    {CommandType::kRateSatisfaction, "rate_satisfaction"},
    {CommandType::kAttachFile, "attach_file"},
    {CommandType::kMigrate, "migrate"},
});
static_assert(kCommandTypeNames.Complete());
constexpr const auto& NamesOf(CommandType) { return kCommandTypeNames; }

struct Actor {
  std::string id;
  std::vector<std::string> roles;  // role ids as definitions name them ("counter", "leader")
  bool Has(const std::string& role) const;
};

struct Command {
  CommandType type = CommandType::kSubmit;
  std::string dossier_id;                   // empty: a new dossier (submit, counter reception)
  std::optional<int64_t> expected_version;  // optimistic concurrency; stale = rejected
  Actor actor;
  std::string comment;
  // kSubmit / kReceive / kRefuseAtCounter of a new dossier:
  std::string procedure_code;
  std::string receiving_agency;
  std::string competent_agency;
  Applicant applicant;
  Channel channel = Channel::kCounter;
  // kSubmit: the portal's code of the dossier; a second submission with it returns the first
  // dossier (a business idempotency key; engine/batch/command_batch.h).
  std::string portal_code;
  std::vector<SubmittedDocument> documents;  // also kReceive (as checked) and kSupplySupplement
  std::string action_id;                     // kAct
  std::optional<WorkDuration> extend_by;     // kAct on an extend action; default: the maximum
  std::vector<std::string> missing;          // kAct request_supplement: documents asked for
  std::string assignee;                      // kAssign
  std::string reason;                        // refusal, withdrawal
  std::optional<Timer> timer;                // kFireTimer
  std::optional<ReturnVia> returned_via;     // kReturnResult; default: at the counter
  std::string returned_to;                   // kReturnResult: who received the result
  bool receipt_signed = false;               // kReturnResult: signed in the M07 register
  Satisfaction satisfaction = Satisfaction::kNone;  // kRateSatisfaction
  // kAttachFile: document_id, sha256, size, media_type and name (the file is durable already;
  // `at` and `actor` come from the command).
  std::optional<AttachedFile> file;
  // kMigrate: the versions, the step map and the provision (checked with CheckMigration).
  std::shared_ptr<const Migration> migration;
};

enum class RejectionCode {
  kNotFound,     // no such dossier
  kStale,        // expected_version differs from the dossier's version
  kForbidden,    // the actor lacks the role the definition requires
  kInvalid,      // the command is malformed for this dossier (unknown action, document...)
  kRule,         // the lifecycle rules do not allow it now
  kUnavailable,  // data the rules need is missing (e.g. no calendar for the due year)
};
inline constexpr auto kRejectionCodeNames = MakeNames<RejectionCode>({
    {RejectionCode::kNotFound, "not_found"},
    {RejectionCode::kStale, "stale"},
    {RejectionCode::kForbidden, "forbidden"},
    {RejectionCode::kInvalid, "invalid"},
    {RejectionCode::kRule, "rule"},
    {RejectionCode::kUnavailable, "unavailable"},
});
static_assert(kRejectionCodeNames.Complete());
constexpr const auto& NamesOf(RejectionCode) { return kRejectionCodeNames; }

struct Rejection {
  RejectionCode code = RejectionCode::kRule;
  std::string message;     // "Expected to <do X> dossier '<id>', but it is <state>"
  std::string field = {};  // kInvalid: the command's field at fault, when one is ("applicant.name")
};

struct Decision {
  std::vector<Event> events;
  std::optional<Rejection> rejection;
  bool accepted() const { return !rejection.has_value(); }
};

struct EngineSettings {
  // "Nearly due" warnings fire this much working time before the due instant.
  WorkDuration nearly_due = WorkDuration::Days(1);  // Default: 1 WD
  int utc_offset_seconds = 7 * 3600;                // Default: +07:00, for reception dates
};

struct ProcessContext {
  const ProcedureCatalog* catalog = nullptr;
  EngineSettings settings;
  Instant now;
  // The next dossier-number sequence for (agency, local reception day). Called only when the
  // command is accepted and needs a number, at most once per command.
  std::function<int64_t(const std::string& agency, CivilDate day)> next_sequence;
  // A dossier's committed history, for the commands that need it (kRecomputeDue, kMigrate). An
  // error when it cannot be read now (the dossier is being changed: its history is not yet
  // durable).
  std::function<Result<std::vector<Event>>(const std::string& dossier_id)> history;
};

// `current` is nullptr when the command names no dossier (or names one that does not exist).
// The events of a new dossier carry no dossier_id: the caller names an accepted one.
Decision Process(const Command& c, const Dossier* current, const ProcessContext& ctx);

}  // namespace motcua
