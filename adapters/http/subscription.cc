// A WebSocket subscription, without a socket (subscription.h).

#include "adapters/http/subscription.h"

#include <google/protobuf/util/json_util.h>

#include "adapters/json/json_reader.h"
#include "adapters/json/json_writer.h"
#include "adapters/proto/view_codec.h"

namespace motcua::http {

Result<Subscription> Subscription::Open(const std::string& first_message, Principal principal,
                                        Store* store, CatalogSource catalog, uint64_t committed) {
  v1::StreamSubscribe sub;
  std::string error;
  if (!ReadJsonBody(first_message, 16, &sub, &error)) {
    return InvalidArgument(
        "first message must be a subscription: {\"dossier_id\"|\"agency\"|\"all\", \"from\"} (" +
        error + ")");
  }
  // Names and ids: short, printable text (as in request bodies).
  for (const auto& [field, value] :
       {std::pair{"dossier_id", &sub.dossier_id()}, std::pair{"agency", &sub.agency()},
        std::pair{"step", &sub.step()}, std::pair{"assignee", &sub.assignee()}}) {
    if (value->size() > 64) return InvalidArgument(std::string(field) + ": at most 64 bytes");
    for (unsigned char c : *value) {
      if (c < 0x20 || c == 0x7f) {
        return InvalidArgument(std::string(field) + ": no control characters");
      }
    }
  }
  if ((!sub.step().empty() || !sub.assignee().empty()) && sub.agency().empty()) {
    return InvalidArgument("step and assignee narrow an agency subscription: give agency too");
  }
  if (!sub.dossier_id().empty()) {
    Result<std::shared_ptr<const Dossier>> d = store->GetShared(sub.dossier_id());
    if (!d.ok() || !*d || !CanSee(principal, **d, catalog()->Agencies())) {
      return NotFound("unknown dossier");
    }
  } else if (!sub.agency().empty()) {
    if (!principal.InScope(sub.agency(), catalog()->Agencies())) {
      return NotFound("agency outside your scope");
    }
  } else if (!sub.all()) {
    return InvalidArgument(
        "subscribe to a dossier_id, an agency (optionally step/assignee) or all");
  }
  const uint64_t start = sub.from() > 0 ? sub.from() : (sub.from_start() ? 0 : committed);
  return Subscription(std::move(sub), std::move(principal), store, std::move(catalog), start);
}

bool Subscription::Wants(const Event& e) const {
  if (!request_.dossier_id().empty()) return e.dossier_id == request_.dossier_id();
  Result<std::shared_ptr<const Dossier>> d = store_->GetShared(e.dossier_id);
  if (!d.ok() || !*d) return false;
  const std::shared_ptr<const DefinitionCatalog> catalog = catalog_();
  const AgencyRegistry& registry = catalog->Agencies();
  if (!CanSee(principal_, **d, registry)) return false;
  if (!request_.agency().empty()) {
    // The agency and the units below it.
    const Dossier& x = **d;
    if (!registry.IsWithin(x.receiving_agency, request_.agency()) &&
        !registry.IsWithin(x.competent_agency, request_.agency())) {
      return false;
    }
    if (!request_.step().empty() && e.to_step != request_.step() &&
        x.current_step != request_.step()) {
      return false;
    }
    if (!request_.assignee().empty() && x.assignee != request_.assignee()) return false;
  }
  return true;
}

std::string Subscription::Render(const OutboxEntry& entry) {
  v1::EventView v;
  FillEvent(entry.event, entry.position, &v);
  return ToJson(v, false);
}

}  // namespace motcua::http
