#include "engine/store/memory_store.h"

#include "tests/engine/common/status_matchers.h"
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
  EXPECT_THAT(s.Commit(WriteSet{}), StatusIs(StatusCode::kUnavailable, "injected commit failure"));
  s.FailCommits(false);
  EXPECT_THAT(s.Commit(WriteSet{}),
              StatusIs(StatusCode::kUnavailable, "the store refuses writes after a failed commit"));
}

}  // namespace
}  // namespace motcua::testing
