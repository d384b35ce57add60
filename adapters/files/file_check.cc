// Files against dossiers (file_check.h).

#include "adapters/files/file_check.h"

#include <algorithm>
#include <cstdio>

namespace motcua {

namespace {

// A reference's scratch key: the hash, the size (20 digits, so that keys sort by it too), and
// where it is; fields apart by a byte no hash, number or id holds.
constexpr char kSep = '\x1f';

}  // namespace

Status FileCheck::Add(const Dossier& d) {
  if (d.files.empty()) return Status::Ok();
  MutexLock lock(&mu_);
  std::string key;
  for (const AttachedFile& f : d.files) {
    ++references_;
    char size[24];
    std::snprintf(size, sizeof size, "%020lld", static_cast<long long>(f.size));
    key.assign(f.sha256).append(1, kSep).append(size).append(1, kSep);
    key.append("dossier ").append(d.id).append(" document ").append(f.document_id);
    RETURN_IF_ERROR(scratch_->Add(key));
  }
  return Status::Ok();
}

Result<FileCheckReport> FileCheck::Finish(const FileStore& files, size_t max_problems) {
  MutexLock lock(&mu_);  // after the last Add
  FileCheckReport report;
  report.references = references_;
  auto problem = [&](std::string p) {
    if (report.problems.size() < max_problems) report.problems.push_back(std::move(p));
  };
  ASSIGN_OR_RETURN(std::vector<FileStore::Entry> stored, files.List());
  report.stored = stored.size();
  std::sort(stored.begin(), stored.end(), [](const FileStore::Entry& a, const FileStore::Entry& b) {
    return a.sha256 < b.sha256;
  });
  size_t next_stored = 0;
  // The references in hash order: the first of a hash is checked against the file; the others
  // must record the same size.
  std::string sha, where;
  int64_t size = 0;
  bool have_previous = false;
  RETURN_IF_ERROR(scratch_->Scan([&](std::string_view k) -> Status {
    const size_t a = k.find(kSep), b = k.find(kSep, a + 1);
    const std::string_view this_sha = k.substr(0, a);
    const int64_t this_size =
        std::strtoll(std::string(k.substr(a + 1, b - a - 1)).c_str(), nullptr, 10);
    const std::string_view this_where = k.substr(b + 1);
    if (have_previous && this_sha == sha) {
      if (this_size != size) {
        problem(std::string(this_where) + " file " + sha + ": recorded with " +
                std::to_string(this_size) + " bytes, but " + where + " records " +
                std::to_string(size));
      }
      return Status::Ok();
    }
    have_previous = true;
    sha.assign(this_sha);
    where.assign(this_where);
    size = this_size;
    while (next_stored < stored.size() && stored[next_stored].sha256 < sha) {
      report.unreferenced.push_back(stored[next_stored++]);
    }
    if (next_stored < stored.size() && stored[next_stored].sha256 == sha) ++next_stored;
    if (report.problems.size() < max_problems) {
      if (Status s = files.Check(sha, size); !s.ok()) {
        problem(where + " file " + sha + ": " + s.message());
      }
    }
    return Status::Ok();
  }));
  while (next_stored < stored.size()) report.unreferenced.push_back(stored[next_stored++]);
  return report;
}

Result<FileCheckReport> CheckFiles(Store& store, const FileStore& files, size_t max_problems) {
  FileCheck check;
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<std::string> ids, store.Ids(after, 1000));
    if (ids.empty()) break;
    for (const std::string& id : ids) {
      ASSIGN_OR_RETURN(std::optional<Dossier> d, store.Get(id));
      if (d) RETURN_IF_ERROR(check.Add(*d));
    }
    after = ids.back();
  }
  return check.Finish(files, max_problems);
}

}  // namespace motcua
