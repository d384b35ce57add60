// Console sessions in memory (sessions.h).

#include "adapters/http/sessions.h"

#include <sodium.h>

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
                                                           int64_t now) {
  if (sodium_init() < 0) return Internal("libsodium did not initialise");
  std::string secret = RandomHex();
  Session s;
  s.principal = principal;
  s.csrf = RandomHex();
  s.created = s.last_seen = now;
  s.key = Sha256Hex(secret);
  MutexLock lock(&mu_);
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

bool SessionStore::Active(const std::string& key, int64_t now) const {
  MutexLock lock(&mu_);
  auto it = by_key_.find(key);
  return it != by_key_.end() && Live(it->second, now);
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
  if (failures_.size() > 100000) failures_.clear();  // bound memory under a spray of names
  Failures& f = failures_[principal];
  if (f.locked_until != 0 && f.locked_until <= now) f = Failures{};  // a lock-out served
  if (++f.count >= options_.max_failures) f.locked_until = now + options_.lockout_seconds;
}

void SessionStore::Succeeded(const std::string& principal) {
  MutexLock lock(&mu_);
  failures_.erase(principal);
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
