// A WebSocket subscription without a socket (adapters/http/subscription.h): what the first message
// may ask for, where delivery starts, and which committed events a subscriber receives.

#include "adapters/http/subscription.h"

#include <gtest/gtest.h>

#include "engine/store/memory_store.h"
#include "tests/engine/batch/fixtures.h"
#include "tests/engine/common/status_matchers.h"

namespace motcua::http {
namespace {

using testing::StatusIs;

// Counts how the subscription reads dossiers: through GetShared (a store's record cache), never
// with a plain Get (a store read and a decode).
class CountingStore : public MemoryStore {
 public:
  Result<std::optional<Dossier>> Get(const std::string& id) override {
    ++gets;
    return MemoryStore::Get(id);
  }
  Result<std::shared_ptr<const Dossier>> GetShared(const std::string& id) override {
    ++shared_gets;
    return Store::GetShared(id);  // the port's default, which calls Get: not counted as ours
  }
  int gets = 0, shared_gets = 0;
};

Dossier At(const std::string& id, const std::string& agency, const std::string& step) {
  Dossier d;
  d.id = id;
  d.version = 1;
  d.receiving_agency = agency;
  d.competent_agency = agency;
  d.status = DossierStatus::kInProcessing;
  d.current_step = step;
  return d;
}

Event For(const std::string& id) {
  Event e;
  e.type = EventType::kForwarded;
  e.dossier_id = id;
  e.version = 1;
  return e;
}

class SubscriptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteSet w;
    w.first_outbox_position = 1;
    for (const Dossier& d : {At("a1", kCommuneA, "appraise"), At("a2", kCommuneA, "sign"),
                             At("b1", "000.17.22.H99", "appraise")}) {
      w.changes.push_back({std::nullopt, d, {For(d.id)}});
    }
    ASSERT_TRUE(store_.Commit(w).ok());
  }
  Result<Subscription> Open(const std::string& message, uint64_t committed = 3,
                            const Principal* who = nullptr) {
    return Subscription::Open(
        message, who ? *who : clerk_a_, &store_, [this] { return catalog_; }, committed);
  }

  // The event as the stream hub makes it, once for every subscriber.
  StreamEvent Made(const Event& e, uint64_t position = 1) {
    Result<std::shared_ptr<const StreamEvent>> made = MakeStreamEvent(&store_, {position, e});
    EXPECT_TRUE(made.ok());
    return made.ok() ? **made : StreamEvent{};
  }
  bool Wants(const Subscription& s, const Event& e) {
    return s.Wants(Made(e), catalog_->Agencies());
  }

  CountingStore store_;
  std::shared_ptr<const DefinitionCatalog> catalog_ = ShippedCatalog();
  Principal clerk_a_{"clerkA", {"clerk"}, {kCommuneA}};
};

TEST_F(SubscriptionTest, TheFirstMessageMustBeASubscriptionInScope) {
  EXPECT_THAT(Open("hello"),
              StatusIs(StatusCode::kInvalidArgument,
                       ::testing::StartsWith("first message must be a subscription: "
                                             "{\"dossier_id\"|\"agency\"|\"all\", \"from\"} (")));
  EXPECT_THAT(Open("{}"),
              StatusIs(StatusCode::kInvalidArgument,
                       "subscribe to a dossier_id, an agency (optionally step/assignee) "
                       "or all"));
  // Another agency's dossier is as unknown as a dossier that does not exist.
  EXPECT_THAT(Open(R"({"dossier_id":"b1"})"), StatusIs(StatusCode::kNotFound, "unknown dossier"));
  EXPECT_THAT(Open(R"({"dossier_id":"zz"})"), StatusIs(StatusCode::kNotFound, "unknown dossier"));
  EXPECT_THAT(Open(R"({"agency":"000.17.22.H99"})"),
              StatusIs(StatusCode::kNotFound, "agency outside your scope"));
}

TEST_F(SubscriptionTest, DeliveryStartsNowOrWhereTheClientSays) {
  EXPECT_EQ(Open(R"({"all":true})")->start(), 3u);
  EXPECT_EQ(Open(R"({"all":true,"from":1})")->start(), 1u);
  EXPECT_EQ(Open(R"({"all":true,"from_start":true})")->start(), 0u);
}

TEST_F(SubscriptionTest, ASubscriberGetsWhatItAskedForAndMaySee) {
  Result<Subscription> all = Open(R"({"all":true})");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(Wants(*all, For("a1")));
  EXPECT_TRUE(Wants(*all, For("a2")));
  EXPECT_FALSE(Wants(*all, For("b1")));  // outside the principal's agencies
  EXPECT_FALSE(Wants(*all, For("gone")));
  Result<Subscription> step = Open(R"({"agency":"000.17.22.H56","step":"sign"})");
  EXPECT_FALSE(Wants(*step, For("a1")));
  EXPECT_TRUE(Wants(*step, For("a2")));
  Event moving = For("a1");
  moving.to_step = "sign";  // an event that moves a dossier into the step is wanted
  EXPECT_TRUE(Wants(*step, moving));
  Result<Subscription> one = Open(R"({"dossier_id":"a2"})");
  EXPECT_FALSE(Wants(*one, For("a1")));
  EXPECT_TRUE(Wants(*one, For("a2")));
  // Every dossier was read through the store's shared (cached) read, once per event made.
  EXPECT_GT(store_.shared_gets, 0);
  EXPECT_EQ(store_.gets, store_.shared_gets);  // only the port's default forwards to Get
}

// Scope follows the agency tree: a principal of the province sees its communes' dossiers, and
// a subscription to the province gets the events of the units below it; another province's
// stay outside.
TEST_F(SubscriptionTest, AProvinceSeesItsUnits) {
  const Principal province{"managerP", {"manager"}, {"000.00.00.H56"}};
  Result<Subscription> all = Open(R"({"all":true})", 3, &province);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(Wants(*all, For("a1")));
  EXPECT_FALSE(Wants(*all, For("b1")));
  Result<Subscription> below = Open(R"({"agency":"000.00.00.H56"})", 3, &province);
  ASSERT_TRUE(below.ok());
  EXPECT_TRUE(Wants(*below, For("a2")));
  EXPECT_FALSE(Wants(*below, For("b1")));
  EXPECT_THAT(Open(R"({"dossier_id":"a1"})", 3, &province), testing::IsOk());
  EXPECT_THAT(Open(R"({"agency":"000.00.00.H99"})", 3, &province),
              StatusIs(StatusCode::kNotFound, "agency outside your scope"));
}

TEST_F(SubscriptionTest, AnEventIsSentAsItsView) {
  EXPECT_EQ(
      Made(For("a1"), 42).json,
      R"({"type":"forwarded","version":1,"status":"submitted","at":"1970-01-01T07:00:00+07:00","position":"42","dossier_id":"a1"})");
}

}  // namespace
}  // namespace motcua::http
