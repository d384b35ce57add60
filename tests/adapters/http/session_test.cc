// Console sessions through the API (adapters/http/sign_in.cc, sessions.h): sign-in with an
// account's password sets an HttpOnly, SameSite=Strict cookie; the cookie authenticates with the
// account's roles and scope; every state-changing request needs the CSRF token; wrong passwords
// lock a principal out; a disabled account and a sign-out end the session. The lifetimes and the
// lock-out are tested to the second on SessionStore with explicit times.

#include <gtest/gtest.h>

#include <filesystem>

#include "adapters/http/accounts.h"
#include "adapters/http/sessions.h"
#include "engine/store/memory_store.h"
#include "tests/adapters/http/api_dossiers.h"
#include "tests/adapters/http/api_fixture.h"

namespace motcua {
namespace {

const char kA[] = "000.17.22.H56";
const char kPassword[] = "mật khẩu của Lan";

class SessionApiTest : public ::testing::Test {
 protected:
  static std::string Dir() {
    return ::testing::TempDir() + "/motcua-session-api-" + std::to_string(::getpid()) + "/";
  }
  SessionApiTest()
      : harness_(&store_, Tokens(),
                 {{"cb1", "counter", kA}, {"ad1", "admin", kA}, {"root", "admin", "*"}}) {
    harness_.clock().Set(*ParseLocalDateTime("2026-03-02T08:00", 7 * 3600));
    EXPECT_TRUE(http::AddAccount(Accounts(),
                                 {"lan", "Nguyễn Thị Lan", {"counter"}, {kA}, "", false}, kPassword)
                    .ok());
    EXPECT_TRUE(http::AddAccount(Accounts(), {"binh", "Trần Bình", {"counter"}, {kA}, "", false},
                                 "mật khẩu của Bình")
                    .ok());
    Reload();
  }
  ~SessionApiTest() override { std::filesystem::remove_all(Dir()); }
  static std::string Tokens() {
    std::filesystem::remove_all(Dir());
    std::filesystem::create_directories(Dir());
    return Dir() + "tokens.yaml";
  }
  static std::string Accounts() { return Dir() + "accounts.yaml"; }
  void Reload() { harness_.SetAccounts(*http::AccountStore::Load(Accounts())); }

  http::HttpResponse SignIn(const std::string& principal, const std::string& password,
                            std::map<std::string, std::string> headers = {}) {
    headers.emplace("content-type", "application/json");
    return harness_.Answer(
        "POST", "/v1/session",
        R"({"principal":")" + principal + R"(","password":")" + password + R"("})", "", headers);
  }
  // A request with the session cookie (and a CSRF token when given).
  http::HttpResponse WithCookie(const std::string& method, const std::string& target,
                                const std::string& cookie, const std::string& csrf = "",
                                const std::string& body = "",
                                std::map<std::string, std::string> headers = {}) {
    headers["cookie"] = "theme=dark; motcua_session=" + cookie;
    if (!csrf.empty()) headers["x-csrf-token"] = csrf;
    return harness_.Answer(method, target, body, "", headers);
  }
  static std::string Header(const http::HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }
  // The cookie's secret from a Set-Cookie header.
  static std::string Secret(const http::HttpResponse& r) {
    const std::string c = Header(r, "Set-Cookie");
    const size_t eq = c.find('='), semi = c.find(';');
    return c.substr(eq + 1, semi - eq - 1);
  }

  MemoryStore store_;
  testing::ApiHarness harness_;
};

std::string CreateBody() {
  return std::string(R"({"procedure_code":"2.000908","receiving_agency":")") + kA +
         R"(","applicant":{"name":"Lê Văn Cường","id_number":"001090012345"},)"
         R"("documents":[{"document_id":"identity_paper"}]})";
}

TEST_F(SessionApiTest, ASignedInClerkWorksWithTheCookieAndTheCsrfToken) {
  http::HttpResponse in = SignIn("lan", kPassword);
  ASSERT_EQ(in.status, 201) << in.body;
  const std::string cookie = Header(in, "Set-Cookie");
  EXPECT_EQ(cookie.rfind("motcua_session=", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200"), std::string::npos)
      << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // plain HTTP: the cookie would be lost
  EXPECT_EQ(Header(in, "Cache-Control"), "no-store");
  const std::string secret = Secret(in);
  const std::string csrf = testing::JsonField(in.body, "csrf_token");
  EXPECT_EQ(csrf.size(), 64u) << in.body;
  EXPECT_EQ(testing::JsonField(in.body, "name"), "Nguyễn Thị Lan");
  EXPECT_EQ(in.body.find(kPassword), std::string::npos);

  // Reads need only the cookie; GET /v1/session gives the page its CSRF token again.
  EXPECT_EQ(WithCookie("GET", "/v1/dossiers?agency=000.17.22.H56", secret).status, 200);
  http::HttpResponse me = WithCookie("GET", "/v1/session", secret);
  EXPECT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(testing::JsonField(me.body, "csrf_token"), csrf);

  // A write without the token, or with another, is refused; with it, done as the account.
  http::HttpResponse no =
      WithCookie("POST", "/v1/dossiers", secret, "", CreateBody(), {{"idempotency-key", "s1"}});
  EXPECT_EQ(no.status, 403) << no.body;
  EXPECT_EQ(testing::JsonField(no.body, "type"), "urn:problem:motcua:csrf-token-invalid");
  EXPECT_EQ(WithCookie("POST", "/v1/dossiers", secret, std::string(64, '0'), CreateBody(),
                       {{"idempotency-key", "s1"}})
                .status,
            403);
  http::HttpResponse yes =
      WithCookie("POST", "/v1/dossiers", secret, csrf, CreateBody(), {{"idempotency-key", "s1"}});
  ASSERT_EQ(yes.status, 201) << yes.body;
  EXPECT_EQ(yes.actor, "lan");

  // Signing out needs the token too, clears the cookie, and ends the session.
  EXPECT_EQ(WithCookie("DELETE", "/v1/session", secret).status, 403);
  http::HttpResponse out = WithCookie("DELETE", "/v1/session", secret, csrf);
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_NE(Header(out, "Set-Cookie").find("motcua_session=; "), std::string::npos);
  EXPECT_NE(Header(out, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(WithCookie("GET", "/v1/dossiers?agency=000.17.22.H56", secret).status, 401);
}

TEST_F(SessionApiTest, WrongPasswordsLockThePrincipalOutAndSayNothingMore) {
  http::HttpResponse wrong = SignIn("lan", "not the password");
  EXPECT_EQ(wrong.status, 401);
  // An unknown principal gets the very same answer.
  http::HttpResponse unknown = SignIn("nobody", "not the password");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.body, wrong.body);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(SignIn("lan", "still not it").status, 401);
  // The fifth wrong password locked her out: even the right one waits.
  http::HttpResponse locked = SignIn("lan", kPassword);
  EXPECT_EQ(locked.status, 429) << locked.body;
  EXPECT_EQ(testing::JsonField(locked.body, "type"), "urn:problem:motcua:locked-out");
  // 15 minutes from the fifth failure, counted in whole seconds of the steady clock (a second may
  // have turned since; the lock-out's own arithmetic is tested to the second on SessionStore).
  const std::string retry = Header(locked, "Retry-After");
  EXPECT_TRUE(retry == "900" || retry == "899") << retry;
  // Others are not locked out by her.
  EXPECT_EQ(SignIn("binh", "mật khẩu của Bình").status, 201);
}

TEST_F(SessionApiTest, ADisabledAccountsSessionEnds) {
  http::HttpResponse in = SignIn("binh", "mật khẩu của Bình", {{"x-forwarded-proto", "https"}});
  ASSERT_EQ(in.status, 201);
  EXPECT_NE(Header(in, "Set-Cookie").find("; Secure"), std::string::npos);
  const std::string secret = Secret(in);
  EXPECT_EQ(WithCookie("GET", "/v1/session", secret).status, 200);
  ASSERT_TRUE(http::AddAccount(Accounts(), {"root", "Quản trị", {"admin"}, {"*", kA}, "", false},
                               "mật khẩu của root")
                  .ok());
  ASSERT_TRUE(http::SetDisabled(Accounts(), "binh", true).ok());
  Reload();
  EXPECT_EQ(WithCookie("GET", "/v1/session", secret).status, 401);
  EXPECT_EQ(SignIn("binh", "mật khẩu của Bình").status, 401);
  // A bearer token has no session to show.
  EXPECT_EQ(harness_.Answer("GET", "/v1/session", "", "cb1").status, 404);
}

TEST(SessionStoreTest, SessionsEndWhenIdleAndAtTheirAbsoluteEnd) {
  http::SessionOptions o;
  o.idle_seconds = 1800;
  o.max_seconds = 43200;
  http::SessionStore store(o);
  auto opened = store.Open("lan", "stamp", 1000);
  ASSERT_TRUE(opened.ok());
  const std::string secret = opened->first;
  // Used every 29 minutes 59 seconds, it lives until 12 hours after it opened.
  int64_t t = 1000;
  while (t + 1799 < 1000 + 43200) {
    t += 1799;
    ASSERT_TRUE(store.Find(secret, t)) << t;
  }
  EXPECT_FALSE(store.Find(secret, 1000 + 43200));
  // Idle for 30 minutes: gone.
  auto other = store.Open("lan", "stamp", 5000);
  EXPECT_TRUE(store.Find(other->first, 5000 + 1799));
  EXPECT_FALSE(store.Find(other->first, 5000 + 1799 + 1800));
  EXPECT_FALSE(store.Find("not-a-secret", 5000));
}

TEST_F(SessionApiTest, ANewPasswordEndsTheSessionsOfTheOldOne) {
  http::HttpResponse in = SignIn("lan", kPassword);
  ASSERT_EQ(in.status, 201);
  const std::string secret = Secret(in);
  ASSERT_TRUE(http::SetPassword(Accounts(), "lan", "một mật khẩu mới").ok());
  Reload();
  EXPECT_EQ(WithCookie("GET", "/v1/session", secret).status, 401);
  EXPECT_EQ(SignIn("lan", "một mật khẩu mới").status, 201);
}

TEST_F(SessionApiTest, OnlyThisSitesPagesSignIn) {
  // Another site's form cannot send JSON without a preflight; a browser says cross-site.
  http::HttpResponse form =
      harness_.Answer("POST", "/v1/session", R"({"principal":"lan","password":"x"})", "",
                      {{"content-type", "text/plain"}});
  EXPECT_EQ(form.status, 415) << form.body;
  http::HttpResponse cross = SignIn("lan", kPassword, {{"sec-fetch-site", "cross-site"}});
  EXPECT_EQ(cross.status, 403) << cross.body;
  EXPECT_EQ(SignIn("lan", kPassword, {{"sec-fetch-site", "same-origin"}}).status, 201);
}

TEST(SessionStoreTest, APrincipalCannotFillTheTable) {
  http::SessionOptions o;
  o.max_per_principal = 3;
  http::SessionStore store(o);
  std::vector<std::string> secrets;
  for (int i = 0; i < 4; ++i) secrets.push_back(store.Open("lan", "s", 100 + i)->first);
  EXPECT_FALSE(store.Find(secrets[0], 200));  // the oldest went
  for (int i = 1; i < 4; ++i) EXPECT_TRUE(store.Find(secrets[i], 200)) << i;
  EXPECT_EQ(store.size(), 3u);
}

TEST(SessionStoreTest, ALockOutLastsItsTimeThenCountsAgain) {
  http::SessionOptions o;
  o.max_failures = 3;
  o.lockout_seconds = 600;
  http::SessionStore store(o);
  store.Failed("lan", 100);
  store.Failed("lan", 101);
  EXPECT_EQ(store.LockedFor("lan", 102), 0);
  store.Failed("lan", 102);
  EXPECT_EQ(store.LockedFor("lan", 102), 600);
  EXPECT_EQ(store.LockedFor("lan", 701), 1);
  EXPECT_EQ(store.LockedFor("lan", 702), 0);
  // Served: one more failure does not lock again at once.
  store.Failed("lan", 800);
  EXPECT_EQ(store.LockedFor("lan", 800), 0);
  // A success forgets the failures.
  store.Failed("lan", 801);
  store.Succeeded("lan");
  store.Failed("lan", 802);
  EXPECT_EQ(store.LockedFor("lan", 802), 0);
  // Failures further apart than the lock-out's length do not add up.
  store.Succeeded("lan");
  store.Failed("lan", 1000);
  store.Failed("lan", 1000 + 600);
  store.Failed("lan", 1000 + 1200);
  EXPECT_EQ(store.LockedFor("lan", 1000 + 1200), 0);
}

TEST(SessionStoreTest, TheCookieIsFoundAmongOthers) {
  EXPECT_EQ(http::SessionCookie("a=1; motcua_session=abc; b=2"), "abc");
  EXPECT_EQ(http::SessionCookie("motcua_session=xyz"), "xyz");
  EXPECT_EQ(http::SessionCookie("not_motcua_session=xyz"), "");
  EXPECT_EQ(http::SessionCookie(""), "");
}

TEST_F(SessionApiTest, AnAdminReadsTheAccountsOfItsScopeWithoutTheirHashes) {
  ASSERT_TRUE(http::AddAccount(Accounts(),
                               {"hoa", "Lê Hoa", {"specialist"}, {"000.18.22.H56"}, "", false},
                               "mật khẩu của Hoa")
                  .ok());
  ASSERT_TRUE(http::AddAccount(Accounts(), {"root", "Quản trị", {"admin"}, {"*", kA}, "", false},
                               "mật khẩu của root")
                  .ok());
  ASSERT_TRUE(http::SetDisabled(Accounts(), "binh", true).ok());
  Reload();
  EXPECT_EQ(harness_.Answer("GET", "/v1/admin/accounts", "", "cb1").status, 403);
  http::HttpResponse mine = harness_.Answer("GET", "/v1/admin/accounts", "", "ad1");
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(mine.body,
            R"({"accounts":[{"principal":"binh","name":"Trần Bình","roles":["counter"],)"
            R"("agencies":["000.17.22.H56"],"disabled":true},{"principal":"lan",)"
            R"("name":"Nguyễn Thị Lan","roles":["counter"],"agencies":["000.17.22.H56"]}]})");
  http::HttpResponse all = harness_.Answer("GET", "/v1/admin/accounts", "", "root");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_NE(all.body.find(R"("principal":"hoa")"), std::string::npos) << all.body;
  // An account of every agency is shown only to an admin of every agency.
  EXPECT_NE(all.body.find(R"("principal":"root")"), std::string::npos) << all.body;
  EXPECT_EQ(all.body.find("argon2"), std::string::npos) << all.body;
}

}  // namespace
}  // namespace motcua
