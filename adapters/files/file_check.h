#pragma once
// The files of a store checked against its dossiers (motcua verify, motcua files prune): every
// file a dossier refers to exists and hashes to its name; files no dossier refers to are listed
// (an upload refused after it was written, or one whose dossier command failed).

#include <cstdint>
#include <string>
#include <vector>

#include "adapters/files/file_store.h"
#include "engine/common/mutex.h"
#include "engine/store/verify.h"

namespace motcua {

struct FileCheckReport {
  size_t references = 0;  // files dossiers refer to (a file on two dossiers counts twice)
  size_t stored = 0;      // files in the file store
  std::vector<std::string> problems;           // empty = every reference is sound
  std::vector<FileStore::Entry> unreferenced;  // stored, referred to by no dossier
};

// The references of dossiers shown one at a time (motcua verify shows each as it verifies it:
// one read of the store for both), kept in a scratch set, not in memory; then checked: each
// referenced file once (re-hashed), one size per file, and the stored files no dossier refers to.
class FileCheck {
 public:
  // `scratch` (empty, the caller's) holds the references; null: in memory.
  explicit FileCheck(ScratchSet* scratch = nullptr) : scratch_(scratch ? scratch : &in_memory_) {}
  // Safe to call from several threads at once (verify checks dossiers on every core).
  Status Add(const Dossier& d);
  // Stops collecting problems after `max_problems`.
  Result<FileCheckReport> Finish(const FileStore& files, size_t max_problems = 100);

 private:
  MemoryScratchSet in_memory_;
  Mutex mu_;
  ScratchSet* const scratch_ PT_GUARDED_BY(mu_);
  size_t references_ GUARDED_BY(mu_) = 0;
};

// Reads every dossier itself, then as FileCheck::Finish.
Result<FileCheckReport> CheckFiles(Store& store, const FileStore& files, size_t max_problems = 100);

}  // namespace motcua
