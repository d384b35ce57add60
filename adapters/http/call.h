#pragma once
// One HTTP request being answered, with no socket or Beast type in sight: what a handler reads
// (method, path, query, path parameters, principal) and how it answers (JSON, RFC 9457 problem
// details). The server (server.h) turns sockets into HttpRequests and HttpResponses back into
// bytes; everything in between is tested and fuzzed without a network.

#include <google/protobuf/message.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adapters/http/auth.h"
#include "engine/common/clock.h"

namespace motcua::http {

struct HttpRequest {
  std::string method;                          // "GET"
  std::string target;                          // "/v1/dossiers?agency=X"
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string remote;  // client address, for rate limits and logs
  std::string Header(const std::string& lower_name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  Headers headers;
  std::string body;
  // For logs and metrics: the route template ("/v1/dossiers/{id}") and the acting principal.
  std::string route;
  std::string actor;
  std::string client;    // the client's address (behind a trusted proxy, the one it forwarded)
  std::string log_note;  // why a request was refused
};

// RFC 9457 problem details ("type" is "urn:problem:motcua:<type>"; empty members are omitted),
// as every refusal renders, the handlers' and the server's own (400/408/413/414/431/503). Text
// that is not UTF-8 (quoted from the request) is made valid.
HttpResponse ProblemResponse(int status, const std::string& type, const std::string& title,
                             const std::string& detail, const std::string& field,
                             const std::string& instance, Headers headers = {});

class Call : public std::enable_shared_from_this<Call> {
 public:
  HttpRequest request;
  std::function<void(HttpResponse)> done;    // called exactly once, by Reply
  std::string path;                          // the target without its query
  std::map<std::string, std::string> query;  // decoded
  std::vector<std::string> params;           // decoded path parameters, in template order
  std::optional<Principal> principal;        // set for routes that need one
  std::string route;                         // the route template, or "unknown"/"malformed"
  std::string cors_origin;  // the request's Origin when allowed: every answer gets CORS headers
  Clock* manual_clock = nullptr;  // a training system's clock: every answer names its time

  void Reply(HttpResponse r);
  void Json(int status, const google::protobuf::Message& m, Headers headers = {});
  void Problem(int status, const std::string& type, const std::string& title,
               const std::string& detail, const std::string& field = "", Headers headers = {});

 private:
  bool answered_ = false;
};

}  // namespace motcua::http
