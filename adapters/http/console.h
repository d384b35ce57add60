#pragma once
// The web console's files (adapters/console/), compiled into the binary and served by the same
// process under / with strict security headers; the API stays under /v1 (docs/console.md).

#include <string>

#include "adapters/http/call.h"

namespace motcua::http {

struct ConsoleAsset {
  const char* path;  // "/app.js"
  const char* content_type;
  const char* content;
};

// The answer to GET (or HEAD) `path` when it is one of the console's files ("/" is
// /index.html): 200 with the file, or 304 when `if_none_match` names its ETag. False for any
// other path.
bool ConsoleResponse(const std::string& path, const std::string& if_none_match, HttpResponse* out);

// The headers every console page gets: a Content-Security-Policy without inline script,
// nosniff, no framing, no referrer beyond this origin.
const Headers& ConsoleSecurityHeaders();

}  // namespace motcua::http
