#pragma once
// A WebSocket subscriber's subscription to /v1/stream, without a socket: the client's first
// message parsed and authorised against its principal's scope, which committed events it wants,
// and how an event is sent. The WebSocket session (websocket_session.h) carries the bytes; this
// unit decides what they are, and is tested without a network (subscription_test.cc).
//
// Filtering needs no store read: what it looks at travels with the event (StreamEvent, made once
// per committed event by the stream hub, stream_hub.h).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "adapters/http/auth.h"
#include "adapters/http/stream_hub.h"
#include "engine/common/status.h"
#include "engine/definition/catalog.h"
#include "engine/store/store.h"
#include "motcua/v1/api.pb.h"

namespace motcua::http {

class Subscription {
 public:
  // Parses the client's first message (v1.StreamSubscribe as JSON) and checks it against the
  // principal's scope. `committed` is the last committed outbox position (where "from now"
  // starts). On refusal the status message is the close reason the client is sent.
  // `catalog` gives the current definitions (the agency tree scope and subscriptions follow).
  using CatalogSource = std::function<std::shared_ptr<const DefinitionCatalog>()>;
  static Result<Subscription> Open(const std::string& first_message, Principal principal,
                                   Store* store, CatalogSource catalog, uint64_t committed);

  // The outbox position after which delivery starts.
  uint64_t start() const { return start_; }
  // Whether the subscriber wants this committed event (and may see its dossier), with the agency
  // tree of the definitions in use.
  bool Wants(const StreamEvent& e, const AgencyRegistry& registry) const;

  const Principal& principal() const { return principal_; }
  // Where the stream hub files it: its dossier, else its agency, else everything.
  StreamSink::Route route() const {
    if (!request_.dossier_id().empty()) return {request_.dossier_id(), ""};
    return {"", request_.agency()};
  }

 private:
  Subscription(v1::StreamSubscribe request, Principal principal, uint64_t start)
      : request_(std::move(request)), principal_(std::move(principal)), start_(start) {}

  v1::StreamSubscribe request_;
  Principal principal_;
  uint64_t start_;
};

}  // namespace motcua::http
