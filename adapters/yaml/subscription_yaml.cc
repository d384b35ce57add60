// Reading the subscriptions file (subscription_yaml.h).

#include "adapters/yaml/subscription_yaml.h"

#include <set>

#include "adapters/yaml/yaml_reader.h"

namespace motcua {

using yaml::Context;
using yaml::MapReader;

namespace {

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return true;
}

// What is wrong with a target URL, or empty. Only plain HTTP: TLS is not built in yet.
std::string UrlProblem(const std::string& url) {
  constexpr std::string_view kHttp = "http://";
  if (url.starts_with("https://")) {
    return "https targets are not supported yet; send to http:// (a TLS proxy on the same host "
           "can forward)";
  }
  if (!url.starts_with(kHttp)) return "expected an http:// URL like http://host:8080/hooks";
  const std::string rest = url.substr(kHttp.size());
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  if (authority.empty()) return "the URL names no host";
  const size_t colon = authority.rfind(':');
  if (colon != std::string::npos) {
    const std::string port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) == 0 ||
        std::stoi(port) > 65535) {
      return "the port '" + port + "' is not a number from 1 to 65535";
    }
  }
  return "";
}

// What is wrong with a signing secret ("whsec_" and base64 of 24 to 64 bytes), or empty.
std::string SecretProblem(const std::string& s) {
  constexpr std::string_view kPrefix = "whsec_";
  const std::string expected =
      "expected \"whsec_\" followed by the base64 of 24 to 64 random bytes (e.g. whsec_$(head -c "
      "32 /dev/urandom | base64))";
  if (!s.starts_with(kPrefix)) return expected;
  const std::string b64 = s.substr(kPrefix.size());
  if (b64.empty() || b64.size() % 4 != 0 ||
      b64.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") !=
          std::string::npos) {
    return expected;
  }
  const size_t pad = b64.ends_with("==") ? 2 : b64.ends_with('=') ? 1 : 0;
  const size_t bytes = b64.size() / 4 * 3 - pad;
  if (bytes < 24 || bytes > 64) return expected + "; this one holds " + std::to_string(bytes);
  return "";
}

}  // namespace

std::optional<std::vector<Subscription>> ParseSubscriptionFile(const std::string& text,
                                                               const std::string& file,
                                                               const AgencyRegistry& agencies,
                                                               std::vector<Diagnostic>* errors) {
  Context ctx(file, errors);
  const size_t before = ctx.error_count();
  std::optional<YAML::Node> root = yaml::ParseYaml(ctx, text);
  if (!root) return std::nullopt;
  MapReader m(ctx, *root, "", {"subscriptions"});
  if (!m.valid()) return std::nullopt;
  std::vector<Subscription> out;
  std::set<std::string> ids;
  m.List("subscriptions", true, [&](const YAML::Node& e, const std::string& ep) {
    MapReader r(ctx, e, ep,
                {"id", "url", "events", "agencies", "procedures", "payload", "secrets",
                 "concurrency", "timeout_ms", "retry"});
    if (!r.valid()) return;
    Subscription s;
    s.id = r.String("id", true).value_or("");
    if (r.Has("id")) {
      if (!ValidId(s.id)) {
        ctx.Error(r.Get("id"), r.Sub("id"),
                  "'" + s.id + "' is not an id; expected 1 to 64 of a-z, 0-9, - and _");
      } else if (!ids.insert(s.id).second) {
        ctx.Error(r.Get("id"), r.Sub("id"), "another subscription has the id '" + s.id + "'");
      }
    }
    s.url = r.String("url", true).value_or("");
    if (r.Has("url")) {
      if (std::string p = UrlProblem(s.url); !p.empty()) ctx.Error(r.Get("url"), r.Sub("url"), p);
    }
    r.List("events", false, [&](const YAML::Node& n, const std::string& np) {
      if (auto t = yaml::ReadEnum(ctx, n, np, kEventTypeNames)) s.types.insert(*t);
    });
    r.List("agencies", false, [&](const YAML::Node& n, const std::string& np) {
      std::optional<std::string> code = yaml::ReadString(ctx, n, np);
      if (!code) return;
      if (!agencies.empty() && agencies.Find(*code) == nullptr) {
        ctx.Error(n, np, "no agency has the code '" + *code + "'");
      }
      s.agencies.push_back(*code);
    });
    r.List("procedures", false, [&](const YAML::Node& n, const std::string& np) {
      if (auto code = yaml::ReadString(ctx, n, np)) s.procedures.insert(*code);
    });
    s.payload = r.Enum("payload", false, kPayloadKindNames).value_or(PayloadKind::kEvent);
    r.List("secrets", true, [&](const YAML::Node& n, const std::string& np) {
      std::optional<std::string> secret = yaml::ReadString(ctx, n, np);
      if (!secret) return;
      // The message never repeats the secret.
      if (std::string p = SecretProblem(*secret); !p.empty()) ctx.Error(n, np, p);
      s.secrets.push_back(*secret);
    });
    if (r.Has("secrets") && (s.secrets.empty() || s.secrets.size() > 2)) {
      ctx.Error(r.Get("secrets"), r.Sub("secrets"),
                "expected one secret, or two during a rotation (the new one first)");
    }
    s.concurrency = static_cast<int>(r.Int("concurrency", false, 1, 256).value_or(8));
    s.timeout_ms = static_cast<int>(r.Int("timeout_ms", false, 100, 600000).value_or(10000));
    if (r.Has("retry")) {
      MapReader p(ctx, r.Get("retry"), r.Sub("retry"),
                  {"max_attempts", "max_age_seconds", "first_backoff_ms", "max_backoff_ms"});
      if (p.valid()) {
        RetryPolicy& rp = s.retry;
        rp.max_attempts = static_cast<int>(p.Int("max_attempts", false, 1, 1000).value_or(12));
        rp.max_age_seconds = p.Int("max_age_seconds", false, 1, 30 * 86400).value_or(86400);
        rp.first_backoff_ms = p.Int("first_backoff_ms", false, 1, 3600000).value_or(1000);
        rp.max_backoff_ms = p.Int("max_backoff_ms", false, 1, 86400000).value_or(600000);
        if (rp.max_backoff_ms < rp.first_backoff_ms) {
          ctx.Error(
              p.Has("max_backoff_ms") ? p.Get("max_backoff_ms") : p.node(), p.Sub("max_backoff_ms"),
              "is shorter than first_backoff_ms (" + std::to_string(rp.first_backoff_ms) + ")");
        }
      }
    }
    out.push_back(std::move(s));
  });
  if (ctx.error_count() != before) return std::nullopt;
  return out;
}

}  // namespace motcua
