// Stored events carry the version of the rules that wrote them (engine/dossier/appliers.h).

#include "adapters/proto/dossier_codec.h"

#include <gtest/gtest.h>

#include "engine/dossier/appliers.h"

namespace motcua {
namespace {

TEST(DossierCodecTest, AnEventStoredBeforeVersionsReadsAsVersionOne) {
  v1::Event stored;  // as format 1 wrote it: no event_version field
  stored.set_type("forwarded");
  stored.set_status("in_processing");
  stored.set_channel("counter");
  Result<Event> e = DecodeEvent(stored.SerializeAsString());
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->event_version, 1);
}

TEST(DossierCodecTest, NewEventsCarryTheirVersion) {
  Event e;
  e.type = EventType::kDecided;
  e.event_version = CurrentEventVersion(EventType::kDecided);
  v1::Event p;
  ASSERT_TRUE(p.ParseFromString(EncodeEvent(e)));
  EXPECT_EQ(p.event_version(), 2);
  EXPECT_EQ(DecodeEvent(EncodeEvent(e))->event_version, 2);
}

TEST(DossierCodecTest, AnEventOfAnUnknownVersionIsRefusedNotReplayed) {
  v1::Event stored;
  stored.set_type("extended");
  stored.set_status("in_processing");
  stored.set_channel("counter");
  stored.set_event_version(7);
  Result<Event> e = DecodeEvent(stored.SerializeAsString());
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kInternal);
  EXPECT_EQ(e.status().message(),
            "stored extended event has version 7, which this build cannot replay (it knows up to "
            "version 1)");
}

TEST(DossierCodecTest, EveryEventTypeHasAVersionOneApplier) {
  for (const auto& t : kEventTypeNames.entries()) {
    EXPECT_TRUE(KnownEventVersion(t.value, 1)) << t.name;
    EXPECT_FALSE(KnownEventVersion(t.value, 0)) << t.name;
    // timer_fired is at version 2 (marks remember their version), decided at 2 (a result
    // handed on to steps after the decision), result_returned at 2 (how and to whom); every
    // other type at 1.
    const bool second = t.value == EventType::kTimerFired || t.value == EventType::kDecided ||
                        t.value == EventType::kResultReturned;
    EXPECT_EQ(CurrentEventVersion(t.value), second ? 2 : 1) << t.name;
  }
  EXPECT_FALSE(KnownEventVersion(EventType::kTimerFired, 3));
}

}  // namespace
}  // namespace motcua
