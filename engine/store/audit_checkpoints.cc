// Audit checkpoints of the global hash chain (audit_checkpoints.h).

#include "engine/store/audit_checkpoints.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace motcua {

std::string AuditCheckpointKey(uint64_t position) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(position));
  return kAuditCheckpointPrefix + std::string(digits);
}

std::string AuditCheckpointValue(const AuditCheckpoint& c) {
  return c.hash + " " + std::to_string(c.at);
}

Result<std::vector<AuditCheckpoint>> ReadAuditCheckpoints(Store& store, uint64_t after,
                                                          size_t limit) {
  ASSIGN_OR_RETURN(
      auto states,
      store.ScanStates(kAuditCheckpointPrefix, after == 0 ? "" : AuditCheckpointKey(after), limit));
  std::vector<AuditCheckpoint> out;
  const size_t prefix = std::strlen(kAuditCheckpointPrefix);
  for (const auto& [key, value] : states) {
    AuditCheckpoint c;
    char* end = nullptr;
    c.position = std::strtoull(key.c_str() + prefix, &end, 10);
    std::istringstream words(value);
    if (*end != '\0' || !(words >> c.hash >> c.at)) {
      return Internal("bad audit checkpoint '" + key + "' → '" + value + "'");
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace motcua
