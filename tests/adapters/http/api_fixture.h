#pragma once
// The API over a started dossier service, as the transcript test, the end-to-end tests and the
// request fuzzer wire it: a tokens file for the given principals (each one's secret is
// "secret-<id>"), the shipped definitions, a manual clock.

#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/http/api.h"
#include "tests/adapters/runtime/service_fixture.h"

namespace motcua::testing {

struct TestPrincipal {
  std::string id;
  std::string roles;     // "counter" or "counter, leader"
  std::string agencies;  // "000.17.22.H56" or "*"
};

inline std::string SecretOf(const std::string& principal) { return "secret-" + principal; }

// Writes a tokens file (adapters/http/auth.h) holding one token per principal.
inline void WriteTokens(const std::string& path, const std::vector<TestPrincipal>& principals) {
  std::ofstream t(path);
  t << "tokens:\n";
  for (const TestPrincipal& p : principals) {
    t << "  - {principal: " << p.id << ", roles: [" << p.roles << "], agencies: [\"" << p.agencies
      << "\"], sha256: \"" << http::Sha256Hex(SecretOf(p.id)) << "\"}\n";
  }
}

inline std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(MOTCUA_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ApiHarness {
 public:
  // `tokens_file` is written from `principals`; the OpenAPI document is the repository's.
  ApiHarness(Store* store, const std::string& tokens_file,
             const std::vector<TestPrincipal>& principals, http::ApiOptions options = {},
             const HarnessOptions& service = {})
      : service_harness(store, service) {
    WriteTokens(tokens_file, principals);
    Result<std::shared_ptr<const http::TokenStore>> loaded = http::TokenStore::Load(tokens_file);
    if (loaded.ok()) SetTokens(*loaded);
    http::Api::Deps deps;
    deps.service = &service_harness.service;
    deps.store = store;
    deps.clock = &service_harness.clock;
    deps.catalog = [this] { return Catalog(); };
    deps.tokens = [this] { return Tokens(); };
    deps.accounts = [this] { return Accounts(); };
    deps.metrics = &metrics;
    // Files beside the tokens file (a test's own directory); written inline, no worker.
    const std::string dir = tokens_file.substr(0, tokens_file.find_last_of('/') + 1);
    Result<std::unique_ptr<FileStore>> opened = FileStore::Open(dir + "files");
    if (opened.ok()) files = std::move(*opened);
    deps.files = files.get();
    deps.free_disk = [this]() -> Result<uint64_t> {
      if (free_disk) return free_disk();
      return uint64_t{1} << 40;
    };
    options.openapi_json = ReadSource("docs/openapi.json");
    if (options.manual_clock) {
      deps.set_clock = [this](Instant t) {
        clock().Set(t);
        return Status::Ok();
      };
    }
    api = std::make_unique<http::Api>(deps, options);
  }

  DossierService& service() { return service_harness.service; }

  // Handles one request as `who` (no Authorization without one) and waits for its answer, which
  // a write gives from the committer.
  http::HttpResponse Answer(const std::string& method, const std::string& target,
                            const std::string& body, const std::string& who,
                            const std::map<std::string, std::string>& headers = {}) {
    http::HttpRequest req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.remote = "192.0.2.7";
    for (const auto& [k, v] : headers) req.headers[k] = v;
    if (!who.empty()) req.headers["authorization"] = "Bearer " + SecretOf(who);
    std::promise<http::HttpResponse> answered;
    api->Handle(req, [&answered](http::HttpResponse r) { answered.set_value(std::move(r)); });
    return answered.get_future().get();
  }
  ManualClock& clock() { return service_harness.clock; }
  const std::shared_ptr<DefinitionCatalog>& catalog() const { return service_harness.catalog; }

  // The definitions the API reads (a reload replaces them while requests run; the service's
  // are replaced with service().SetCatalog).
  void SetCatalog(std::shared_ptr<const DefinitionCatalog> c) {
    MutexLock lock(&tokens_mu_);
    reloaded_catalog_ = std::move(c);
  }
  std::shared_ptr<const DefinitionCatalog> Catalog() const {
    MutexLock lock(&tokens_mu_);
    if (reloaded_catalog_) return reloaded_catalog_;
    return catalog();
  }

  // The token store the API reads (a reload replaces it while requests run).
  void SetTokens(std::shared_ptr<const http::TokenStore> t) {
    MutexLock lock(&tokens_mu_);
    tokens_ = std::move(t);
  }
  std::shared_ptr<const http::TokenStore> Tokens() const {
    MutexLock lock(&tokens_mu_);
    return tokens_;
  }

  // The staff accounts the API reads (none until a test sets them).
  void SetAccounts(std::shared_ptr<const http::AccountStore> a) {
    MutexLock lock(&tokens_mu_);
    accounts_ = std::move(a);
  }
  std::shared_ptr<const http::AccountStore> Accounts() const {
    MutexLock lock(&tokens_mu_);
    return accounts_;
  }

  ServiceHarness service_harness;
  http::Metrics metrics;
  std::unique_ptr<FileStore> files;
  // Free bytes on the data volume as the API sees them (empty: plenty).
  std::function<Result<uint64_t>()> free_disk;
  std::unique_ptr<http::Api> api;

 private:
  mutable Mutex tokens_mu_;
  std::shared_ptr<const http::TokenStore> tokens_ GUARDED_BY(tokens_mu_);
  std::shared_ptr<const http::AccountStore> accounts_ GUARDED_BY(tokens_mu_);
  std::shared_ptr<const DefinitionCatalog> reloaded_catalog_ GUARDED_BY(tokens_mu_);
};

}  // namespace motcua::testing
