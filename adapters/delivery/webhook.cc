// Standard Webhooks messages and signatures (webhook.h).

#include "adapters/delivery/webhook.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sodium.h>

#include <algorithm>
#include <ctime>
#include <memory>

#include "adapters/json/json_writer.h"

namespace motcua {

std::string WebhookId(const Event& e) {
  return "msg_" + e.dossier_id + "_" + std::to_string(e.version);
}

std::string WebhookBody(const Event& e, std::string_view event_json) {
  std::string out;
  out.reserve(event_json.size() + 96);
  out += "{\"type\":";
  AppendJsonString("dossier." + std::string(NameOf(e.type)), &out);
  out += ",\"timestamp\":";
  AppendJsonString(FormatLocal(e.at, 7 * 3600), &out);  // as the API writes instants
  out += ",\"data\":";
  out += event_json;
  out += '}';
  return out;
}

std::string WebhookBatchBody(
    const std::vector<std::pair<std::string_view, std::string_view>>& id_and_body,
    std::string_view timestamp) {
  size_t size = 64;
  for (const auto& [id, body] : id_and_body) size += id.size() + body.size() + 10;
  std::string out;
  out.reserve(size);
  out += "{\"type\":\"dossier.events\",\"timestamp\":";
  AppendJsonString(std::string(timestamp), &out);
  out += ",\"data\":[";
  for (size_t i = 0; i < id_and_body.size(); ++i) {
    const auto& [id, body] = id_and_body[i];
    if (i) out += ',';
    out += "{\"id\":";
    AppendJsonString(std::string(id), &out);
    out += ',';
    out += body.substr(1);  // the event's object without its opening brace
  }
  out += "]}";
  return out;
}

std::string WebhookBatchId(uint64_t first_position, uint64_t last_position, size_t count) {
  return "msg_batch_" + std::to_string(first_position) + "_" + std::to_string(last_position) + "_" +
         std::to_string(count);
}

// Retry-After (RFC 9110 §10.2.3): seconds, or an HTTP date (IMF-fixdate, "Sun, 06 Nov 1994
// 08:49:37 GMT") counted from `now_ms`; nullopt for anything else (the backoff applies).
std::optional<int64_t> RetryAfterMs(std::string_view v, int64_t now_ms) {
  if (v.empty()) return std::nullopt;
  if (v.find_first_not_of("0123456789") == std::string_view::npos) {
    if (v.size() > 9) return std::nullopt;
    return std::stoll(std::string(v)) * 1000;
  }
  std::tm tm{};
  const std::string text(v);
  const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const int64_t at_ms = static_cast<int64_t>(::timegm(&tm)) * 1000;
  return std::max<int64_t>(at_ms - now_ms, 0);
}

Result<std::string> SignWebhook(const std::vector<std::string>& secrets, std::string_view id,
                                int64_t timestamp, std::string_view body) {
  // OpenSSL's HMAC uses the CPU's SHA extensions: ~4× libsodium's SHA-256 here, and a batch of
  // events is tens of kilobytes signed per request (bench/README.md).
  if (sodium_init() < 0) return Internal("libsodium could not be initialised");
  static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (hmac == nullptr) return Internal("OpenSSL has no HMAC");
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_new(hmac),
                                                                &EVP_MAC_CTX_free);
  if (!ctx) return Internal("OpenSSL could not make an HMAC context");
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                               OSSL_PARAM_construct_end()};
  const std::string stamp = "." + std::to_string(timestamp) + ".";
  std::string header;
  for (const std::string& secret : secrets) {
    constexpr std::string_view kPrefix = "whsec_";
    if (!secret.starts_with(kPrefix)) return InvalidArgument("a secret lacks the whsec_ prefix");
    unsigned char key[128];
    size_t key_len = 0;
    const std::string_view b64 = std::string_view(secret).substr(kPrefix.size());
    if (sodium_base642bin(key, sizeof key, b64.data(), b64.size(), nullptr, &key_len, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
      return InvalidArgument("a secret is not base64 after whsec_");
    }
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t mac_len = 0;
    auto update = [&](std::string_view part) {
      return EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(part.data()),
                            part.size()) == 1;
    };
    const bool ok = EVP_MAC_init(ctx.get(), key, key_len, params) == 1 && update(id) &&
                    update(stamp) && update(body) &&
                    EVP_MAC_final(ctx.get(), mac, &mac_len, sizeof mac) == 1;
    sodium_memzero(key, sizeof key);
    if (!ok || mac_len != 32) return Internal("OpenSSL's HMAC-SHA256 failed");
    char b64mac[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64mac, sizeof b64mac, mac, mac_len, sodium_base64_VARIANT_ORIGINAL);
    if (!header.empty()) header += ' ';
    header += "v1,";
    header += b64mac;
  }
  return header;
}

}  // namespace motcua
