// Files against dossiers (file_check.h).

#include "adapters/files/file_check.h"

#include <map>
#include <set>

namespace motcua {

Result<FileCheckReport> CheckFiles(Store& store, const FileStore& files, size_t max_problems) {
  FileCheckReport report;
  // sha256 → (size, the first dossier and document that refers to it), to hash each file once.
  struct Reference {
    int64_t size;
    std::string where;
  };
  std::map<std::string, Reference> referenced;
  std::string after;
  for (;;) {
    Result<std::vector<std::string>> ids = store.Ids(after, 1000);
    if (!ids.ok()) return ids.status();
    if (ids->empty()) break;
    for (const std::string& id : *ids) {
      Result<std::optional<Dossier>> d = store.Get(id);
      if (!d.ok()) return d.status();
      if (!*d) continue;
      for (const AttachedFile& f : (*d)->files) {
        ++report.references;
        const std::string where = "dossier " + id + " document " + f.document_id;
        auto [it, fresh] = referenced.emplace(f.sha256, Reference{f.size, where});
        if (!fresh && it->second.size != f.size && report.problems.size() < max_problems) {
          report.problems.push_back(where + " file " + f.sha256 + ": recorded with " +
                                    std::to_string(f.size) + " bytes, but " + it->second.where +
                                    " records " + std::to_string(it->second.size));
        }
      }
    }
    after = ids->back();
  }
  for (const auto& [sha256, ref] : referenced) {
    if (report.problems.size() >= max_problems) break;
    if (Status s = files.Check(sha256, ref.size); !s.ok()) {
      report.problems.push_back(ref.where + " file " + sha256 + ": " + s.message());
    }
  }
  Result<std::vector<FileStore::Entry>> stored = files.List();
  if (!stored.ok()) return stored.status();
  report.stored = stored->size();
  for (const FileStore::Entry& e : *stored) {
    if (!referenced.count(e.sha256)) report.unreferenced.push_back(e);
  }
  return report;
}

}  // namespace motcua
