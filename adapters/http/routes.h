#pragma once
// The route table: every route of the API, one row each (method, path template, who may call it,
// handler). Everything that lists routes comes from it: dispatch, the 405 answers and their
// Allow header, the metrics label (the template), and the test that the OpenAPI document lists
// exactly these routes (tests/adapters/http/routes_test.cc).

#include <string>
#include <string_view>
#include <vector>

namespace motcua::http {

class Api;
class Call;

enum class Access {
  kPublic,     // anyone (operations, the public progress lookup)
  kPrincipal,  // a valid bearer token; roles and agency scope are checked by the handler/engine
};

using Handler = void (*)(Api& api, Call& call);

struct Route {
  const char* method;
  const char* path;  // segments; "{name}" matches one segment, passed to the handler decoded
  Access access;
  Handler handler;
};

const std::vector<Route>& RouteTable();

struct RouteMatch {
  const Route* route = nullptr;       // the row for the request's method, if any
  const Route* first = nullptr;       // the first row whose path matches, whatever its method
  std::vector<std::string> segments;  // of that row's match, still percent-encoded
  std::string allow;                  // the methods the path allows: "POST, GET, HEAD"
  bool needs_principal = false;       // some row of the path needs one
};

// The rows matching `path` ("/v1/dossiers/x", without a query). Earlier rows win.
RouteMatch FindRoute(std::string_view method, const std::string& path);

// Whether a request is a file upload (PUT /v1/dossiers/{id}/documents/{document_id}/files): its
// body may be as large as max_file_bytes, where every other body has body_limit.
bool IsFileUpload(std::string_view method, std::string_view path);

}  // namespace motcua::http
