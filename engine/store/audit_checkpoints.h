#pragma once
// Audit checkpoints of the global hash chain (docs/storage.md, "Hash chains"): the outbox
// position and the global hash there, with the time it was taken, kept in the store's states
// ("audit␟<position, 20 digits>" → "<hash, hex> <Unix seconds>") and logged, so that an auditor
// can copy them elsewhere and later check that the chain still leads to them.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/store/store.h"

namespace motcua {

inline constexpr char kAuditCheckpointPrefix[] = "audit\x1f";

struct AuditCheckpoint {
  uint64_t position = 0;
  std::string hash;  // hex
  int64_t at = 0;    // Unix seconds
};

std::string AuditCheckpointKey(uint64_t position);
// "<hash> <at>", the stored value.
std::string AuditCheckpointValue(const AuditCheckpoint& c);
// The checkpoints after position `after`, oldest first, at most `limit`.
Result<std::vector<AuditCheckpoint>> ReadAuditCheckpoints(Store& store, uint64_t after,
                                                          size_t limit);

}  // namespace motcua
