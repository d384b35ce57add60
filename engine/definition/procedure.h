#pragma once
// A compiled procedure definition (thủ tục hành chính): immutable once loaded.
//
// Definitions arrive from files (adapters/yaml) and are validated (validate.h) before the engine
// sees them; the engine holds them as std::shared_ptr<const Procedure>.
// Every element remembers where it was written (SourceRef) so that errors found after
// parsing still point at a file, line and column.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/calendar/work_duration.h"
#include "engine/common/enum_names.h"
#include "engine/common/time.h"

namespace motcua {

struct SourceRef {
  std::string file;
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
};

// One problem in a definition: "file:line:column: path: message".
struct Diagnostic {
  SourceRef where;
  std::string path;  // e.g. "steps[2].actions[0].to"
  std::string message;
  std::string ToString() const;
};

enum class Level { kProvince, kCommune, kMinistry, kCentral };
inline constexpr auto kLevelNames = MakeNames<Level>({
    {Level::kProvince, "province"},
    {Level::kCommune, "commune"},
    {Level::kMinistry, "ministry"},
    {Level::kCentral, "central"},
});
static_assert(kLevelNames.Complete());
constexpr const auto& NamesOf(Level) { return kLevelNames; }

enum class Channel { kCounter, kOnlineFull, kOnlinePartial, kPostal };
inline constexpr auto kChannelNames = MakeNames<Channel>({
    {Channel::kCounter, "counter"},
    {Channel::kOnlineFull, "online_full"},
    {Channel::kOnlinePartial, "online_partial"},
    {Channel::kPostal, "postal"},
});
static_assert(kChannelNames.Complete());
constexpr const auto& NamesOf(Channel) { return kChannelNames; }

enum class DocumentForm { kOriginal, kCopy, kCertifiedCopy };
inline constexpr auto kDocumentFormNames = MakeNames<DocumentForm>({
    {DocumentForm::kOriginal, "original"},
    {DocumentForm::kCopy, "copy"},
    {DocumentForm::kCertifiedCopy, "certified_copy"},
});
static_assert(kDocumentFormNames.Complete());
constexpr const auto& NamesOf(DocumentForm) { return kDocumentFormNames; }

enum class StepKind { kReceive, kAppraise, kVerify, kConsult, kSign, kIssue, kPayment, kReturn };
inline constexpr auto kStepKindNames = MakeNames<StepKind>({
    {StepKind::kReceive, "receive"},
    {StepKind::kAppraise, "appraise"},
    {StepKind::kVerify, "verify"},
    {StepKind::kConsult, "consult"},
    {StepKind::kSign, "sign"},
    {StepKind::kIssue, "issue"},
    {StepKind::kPayment, "payment"},
    {StepKind::kReturn, "return"},
});
static_assert(kStepKindNames.Complete());
constexpr const auto& NamesOf(StepKind) { return kStepKindNames; }

enum class ActionKind {
  kForward,            // to a later (or any) step: `to`
  kSendBack,           // return to an earlier step: `to`
  kRequestSupplement,  // T8; waits for the applicant
  kRequestPayment,     // T10; waits for payment
  kConsult,            // T7; waits for another agency's answer
  kExtend,             // T11; apology with a new appointment
  kDecide,             // T13; `outcome`, and `to` when the result goes on to steps after it
};
inline constexpr auto kActionKindNames = MakeNames<ActionKind>({
    {ActionKind::kForward, "forward"},
    {ActionKind::kSendBack, "send_back"},
    {ActionKind::kRequestSupplement, "request_supplement"},
    {ActionKind::kRequestPayment, "request_payment"},
    {ActionKind::kConsult, "consult"},
    {ActionKind::kExtend, "extend"},
    {ActionKind::kDecide, "decide"},
});
static_assert(kActionKindNames.Complete());
constexpr const auto& NamesOf(ActionKind) { return kActionKindNames; }

enum class Outcome { kNone, kApproved, kRefused };
inline constexpr auto kOutcomeNames = MakeNames<Outcome>({
    {Outcome::kNone, "none"},
    {Outcome::kApproved, "approved"},
    {Outcome::kRefused, "refused"},
});
static_assert(kOutcomeNames.Complete());
constexpr const auto& NamesOf(Outcome) { return kOutcomeNames; }

enum class SupplementClock { kPause, kRestart, kContinue };
inline constexpr auto kSupplementClockNames = MakeNames<SupplementClock>({
    {SupplementClock::kPause, "pause"},
    {SupplementClock::kRestart, "restart"},
    {SupplementClock::kContinue, "continue"},
});
static_assert(kSupplementClockNames.Complete());
constexpr const auto& NamesOf(SupplementClock) { return kSupplementClockNames; }

struct Role {
  std::string id;
  std::string name;
  SourceRef src;
};

struct Document {
  std::string id;
  std::string name;
  DocumentForm form = DocumentForm::kOriginal;
  int count = 1;
  bool required = true;
  std::string condition;                // when it is needed, for conditional documents
  std::vector<std::string> file_types;  // accepted e-file types, e.g. "pdf"
  std::string substitutes_for;          // id of the document this one may replace
  SourceRef src;
};

// The electronic file types a document may accept (`file_types` in a definition). Uploads are
// recognised by their content, never by their name (adapters/files/sniff.h).
struct FileType {
  std::string_view name;        // as definitions write it: "pdf"
  std::string_view media_type;  // "application/pdf"
  std::string_view extension;   // for a download's file name: ".pdf"
};
// pdf, jpg, png, xml, docx.
const std::vector<FileType>& KnownFileTypes();
const FileType* FindFileType(std::string_view name);
const FileType* FileTypeOfMediaType(std::string_view media_type);
// The document every dossier has besides its procedure's: the result (the decision, licence,
// certificate or refusal letter), attached at the decision. A definition may not use the id.
inline constexpr char kResultDocumentId[] = "result";
// The file types a document accepts: its `file_types`, else pdf, jpg, png and xml; nullptr
// stands for the result document (pdf, jpg, png, xml).
std::vector<std::string> AcceptedFileTypes(const Document* d);

struct Fee {
  int64_t amount_vnd = 0;
  std::optional<Channel> channel;  // empty = any channel
  std::string area;                // empty = everywhere
  std::string note;
};

struct Action {
  std::string id;
  std::string label;
  ActionKind kind = ActionKind::kForward;
  // Target step for kForward / kSendBack; for kDecide, the step after the decision that the
  // result goes to (empty: the decision's step holds the result until it is returned).
  std::string to;
  Outcome outcome = Outcome::kNone;           // for kDecide
  std::vector<std::string> roles;             // who may take it; defaults to the step's role
  bool pauses_clock = false;                  // for waiting actions: the clock stops while waiting
  std::optional<WorkDuration> answer_within;  // kConsult: the consulted agency's time
  SourceRef src;
  int target_index = -1;  // resolved index of `to` in Procedure::steps
};

struct Step {
  std::string id;
  std::string name;
  StepKind kind = StepKind::kAppraise;
  std::string unit;  // responsible unit
  std::string role;  // responsible role
  WorkDuration budget;
  bool clock_runs = true;  // false: time in this step is not counted (verification, payment)
  std::vector<Action> actions;
  // Reached only after a decision: the result on its way to the applicant (registered,
  // transferred, returned at the counter). Set by validation from the decide actions' `to`.
  bool after_decision = false;
  SourceRef src;

  const Action* FindAction(const std::string& action_id) const;
  std::vector<std::string> ActionIds() const;
};

struct SupplementPolicy {
  SupplementClock clock = SupplementClock::kPause;  // Default: pause
  bool once_only = false;                           // Default: repeated requests allowed
  std::optional<WorkDuration> max_wait;             // Default: no limit
};

struct ExtensionPolicy {
  bool allowed = false;  // Default: no extension
  std::optional<WorkDuration> max;
  WorkDuration min_notice = WorkDuration::Days(1);  // Default: 1 WD before the due date
};

struct Procedure {
  std::string code;  // national procedure code, e.g. "1.001193"
  std::string name;  // Vietnamese, kept exactly
  std::string field;
  Level level = Level::kCommune;
  std::string agency_kind;
  int version = 1;
  CivilDate effective_from;
  std::optional<CivilDate> effective_until;  // inclusive
  std::string decision;                      // publishing decision
  std::vector<Channel> channels;
  std::string calendar = "vn";
  TimeLimit time_limit;
  std::string time_limit_note;
  DueRule due_rule = DueRule::kSameClockTime;
  Cutoff cutoff;
  SupplementPolicy supplement;
  ExtensionPolicy extension;
  std::vector<Role> roles;
  std::vector<Document> documents;
  std::vector<Fee> fees;
  std::vector<Step> steps;  // steps[0] is the start step
  SourceRef src;
  SourceRef effective_src;  // where `effective` is written
  SourceRef calendar_src;   // where `calendar` is written (or the file start)

  const Step* FindStep(const std::string& step_id) const;
  int StepIndex(const std::string& step_id) const;
  const Document* FindDocument(const std::string& doc_id) const;
  std::vector<std::string> DocumentIds() const;
  std::vector<std::string> StepIds() const;
  bool HasRole(const std::string& role_id) const;
  // Whether the definition is in force on `d` (effective_from <= d <= effective_until).
  bool InForceOn(CivilDate d) const;
  // The statutory time in milli working hours (same day = 1 WD = 8 WH).
  int64_t TimeLimitMilliHours() const;
};

}  // namespace motcua
