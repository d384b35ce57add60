// DossierService: what it keeps of a command once the command is answered.

#include "adapters/runtime/dossier_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "engine/store/memory_store.h"
#include "tests/adapters/runtime/service_fixture.h"

namespace motcua {
namespace {

// A completion callback owns what its caller gave it (the HTTP server's connection, say). The
// service must let go of it once it has been called, not when its batch is freed later: the
// caller may be gone by then (a server shut down before the service).
TEST(DossierServiceTest, ACallbackIsReleasedOnceItHasBeenCalled) {
  auto catalog = ShippedCatalog();
  MemoryStore store;
  ManualClock clock(*ParseLocalDateTime("2026-03-02T09:00", 7 * 3600));
  RandomIdSource ids(&clock);
  ServiceOptions o;
  o.run_timers = false;
  DossierService service(&store, catalog, &clock, &ids, o);
  ASSERT_TRUE(service.Start().ok());
  auto owned = std::make_shared<int>(1);  // stands for what the callback keeps alive
  std::promise<bool> answered;
  service.SubmitAsync(ReceiveCopy("A"), [owned, &answered](CommandResult res) {
    answered.set_value(res.accepted());
  });
  ASSERT_TRUE(answered.get_future().get());
  // No other command follows: nothing else would free the batch.
  for (int i = 0; i < 500 && owned.use_count() > 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(owned.use_count(), 1);
  service.Stop();
}

}  // namespace
}  // namespace motcua
