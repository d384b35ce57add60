// Lookups in a compiled procedure and diagnostics' text (procedure.h).

#include "engine/definition/procedure.h"

#include <algorithm>

namespace motcua {

std::string Diagnostic::ToString() const {
  std::string s = where.file;
  if (where.line > 0) s += ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
  s += ": ";
  if (!path.empty()) s += path + ": ";
  return s + message;
}

const Action* Step::FindAction(const std::string& action_id) const {
  for (const Action& a : actions) {
    if (a.id == action_id) return &a;
  }
  return nullptr;
}

std::vector<std::string> Step::ActionIds() const {
  std::vector<std::string> ids;
  for (const Action& a : actions) ids.push_back(a.id);
  return ids;
}

std::vector<std::string> Procedure::DocumentIds() const {
  std::vector<std::string> ids;
  for (const Document& d : documents) ids.push_back(d.id);
  return ids;
}

std::vector<std::string> Procedure::StepIds() const {
  std::vector<std::string> ids;
  for (const Step& s : steps) ids.push_back(s.id);
  return ids;
}

const Step* Procedure::FindStep(const std::string& step_id) const {
  int i = StepIndex(step_id);
  return i < 0 ? nullptr : &steps[i];
}

int Procedure::StepIndex(const std::string& step_id) const {
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].id == step_id) return static_cast<int>(i);
  }
  return -1;
}

const Document* Procedure::FindDocument(const std::string& doc_id) const {
  for (const Document& d : documents) {
    if (d.id == doc_id) return &d;
  }
  return nullptr;
}

const std::vector<FileType>& KnownFileTypes() {
  static const std::vector<FileType> kTypes = {
      {"pdf", "application/pdf", ".pdf"},
      {"jpg", "image/jpeg", ".jpg"},
      {"png", "image/png", ".png"},
      {"xml", "application/xml", ".xml"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"},
  };
  return kTypes;
}

const FileType* FindFileType(std::string_view name) {
  for (const FileType& t : KnownFileTypes()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const FileType* FileTypeOfMediaType(std::string_view media_type) {
  for (const FileType& t : KnownFileTypes()) {
    if (t.media_type == media_type) return &t;
  }
  return nullptr;
}

std::vector<std::string> AcceptedFileTypes(const Document* d) {
  if (d != nullptr && !d->file_types.empty()) return d->file_types;
  return {"pdf", "jpg", "png", "xml"};
}

bool Procedure::HasRole(const std::string& role_id) const {
  return std::any_of(roles.begin(), roles.end(), [&](const Role& r) { return r.id == role_id; });
}

bool Procedure::InForceOn(CivilDate d) const {
  return effective_from <= d && (!effective_until || d <= *effective_until);
}

int64_t Procedure::TimeLimitMilliHours() const {
  return time_limit.same_day ? 8000 : time_limit.duration.InMilliHours();
}

}  // namespace motcua
