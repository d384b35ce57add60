// A WebSocket subscription, without a socket (subscription.h).

#include "adapters/http/subscription.h"

#include "adapters/json/json_reader.h"

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
  return Subscription(std::move(sub), std::move(principal), start);
}

bool Subscription::Wants(const StreamEvent& e, const AgencyRegistry& registry) const {
  if (!request_.dossier_id().empty()) return e.dossier_id == request_.dossier_id();
  if (e.receiving_agency.empty() && e.competent_agency.empty()) return false;  // no such dossier
  if (!principal_.InScope(e.receiving_agency, registry) &&
      !principal_.InScope(e.competent_agency, registry)) {
    return false;
  }
  if (!request_.agency().empty()) {
    // The agency and the units below it.
    if (!registry.IsWithin(e.receiving_agency, request_.agency()) &&
        !registry.IsWithin(e.competent_agency, request_.agency())) {
      return false;
    }
    if (!request_.step().empty() && e.to_step != request_.step() &&
        e.current_step != request_.step()) {
      return false;
    }
    if (!request_.assignee().empty() && e.assignee != request_.assignee()) return false;
  }
  return true;
}

}  // namespace motcua::http
