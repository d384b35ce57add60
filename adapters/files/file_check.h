#pragma once
// The files of a store checked against its dossiers (motcua verify, motcua files prune): every
// file a dossier refers to exists and hashes to its name; files no dossier refers to are listed
// (an upload refused after it was written, or one whose dossier command failed).

#include <cstdint>
#include <string>
#include <vector>

#include "adapters/files/file_store.h"
#include "engine/store/store.h"

namespace motcua {

struct FileCheckReport {
  size_t references = 0;  // files dossiers refer to (a file on two dossiers counts twice)
  size_t stored = 0;      // files in the file store
  std::vector<std::string> problems;           // empty = every reference is sound
  std::vector<FileStore::Entry> unreferenced;  // stored, referred to by no dossier
};

// Reads every dossier; re-hashes each referenced file once. Stops collecting problems after
// `max_problems`.
Result<FileCheckReport> CheckFiles(Store& store, const FileStore& files, size_t max_problems = 100);

}  // namespace motcua
