#pragma once
// Console sessions (staff signed in with a password, accounts.h), held in memory: a restart
// signs everyone out. A session is a random secret in an HttpOnly cookie, known here only by its
// SHA-256; it ends after `idle_seconds` without a request, after `max_seconds` in any case, at
// sign-out, and when its account is disabled or removed. Repeated wrong passwords lock a
// principal out for a while. Times are steady-clock seconds from the caller (not the training
// clock), so that the rules are tested to the second.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/common/mutex.h"
#include "engine/common/status.h"

namespace motcua::http {

struct SessionOptions {
  int64_t idle_seconds = 30 * 60;     // Default: 30 minutes without a request
  int64_t max_seconds = 12 * 3600;    // Default: 12 hours in any case
  int max_failures = 5;               // Default: 5 wrong passwords in a row...
  int64_t lockout_seconds = 15 * 60;  // Default: ...lock the principal out for 15 minutes
  size_t max_sessions = 20000;        // Default: at most 20,000 open sessions
  size_t max_per_principal = 20;      // Default: 20 a principal; a 21st ends its oldest
};

struct Session {
  std::string principal;
  std::string password_stamp;  // the account's password hash at sign-in: a new password ends it
  std::string csrf;            // sent back by the client as X-CSRF-Token on state-changing requests
  int64_t created = 0;
  int64_t last_seen = 0;
  std::string key;  // the SHA-256 of the cookie's secret
};

class SessionStore {
 public:
  explicit SessionStore(SessionOptions options = {}) : options_(options) {}
  const SessionOptions& options() const { return options_; }

  // A new session: the secret for the cookie, and the session. A principal's oldest session
  // ends when it has max_per_principal already; Unavailable when every slot is live.
  Result<std::pair<std::string, Session>> Open(const std::string& principal,
                                               const std::string& password_stamp, int64_t now)
      EXCLUDES(mu_);
  // The live session of a cookie's secret (its idle time starts again), if any.
  std::optional<Session> Find(const std::string& secret, int64_t now) EXCLUDES(mu_);
  // The session with this key if it is still open (for open streams), without touching it.
  std::optional<Session> Peek(const std::string& key, int64_t now) const EXCLUDES(mu_);
  void Close(const std::string& key) EXCLUDES(mu_);
  // Ends every session of `principal`; returns how many.
  size_t CloseAll(const std::string& principal) EXCLUDES(mu_);
  size_t size() const EXCLUDES(mu_);

  // Sign-in attempts of a principal: seconds it stays locked out (0: it may try).
  int64_t LockedFor(const std::string& principal, int64_t now) const EXCLUDES(mu_);
  // An attempt, counted as a failure before its password is checked (so that a burst of
  // attempts in flight together cannot pass the limit); the max_failures-th within
  // lockout_seconds of the previous one locks the principal out. Succeeded forgets them.
  void Failed(const std::string& principal, int64_t now) EXCLUDES(mu_);
  void Succeeded(const std::string& principal) EXCLUDES(mu_);

 private:
  bool Live(const Session& s, int64_t now) const;
  struct Failures {
    int count = 0;
    int64_t last = 0;
    int64_t locked_until = 0;
  };
  const SessionOptions options_;
  mutable Mutex mu_;
  std::unordered_map<std::string, Session> by_key_ GUARDED_BY(mu_);
  std::map<std::string, Failures> failures_ GUARDED_BY(mu_);
};

// A session's credential as Principal::token holds it ("session:<key>"), and back (empty for a
// bearer token's).
std::string SessionToken(const std::string& key);
std::string SessionKeyOf(const std::string& token);

// "motcua_session=<secret>" from a Cookie header's value; empty when absent.
std::string SessionCookie(const std::string& cookie_header);

}  // namespace motcua::http
