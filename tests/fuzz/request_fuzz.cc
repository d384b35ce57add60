// libFuzzer target: the request → handler path (routing, query parsing, authentication, JSON
// bodies, commands against real definitions and an in-memory store). Every input must get
// exactly one response with a valid status, never a crash.
//
// Input layout: method \n target \n header-name: value \n ... \n\n body
//
// Also differential: whenever the direct JSON reader accepts a body, protobuf's parser must
// accept it too and produce the same message.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "adapters/http/api.h"
#include "adapters/json/json_reader.h"
#include "engine/store/memory_store.h"
#include "motcua/v1/api.pb.h"
#include "tests/adapters/http/api_fixture.h"

namespace {

using namespace motcua;

struct World {
  MemoryStore store;
  testing::ApiHarness harness{&store,
                              "/tmp/motcua-fuzz-tokens.yaml",
                              {{"fuzz", "admin, counter, specialist, leader, clerk", "*"}}};
};

}  // namespace

template <typename M>
void SameAsProtobuf(const std::string& body) {
  M direct;
  if (!DirectJsonToMessage(body, &direct)) return;
  M reference;
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = false;
  if (!google::protobuf::util::JsonStringToMessage(body, &reference, opts).ok()) __builtin_trap();
  if (direct.SerializeAsString() != reference.SerializeAsString()) __builtin_trap();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* world = new World();
  if (size > 16 * 1024) return 0;
  const std::string in(reinterpret_cast<const char*>(data), size);
  http::HttpRequest req;
  size_t pos = 0;
  auto line = [&]() {
    size_t nl = in.find('\n', pos);
    std::string l = in.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? in.size() : nl + 1;
    return l;
  };
  req.method = line();
  req.target = "/" + line();
  for (std::string h = line(); !h.empty(); h = line()) {
    size_t colon = h.find(':');
    if (colon != std::string::npos) req.headers[h.substr(0, colon)] = h.substr(colon + 1);
  }
  req.headers["authorization"] = "Bearer " + testing::SecretOf("fuzz");
  req.body = in.substr(pos);
  SameAsProtobuf<v1::CreateDossierRequest>(req.body);
  SameAsProtobuf<v1::DossierCommandRequest>(req.body);
  req.remote = "fuzz";
  std::promise<http::HttpResponse> answered;
  auto f = answered.get_future();
  world->harness.api->Handle(
      req, [&answered](http::HttpResponse r) { answered.set_value(std::move(r)); });
  http::HttpResponse r = f.get();
  if (r.status < 200 || r.status > 599) __builtin_trap();
  return 0;
}
