#pragma once
// One delivery as Standard Webhooks (https://www.standardwebhooks.com) has it: the message id a
// receiver de-duplicates on (the same on every retry), the payload, and the signature header,
// HMAC-SHA256 (OpenSSL's libcrypto) under each of the subscription's secrets. No I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/status.h"
#include "engine/dossier/dossier.h"

namespace motcua {

// "msg_<dossier id>_<version>": one event, whichever store or position it was read from.
std::string WebhookId(const Event& e);
// {"type":"dossier.<event type>","timestamp":"<the event's instant>","data":<event_json>}
std::string WebhookBody(const Event& e, std::string_view event_json);
// Several events in one request (a subscription's `batch`): {"type":"dossier.events",
// "timestamp":"<now>","data":[<item>,...]}, each item an event's WebhookBody with its WebhookId
// first ({"id":"msg_…","type":…}), for receivers to de-duplicate each event.
std::string WebhookBatchBody(
    const std::vector<std::pair<std::string_view, std::string_view>>& id_and_body,
    std::string_view timestamp);
// The webhook-id of a batch: "msg_batch_<first position>_<last position>_<count>".
std::string WebhookBatchId(uint64_t first_position, uint64_t last_position, size_t count);
// Retry-After (RFC 9110 §10.2.3) in milliseconds: seconds, or an HTTP date (IMF-fixdate, "Sun, 06
// Nov 1994 08:49:37 GMT") counted from `now_ms` (none before it); nullopt for anything else.
std::optional<int64_t> RetryAfterMs(std::string_view v, int64_t now_ms);
// The webhook-signature header: "v1,<base64 of HMAC-SHA256(key, id.timestamp.body)>" per secret
// ("whsec_<base64 key>"), space-separated, so that both secrets verify during a rotation.
Result<std::string> SignWebhook(const std::vector<std::string>& secrets, std::string_view id,
                                int64_t timestamp, std::string_view body);

}  // namespace motcua
