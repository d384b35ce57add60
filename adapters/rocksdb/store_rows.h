#pragma once
// Every row of a store in one form both stores read and write: what `motcua copy` moves from
// one store to the other (RocksDB ⇄ PostgreSQL). The bytes are the stores' own (records, events
// with their chain hashes, the outbox's hashes), so a copy's hash chains are the original's.

#include <cstdint>
#include <functional>
#include <string>
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
};

}  // namespace motcua
