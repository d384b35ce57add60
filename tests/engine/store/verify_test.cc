// Store verification (engine/store/verify.h) on the memory store, with its scratch set in memory.

#include "engine/store/verify.h"

#include <gtest/gtest.h>

#include "engine/store/memory_store.h"
#include "tests/engine/store/verify_cases.h"

namespace motcua {
namespace {

TEST(VerifyTest, FindsMissingAndStrayIndexEntriesAndReusedNumbers) {
  MemoryStore store;
  MemoryScratchSet scratch;
  testing::ExpectVerifyFindsIndexAndNumberProblems(store, &scratch);
}

TEST(VerifyTest, AScratchSetGivesEachKeyOnceInByteOrder) {
  MemoryScratchSet s;
  for (const char* k : {"b", "a\xff", "a", "b", "\x01"}) ASSERT_TRUE(s.Add(k).ok());
  std::vector<std::string> seen;
  ASSERT_TRUE(s.Scan([&](std::string_view k) {
                 seen.emplace_back(k);
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"\x01", "a", "a\xff", "b"}));
}

}  // namespace
}  // namespace motcua
