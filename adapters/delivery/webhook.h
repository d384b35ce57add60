#pragma once
// One delivery as Standard Webhooks (https://www.standardwebhooks.com) has it: the message id a
// receiver de-duplicates on (the same on every retry), the payload, and the signature header,
// HMAC-SHA256 (libsodium) under each of the subscription's secrets. No I/O.

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
// The webhook-signature header: "v1,<base64 of HMAC-SHA256(key, id.timestamp.body)>" per secret
// ("whsec_<base64 key>"), space-separated, so that both secrets verify during a rotation.
Result<std::string> SignWebhook(const std::vector<std::string>& secrets, std::string_view id,
                                int64_t timestamp, std::string_view body);

}  // namespace motcua
