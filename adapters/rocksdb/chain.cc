// Hash chains over the history and the outbox (chain.h).

#include "adapters/rocksdb/chain.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

#include "adapters/proto/dossier_codec.h"

namespace motcua {

namespace {

// Field 47, wire type 2 (length-delimited), as a varint: (47 << 3) | 2 = 378 = 0xFA 0x02; then
// the length, 32.
constexpr char kHashField[] = {'\xFA', '\x02', '\x20'};
constexpr size_t kHashFieldBytes = sizeof kHashField + kHashBytes;

// SHA-256 fetched from the default provider once: EVP_sha256() makes OpenSSL 3 look the
// algorithm up again at every EVP_DigestInit_ex, which cost more than hashing an event.
const EVP_MD* Sha256Algorithm() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

}  // namespace

std::string Sha256(std::initializer_list<std::string_view> parts) {
  // One context a thread, reset for each hash (allocating one costs more than the hash).
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                           &EVP_MD_CTX_free);
  std::string out(kHashBytes, '\0');
  unsigned int length = 0;
  const EVP_MD* md = Sha256Algorithm();
  bool ok = ctx && md && EVP_DigestInit_ex2(ctx.get(), md, nullptr) == 1;
  for (std::string_view p : parts) ok = ok && EVP_DigestUpdate(ctx.get(), p.data(), p.size()) == 1;
  ok = ok &&
       EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length) == 1;
  // Out of memory in libcrypto: nothing sensible to do but stop.
  if (!ok || length != kHashBytes) std::abort();
  return out;
}

const std::string& ZeroHash() {
  static const std::string zero(kHashBytes, '\0');
  return zero;
}

std::string ChainHash(std::string_view previous, std::string_view content) {
  return Sha256({previous, content});
}

std::string GlobalHash(std::string_view previous, uint64_t position, std::string_view event_hash) {
  char be[8];
  for (int i = 0; i < 8; ++i) be[i] = static_cast<char>(position >> (56 - 8 * i));
  return Sha256({previous, std::string_view(be, 8), event_hash});
}

std::string WithChainHash(std::string content, std::string_view hash) {
  content.append(kHashField, sizeof kHashField);
  content.append(hash);
  return content;
}

void AppendOutboxPosition(uint64_t position, std::string* event_bytes) {
  // Field 35, wire type 0 (varint): (35 << 3) | 0 = 280 = 0x98 0x02; then the position.
  event_bytes->push_back('\x98');
  event_bytes->push_back('\x02');
  do {
    const auto low = static_cast<unsigned char>(position & 0x7f);
    position >>= 7;
    event_bytes->push_back(static_cast<char>(position ? low | 0x80 : low));
  } while (position);
}

bool SplitChainHash(std::string_view stored, std::string_view* content, std::string_view* hash) {
  if (stored.size() < kHashFieldBytes) return false;
  const std::string_view tail = stored.substr(stored.size() - kHashFieldBytes);
  if (tail.substr(0, sizeof kHashField) != std::string_view(kHashField, sizeof kHashField)) {
    return false;
  }
  *content = stored.substr(0, stored.size() - kHashFieldBytes);
  *hash = tail.substr(sizeof kHashField);
  return true;
}

std::string OutboxValue(std::string_view history_key, std::string_view event_hash,
                        std::string_view global_hash) {
  std::string out;
  out.reserve(history_key.size() + 2 * kHashBytes);
  out.append(history_key).append(event_hash).append(global_hash);
  return out;
}

bool SplitOutboxValue(std::string_view value, std::string_view* history_key,
                      std::string_view* event_hash, std::string_view* global_hash) {
  // The history key is the dossier id (no NUL in it), a NUL and the version (8 bytes).
  const size_t nul = value.find('\0');
  if (nul == std::string_view::npos || value.size() < nul + 9) return false;
  *history_key = value.substr(0, nul + 9);
  const std::string_view rest = value.substr(nul + 9);
  if (rest.empty()) {
    *event_hash = *global_hash = {};
    return true;
  }
  if (rest.size() != 2 * kHashBytes) return false;
  *event_hash = rest.substr(0, kHashBytes);
  *global_hash = rest.substr(kHashBytes);
  return true;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string ChainEvents(std::string head, const std::vector<Event>& events, uint64_t* position,
                        std::string* global, std::vector<ChainedEvent>* out) {
  for (const Event& e : events) {
    ChainedEvent c;
    c.position = (*position)++;
    std::string content = EncodeEvent(e);
    AppendOutboxPosition(c.position, &content);  // in the chain: where the event is in the outbox
    head = ChainHash(head, content);
    c.stored = WithChainHash(std::move(content), head);
    *global = GlobalHash(*global, c.position, head);
    c.event_hash = head;
    c.global_hash = *global;
    out->push_back(std::move(c));
  }
  return head;
}

Status GlobalChain::Chain(
    const WriteSet& w, const HashAt& hash_at,
    const std::function<void(const DossierChange&, std::vector<ChainedEvent>&)>& each) {
  if (w.changes.empty()) return Status::Ok();
  uint64_t pos = w.first_outbox_position;
  MutexLock lock(&mu_);
  if (pos != next_) {
    Result<std::string> before = pos > 1 ? hash_at(pos - 1) : ZeroHash();
    if (!before.ok()) {
      return Unavailable("cannot read the global hash chain's head at position " +
                         std::to_string(pos - 1) + ": " + before.status().message());
    }
    global_ = *before;
  }
  std::vector<ChainedEvent> chained;
  for (const DossierChange& c : w.changes) {
    chained.clear();
    const std::string head =
        ChainEvents(c.before && !c.before->history_hash.bytes.empty() ? c.before->history_hash.bytes
                                                                      : ZeroHash(),
                    c.events, &pos, &global_, &chained);
    const_cast<Dossier&>(*c.after).history_hash.bytes = head;
    each(c, chained);
  }
  next_ = pos;
  return Status::Ok();
}

}  // namespace motcua
