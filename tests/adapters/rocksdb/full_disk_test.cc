// A real full disk: a small tmpfs mounted for the test (skipped where the test may not mount).
// The dossier service fills it until the kernel says ENOSPC; writes then stop cleanly (no abort,
// every acknowledged dossier readable), a restart on the full disk serves reads, and a restart with
// space back writes again (issue 10 §0).

#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "adapters/rocksdb/rocks_store.h"
#include "engine/store/verify.h"
#include "tests/adapters/rocksdb/temp_dir.h"
#include "tests/adapters/runtime/service_fixture.h"
#include "tests/engine/common/status_matchers.h"

namespace motcua::testing {
namespace {

using ::testing::HasSubstr;

// A tmpfs of `megabytes` at a fresh directory, unmounted at the end.
class SmallDisk {
 public:
  explicit SmallDisk(int megabytes) : dir_(FreshDir("small-disk")) {
    std::filesystem::create_directories(dir_);
    const std::string size = "size=" + std::to_string(megabytes) + "m";
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, size.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    std::filesystem::remove_all(dir_);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  bool mounted_ = false;
  std::string error_;
};

TEST(FullDiskTest, WritesStopCleanlyAndResumeAfterARestartWithSpace) {
  SmallDisk disk(24);
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a small filesystem here: " << disk.error();
  // Most of the disk is taken by another file; the store gets what is left.
  const std::string filler = disk.dir() + "/filler";
  {
    std::ofstream f(filler, std::ios::binary);
    const std::string mb(1 << 20, 'x');
    for (int i = 0; i < 14; ++i) f << mb;
  }
  const std::string db = disk.dir() + "/db";
  std::vector<std::string> acknowledged;
  Status stopped;
  {
    auto store = RocksStore::Open(db);
    ASSERT_THAT(store, IsOk());
    ServiceHarness h(store->get());
    ASSERT_THAT(h.started, IsOk());
    for (int i = 0; i < 200000 && stopped.ok(); ++i) {
      CommandRequest r = ReceiveCopy(kCommuneA);
      r.command.applicant.name = std::string(2000, 'n');  // fills the disk sooner
      CommandResult res = h.service.Execute(r);
      if (res.accepted()) {
        acknowledged.push_back(res.dossier->id);
      } else {
        stopped = res.status;
      }
    }
    ASSERT_FALSE(stopped.ok()) << "the disk never filled up";
    EXPECT_THAT(stopped, StatusIs(StatusCode::kUnavailable, HasSubstr("No space left on device")));
    EXPECT_FALSE(h.service.writable());
    ASSERT_GT(acknowledged.size(), 100u);
    // Reads are still served, and everything acknowledged is there.
    for (const std::string& id : acknowledged) {
      ASSERT_TRUE((*(*store)->GetShared(id)) != nullptr) << id;
    }
  }
  {  // a restart on the nearly full disk (closing the store gave back its log's reserved space):
     // reads are served; a write either fits or is refused cleanly (RocksStoreTest covers the
     // read-only restart on a disk with no space at all)
    auto store = RocksStore::Open(db);
    ASSERT_THAT(store, IsOk());
    ServiceHarness h(store->get());
    ASSERT_THAT(h.started, IsOk());
    EXPECT_TRUE((*(*store)->Get(acknowledged.back())).has_value());
    CommandResult r = h.service.Execute(ReceiveCopy(kCommuneA));
    if (r.accepted()) {
      acknowledged.push_back(r.dossier->id);
    } else {
      EXPECT_THAT(r.status, StatusIs(StatusCode::kUnavailable, HasSubstr("No space")));
    }
  }
  std::filesystem::remove(filler);
  {  // space is back: a restart writes again, and the store verifies
    auto store = RocksStore::Open(db);
    ASSERT_THAT(store, IsOk());
    {
      ServiceHarness h(store->get());
      ASSERT_THAT(h.started, IsOk());
      EXPECT_TRUE(h.service.writable());
      EXPECT_TRUE(h.service.Execute(ReceiveCopy(kCommuneA)).accepted());
    }
    Result<VerifyReport> report = VerifyStore(**store);
    ASSERT_THAT(report, IsOk());
    EXPECT_EQ(report->problems, std::vector<std::string>{});
    // Every acknowledged dossier, the one written now, and perhaps those whose writes failed:
    // an unacknowledged write may still have reached the log (its retry then replays it).
    EXPECT_GE(report->dossiers, acknowledged.size() + 1);
    EXPECT_LE(report->dossiers, acknowledged.size() + 3);
  }
}

}  // namespace
}  // namespace motcua::testing
