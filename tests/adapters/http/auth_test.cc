// The tokens file (adapters/http/auth.h): what a token must say, and what revocation does.

#include "adapters/http/auth.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/engine/common/status_matchers.h"

namespace motcua::http {
namespace {

using testing::StatusIs;

std::string Write(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/motcua-auth-" + name + ".yaml";
  std::ofstream(path) << text;
  return path;
}

const std::string kHash(64, 'a');

// A token without roles or agencies would authenticate and then be allowed nothing, or
// everything a default allowed: the whole file is refused, naming the entry and the key.
TEST(TokenStoreTest, ATokenMustNameEveryKey) {
  for (const char* key : {"principal", "roles", "agencies", "sha256"}) {
    std::string entry = "  - {";
    if (std::string(key) != "principal") entry += "principal: cb1, ";
    if (std::string(key) != "roles") entry += "roles: [counter], ";
    if (std::string(key) != "agencies") entry += "agencies: [\"000.17.22.H56\"], ";
    if (std::string(key) != "sha256") entry += "sha256: \"" + kHash + "\", ";
    entry += "revoked: false}\n";
    const std::string path = Write(key, "tokens:\n" + entry);
    EXPECT_THAT(TokenStore::Load(path),
                StatusIs(StatusCode::kInvalidArgument,
                         path + ": tokens[0]: missing '" + key +
                             "' (each token needs principal, roles, agencies and sha256)"))
        << key;
  }
}

TEST(TokenStoreTest, RevokingTwiceSaysSo) {
  const std::string path = Write(
      "revoke", "tokens:\n  - {principal: cb1, roles: [counter], agencies: [\"*\"], sha256: \"" +
                    kHash + "\"}\n");
  Result<Revocation> first = RevokeTokens(path, "cb1");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->revoked, 1);
  Result<Revocation> again = RevokeTokens(path, "cb1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->revoked, 0);
  EXPECT_EQ(again->already_revoked, 1);
  Result<std::shared_ptr<const TokenStore>> store = TokenStore::Load(path);
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE((*store)->Active(kHash));
}

}  // namespace
}  // namespace motcua::http
