#pragma once
// The hash chains that make the history tamper-evident (docs/storage.md, "Hash chains").
//
// Each dossier's events form a chain: an event's chain hash is
//   SHA-256(the previous event's chain hash, or 32 zero bytes for the first || its bytes)
// where its bytes are the v1.Event as stored, without the hash. The history value is those bytes
// with the hash appended as field 47 (`chain_hash`, 35 bytes: the tag 0xFA 0x02, the length 0x20,
// the hash). The dossier's record holds the last hash (`history_hash`).
//
// The outbox forms one global chain over every event in commit order: position p's global hash is
//   SHA-256(global hash of p - 1, or 32 zero bytes at position 1 || p as 8 bytes big-endian ||
//           the event's chain hash)
// and the outbox value is the history key, the event's chain hash and the global hash.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/mutex.h"
#include "engine/common/status.h"
#include "engine/dossier/dossier.h"
#include "engine/store/store.h"

namespace motcua {

constexpr size_t kHashBytes = 32;

// 32 zero bytes: what the first hash of a chain follows.
const std::string& ZeroHash();

// SHA-256(previous || content): an event's chain hash.
std::string ChainHash(std::string_view previous, std::string_view content);
// SHA-256(previous || be64(position) || event_hash): the global chain's hash at `position`.
std::string GlobalHash(std::string_view previous, uint64_t position, std::string_view event_hash);

// The history value: `content` with its chain hash appended as field 47.
std::string WithChainHash(std::string content, std::string_view hash);
// Appends field 35 (`outbox_position`) to an event's bytes: the stored event says where it is in
// the outbox, and its chain hash covers that.
void AppendOutboxPosition(uint64_t position, std::string* event_bytes);
// Splits a history value into the event's bytes and its chain hash; false when the value ends in
// no chain hash (a store from before the chains).
bool SplitChainHash(std::string_view stored, std::string_view* content, std::string_view* hash);

// The outbox value: the history key, the event's chain hash, the global hash.
std::string OutboxValue(std::string_view history_key, std::string_view event_hash,
                        std::string_view global_hash);
// Splits an outbox value; the hashes are empty in a store from before the chains. False when the
// value is neither.
bool SplitOutboxValue(std::string_view value, std::string_view* history_key,
                      std::string_view* event_hash, std::string_view* global_hash);

// SHA-256 of the parts, one after another.
std::string Sha256(std::initializer_list<std::string_view> parts);

// Lower-case hex of bytes.
std::string Hex(std::string_view bytes);

// One event in its chained form: what a store writes for it.
struct ChainedEvent {
  uint64_t position = 0;
  std::string stored;  // the history value: the event's bytes, its outbox position, its hash
  std::string event_hash;
  std::string global_hash;
};
// Chains a change's events after the dossier's last chain hash `head` (ZeroHash() for a new
// dossier) and the global chain's hash `*global` at position `*position` - 1, advancing both;
// appends them to `out` and returns the dossier's new head. Every store writes the same chains,
// so that `motcua verify` and a copy between stores check the same hashes.
std::string ChainEvents(std::string head, const std::vector<Event>& events, uint64_t* position,
                        std::string* global, std::vector<ChainedEvent>* out);

// The global chain as a store's Encode leaves it. Encode runs in position order (the dossier
// service's processor thread), each write set after the one before; when one does not follow the
// last encoded (the first since open), the head is read from the store first.
// `w`'s encoding (Store::Encode): the one the service made, or one made now for a write set that
// was not encoded (a caller of Commit need not call Encode).
inline std::shared_ptr<const void> EncodingOf(Store& store, const WriteSet& w) {
  if (w.encoded) return w.encoded;
  WriteSet copy = w;
  store.Encode(copy);
  return copy.encoded;
}

class GlobalChain {
 public:
  // The global hash at a position, as committed (the store's outbox).
  using HashAt = std::function<Result<std::string>(uint64_t position)>;
  // Chains each change of `w` in order: gives `each` the change with its chained events, after
  // setting the new record's history_hash to its chain's head (the record is the write set's own,
  // not yet shared: the service encodes before it shows the record to anyone). kUnavailable when
  // the head could not be read; the chain is then left as it was, and `each` never called.
  Status Chain(const WriteSet& w, const HashAt& hash_at,
               const std::function<void(const DossierChange&, std::vector<ChainedEvent>&)>& each)
      EXCLUDES(mu_);
  // The next write set reads the chain's head from the store again (after a write whose outcome
  // was unknown).
  void Forget() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    next_ = 0;
  }

 private:
  Mutex mu_;
  uint64_t next_ GUARDED_BY(mu_) = 0;  // the position after the last write set chained
  std::string global_ GUARDED_BY(mu_);
};

}  // namespace motcua
