// Verification of the hash chains, and the audit checkpoints (chain_check.h).

#include "adapters/rocksdb/chain_check.h"

#include <rocksdb/db.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <sstream>

#include "adapters/proto/dossier_codec.h"
#include "adapters/proto/view_codec.h"
#include "adapters/rocksdb/chain.h"
#include "engine/common/time.h"
#include "motcua/v1/dossier.pb.h"

namespace motcua {

namespace {

std::string EventName(std::string_view key, std::string_view content) {
  const size_t nul = key.find('\0');
  std::string name = "event " + std::to_string(DecodeBE64(key.data() + nul + 1));
  v1::Event e;
  if (e.ParseFromArray(content.data(), static_cast<int>(content.size()))) {
    name += " (" + e.type() + ")";
  }
  return name;
}

}  // namespace

Result<AuditCheckpoint> WriteAuditCheckpoint(Store& store, RowStore& rows, int64_t now) {
  ASSIGN_OR_RETURN(RowStore::ChainHead head, rows.GlobalHead());
  AuditCheckpoint c{head.position, Hex(head.hash), now};
  if (head.position == 0) return c;
  ASSIGN_OR_RETURN(std::optional<std::string> there,
                   store.GetState(AuditCheckpointKey(head.position)));
  if (there) {  // nothing committed since the last one
    std::istringstream words(*there);
    words >> c.hash >> c.at;
    return c;
  }
  // Durable before it is logged and shown.
  RETURN_IF_ERROR(rows.PutStateSynced(AuditCheckpointKey(head.position), AuditCheckpointValue(c)));
  return c;
}

Result<v1::AuditExport> ExportAudit(Store& store, RowStore& rows, const std::string& id,
                                    Instant now) {
  ASSIGN_OR_RETURN(std::shared_ptr<const Dossier> d, store.GetShared(id));
  if (!d) return NotFound("no dossier '" + id + "'");
  v1::AuditExport out;
  out.set_dossier_id(d->id);
  out.set_number(d->number);
  out.set_algorithm("sha256");
  out.set_history_hash(Hex(d->history_hash.bytes));
  out.set_exported_at(FormatLocal(now, kApiUtcOffsetSeconds));
  out.set_check(
      "docs/audit.md: chain_hash = SHA-256(previous chain_hash or 32 zero bytes || "
      "content); global_hash = SHA-256(previous_global_hash || position as 8 bytes "
      "big-endian || chain_hash); the last chain_hash is history_hash");
  RETURN_IF_ERROR(
      rows.NewHistoryReader()->Read(id, [&](std::string_view, std::string_view stored) -> Status {
        std::string_view content, hash;
        if (!SplitChainHash(stored, &content, &hash)) {
          return Internal("dossier '" + id + "': an event has no chain hash");
        }
        v1::AuditedEvent* a = out.add_events();
        if (!a->mutable_event()->ParseFromArray(content.data(), static_cast<int>(content.size()))) {
          return Internal("dossier '" + id + "': an event does not parse");
        }
        a->set_version(a->event().version());
        a->set_type(a->event().type());
        a->set_at(FormatLocal(Instant{a->event().at()}, kApiUtcOffsetSeconds));
        a->set_content(std::string(content));
        a->set_chain_hash(Hex(hash));
        const uint64_t position = a->event().outbox_position();
        if (position == 0) return Status::Ok();  // stored before the chains: no global link
        a->set_position(position);
        ASSIGN_OR_RETURN(std::string global, rows.GlobalHashAt(position));
        std::string previous = ZeroHash();
        if (position > 1) {
          ASSIGN_OR_RETURN(previous, rows.GlobalHashAt(position - 1));
        }
        a->set_global_hash(Hex(global));
        a->set_previous_global_hash(Hex(previous));
        return Status::Ok();
      }));
  return out;
}

ChainCheck::ChainCheck(Store& store, RowStore& rows, size_t max_problems)
    : store_(store), rows_(rows), max_problems_(max_problems) {
  salt_.resize(crypto_shorthash_siphashx24_KEYBYTES);
  std::random_device random;
  for (char& c : salt_) c = static_cast<char>(random());
}

void ChainCheck::Digest::Add(std::string_view key_of_run, std::string_view key,
                             std::string_view hash) {
  // The key and the hash, one after the other (the hash has a fixed length: no ambiguity), in a
  // buffer each thread keeps.
  thread_local std::string pair;
  pair.assign(key).append(hash);
  unsigned char h[crypto_shorthash_siphashx24_BYTES];
  crypto_shorthash_siphashx24(h, reinterpret_cast<const unsigned char*>(pair.data()), pair.size(),
                              reinterpret_cast<const unsigned char*>(key_of_run.data()));
  for (int i = 0; i < 2; ++i) {
    uint64_t word = 0;
    std::memcpy(&word, h + 8 * i, 8);
    sum[i] += word;
  }
  ++count;
}

void ChainCheck::Problem(std::string p) {
  MutexLock lock(&mu_);
  if (problems_.size() < max_problems_) problems_.push_back(std::move(p));
}

Result<std::vector<Event>> ChainCheck::History(const Dossier& d) {
  std::unique_ptr<Lane> lane;
  {
    MutexLock lock(&mu_);
    if (!lanes_.empty()) {
      lane = std::move(lanes_.back());
      lanes_.pop_back();
    }
  }
  if (!lane) {
    lane = std::make_unique<Lane>();
    lane->history = rows_.NewHistoryReader();
  }
  // The lane goes back to the idle ones however this returns.
  struct GiveBack {
    ChainCheck* check;
    std::unique_ptr<Lane>& lane;
    ~GiveBack() {
      MutexLock lock(&check->mu_);
      check->lanes_.push_back(std::move(lane));
    }
  } give_back{this, lane};
  std::vector<Event> events;
  events.reserve(static_cast<size_t>(std::clamp<int64_t>(d.version, 0, 100000)));
  std::string head = ZeroHash();
  bool chained = true;
  RETURN_IF_ERROR(
      lane->history->Read(d.id, [&](std::string_view key, std::string_view stored) -> Status {
        ++lane->events;
        std::string_view content, hash;
        if (!SplitChainHash(stored, &content, &hash)) {
          content = stored;
          Problem("dossier '" + d.id + "': " + EventName(key, content) + " has no chain hash");
          chained = false;
        } else {
          if (ChainHash(head, content) != hash) {
            Problem("dossier '" + d.id + "': " + EventName(key, content) +
                    " does not match its chain hash: the history was changed after it was "
                    "written");
            chained = false;
          }
          head = hash;  // the chain goes on from what is stored: one change, one problem
          lane->digest.Add(salt_, key, hash);
        }
        if (!DecodeEvent(content, &events.emplace_back()).ok()) {
          return Internal("dossier '" + d.id + "': " + EventName(key, content) + " does not parse");
        }
        return Status::Ok();
      }));
  // A record with no history holds no head (zeros are the empty chain's).
  const std::string& recorded = d.history_hash.bytes.empty() ? ZeroHash() : d.history_hash.bytes;
  if (chained && head != recorded) {
    Problem("dossier '" + d.id + "': its record's history hash is not its last event's chain " +
            "hash: the record or the history was changed after it was written");
  }
  return events;
}

Status ChainCheck::Finish() {
  {
    MutexLock lock(&mu_);
    for (std::unique_ptr<Lane>& lane : lanes_) {
      for (int i = 0; i < 2; ++i) histories_.sum[i] += lane->digest.sum[i];
      histories_.count += lane->digest.count;
      events_ += lane->events;
    }
    lanes_.clear();
  }
  if (!outbox_walked_) RETURN_IF_ERROR(WalkOutbox());
  if (!(histories_ == outbox_)) return NameOutboxMismatches();
  return Status::Ok();
}

Status ChainCheck::WalkOutbox() {
  outbox_walked_ = true;
  std::map<uint64_t, AuditCheckpoint> checkpoints;
  for (uint64_t after = 0;;) {
    ASSIGN_OR_RETURN(std::vector<AuditCheckpoint> page, ReadAuditCheckpoints(store_, after, 1000));
    for (AuditCheckpoint& c : page) checkpoints[c.position] = std::move(c);
    if (page.size() < 1000) break;
    after = page.back().position;
  }
  std::string recomputed = ZeroHash();  // from the event hashes alone
  std::string stored_before = ZeroHash();
  RETURN_IF_ERROR(rows_.ScanOutbox(
      [&](uint64_t position, std::string_view key, std::string_view event_hash,
          std::string_view global_hash) -> Status {
        if (event_hash.empty()) {
          Problem("outbox position " + std::to_string(position) + " holds no hashes");
          return Status::Ok();
        }
        outbox_.Add(salt_, key, event_hash);
        // While the stored chain is the recomputed one (always, but after a change), one hash
        // does.
        const bool same_before = stored_before == recomputed;
        recomputed = GlobalHash(recomputed, position, event_hash);
        if ((same_before ? recomputed : GlobalHash(stored_before, position, event_hash)) !=
            global_hash) {
          Problem("outbox position " + std::to_string(position) +
                  ": its global hash does not follow from the one before: the outbox was " +
                  "changed after it was written");
        }
        stored_before = global_hash;
        if (auto c = checkpoints.find(position); c != checkpoints.end()) {
          ++checkpoints_;
          if (c->second.hash != Hex(recomputed)) {
            Problem("audit checkpoint at position " + std::to_string(position) + " says " +
                    c->second.hash + ", the chain recomputed gives " + Hex(recomputed));
          }
          checkpoints.erase(c);
        }
        if (auto e = expected_.find(position); e != expected_.end()) {
          ++expected_checked_;
          if (e->second != Hex(recomputed)) {
            Problem("the checkpoint given for position " + std::to_string(position) + " says " +
                    e->second + ", the chain recomputed gives " + Hex(recomputed) +
                    ": the history up to it is not what it was when the checkpoint was taken");
          }
          expected_.erase(e);
        }
        head_position_ = position;
        return Status::Ok();
      },
      [this](std::string p) { Problem(std::move(p)); }));
  head_hash_ = Hex(recomputed);
  for (const auto& [position, c] : checkpoints) {
    Problem("audit checkpoint at position " + std::to_string(position) +
            " has no outbox entry (the outbox ends at " + std::to_string(head_position_) + ")");
  }
  for (const auto& [position, hash] : expected_) {
    Problem("the checkpoint given for position " + std::to_string(position) +
            " has no outbox entry (the outbox ends at " + std::to_string(head_position_) + ")");
  }
  return Status::Ok();
}

// The digests differ: a second read names the outbox entries whose event hash is not the
// history's (rare: only when something is wrong).
Status ChainCheck::NameOutboxMismatches() {
  const size_t before = ProblemCount();
  RETURN_IF_ERROR(rows_.ScanOutbox(
      [&](uint64_t position, std::string_view key, std::string_view event_hash,
          std::string_view) -> Status {
        if (ProblemCount() >= max_problems_) return Status::Ok();
        ASSIGN_OR_RETURN(std::optional<std::string> stored, rows_.StoredEvent(key));
        std::string_view content, hash;
        if (stored && SplitChainHash(*stored, &content, &hash) && hash == event_hash) {
          return Status::Ok();
        }
        const std::string id(key.substr(0, key.find('\0')));
        Problem("outbox position " + std::to_string(position) +
                ": its event hash is not dossier '" + id + "' " +
                (stored ? EventName(key, content) : "event (missing)") + "'s chain hash");
        return Status::Ok();
      },
      [](std::string) {}));  // said in WalkOutbox's pass
  if (ProblemCount() == before) {
    Problem("the histories hold " + std::to_string(histories_.count) + " events and the outbox " +
            std::to_string(outbox_.count) + ": events are missing from one of them");
  }
  return Status::Ok();
}

}  // namespace motcua
