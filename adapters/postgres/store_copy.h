#pragma once
// `motcua copy`: a whole store into an empty one, RocksDB ⇄ PostgreSQL, with verification. The
// rows (store_rows.h) go over in batches, each written durably; then the target is read back and
// its rows' digest must be the source's, and it must verify as `motcua verify` checks a store.

#include <array>
#include <functional>
#include <string>

#include "adapters/rocksdb/store_rows.h"
#include "engine/store/store.h"
#include "engine/store/verify.h"

namespace motcua {

struct CopyReport {
  // Rows copied, by RowTable.
  std::array<size_t, 9> rows{};
  size_t total = 0;
  std::string digest;     // SHA-256 over every row in order (hex); the target's is the same
  VerifyReport verified;  // of the target
};

struct CopyOptions {
  size_t batch_rows = 5000;                   // rows a write
  VerifyOptions verify;                       // how the target is verified
  std::function<void(size_t rows)> progress;  // after each batch, with the rows so far
};

// Copies `from` into `to`, which must be empty (kFailedPrecondition otherwise, nothing written).
// The target is given twice: as the storage port (to check it is empty, and verify it), and as
// its rows.
Result<CopyReport> CopyStore(RowStore& from, Store& to, RowStore& to_rows,
                             const CopyOptions& options = {});

// The name of a table, for reports.
const char* RowTableName(RowTable t);

}  // namespace motcua
