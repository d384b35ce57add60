// A whole store into an empty one (store_copy.h).

#include "adapters/postgres/store_copy.h"

#include "adapters/rocksdb/chain.h"

namespace motcua {

namespace {

// The running digest: each row's fields, length-prefixed, chained onto the digest so far.
class RowDigest {
 public:
  void Add(const StoreRow& r) {
    char fixed[1 + 8 + 8];
    fixed[0] = static_cast<char>(r.table);
    for (int i = 0; i < 8; ++i)
      fixed[1 + i] = static_cast<char>(static_cast<uint64_t>(r.number) >> (56 - 8 * i));
    for (int i = 0; i < 8; ++i) fixed[9 + i] = static_cast<char>(r.position >> (56 - 8 * i));
    digest_ = Sha256({digest_, std::string_view(fixed, sizeof fixed), Length(r.key), r.key,
                      Length(r.value), r.value, Length(r.event_hash), r.event_hash,
                      Length(r.global_hash), r.global_hash});
  }
  std::string hex() const { return Hex(digest_); }

 private:
  // Four bytes of length, kept alive for the call (a ring of buffers).
  std::string_view Length(const std::string& s) {
    std::string& b = lengths_[next_++ % lengths_.size()];
    b.assign(4, '\0');
    for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(s.size() >> (24 - 8 * i));
    return b;
  }
  std::string digest_ = ZeroHash();
  std::array<std::string, 4> lengths_;
  size_t next_ = 0;
};

}  // namespace

const char* RowTableName(RowTable t) {
  switch (t) {
    case RowTable::kSetting:
      return "settings";
    case RowTable::kDossier:
      return "dossiers";
    case RowTable::kHistory:
      return "history";
    case RowTable::kOutbox:
      return "outbox";
    case RowTable::kIndex:
      return "index entries";
    case RowTable::kIdempotency:
      return "idempotency records";
    case RowTable::kCounter:
      return "counters";
    case RowTable::kReportCounter:
      return "report counters";
    case RowTable::kState:
      return "states";
  }
  return "?";
}

Result<CopyReport> CopyStore(RowStore& from, Store& to, RowStore& to_rows,
                             const CopyOptions& options) {
  ASSIGN_OR_RETURN(std::vector<std::string> ids, to.Ids("", 1));
  ASSIGN_OR_RETURN(uint64_t last, to.LastOutboxPosition());
  ASSIGN_OR_RETURN(std::vector<std::string> entries, to.AllIndexEntries("", 1));
  if (!ids.empty() || last != 0 || !entries.empty()) {
    return FailedPrecondition("the target store is not empty (" +
                              (ids.empty() ? std::string("index entries")
                                           : "dossiers, an outbox up to " + std::to_string(last)) +
                              "): copy into a new one");
  }
  CopyReport report;
  RowDigest source;
  std::vector<StoreRow> batch;
  batch.reserve(options.batch_rows);
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    RETURN_IF_ERROR(to_rows.WriteRows(batch));
    batch.clear();
    if (options.progress) options.progress(report.total);
    return Status::Ok();
  };
  RETURN_IF_ERROR(from.ScanRows([&](const StoreRow& r) -> Status {
    source.Add(r);
    ++report.rows[static_cast<size_t>(r.table)];
    ++report.total;
    batch.push_back(r);
    if (batch.size() >= std::max<size_t>(1, options.batch_rows)) return flush();
    return Status::Ok();
  }));
  RETURN_IF_ERROR(flush());
  report.digest = source.hex();
  // Read back: the same rows, in the same order.
  RowDigest target;
  std::array<size_t, 9> read_back{};
  RETURN_IF_ERROR(to_rows.ScanRows([&](const StoreRow& r) -> Status {
    target.Add(r);
    ++read_back[static_cast<size_t>(r.table)];
    return Status::Ok();
  }));
  if (target.hex() != report.digest) {
    std::string tables;
    for (size_t t = 0; t < read_back.size(); ++t) {
      if (read_back[t] == report.rows[t]) continue;
      tables += std::string(tables.empty() ? "" : ", ") + RowTableName(static_cast<RowTable>(t)) +
                " " + std::to_string(read_back[t]) + " of " + std::to_string(report.rows[t]);
    }
    return Internal("the copy does not read back as the source (digest " + target.hex() +
                    " instead of " + report.digest + ")" +
                    (tables.empty() ? "" : ": rows read back: " + tables));
  }
  ASSIGN_OR_RETURN(report.verified, VerifyStore(to, options.verify));
  return report;
}

}  // namespace motcua
