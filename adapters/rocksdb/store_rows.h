#pragma once
// Every row of a store in one form both stores read and write: what `motcua copy` moves from
// one store to the other (RocksDB ⇄ PostgreSQL). The bytes are the stores' own (records, events
// with their chain hashes, the outbox's hashes), so a copy's hash chains are the original's.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/status.h"

namespace motcua {

enum class RowTable {
  kSetting,        // key: "mode" / "clock"; value
  kDossier,        // key: id; value: the record
  kHistory,        // key: dossier id; version; value: the stored event (chain hash last)
  kOutbox,         // position; key: dossier id; version; event_hash; global_hash
  kIndex,          // key: the entry
  kIdempotency,    // key; value: the record
  kCounter,        // key: name; number
  kReportCounter,  // key: name; number (the sum)
  kState,          // key; value
};

struct StoreRow {
  RowTable table = RowTable::kSetting;
  std::string key;
  std::string value;
  int64_t number = 0;                   // history, outbox: the event's version; counters: the value
  uint64_t position = 0;                // outbox
  std::string event_hash, global_hash;  // outbox
};

// A store that can be copied whole.
class RowStore {
 public:
  virtual ~RowStore() = default;
  // Every row, table by table in the order of RowTable, each table in key order, as of one
  // moment (a snapshot); stops at the first error `fn` returns.
  virtual Status ScanRows(const std::function<Status(const StoreRow&)>& fn) = 0;
  // Writes rows durably (synced) into a store being filled by a copy: no caches, no chains
  // computed, nothing checked but the tables' keys.
  virtual Status WriteRows(const std::vector<StoreRow>& rows) = 0;

  // What the hash chains' check reads (chain_check.h), the stored bytes as they are. A history
  // key is the RocksDB one on both stores (HistoryKey: id, \0, version big-endian).
  class HistoryReader {
   public:
    virtual ~HistoryReader() = default;
    // The dossier's stored events in version order, each with its history key.
    virtual Status Read(
        const std::string& id,
        const std::function<Status(std::string_view key, std::string_view stored)>& fn) = 0;
  };
  // A reader for one thread at a time (it may keep an iterator or a connection).
  virtual std::unique_ptr<HistoryReader> NewHistoryReader() = 0;
  // The outbox in position order: each entry's history key and hashes (empty in an entry that
  // holds none); an entry that cannot be read as one goes to `problem`.
  virtual Status ScanOutbox(
      const std::function<Status(uint64_t position, std::string_view key,
                                 std::string_view event_hash, std::string_view global_hash)>& fn,
      const std::function<void(std::string)>& problem) = 0;
  // A stored event by its history key; none when there is no such event.
  virtual Result<std::optional<std::string>> StoredEvent(std::string_view key) = 0;

  // The global hash chain's head as committed: the last outbox position and its global hash;
  // position 0 and the zero hash when the outbox is empty.
  struct ChainHead {
    uint64_t position = 0;
    std::string hash;
  };
  virtual Result<ChainHead> GlobalHead() = 0;
  // The outbox's global hash at `position` (kNotFound when there is none).
  virtual Result<std::string> GlobalHashAt(uint64_t position) = 0;
  // A state written durably (an audit checkpoint): on disk when this returns OK.
  virtual Status PutStateSynced(const std::string& key, const std::string& value) = 0;
};

}  // namespace motcua
