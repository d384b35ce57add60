// The web console's files (console.h).

#include "adapters/http/console.h"

#include <cstring>
#include <string_view>
#include <unordered_map>

#include "adapters/http/auth.h"

extern const motcua::http::ConsoleAsset kMotcuaConsoleAssets[];
extern const int kMotcuaConsoleAssetCount;

namespace motcua::http {

namespace {

struct Served {
  const ConsoleAsset* asset;
  std::string etag;  // a quoted prefix of the content's SHA-256
};

const std::unordered_map<std::string, Served>& Assets() {
  static const auto* assets = [] {
    auto* m = new std::unordered_map<std::string, Served>();
    for (int i = 0; i < kMotcuaConsoleAssetCount; ++i) {
      const ConsoleAsset& a = kMotcuaConsoleAssets[i];
      (*m)[a.path] = {&a, "\"" + Sha256Hex(a.content).substr(0, 32) + "\""};
    }
    return m;
  }();
  return *assets;
}

}  // namespace

const Headers& ConsoleSecurityHeaders() {
  static const Headers kHeaders = {
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "same-origin"},
      {"Cache-Control", "no-cache"},
  };
  return kHeaders;
}

bool ConsoleResponse(const std::string& path, const std::string& if_none_match, HttpResponse* out) {
  const auto& assets = Assets();
  auto it = assets.find(path == "/" ? std::string("/index.html") : path);
  if (it == assets.end()) return false;
  const Served& s = it->second;
  out->headers = ConsoleSecurityHeaders();
  out->headers.push_back({"ETag", s.etag});
  out->content_type = s.asset->content_type;
  out->route = "/ (console)";
  if (if_none_match == s.etag) {
    out->status = 304;
    out->body.clear();
    return true;
  }
  out->status = 200;
  out->body.assign(s.asset->content, std::strlen(s.asset->content));
  return true;
}

}  // namespace motcua::http
