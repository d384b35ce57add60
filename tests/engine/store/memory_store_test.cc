#include "engine/store/memory_store.h"

#include "tests/engine/store/store_conformance.h"

namespace motcua::testing {
namespace {

struct MemoryStoreFactory {
  std::unique_ptr<Store> Make() { return std::make_unique<MemoryStore>(); }
  void Cleanup() {}
};

INSTANTIATE_TYPED_TEST_SUITE_P(Memory, StoreConformance, MemoryStoreFactory);

TEST(MemoryStoreTest, RefusesWritesAfterAFailedCommit) {
  MemoryStore s;
  s.FailCommits(true);
  EXPECT_EQ(s.Commit(WriteSet{}).code(), StatusCode::kUnavailable);
  s.FailCommits(false);
  Status again = s.Commit(WriteSet{});
  EXPECT_EQ(again.code(), StatusCode::kUnavailable);
  EXPECT_EQ(again.message(), "the store refuses writes after a failed commit");
}

}  // namespace
}  // namespace motcua::testing
