#pragma once
// What the HTTP API sees of outbound delivery (adapters/http/delivery.cc): each subscription's
// state, its dead letters, and a dead letter sent again. The port keeps Beast, and the delivery
// thread, out of the API's link (deliverer.h implements it).

#include <cstdint>
#include <string>
#include <vector>

#include "engine/common/status.h"
#include "engine/delivery/delivery.h"
#include "motcua/v1/dossier.pb.h"

namespace motcua {

// A subscription as operators see it: never its secrets.
struct SubscriptionState {
  std::string id;
  std::string url;
  uint64_t cursor = 0;     // every event at or below it finished
  uint64_t read_upto = 0;  // the last outbox position read
  uint64_t committed = 0;  // the last position committed
  size_t pending = 0;      // read, wanted, not finished
  size_t in_flight = 0;
  uint64_t delivered = 0;  // since the start
  uint64_t requests = 0;   // HTTP requests sent since the start (a batch is one)
  uint64_t retried = 0;    // failed attempts that will be tried again
  uint64_t dead_lettered = 0;
  int64_t oldest_pending_ms = 0;  // commit instant of the oldest unfinished event; 0: none
  std::string last_error;         // of the last failed attempt
  Subscription config;            // its secrets included: never show them
};

class DeliveryControl {
 public:
  virtual ~DeliveryControl() = default;
  virtual std::vector<SubscriptionState> States() const = 0;
  // A subscription's dead letters, in position order, after `after`.
  virtual Result<std::vector<v1::DeadLetter>> DeadLetters(const std::string& subscription,
                                                          uint64_t after, size_t limit) const = 0;
  // Sends a dead letter again (ahead of its dossier's later events); it leaves the list once
  // delivered. NotFound when there is no such dead letter.
  virtual Status Redrive(const std::string& subscription, uint64_t position) = 0;
};

}  // namespace motcua
