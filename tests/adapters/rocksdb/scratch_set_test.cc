// The on-disk scratch set (adapters/rocksdb/scratch_set.h): keys once, in byte order, however
// many and however added; its directory gone afterwards; and verification on a RocksDB store
// with it finds what it finds in memory.

#include "adapters/rocksdb/scratch_set.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "adapters/rocksdb/rocks_store.h"
#include "adapters/runtime/worker.h"
#include "tests/engine/store/verify_cases.h"

namespace motcua {
namespace {

std::string Dir(const std::string& name) {
  const std::string d =
      ::testing::TempDir() + "/motcua-scratch-" + name + "-" + std::to_string(::getpid());
  std::filesystem::remove_all(d);
  return d;
}

TEST(RocksScratchSetTest, KeysComeBackOnceInByteOrderAndTheDirectoryGoes) {
  const std::string dir = Dir("order");
  {
    auto s = RocksScratchSet::Create(dir, 1 << 20);  // runs of ~1 MB: several of them
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    // Many runs' worth, in reverse, each twice (in different runs), with bytes above 0x7f.
    const int n = 200000;
    for (int round = 0; round < 2; ++round) {
      for (int i = n - 1; i >= 0; --i) {
        char key[96];  // ~80 bytes: the arena fills before the count of keys bounds a run
        std::snprintf(key, sizeof key,
                      "k%08d\xc3\xa9-padding-to-make-it-longer-than-sixty-four-bytes", i);
        ASSERT_TRUE((*s)->Add(key).ok());
      }
    }
    ASSERT_TRUE((*s)->Add("\xff").ok());
    // A key larger than a whole run has a run of its own.
    const std::string huge = "l" + std::string(3 << 20, 'x');
    ASSERT_TRUE((*s)->Add(huge).ok());
    int seen = 0;
    std::string last;
    ASSERT_TRUE((*s)->Scan([&](std::string_view k) {
                      EXPECT_LT(last, std::string(k));
                      last = k;
                      ++seen;
                      return Status::Ok();
                    })
                    .ok());
    EXPECT_EQ(seen, n + 2);
    EXPECT_EQ(last, "\xff");
    EXPECT_GT((*s)->runs(), 10u);
    // A second one in the same place is refused while the first exists.
    EXPECT_FALSE(RocksScratchSet::Create(dir).ok());
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(RocksScratchSetTest, VerifyOnRocksDbFindsMissingAndStrayEntriesAndReusedNumbers) {
  const std::string dir = Dir("verify");
  {
    auto store = RocksStore::Open(dir + "/store");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto scratch = RocksScratchSet::Create(dir + "/scratch");
    ASSERT_TRUE(scratch.ok());
    WorkerJobRunner runner(2);  // RocksDB read from two threads at once
    testing::ExpectVerifyFindsIndexAndNumberProblems(**store, scratch->get(), &runner);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace motcua
