#pragma once
// How the RocksDB store groups keys in its memtables (rocks_store.cc, docs/storage.md
// "Memtables"): hash buckets for the families read and written by key, insert hints for the
// families whose keys grow with time.

#include <rocksdb/slice_transform.h>

#include <cstring>
#include <optional>
#include <string_view>

#include "engine/store/indexes.h"

namespace motcua {

// The prefix of a key up to and including its first NUL byte, or the whole key: a dossier id in
// the dossiers column family, "<id>\0" in history, the whole key in idempotency. Keys with one
// prefix share a hash bucket of the memtable, so inserts and point reads there are O(1) instead
// of a search of one large skiplist: the writer's main cost.
class UpToNulTransform : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "motcua.UpToNul"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const void* nul = memchr(key.data(), '\0', key.size());
    if (nul == nullptr) return key;
    return rocksdb::Slice(key.data(), static_cast<const char*>(nul) - key.data() + 1);
  }
  bool InDomain(const rocksdb::Slice&) const override { return true; }
};

// The group of an index entry (engine/store/indexes.h): the fields before the ever-growing part
// (ids and instants grow with time). Inserts into one group mostly land right after the last
// insert of that group, so RocksDB's insert hint per group makes them cheap.
class IndexGroupTransform : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "motcua.IndexGroup"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const std::optional<IndexKind> kind = IndexKindOf(std::string_view(key.data(), key.size()));
    const int fields = kind ? IndexGroupFields(*kind) : 1;
    size_t at = 0;
    for (int f = 0; f < fields; ++f) {
      const void* sep = memchr(key.data() + at, kIndexSep, key.size() - at);
      if (sep == nullptr) return key;
      at = static_cast<const char*>(sep) - key.data() + 1;
    }
    return rocksdb::Slice(key.data(), at);
  }
  bool InDomain(const rocksdb::Slice&) const override { return true; }
};

// One group for a whole family of increasing keys (the outbox).
class SingleGroupTransform : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "motcua.SingleGroup"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), 0);
  }
  bool InDomain(const rocksdb::Slice&) const override { return true; }
};

}  // namespace motcua
