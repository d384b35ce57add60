// Name tables (engine/common/enum_names.h): complete at compile time, and every name reads back.

#include "engine/common/enum_names.h"

#include <gtest/gtest.h>

#include "engine/dossier/processor.h"

namespace motcua {
namespace {

enum class Three { kA, kB, kC };

// A table that leaves out the last enumerator, or names two values alike, or lists them out of
// order, is not complete.
static_assert(!MakeNames<Three>({{Three::kA, "a"}, {Three::kB, "b"}}).Complete());
static_assert(!MakeNames<Three>({{Three::kA, "a"}, {Three::kB, "a"}, {Three::kC, "c"}}).Complete());
static_assert(!MakeNames<Three>({{Three::kB, "b"}, {Three::kA, "a"}, {Three::kC, "c"}}).Complete());
static_assert(MakeNames<Three>({{Three::kA, "a"}, {Three::kB, "b"}, {Three::kC, "c"}}).Complete());

template <typename E>
void RoundTrips() {
  E any{};
  for (const auto& e : NamesOf(any).entries()) {
    EXPECT_EQ(NameOf(e.value), std::string(e.name));
    EXPECT_EQ(ParseName<E>(e.name), e.value) << e.name;
  }
  EXPECT_FALSE(ParseName<E>("").has_value());
  EXPECT_FALSE(ParseName<E>("no such name").has_value());
}

TEST(EnumNamesTest, EveryNameReadsBack) {
  RoundTrips<WorkDuration::Unit>();
  RoundTrips<DueRule>();
  RoundTrips<CutoffPolicy>();
  RoundTrips<Timeliness>();
  RoundTrips<TimelinessRule>();
  RoundTrips<Level>();
  RoundTrips<Channel>();
  RoundTrips<DocumentForm>();
  RoundTrips<StepKind>();
  RoundTrips<ActionKind>();
  RoundTrips<Outcome>();
  RoundTrips<SupplementClock>();
  RoundTrips<DossierStatus>();
  RoundTrips<TimerKind>();
  RoundTrips<EventType>();
  RoundTrips<CommandType>();
  RoundTrips<RejectionCode>();
}

TEST(EnumNamesTest, ListsForMessages) {
  EXPECT_EQ(kChannelNames.List(" or "), "counter, online_full, online_partial or postal");
  EXPECT_EQ(kTimelinessNames.List(), "early, on_time, late");
}

}  // namespace
}  // namespace motcua
