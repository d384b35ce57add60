// Reading the subscriptions file (subscription_yaml.h).

#include "adapters/yaml/subscription_yaml.h"

#include <fstream>
#include <iterator>
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

// What is wrong with a target URL, or empty.
std::string UrlProblem(const std::string& url) {
  const size_t scheme = url.starts_with("https://") ? 8 : url.starts_with("http://") ? 7 : 0;
  if (scheme == 0) {
    return "expected an http:// or https:// URL like https://portal.example.vn/hooks";
  }
  const std::string rest = url.substr(scheme);
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

// The `portal:` section of a subscription (payload: portal).
void ReadPortal(Context& ctx, const YAML::Node& node, const std::string& path, PortalSettings* p) {
  MapReader m(
      ctx, node, path,
      {"login_url", "username", "password", "unit_code", "status_codes", "procedure_codes"});
  if (!m.valid()) return;
  p->login_url = m.String("login_url", false).value_or("");
  if (!p->login_url.empty()) {
    if (std::string problem = UrlProblem(p->login_url); !problem.empty()) {
      ctx.Error(m.Get("login_url"), m.Sub("login_url"), problem);
    }
    p->username = m.String("username", true).value_or("");
    p->password = m.String("password", true).value_or("");
  }
  p->unit_code = m.String("unit_code", false).value_or("");
  if (m.Has("status_codes")) {
    const YAML::Node codes = m.Get("status_codes");
    if (!codes.IsMap()) {
      ctx.Error(codes, m.Sub("status_codes"), "expected a map of status: portal code");
    } else {
      for (const auto& kv : codes) {
        const std::string key = kv.first.as<std::string>("");
        const std::string kp = m.Sub("status_codes") + "." + key;
        if (!ParseName<DossierStatus>(key)) {
          ctx.Error(kv.first, kp, "'" + key + "' is not a dossier status");
          continue;
        }
        int code = 0;
        try {
          code = kv.second.as<int>();
        } catch (const YAML::Exception&) {
        }
        if (code < 1 || code > 99) {
          ctx.Error(kv.second, kp, "expected a portal status code from 1 to 99");
          continue;
        }
        p->status_codes[key] = code;
      }
    }
  }
  if (m.Has("procedure_codes")) {
    const YAML::Node codes = m.Get("procedure_codes");
    if (!codes.IsMap()) {
      ctx.Error(codes, m.Sub("procedure_codes"), "expected a map of local: national code");
    } else {
      for (const auto& kv : codes) {
        const std::string local = kv.first.as<std::string>("");
        const std::string national = kv.second.IsScalar() ? kv.second.as<std::string>("") : "";
        if (national.empty()) {
          ctx.Error(kv.second, m.Sub("procedure_codes") + "." + local,
                    "expected the national procedure code");
          continue;
        }
        p->procedure_codes[local] = national;
      }
    }
  }
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
                {"id", "url", "ca_file", "events", "agencies", "procedures", "payload", "portal",
                 "secrets", "concurrency", "batch", "timeout_ms", "retry"});
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
    s.ca_file = r.String("ca_file", false).value_or("");
    if (!s.ca_file.empty()) {
      // Relative to the subscriptions file; read now, so that a missing file stops the load.
      if (s.ca_file.front() != '/' && file.find('/') != std::string::npos) {
        s.ca_file = file.substr(0, file.rfind('/') + 1) + s.ca_file;
      }
      std::ifstream in(s.ca_file);
      std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (!in.good() && !in.eof()) {
        ctx.Error(r.Get("ca_file"), r.Sub("ca_file"), "cannot read '" + s.ca_file + "'");
      } else if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
        ctx.Error(r.Get("ca_file"), r.Sub("ca_file"),
                  "'" + s.ca_file + "' holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
      } else if (!s.url.starts_with("https://")) {
        ctx.Error(r.Get("ca_file"), r.Sub("ca_file"), "ca_file goes with an https:// url");
      }
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
    if (r.Has("portal")) {
      ReadPortal(ctx, r.Get("portal"), r.Sub("portal"), &s.portal);
      if (s.payload != PayloadKind::kPortal) {
        ctx.Error(r.Get("portal"), r.Sub("portal"), "is only read with payload: portal");
      }
    }
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
    s.batch = static_cast<int>(r.Int("batch", false, 1, 1000).value_or(1));
    if (s.batch > 1 && s.payload == PayloadKind::kPortal) {
      ctx.Error(r.Get("batch"), r.Sub("batch"),
                "the portal's services take one dossier a request: batch goes with payload: event");
    }
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
