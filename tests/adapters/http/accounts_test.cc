// Staff accounts (adapters/http/accounts.h): Argon2id hashes that verify only the right password,
// the accounts file's errors with file and line, and the edits `motcua account` makes.

#include "adapters/http/accounts.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/engine/common/status_matchers.h"

namespace motcua::http {
namespace {

using testing::StatusIs;

std::string Path(const std::string& name) {
  const std::string path = ::testing::TempDir() + "/motcua-accounts-" + name + ".yaml";
  std::filesystem::remove(path);
  return path;
}

TEST(AccountsTest, APasswordVerifiesAgainstItsHashOnly) {
  Result<std::string> hash = HashPassword("mật khẩu đủ dài");
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u) << *hash;
  EXPECT_TRUE(VerifyPassword(*hash, "mật khẩu đủ dài"));
  EXPECT_FALSE(VerifyPassword(*hash, "mat khau du dai"));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
  // No account: checked against a decoy, never valid.
  EXPECT_FALSE(VerifyPassword("", "decoy password, never valid"));
  // Salted: the same password hashes differently each time.
  EXPECT_NE(*hash, *HashPassword("mật khẩu đủ dài"));
}

TEST(AccountsTest, PasswordsHaveBounds) {
  EXPECT_THAT(HashPassword("short"), StatusIs(StatusCode::kInvalidArgument,
                                              "a password has 10 to 128 bytes; this one has 5"));
  EXPECT_THAT(
      HashPassword(std::string(129, 'x')),
      StatusIs(StatusCode::kInvalidArgument, "a password has 10 to 128 bytes; this one has 129"));
}

TEST(AccountsTest, TheFileIsEditedAndReadBack) {
  const std::string path = Path("edits");
  // A missing file is no account, not an error.
  Result<std::shared_ptr<const AccountStore>> empty = AccountStore::Load(path);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ((*empty)->size(), 0u);
  Account a{"cb1", "Nguyễn Thị Lan", {"counter"}, {"000.17.22.H56"}, "", false};
  ASSERT_TRUE(AddAccount(path, a, "first password").ok());
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_THAT(
      AddAccount(path, a, "first password"),
      StatusIs(StatusCode::kInvalidArgument, "account 'cb1' exists already in " + path +
                                                 " (motcua account passwd changes its password)"));
  std::shared_ptr<const AccountStore> store = *AccountStore::Load(path);
  const Account* got = store->Find("cb1");
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->name, "Nguyễn Thị Lan");
  EXPECT_EQ(got->roles, std::vector<std::string>{"counter"});
  EXPECT_TRUE(VerifyPassword(got->password_hash, "first password"));

  ASSERT_TRUE(SetPassword(path, "cb1", "second password").ok());
  ASSERT_TRUE(SetDisabled(path, "cb1", true).ok());
  store = *AccountStore::Load(path);
  EXPECT_FALSE(VerifyPassword(store->Find("cb1")->password_hash, "first password"));
  EXPECT_TRUE(VerifyPassword(store->Find("cb1")->password_hash, "second password"));
  EXPECT_TRUE(store->Find("cb1")->disabled);
  EXPECT_THAT(SetPassword(path, "nobody", "some password"),
              StatusIs(StatusCode::kNotFound, "no account 'nobody' in " + path));
  Result<std::vector<Account>> list = ListAccounts(path);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].principal, "cb1");
}

TEST(AccountsTest, ABadFileIsRefusedWithFileAndLine) {
  const std::string path = Path("bad");
  std::ofstream(path) << "accounts:\n"
                         "  - principal: cb1\n"
                         "    roles: [counter]\n"
                         "    agencies: [\"*\"]\n";
  EXPECT_THAT(AccountStore::Load(path),
              StatusIs(StatusCode::kInvalidArgument,
                       path + ":2: accounts[0]: missing 'password' (each account needs "
                              "principal, roles, agencies and password)"));
  std::ofstream(path) << "accounts:\n"
                         "  - principal: cb1\n"
                         "    roles: [counter]\n"
                         "    agencies: [\"*\"]\n"
                         "    password: hunter2hunter2\n";
  EXPECT_THAT(AccountStore::Load(path),
              StatusIs(StatusCode::kInvalidArgument,
                       path + ":2: accounts[0].password: expected an Argon2id hash "
                              "($argon2id$...); set passwords with `motcua account passwd`"));
}

}  // namespace
}  // namespace motcua::http
