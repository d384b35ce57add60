// Console sessions in memory (sessions.h).

#include "adapters/http/sessions.h"

#include <sodium.h>

#include <string_view>

#include "adapters/http/auth.h"

namespace motcua::http {

namespace {

// 32 random bytes as hex.
std::string RandomHex() {
  unsigned char buf[32];
  randombytes_buf(buf, sizeof buf);
  char hex[sizeof buf * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, buf, sizeof buf);
  return std::string(hex, sizeof buf * 2);
}

}  // namespace

bool SessionStore::Live(const Session& s, int64_t now) const {
  return now - s.last_seen < options_.idle_seconds && now - s.created < options_.max_seconds;
}

Result<std::pair<std::string, Session>> SessionStore::Open(const std::string& principal,
                                                           const std::string& password_stamp,
                                                           int64_t now) {
  if (sodium_init() < 0) return Internal("libsodium did not initialise");
  std::string secret = RandomHex();
  Session s;
  s.principal = principal;
  s.password_stamp = password_stamp;
  s.csrf = RandomHex();
  s.created = s.last_seen = now;
  s.key = Sha256Hex(secret);
  MutexLock lock(&mu_);
  // One principal cannot fill the table: its oldest session goes.
  size_t own = 0;
  auto oldest = by_key_.end();
  for (auto it = by_key_.begin(); it != by_key_.end(); ++it) {
    if (it->second.principal != principal) continue;
    ++own;
    if (oldest == by_key_.end() || it->second.created < oldest->second.created) oldest = it;
  }
  if (own >= options_.max_per_principal && oldest != by_key_.end()) by_key_.erase(oldest);
  if (by_key_.size() >= options_.max_sessions) {
    // Sessions that ended without a sign-out go first.
    for (auto it = by_key_.begin(); it != by_key_.end();) {
      it = Live(it->second, now) ? std::next(it) : by_key_.erase(it);
    }
    if (by_key_.size() >= options_.max_sessions) {
      return Unavailable("too many open sessions (" + std::to_string(options_.max_sessions) + ")");
    }
  }
  by_key_[s.key] = s;
  return std::make_pair(std::move(secret), std::move(s));
}

std::optional<Session> SessionStore::Find(const std::string& secret, int64_t now) {
  if (secret.size() != 64) return std::nullopt;
  const std::string key = Sha256Hex(secret);
  MutexLock lock(&mu_);
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return std::nullopt;
  if (!Live(it->second, now)) {
    by_key_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen = now;
  return it->second;
}

std::optional<Session> SessionStore::Peek(const std::string& key, int64_t now) const {
  MutexLock lock(&mu_);
  auto it = by_key_.find(key);
  if (it == by_key_.end() || !Live(it->second, now)) return std::nullopt;
  return it->second;
}

void SessionStore::Close(const std::string& key) {
  MutexLock lock(&mu_);
  by_key_.erase(key);
}

size_t SessionStore::CloseAll(const std::string& principal) {
  MutexLock lock(&mu_);
  size_t n = 0;
  for (auto it = by_key_.begin(); it != by_key_.end();) {
    if (it->second.principal == principal) {
      it = by_key_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

size_t SessionStore::size() const {
  MutexLock lock(&mu_);
  return by_key_.size();
}

int64_t SessionStore::LockedFor(const std::string& principal, int64_t now) const {
  MutexLock lock(&mu_);
  auto it = failures_.find(principal);
  if (it == failures_.end() || it->second.locked_until <= now) return 0;
  return it->second.locked_until - now;
}

void SessionStore::Failed(const std::string& principal, int64_t now) {
  MutexLock lock(&mu_);
  if (failures_.size() > 100000) {
    // Bounded under a spray of names: what no longer counts goes, never a lock-out in force.
    for (auto it = failures_.begin(); it != failures_.end();) {
      const bool stale =
          it->second.locked_until <= now && now - it->second.last >= options_.lockout_seconds;
      it = stale ? failures_.erase(it) : std::next(it);
    }
  }
  Failures& f = failures_[principal];
  // A lock-out served, or failures long apart, start the count again.
  if ((f.locked_until != 0 && f.locked_until <= now) ||
      (f.count > 0 && now - f.last >= options_.lockout_seconds)) {
    f = Failures{};
  }
  f.last = now;
  if (++f.count >= options_.max_failures && f.locked_until <= now) {
    f.locked_until = now + options_.lockout_seconds;
  }
}

void SessionStore::Succeeded(const std::string& principal) {
  MutexLock lock(&mu_);
  failures_.erase(principal);
}

namespace {
constexpr std::string_view kSessionPrefix = "session:";
}  // namespace

std::string SessionToken(const std::string& key) { return std::string(kSessionPrefix) + key; }

std::string SessionKeyOf(const std::string& token) {
  return token.rfind(kSessionPrefix, 0) == 0 ? token.substr(kSessionPrefix.size()) : "";
}

std::string SessionCookie(const std::string& cookie_header) {
  static const std::string kName = "motcua_session=";
  size_t at = 0;
  while (at < cookie_header.size()) {
    while (at < cookie_header.size() && (cookie_header[at] == ' ' || cookie_header[at] == ';')) {
      ++at;
    }
    const size_t end = std::min(cookie_header.find(';', at), cookie_header.size());
    if (cookie_header.compare(at, kName.size(), kName) == 0) {
      return cookie_header.substr(at + kName.size(), end - at - kName.size());
    }
    at = end;
  }
  return std::string();
}

}  // namespace motcua::http
