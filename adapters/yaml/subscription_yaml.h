#pragma once
// Reading the outbound delivery subscriptions file (docs/delivery.md) into Subscription entries,
// every problem with its file:line and field.

#include <optional>
#include <string>
#include <vector>

#include "engine/definition/agency.h"
#include "engine/delivery/delivery.h"

namespace motcua {

// The subscriptions `text` lists; nullopt when it has errors. Agencies are checked against
// `agencies` when it is not empty.
std::optional<std::vector<Subscription>> ParseSubscriptionFile(const std::string& text,
                                                               const std::string& file,
                                                               const AgencyRegistry& agencies,
                                                               std::vector<Diagnostic>* errors);

}  // namespace motcua
