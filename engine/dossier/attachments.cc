// Files attached to a dossier's documents and to its result (docs/files.md). The bytes are stored
// and synced before the command is made (adapters/files/file_store.h); the event records which
// file, for which document, by whom. An attachment changes no state: it is a mark, so commands
// prepared before it are not made stale by it.

#include <algorithm>

#include "engine/common/strings.h"
#include "engine/dossier/processor_internal.h"

namespace motcua::processor_internal {

namespace {

// At most this many files on one dossier (each document's pages, scans and versions together).
constexpr size_t kMaxFilesPerDossier = 200;

}  // namespace

Decision Processor::AttachFile() {
  if (auto r = LoadRules()) return *r;
  if (!c_.file) return Reject(RejectionCode::kInvalid, "attach_file needs a file");
  const AttachedFile& f = *c_.file;
  if (std::string why = CheckSha256(f.sha256); !why.empty()) {
    return RejectField({"file.sha256", why});
  }
  if (f.size <= 0) return RejectField({"file.size", "a file has at least one byte"});
  const bool result = f.document_id == kResultDocumentId;
  const Document* doc = result ? nullptr : rules_.procedure->FindDocument(f.document_id);
  if (!result && doc == nullptr) {
    std::vector<std::string> ids = rules_.procedure->DocumentIds();
    ids.push_back(kResultDocumentId);
    return RejectField({"document_id", "procedure " + rules_.procedure->code +
                                           " has no document '" + f.document_id +
                                           "'; expected one of " + Join(ids)});
  }
  const FileType* type = FileTypeOfMediaType(f.media_type);
  const std::vector<std::string> accepted = AcceptedFileTypes(doc);
  if (type == nullptr ||
      std::find(accepted.begin(), accepted.end(), std::string(type->name)) == accepted.end()) {
    return RejectField({"file.media_type", "document '" + f.document_id + "' accepts " +
                                               Join(accepted) + ", not " + f.media_type});
  }
  const Step* step = rules_.procedure->FindStep(d_->current_step);
  if (result) {
    // The result is attached at the decision, by the step that decides or holds the result (or
    // the counter that returns it), until it is returned.
    if (!d_->AtWork() && d_->status != DossierStatus::kDecided) {
      return Reject(RejectionCode::kRule, "Expected to attach the result of dossier '" + d_->id +
                                              "' while it is worked on or decided, but it is " +
                                              NameOf(d_->status));
    }
    std::vector<std::string> roles = {rules_.counter_role()};
    if (step != nullptr && step->role != rules_.counter_role()) roles.push_back(step->role);
    if (auto r = RequireAnyRole(roles, "attach the result of")) return *r;
  } else {
    // The application's documents: from the submission until the decision, by the counter, the
    // step working on it, or the applicant's side of an online dossier.
    if (!IsOpen(d_->status) && d_->status != DossierStatus::kSubmitted &&
        d_->status != DossierStatus::kNotReceived) {
      return Reject(RejectionCode::kRule,
                    "Expected to attach a file of document '" + f.document_id + "' to dossier '" +
                        d_->id + "' before its decision, but it is " + NameOf(d_->status));
    }
    std::vector<std::string> roles = {rules_.counter_role()};
    if (step != nullptr && step->role != rules_.counter_role()) roles.push_back(step->role);
    if (auto r = RequireRoleOrApplicantSide(roles, "attach a file to")) return *r;
  }
  for (const AttachedFile& have : d_->files) {
    if (have.document_id == f.document_id && have.sha256 == f.sha256) {
      return Reject(RejectionCode::kRule,
                    "Expected a new file for document '" + f.document_id + "' of dossier '" +
                        d_->id + "', but this one is attached already (sha256 " + f.sha256 + ")");
    }
  }
  if (d_->files.size() >= kMaxFilesPerDossier) {
    return Reject(RejectionCode::kRule, "Expected at most " + std::to_string(kMaxFilesPerDossier) +
                                            " files on dossier '" + d_->id +
                                            "', and it has that many");
  }
  Event e = Make(EventType::kFileAttached);
  e.file = f;
  e.file->at = ctx_.now;
  e.file->actor = c_.actor.id;
  return Finish(std::move(e));
}

}  // namespace motcua::processor_internal
