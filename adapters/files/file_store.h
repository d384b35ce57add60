#pragma once
// The files of dossiers (e-dossier components and results), stored content-addressed by SHA-256
// in one directory beside the store (docs/files.md):
//
//   <dir>/sha256/<first two hex digits>/<64 hex digits>   a file, its name its hash
//   <dir>/tmp/<random>.part                                 an upload being written
//
// Put writes a file to tmp, fsyncs it, renames it into place and fsyncs the directory before it
// returns: only then may a dossier refer to it, so a file acknowledged survives a crash or a power
// cut, and a crash mid-upload leaves nothing referenced (its tmp file is removed at the next
// Open). Identical content is stored once. Thread-safe: every call stands alone.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/status.h"

namespace motcua {

// The SHA-256 of `bytes`, 64 lower-case hex digits (OpenSSL's libcrypto).
std::string Sha256Hex(std::string_view bytes);

class FileStore {
 public:
  // Creates the directories when missing (unless `read_only`), and removes the tmp files of
  // uploads a crash interrupted (`removed_partial` says how many).
  static Result<std::unique_ptr<FileStore>> Open(const std::string& dir, bool read_only = false,
                                                 size_t* removed_partial = nullptr);

  struct Stored {
    std::string sha256;
    int64_t size = 0;
    bool existed = false;  // the same content was stored already
  };
  // Stores `bytes` durably (see above). A file stored already is kept, and its time touched so
  // that a prune of unreferenced files leaves it alone while a dossier comes to refer to it.
  Result<Stored> Put(std::string_view bytes) const;
  // The size of a stored file; kNotFound when there is none.
  Result<int64_t> Size(const std::string& sha256) const;
  // `length` bytes from `offset` (fewer at the end of the file).
  Result<std::string> Read(const std::string& sha256, int64_t offset, int64_t length) const;
  // Re-reads a file and hashes it: OK, or kNotFound / kInternal saying what is wrong (missing,
  // another size, another hash).
  Status Check(const std::string& sha256, int64_t size) const;

  struct Entry {
    std::string sha256;
    int64_t size = 0;
    int64_t modified = 0;  // Unix seconds
  };
  // Every stored file, in hash order.
  Result<std::vector<Entry>> List() const;
  // Removes a stored file (its directory entry synced).
  Status Remove(const std::string& sha256) const;
  // Every stored file hard-linked into the file store layout under `dir` (created; on the same
  // file system: a checkpoint of the data directory). Files are never changed once stored, so a
  // link is a copy. Returns how many.
  Result<size_t> LinkInto(const std::string& dir) const;

  const std::string& dir() const { return dir_; }
  std::string PathOf(const std::string& sha256) const;

 private:
  explicit FileStore(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace motcua
