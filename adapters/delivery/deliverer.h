#pragma once
// Outbound delivery (docs/delivery.md): committed events POSTed to each subscription's URL as
// Standard Webhooks, at least once and in order per dossier, by one thread ("motcua-deliver")
// that reads the outbox itself: a commit only stores a position and wakes it, so delivery never
// slows or blocks a commit. The order, retries and dead letters are engine/delivery/delivery.h's
// DeliveryLane; this is its I/O: the outbox, the HTTP client (Boost.Beast, keep-alive
// connections), and the cursors and dead letters in the store's states.
//
// States (Store::WriteStates; docs/storage.md):
//   "dc␟<subscription>" → the cursor, decimal: every event at or below it is finished
//   "dl␟<subscription>␟<position, 20 digits>" → a dead letter (v1.DeadLetter)

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "adapters/delivery/delivery_control.h"
#include "engine/common/status.h"
#include "engine/definition/catalog.h"
#include "engine/delivery/delivery.h"
#include "engine/store/store.h"
#include "motcua/v1/dossier.pb.h"

namespace motcua {

struct DeliveryOptions {
  // Events read ahead of a subscription's cursor at most (bounds the memory of a backlog).
  size_t max_pending = 10000;
  // Committed events kept in memory for the subscriptions to take without a store read; one
  // further behind reads the outbox.
  size_t recent_events = 10000;
};

class Deliverer : public DeliveryControl {
 public:
  using CatalogSource = std::function<std::shared_ptr<const DefinitionCatalog>()>;
  using Clock = std::function<int64_t()>;  // milliseconds since the epoch

  Deliverer(Store* store, CatalogSource catalog, std::vector<Subscription> subscriptions,
            DeliveryOptions options = {}, Clock clock = {});
  ~Deliverer();

  // Reads the cursors (a new subscription starts after `committed`: it gets what is committed
  // from now on) and starts the thread.
  Status Start(uint64_t committed);
  // Stops sending: requests in flight are abandoned (sent again after a restart).
  void Stop();
  // From the committer: the outbox holds events up to `position`. Cheap, never blocks.
  void Committed(uint64_t position);
  // From the committer: the events of a commit, kept in memory for a while (up to
  // DeliveryOptions::recent_events) so that delivery does not read them back from the store.
  // Cheap, never blocks; Committed still says where the outbox ends.
  void CommittedEvents(std::shared_ptr<const motcua::CommittedEvents> events);
  // A reload: subscriptions kept by id keep their cursor and lane; new ones start at the end of
  // the outbox; removed ones stop.
  void Replace(std::vector<Subscription> subscriptions);

  std::vector<SubscriptionState> States() const override;
  // A subscription's dead letters, in position order, after `after`.
  Result<std::vector<v1::DeadLetter>> DeadLetters(const std::string& subscription, uint64_t after,
                                                  size_t limit) const override;
  // Sends a dead letter again (ahead of its dossier's later events); it leaves the list once
  // delivered. NotFound when there is no such subscription or dead letter.
  Status Redrive(const std::string& subscription, uint64_t position) override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// The state keys (docs/storage.md).
std::string DeliveryCursorKey(const std::string& subscription);
std::string DeadLetterKey(const std::string& subscription, uint64_t position);

}  // namespace motcua
