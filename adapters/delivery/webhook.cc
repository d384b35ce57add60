// Standard Webhooks messages and signatures (webhook.h).

#include "adapters/delivery/webhook.h"

#include <sodium.h>

#include "adapters/json/json_writer.h"

namespace motcua {

std::string WebhookId(const Event& e) {
  return "msg_" + e.dossier_id + "_" + std::to_string(e.version);
}

std::string WebhookBody(const Event& e, std::string_view event_json) {
  std::string out = "{\"type\":";
  AppendJsonString("dossier." + std::string(NameOf(e.type)), &out);
  out += ",\"timestamp\":";
  AppendJsonString(FormatLocal(e.at, 7 * 3600), &out);  // as the API writes instants
  out += ",\"data\":";
  out += event_json;
  out += '}';
  return out;
}

Result<std::string> SignWebhook(const std::vector<std::string>& secrets, std::string_view id,
                                int64_t timestamp, std::string_view body) {
  if (sodium_init() < 0) return Internal("libsodium could not be initialised");
  const std::string signed_part =
      std::string(id) + "." + std::to_string(timestamp) + "." + std::string(body);
  std::string header;
  for (const std::string& secret : secrets) {
    constexpr std::string_view kPrefix = "whsec_";
    if (!secret.starts_with(kPrefix)) return InvalidArgument("a secret lacks the whsec_ prefix");
    unsigned char key[128];
    size_t key_len = 0;
    const std::string b64 = secret.substr(kPrefix.size());
    if (sodium_base642bin(key, sizeof key, b64.data(), b64.size(), nullptr, &key_len, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
      return InvalidArgument("a secret is not base64 after whsec_");
    }
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, key_len);
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(signed_part.data()),
                                  signed_part.size());
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(key, sizeof key);
    char b64mac[sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES,
                                          sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64mac, sizeof b64mac, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
    if (!header.empty()) header += ' ';
    header += "v1,";
    header += b64mac;
  }
  return header;
}

}  // namespace motcua
