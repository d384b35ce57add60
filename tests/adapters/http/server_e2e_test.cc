// End-to-end: the real server on port 0 over a real RocksDB directory, driven over real sockets
// by an HTTP client and a WebSocket client that know nothing of the server's code.

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "adapters/http/routes.h"
#include "adapters/http/server.h"
#include "adapters/rocksdb/rocks_store.h"
#include "adapters/yaml/definition_loader.h"
#include "engine/store/verify.h"
#include "motcua/v1/api.pb.h"
#include "tests/adapters/http/api_fixture.h"
#include "tests/adapters/http/test_client.h"
#include "tests/adapters/rocksdb/failing_fs.h"

namespace motcua {
namespace {

using testing::Conn;
using testing::Reply;

const std::string kA = "000.17.22.H56";
const std::string kB = "000.17.22.H99";

// A JSON string field, naively (the tests' payloads are flat enough).
std::string Field(const std::string& json, const std::string& name) {
  std::smatch m;
  std::regex re("\"" + name + "\":\"([^\"]*)\"");
  if (std::regex_search(json, m, re)) return m[1];
  std::regex num("\"" + name + "\":([0-9]+)");
  if (std::regex_search(json, m, num)) return m[1];
  return "";
}

struct TestServer {
  std::string dir;
  std::vector<testing::TestPrincipal> principals = {{"counterA", "counter", kA},
                                                    {"counterB", "counter", kB},
                                                    {"specialistA", "specialist", kA},
                                                    {"leaderA", "leader", kA},
                                                    {"clerkA", "clerk", kA},
                                                    {"managerA", "manager", kA},
                                                    {"auditorA", "auditor", kA},
                                                    {"integratorA", "integrator", kA},
                                                    {"admin", "admin", "*"}};
  std::unique_ptr<RocksStore> store;
  std::unique_ptr<testing::ApiHarness> harness;
  std::unique_ptr<http::Server> server;
  uint16_t port = 0;
  RocksStoreOptions store_options;
  std::function<Result<uint64_t>()> free_disk;

  explicit TestServer(const std::string& name) {
    dir = ::testing::TempDir() + "/motcua-e2e-" + name + "-" + std::to_string(getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  ~TestServer() {
    Stop();
    std::filesystem::remove_all(dir);
  }

  void Start(http::ServerOptions options = {}, bool manual_clock = false) {
    auto s = RocksStore::Open(dir + "/db", store_options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store = std::move(s).value();
    http::ApiOptions ao;
    ao.public_lookups_per_minute = 5;
    ao.cors_origins = {"https://console.example.gov.vn"};
    ao.manual_clock = manual_clock;
    harness =
        std::make_unique<testing::ApiHarness>(store.get(), dir + "/tokens.yaml", principals, ao);
    ASSERT_TRUE(harness->service_harness.started.ok());
    harness->free_disk = free_disk;
    options.port = 0;
    options.log_requests = false;
    server = std::make_unique<http::Server>(harness->api.get(), options);
    harness->service().OnCommit([this](uint64_t p) {
      if (server) server->NotifyCommitted(p);
    });
    ASSERT_TRUE(server->Start().ok());
    port = server->port();
  }

  void Stop() {
    if (server) server->Shutdown();
    if (harness) harness->service().Stop();
    // Whatever a test did to it, what the server acknowledged verifies.
    if (store) {
      Result<VerifyReport> report = VerifyStore(*store);
      EXPECT_TRUE(report.ok()) << report.status().ToString();
      if (report.ok()) {
        EXPECT_EQ(report->problems, std::vector<std::string>{}) << dir;
      }
    }
    server.reset();
    harness.reset();
    store.reset();
  }

  std::map<std::string, std::string> Auth(const std::string& who) const {
    return {{"Authorization", "Bearer " + testing::SecretOf(who)}};
  }

  Reply Get(const std::string& who, const std::string& target) {
    Conn c(port);
    return c.Request("GET", target, "",
                     who.empty() ? std::map<std::string, std::string>{} : Auth(who));
  }

  Reply Post(const std::string& who, const std::string& target, const std::string& body,
             const std::string& key, const std::string& if_match = "") {
    auto h = Auth(who);
    if (!key.empty()) h["Idempotency-Key"] = key;
    if (!if_match.empty()) h["If-Match"] = if_match;
    h["Content-Type"] = "application/json";
    Conn c(port);
    return c.Request("POST", target, body, h);
  }

  // Receives a 2.000908 dossier at agency `agency`; returns its id.
  std::string Receive(const std::string& who, const std::string& agency, const std::string& key,
                      const std::string& idno = "001090012345") {
    Reply r = Post(who, "/v1/dossiers",
                   "{\"procedure_code\":\"2.000908\",\"receiving_agency\":\"" + agency +
                       "\",\"applicant\":{\"name\":\"Nguyễn Văn An\",\"id_number\":\"" + idno +
                       "\"},\"documents\":[{\"document_id\":\"identity_paper\",\"count\":1}]}",
                   key);
    EXPECT_TRUE(r.status == 201 || r.status == 200) << r.status << " " << r.body;
    return Field(r.body, "id");
  }

  Reply Act(const std::string& who, const std::string& id, const std::string& action, int version,
            const std::string& key) {
    return Post(who, "/v1/dossiers/" + id + "/commands",
                "{\"command\":\"act\",\"action\":\"" + action + "\"}", key,
                "\"" + std::to_string(version) + "\"");
  }
};

// Every row of the route table answers on the wire (routes_test.cc checks that the OpenAPI
// document lists exactly these rows).
TEST(ServerE2E, EveryRouteAnswers) {
  TestServer s("routes");
  s.Start();
  std::set<std::pair<std::string, std::string>> implemented;
  for (const http::Route& r : http::RouteTable()) implemented.insert({r.path, r.method});

  const std::string id = s.Receive("counterA", kA, "route-1");
  for (const auto& [path, method] : implemented) {
    std::string target = std::regex_replace(path, std::regex("\\{id\\}"), id);
    target = std::regex_replace(target, std::regex("\\{code\\}"), "2.000908");
    target = std::regex_replace(target, std::regex("\\{form\\}"), "m01");
    target = std::regex_replace(target, std::regex("\\{number\\}"), kA + "-260302-0001");
    // The upload's row comes before the download's (the set is in path order).
    const std::string pdf = "%PDF-1.4\n%%EOF\n";
    target = std::regex_replace(target, std::regex("\\{document_id\\}"), "identity_paper");
    target = std::regex_replace(target, std::regex("\\{sha256\\}"), Sha256Hex(pdf));
    if (path == "/v1/public/progress") target += "?number=" + kA + "-260302-0001&id_last4=2345";
    if (path == "/v1/reports/form06") target += "?from=2026-01-01&to=2026-12-31&format=xlsx";
    if (path == "/v1/reports/steps") target += "?from=2026-01-01&to=2026-12-31&format=csv";
    if (path == "/v1/registers/m07") {
      target += "?agency=" + kA + "&from=2026-03-01T00:00&to=2026-04-01T00:00";
    }
    Reply r;
    if (method == "GET") {
      r = s.Get("admin", target);
    } else {
      const bool upload = path.ends_with("/files");  // the counter's, without If-Match
      auto h = s.Auth(upload ? "counterA" : "admin");
      h["Idempotency-Key"] = "route-" + path;
      if (!upload) h["If-Match"] = "\"1\"";
      Conn c(s.port);
      r = c.Request(method, target,
                    upload                   ? pdf
                    : path == "/v1/dossiers" ? "{}"
                                             : "{\"command\":\"assign\"}",
                    h);
      if (upload) {
        EXPECT_EQ(r.status, 201) << r.body;
      }
    }
    EXPECT_FALSE(r.closed) << path;
    if (path == "/v1/stream") {
      EXPECT_EQ(r.status, 426) << r.body;  // a plain GET is told to upgrade
    } else if (path.starts_with("/v1/admin/subscriptions/")) {
      // No subscriptions configured here: the route answers that there is no such one.
      EXPECT_EQ(r.status, 404) << method << " " << target << ": " << r.body;
      EXPECT_NE(r.body.find("No such subscription"), std::string::npos) << r.body;
    } else if (path == "/v1/admin/checkpoint") {
      // This harness has no data directory to copy (cli.checkpoint_e2e tests the real one).
      EXPECT_EQ(r.status, 404) << r.body;
      EXPECT_NE(r.body.find("No checkpoints"), std::string::npos) << r.body;
    } else if (path == "/v1/session" && method != "POST") {
      // A bearer token has no console session to show or end.
      EXPECT_EQ(r.status, 404) << method << " " << target << ": " << r.body;
      EXPECT_NE(r.body.find("no-session"), std::string::npos) << r.body;
    } else if (method == "GET") {
      EXPECT_EQ(r.status, 200) << method << " " << target << ": " << r.body;
    } else {
      EXPECT_NE(r.status, 404) << method << " " << target << ": " << r.body;
      EXPECT_NE(r.status, 405) << method << " " << target;
    }
  }
}

// File uploads on the wire: their own size limit, told before the body is sent; the go-ahead
// for clients that wait for it (Expect: 100-continue, as curl does for large bodies); upload
// bodies held in memory bounded together; the file, downloaded, is the bytes sent.
TEST(ServerE2E, UploadsHaveTheirOwnLimitsOnTheWire) {
  TestServer s("uploads");
  http::ServerOptions o;
  o.body_limit = 4096;
  o.max_file_bytes = 64 * 1024;
  o.upload_memory_bytes = 100 * 1024;
  s.Start(o);
  const std::string id = s.Receive("counterA", kA, "up-1");
  const std::string target = "/v1/dossiers/" + id + "/documents/identity_paper/files";
  const std::string auth = "Authorization: Bearer " + testing::SecretOf("counterA") + "\r\n";
  const std::string pdf = "%PDF-1.4\n" + std::string(20000, 'x') + "\n%%EOF\n";
  {  // larger than body_limit, within max_file_bytes, after the go-ahead
    Conn c(s.port);
    c.Send("PUT " + target + " HTTP/1.1\r\nHost: x\r\n" + auth +
           "Idempotency-Key: up-2\r\nExpect: 100-continue\r\nContent-Length: " +
           std::to_string(pdf.size()) + "\r\n\r\n");
    Reply go = c.ReadReply(5000, true);
    EXPECT_EQ(go.status, 100);
    c.Send(pdf);
    Reply r = c.ReadReply();
    ASSERT_EQ(r.status, 201) << r.body;
    Reply d = s.Get("counterA", r.headers["location"]);
    EXPECT_EQ(d.status, 200);
    EXPECT_EQ(d.body, pdf);
    EXPECT_EQ(d.headers["etag"], "\"" + Sha256Hex(pdf) + "\"");
  }
  {  // over max_file_bytes: refused from the head, before a byte of the body
    Conn c(s.port);
    c.Send("PUT " + target + " HTTP/1.1\r\nHost: x\r\n" + auth +
           "Idempotency-Key: up-3\r\nContent-Length: 70000\r\n\r\n");
    Reply r = c.ReadReply();
    EXPECT_EQ(r.status, 413);
    EXPECT_NE(r.body.find("files are limited to 65536 bytes (max_file_bytes)"), std::string::npos)
        << r.body;
  }
  {  // other requests keep body_limit
    Conn c(s.port);
    c.Send("POST /v1/dossiers HTTP/1.1\r\nHost: x\r\n" + auth +
           "Idempotency-Key: up-4\r\nContent-Length: 20000\r\n\r\n");
    Reply r = c.ReadReply();
    EXPECT_EQ(r.status, 413);
    EXPECT_NE(r.body.find("request bodies are limited to 4096 bytes"), std::string::npos);
  }
  {  // two uploads of 60 KB at once exceed upload_memory_bytes: the second waits for a retry
    Conn first(s.port);
    first.Send("PUT " + target + " HTTP/1.1\r\nHost: x\r\n" + auth +
               "Idempotency-Key: up-5\r\nContent-Length: 60000\r\n\r\n%PDF-1.4\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // its head is read
    Conn second(s.port);
    second.Send("PUT " + target + " HTTP/1.1\r\nHost: x\r\n" + auth +
                "Idempotency-Key: up-6\r\nContent-Length: 60000\r\n\r\n");
    Reply r = second.ReadReply();
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(r.headers["retry-after"], "1");
    // The first finishes (a truncated PDF has no end marker: 415, nothing attached).
    first.Send(std::string(60000 - 9 - 1, 'x') + "\n");
    Reply f = first.ReadReply();
    EXPECT_EQ(f.status, 415) << f.body;
    // Its memory is returned: the next upload is taken.
    Conn third(s.port);
    Reply t = third.Request("PUT", target, "%PDF-1.4\n%%EOF\n",
                            {{"Authorization", "Bearer " + testing::SecretOf("counterA")},
                             {"Idempotency-Key", "up-7"}});
    EXPECT_EQ(t.status, 201) << t.body;
  }
}

TEST(ServerE2E, AuthorisationMatrix) {
  TestServer s("authz");
  s.Start();
  const std::string a = s.Receive("counterA", kA, "m-a");
  // A counter outside the agency cannot receive for it.
  Reply foreign =
      s.Post("counterB", "/v1/dossiers",
             "{\"procedure_code\":\"2.000908\",\"receiving_agency\":\"" + kA + "\"}", "m-b");
  EXPECT_EQ(foreign.status, 403) << foreign.body;

  struct Row {
    std::string who;
    int read;  // GET /v1/dossiers/{a}
    int act;   // forward at the receive step (needs the counter role)
  };
  // Each role × own/other agency × read/act. Acting is tried on a fresh dossier each time.
  const std::vector<Row> rows = {
      {"counterA", 200, 200}, {"counterB", 404, 404},    {"specialistA", 200, 403},
      {"leaderA", 200, 403},  {"clerkA", 200, 403},      {"managerA", 200, 403},
      {"auditorA", 200, 403}, {"integratorA", 200, 403}, {"admin", 200, 403}};
  int n = 0;
  for (const Row& row : rows) {
    Reply read = s.Get(row.who, "/v1/dossiers/" + a);
    EXPECT_EQ(read.status, row.read) << row.who << " read: " << read.body;
    if (row.read == 404) {
      EXPECT_EQ(read.body.find("Nguy"), std::string::npos) << "leaked data";
    }
    Reply history = s.Get(row.who, "/v1/dossiers/" + a + "/history");
    EXPECT_EQ(history.status, row.read) << row.who << " history";
    const std::string fresh = s.Receive("counterA", kA, "m-fresh-" + std::to_string(n++));
    Reply act = s.Act(row.who, fresh, "forward", 1, "m-act-" + row.who);
    EXPECT_EQ(act.status, row.act) << row.who << " act: " << act.body;
    if (row.act == 200) {
      EXPECT_EQ(Field(act.body, "actor"), row.who);  // recorded in history
    }
  }
  // Lists are scoped: counterB sees nothing of agency A, and cannot ask for it.
  EXPECT_EQ(s.Get("counterB", "/v1/dossiers?agency=" + kA).status, 404);
  Reply own = s.Get("counterB", "/v1/dossiers");
  EXPECT_EQ(own.status, 200);
  EXPECT_EQ(own.body.find(kA), std::string::npos);
  // No token, a wrong token.
  EXPECT_EQ(s.Get("", "/v1/dossiers/" + a).status, 401);
  Conn c(s.port);
  EXPECT_EQ(c.Request("GET", "/v1/dossiers/" + a, "", {{"Authorization", "Bearer nope"}}).status,
            401);
}

TEST(ServerE2E, WorkQueuesFollowTheDossierAndPagesAreStable) {
  TestServer s("queues");
  s.Start();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(s.Receive("counterA", kA, "q-" + std::to_string(i)));
  Reply first = s.Get("counterA", "/v1/dossiers?agency=" + kA + "&step=receive&limit=2");
  ASSERT_EQ(first.status, 200);
  const std::string cursor = Field(first.body, "next_cursor");
  ASSERT_FALSE(cursor.empty());
  // Acting on a dossier moves it to its new queue at once.
  ASSERT_EQ(s.Act("counterA", ids[0], "forward", 1, "q-fwd").status, 200);
  Reply appraise = s.Get("specialistA", "/v1/dossiers?agency=" + kA + "&step=appraise");
  EXPECT_NE(appraise.body.find(ids[0]), std::string::npos);
  Reply receive = s.Get("counterA", "/v1/dossiers?agency=" + kA + "&step=receive&limit=50");
  EXPECT_EQ(receive.body.find(ids[0]), std::string::npos);
  // Status, overdue, by number, due preview.
  EXPECT_EQ(s.Get("counterA", "/v1/dossiers?agency=" + kA + "&status=received").status, 200);
  EXPECT_EQ(s.Get("counterA", "/v1/dossiers?agency=" + kA + "&status=bogus").status, 400);
  s.harness->clock().Set(*ParseLocalDateTime("2026-03-02T17:30", 7 * 3600));
  Reply overdue = s.Get("counterA", "/v1/dossiers?agency=" + kA + "&overdue=true");
  EXPECT_NE(overdue.body.find(ids[1]), std::string::npos) << overdue.body;
  Reply preview =
      s.Get("counterA", "/v1/procedures/1.001193/due-preview?received_at=2026-02-13T15:01");
  EXPECT_EQ(Field(preview.body, "due_at"), "2026-02-23T17:00:00+07:00") << preview.body;
}

TEST(ServerE2E, BadInputGetsTheRightProblem) {
  http::ServerOptions o;
  o.body_limit = 4096;
  o.header_limit = 2048;
  o.read_timeout_seconds = 1;
  TestServer s("badinput");
  s.Start(o);
  const std::string id = s.Receive("counterA", kA, "b-1");
  auto post = [&](const std::string& body, const std::string& key) {
    return s.Post("counterA", "/v1/dossiers", body, key);
  };
  Reply malformed = post("{\"procedure_code\":", "b-2");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.headers["content-type"], "application/problem+json");
  EXPECT_EQ(Field(malformed.body, "type"), "urn:problem:motcua:malformed-body");
  Reply unknown = post("{\"procedure_cod\":\"x\"}", "b-3");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("procedure_cod"), std::string::npos);
  std::string deep(40, '[');
  EXPECT_EQ(post("{\"documents\":" + deep + std::string(40, ']') + "}", "b-4").status, 400);
  EXPECT_EQ(post(std::string(5000, ' '), "b-5").status, 413);
  Reply missing_field = post("{\"receiving_agency\":\"" + kA + "\"}", "b-6");
  EXPECT_EQ(missing_field.status, 400);
  EXPECT_EQ(Field(missing_field.body, "field"), "procedure_code");
  EXPECT_EQ(s.Post("counterA", "/v1/dossiers", "{}", "").status, 400);  // no Idempotency-Key
  EXPECT_EQ(s.Post("counterA", "/v1/dossiers/" + id + "/commands",
                   "{\"command\":\"act\",\"action\":\"forward\"}", "b-7")
                .status,
            428);
  EXPECT_EQ(s.Act("counterA", id, "forward", 9, "b-8").status, 412);
  Reply rule = s.Post("counterA", "/v1/dossiers/" + id + "/commands",
                      "{\"command\":\"return_result\"}", "b-9", "\"1\"");
  EXPECT_EQ(rule.status, 409);
  EXPECT_NE(rule.body.find("once decided, but it is received"), std::string::npos) << rule.body;
  ASSERT_EQ(s.Act("counterA", id, "forward", 1, "b-10").status, 200);
  Reply reused = s.Post("counterA", "/v1/dossiers/" + id + "/commands",
                        "{\"command\":\"act\",\"action\":\"approve\"}", "b-10", "\"1\"");
  EXPECT_EQ(reused.status, 422);
  EXPECT_EQ(s.Get("counterA", "/v1/nope").status, 404);
  EXPECT_EQ(s.Get("counterA", "/v1/dossiers/does-not-exist").status, 404);
  {
    Conn c(s.port);
    EXPECT_EQ(c.Request("DELETE", "/v1/procedures", "", s.Auth("counterA")).status, 405);
  }
  {  // HTTP/1.1 needs a Host; HTTP/1.0 does not
    Conn c(s.port);
    c.Send("GET /healthz HTTP/1.1\r\n\r\n");
    Reply r = c.ReadReply();
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(Field(r.body, "type"), "urn:problem:motcua:missing-host");
    Conn old(s.port);
    old.Send("GET /healthz HTTP/1.0\r\n\r\n");
    EXPECT_EQ(old.ReadReply().status, 200);
  }
  {  // HEAD: GET's status and headers (its Content-Length too), no body
    Conn c(s.port);
    c.Send("HEAD /v1/procedures/2.000908 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
           testing::SecretOf("counterA") + "\r\n\r\n");
    // The reply has a length but no body: read the head, then nothing may follow.
    Reply r = c.ReadReply(2000, /*head_only=*/true);
    EXPECT_EQ(r.status, 200);
    EXPECT_GT(std::stoul(r.headers["content-length"]), 1000u);
    EXPECT_EQ(c.Request("GET", "/healthz").status, 200);  // the connection is still in step
  }
  {  // a 204 (a CORS preflight here) carries neither a length nor a body
    Conn c(s.port);
    c.Send(
        "OPTIONS /v1/dossiers HTTP/1.1\r\nHost: x\r\nOrigin: https://console.example.gov.vn\r\n"
        "Access-Control-Request-Method: POST\r\n\r\n");
    Reply r = c.ReadReply();
    EXPECT_EQ(r.status, 204);
    EXPECT_EQ(r.headers.count("content-length"), 0u);
    EXPECT_EQ(r.headers["access-control-allow-origin"], "https://console.example.gov.vn");
    EXPECT_EQ(c.Request("GET", "/healthz").status, 200);
  }
  {  // headers too large
    Conn c(s.port);
    EXPECT_EQ(c.Request("GET", "/healthz", "", {{"X-Big", std::string(4000, 'x')}}).status, 431);
  }
  {  // a transfer coding other than chunked
    Conn c(s.port);
    c.Send("POST /v1/dossiers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
    EXPECT_EQ(c.ReadReply().status, 400);
  }
  // A refusal that quotes the request is still valid JSON, and valid UTF-8 when the request's
  // bytes are not (U+FFFD stands for them).
  for (const auto& [coding, quoted] : std::vector<std::pair<std::string, std::string>>{
           {"x\"y\\z", "x\"y\\z"}, {"\xff\xc3\xa9", "\uFFFD\u00E9"}}) {
    Conn c(s.port);
    c.Send("POST /v1/dossiers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + coding + "\r\n\r\n");
    Reply r = c.ReadReply();
    EXPECT_EQ(r.status, 400);
    v1::Problem problem;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &problem).ok()) << r.body;
    EXPECT_EQ(problem.detail(),
              "only Transfer-Encoding: chunked is accepted, got '" + quoted + "'");
  }
  {  // a refused body that keeps coming is read and dropped after the refusal (a lingering
     // close): the server does not reset the connection, which on a real network can destroy
     // the refusal before the client reads it; the read side closes after two seconds
    Conn c(s.port);
    c.Send("POST /v1/dossiers HTTP/1.1\r\nHost: x\r\nContent-Length: 300000\r\n\r\n");
    Reply r = c.ReadReply();
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.headers["connection"], "close");
    const std::string chunk(30000, ' ');
    bool sent = true;
    for (int i = 0; i < 10 && sent; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      sent = c.Send(chunk);  // a reset would fail this with ECONNRESET or EPIPE
    }
    EXPECT_TRUE(sent);
  }
  // Both Transfer-Encoding and Content-Length, in either order: smuggling, answered as such.
  for (const std::string& head : {std::string("Transfer-Encoding: chunked\r\nContent-Length: 5"),
                                  std::string("Content-Length: 5\r\nTransfer-Encoding: chunked")}) {
    Conn c(s.port);
    c.Send("POST /v1/dossiers HTTP/1.1\r\nHost: x\r\n" + head + "\r\n\r\n0\r\n\r\n");
    Reply r = c.ReadReply();
    EXPECT_EQ(r.status, 400) << head;
    EXPECT_EQ(Field(r.body, "type"), "urn:problem:motcua:bad-transfer-encoding") << r.body;
  }
  {  // chunked bodies are fine
    Conn c(s.port);
    c.Send("GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    EXPECT_EQ(c.ReadReply().status, 200);
  }
  {  // slowloris: half a request line, then nothing; the server hangs up after the deadline
    Conn c(s.port);
    c.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    EXPECT_TRUE(c.ClosedWithin(4000));
  }
  {  // public lookups: no personal data, same answer for wrong digits, rate-limited
    Reply ok = s.Get("", "/v1/public/progress?number=" + kA + "-260302-0001&id_last4=2345");
    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(ok.body.find("Nguy"), std::string::npos);
    EXPECT_EQ(s.Get("", "/v1/public/progress?number=" + kA + "-260302-0001&id_last4=0000").status,
              404);
    int limited = 0;
    for (int i = 0; i < 6; ++i) {
      if (s.Get("", "/v1/public/progress?number=x&id_last4=0000").status == 429) ++limited;
    }
    EXPECT_GT(limited, 0);
  }
  {  // the public catalogue: no sign-in, found without diacritics, the lookup's limit apart
    Reply list = s.Get("", "/v1/public/procedures?q=ban%20sao");
    EXPECT_EQ(list.status, 200) << list.body;
    EXPECT_NE(list.body.find("\"code\":\"2.000908\""), std::string::npos) << list.body;
    Reply one = s.Get("", "/v1/public/procedures/1.013225");
    EXPECT_EQ(one.status, 200) << one.body;
    EXPECT_NE(one.body.find("\"documents\""), std::string::npos);
    EXPECT_EQ(s.Get("", "/v1/public/procedures/0.000000").status, 404);
  }
}

// Deadlines: a request must arrive (head and body) within read_timeout_seconds, a keep-alive
// connection may idle idle_timeout_seconds; each request starts the clock again.
TEST(ServerE2E, DeadlinesCloseSlowAndIdleConnections) {
  http::ServerOptions o;
  o.read_timeout_seconds = 1;
  o.idle_timeout_seconds = 3;
  TestServer s("deadlines");
  s.Start(o);
  {  // a body that stops half-way: 408, then the connection is closed
    Conn c(s.port);
    c.Send("POST /v1/dossiers HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{\"a\"");
    const auto t0 = std::chrono::steady_clock::now();
    Reply r = c.ReadReply(4000);
    EXPECT_EQ(r.status, 408);
    EXPECT_EQ(r.headers["connection"], "close");
    EXPECT_EQ(Field(r.body, "type"), "urn:problem:motcua:request-timeout");
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(900));
    EXPECT_TRUE(c.ClosedWithin(2000));
  }
  {  // between requests the idle deadline applies, not the read deadline; each request
     // starts it again; then the idle connection is closed
    Conn c(s.port);
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(c.Request("GET", "/healthz").status, 200) << i;
      if (i < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    }
    EXPECT_FALSE(c.ClosedWithin(2000));
    EXPECT_TRUE(c.ClosedWithin(3000));
  }
  {  // HTTP/1.0 keep-alive is answered as such; HTTP/1.0 without it is closed after the answer
    Conn c(s.port);
    c.Send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    Reply r = c.ReadReply();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["connection"], "keep-alive");
    EXPECT_EQ(r.headers["server"], "motcua");
    EXPECT_TRUE(
        std::regex_match(r.headers["date"],
                         std::regex("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-3][0-9] "
                                    "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 20[0-9]{2} "
                                    "[0-2][0-9]:[0-5][0-9]:[0-6][0-9] GMT")))
        << r.headers["date"];
    c.Send("GET /healthz HTTP/1.0\r\n\r\n");
    EXPECT_EQ(c.ReadReply().status, 200);
    EXPECT_TRUE(c.ClosedWithin(1000));
  }
}

TEST(ServerE2E, IdempotentRetriesSurviveARestart) {
  TestServer s("idem");
  s.Start();
  const std::string id = s.Receive("counterA", kA, "i-1");
  Reply again =
      s.Post("counterA", "/v1/dossiers",
             "{\"procedure_code\":\"2.000908\",\"receiving_agency\":\"" + kA +
                 "\",\"applicant\":{\"name\":\"Nguyễn Văn An\",\"id_number\":\"001090012345\"},"
                 "\"documents\":[{\"document_id\":\"identity_paper\",\"count\":1}]}",
             "i-1");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(Field(again.body, "id"), id);
  EXPECT_NE(again.body.find("\"replayed\":true"), std::string::npos);
  s.Stop();
  s.Start();
  const std::string after = s.Receive("counterA", kA, "i-1");
  EXPECT_EQ(after, id);
  Reply list = s.Get("counterA", "/v1/dossiers?agency=" + kA);
  EXPECT_EQ(list.body.find(id), list.body.rfind(id)) << "one dossier, listed once";
}

TEST(ServerE2E, WebSocketResumesWithoutGapsOrDuplicates) {
  TestServer s("ws");
  s.Start();
  s.Receive("counterA", kA, "w-0");  // before the subscription: not wanted (from now)
  Conn ws(s.port);
  ASSERT_TRUE(ws.WsHandshake("/v1/stream", testing::SecretOf("counterA"))) << ws.handshake_status();
  ASSERT_TRUE(ws.WsSendText("{\"agency\":\"" + kA + "\"}"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::vector<std::string> ids;
  for (int i = 1; i <= 3; ++i) ids.push_back(s.Receive("counterA", kA, "w-" + std::to_string(i)));
  s.Receive("counterB", kB, "w-b");  // another agency: never delivered
  std::vector<std::string> got;
  std::string last_position;
  for (int i = 0; i < 3; ++i) {
    auto f = ws.WsRead();
    ASSERT_EQ(f.opcode, 1) << "event " << i;
    got.push_back(Field(f.payload, "dossier_id"));
    last_position = Field(f.payload, "position");
  }
  EXPECT_EQ(got, ids);
  // Disconnect, miss some events, reconnect from the last position seen: exactly the missed
  // events arrive, in order, none twice.
  { Conn gone = std::move(ws); }
  std::vector<std::string> missed;
  for (int i = 4; i <= 6; ++i)
    missed.push_back(s.Receive("counterA", kA, "w-" + std::to_string(i)));
  ASSERT_EQ(s.Act("counterA", missed[0], "forward", 1, "w-fwd").status, 200);
  missed.push_back(missed[0]);
  Conn again(s.port);
  ASSERT_TRUE(again.WsHandshake("/v1/stream", testing::SecretOf("counterA")));
  ASSERT_TRUE(again.WsSendText("{\"agency\":\"" + kA + "\",\"from\":" + last_position + "}"));
  std::vector<std::string> resumed;
  for (size_t i = 0; i < missed.size(); ++i) {
    auto f = again.WsRead();
    ASSERT_EQ(f.opcode, 1) << "resumed event " << i;
    resumed.push_back(Field(f.payload, "dossier_id"));
  }
  EXPECT_EQ(resumed, missed);
  EXPECT_EQ(again.WsRead(300).opcode, -1) << "nothing more, nothing twice";
  // A dossier stream outside the caller's scope is refused; so is an unauthenticated upgrade.
  Conn other(s.port);
  ASSERT_TRUE(other.WsHandshake("/v1/stream", testing::SecretOf("counterB")));
  other.WsSendText("{\"dossier_id\":\"" + ids[0] + "\"}");
  auto refused = other.WsRead();
  EXPECT_EQ(refused.opcode, 8);
  EXPECT_EQ(refused.payload, "unknown dossier");
  Conn anon(s.port);
  EXPECT_FALSE(anon.WsHandshake("/v1/stream", "wrong"));
  EXPECT_EQ(anon.handshake_status(), "401");
}

// Beyond max_connections the 503 is framed like every response (length, Date, Server), and
// made-up methods do not grow the metrics' labels (issue 10 §1).
TEST(ServerE2E, RefusalsAreFramedLikeEveryResponse) {
  http::ServerOptions o;
  o.max_connections = 2;
  TestServer s("framing");
  s.Start(o);
  {
    Conn a(s.port), b(s.port);
    ASSERT_EQ(a.Request("GET", "/healthz").status, 200);
    ASSERT_EQ(b.Request("GET", "/healthz").status, 200);
    Conn over(s.port);
    over.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    Reply r = over.ReadReply();
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.headers["retry-after"], "1");
    EXPECT_EQ(r.headers["server"], "motcua");
    EXPECT_FALSE(r.headers["date"].empty());
    EXPECT_EQ(r.headers["content-length"], std::to_string(r.body.size()));
    EXPECT_EQ(Field(r.body, "type"), "urn:problem:motcua:overloaded");
  }
  // The three connections close; until the server has seen them go, a new one may still be
  // over the limit (a loaded machine takes its time), so wait for a served one.
  for (int i = 0; i < 100; ++i) {
    Conn probe(s.port);
    if (probe.Request("GET", "/healthz").status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (const char* method : {"BREW", "FROBNICATE", "X-1"}) {
    // The connection before may still count until the server sees it close: retry a 503.
    int status = 0;
    for (int i = 0; i < 100; ++i) {
      Conn c(s.port);
      status = c.Request(method, "/healthz").status;
      if (status != 503) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(status, 405) << method;
  }
  // The last connection may still count as well: retry a 503 here too.
  Reply metrics;
  for (int i = 0; i < 100; ++i) {
    metrics = s.Get("", "/metrics");
    if (metrics.status != 503) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  EXPECT_EQ(metrics.body.find("BREW"), std::string::npos);
  EXPECT_NE(metrics.body.find("method=\"other\",route=\"/healthz\",status=\"405\"} 3"),
            std::string::npos)
      << metrics.body;
}

// A subscriber that vanishes without a close handshake is not dropped in silence: the server logs
// which stream failed and why.
TEST(ServerE2E, AWebSocketThatFailsIsLogged) {
  TestServer s("wsfail");
  s.Start();
  {
    Conn ws(s.port);
    ASSERT_TRUE(ws.WsHandshake("/v1/stream", testing::SecretOf("counterA")));
    ASSERT_TRUE(ws.WsSendText("{\"agency\":\"" + kA + "\"}"));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ::testing::internal::CaptureStderr();
    ws.Reset();
  }
  std::string log;
  for (int i = 0; i < 50 && log.find("websocket") == std::string::npos; ++i) {
    s.Receive("counterA", kA, "vanish-" + std::to_string(i));  // gives the stream something to send
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (i % 10 == 9) {
      log += ::testing::internal::GetCapturedStderr();
      ::testing::internal::CaptureStderr();
    }
  }
  log += ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(std::regex_search(
      log, std::regex("websocket 127\\.0\\.0\\.1 actor=counterA: (read|write) failed: ")))
      << log;
}

TEST(ServerE2E, ABacklogIsPacedButALiveSlowConsumerIsCut) {
  http::ServerOptions o;
  o.ws_queue_limit = 8;
  o.ws_send_buffer_bytes = 4096;
  TestServer s("slow");
  s.Start(o);
  // A resume over a backlog larger than the queue is paced by the client's reads: all arrive.
  for (int i = 0; i < 30; ++i) s.Receive("counterA", kA, "s-" + std::to_string(i));
  {
    Conn ws(s.port);
    ASSERT_TRUE(ws.WsHandshake("/v1/stream", testing::SecretOf("counterA")));
    ASSERT_TRUE(ws.WsSendText("{\"agency\":\"" + kA + "\",\"from_start\":true}"));
    int events = 0;
    while (ws.WsRead(1000).opcode == 1) ++events;
    EXPECT_EQ(events, 30);
  }
  // A live subscriber that stops reading: its kernel buffers fill, its queue overflows, and it
  // is closed with the position to resume from.
  Conn ws(s.port, 4096);
  ASSERT_TRUE(ws.WsHandshake("/v1/stream", testing::SecretOf("counterA")));
  ASSERT_TRUE(ws.WsSendText("{\"agency\":\"" + kA + "\"}"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&s, t] {
      for (int i = 0; i < 60; ++i) {
        s.Receive("counterA", kA, "live-" + std::to_string(t) + "-" + std::to_string(i));
      }
    });
  }
  for (auto& w : writers) w.join();
  testing::Conn::Frame f;
  int events = 0;
  std::string last = "0";
  while ((f = ws.WsRead(2000)).opcode == 1) {
    ++events;
    last = Field(f.payload, "position");
  }
  ASSERT_EQ(f.opcode, 8) << "after " << events << " events";
  EXPECT_EQ(f.close_code, 1008);
  EXPECT_NE(f.payload.find("slow consumer"), std::string::npos) << f.payload;
  EXPECT_LT(events, 240);
  // The position to resume from is the last event it got: resuming there repeats nothing and
  // misses nothing.
  const size_t at = f.payload.find("reconnect with from=");
  ASSERT_NE(at, std::string::npos) << f.payload;
  const std::string from = f.payload.substr(at + 20);
  EXPECT_EQ(from, last) << f.payload;
  Conn again(s.port);
  ASSERT_TRUE(again.WsHandshake("/v1/stream", testing::SecretOf("counterA")));
  ASSERT_TRUE(again.WsSendText("{\"agency\":\"" + kA + "\",\"from\":" + from + "}"));
  testing::Conn::Frame next = again.WsRead(2000);
  ASSERT_EQ(next.opcode, 1);
  EXPECT_EQ(std::stoull(Field(next.payload, "position")), std::stoull(from) + 1);
}

// A stream is a connection (max_connections), each principal has at most ws_per_principal of
// them, and a stream that closes gives its place back.
TEST(ServerE2E, StreamsCountAsConnectionsAndAreCappedPerPrincipal) {
  http::ServerOptions o;
  o.max_connections = 3;
  o.ws_per_principal = 2;
  TestServer s("caps");
  s.Start(o);
  auto open = [&s](const std::string& who) {
    auto c = std::make_unique<Conn>(s.port);
    EXPECT_TRUE(c->WsHandshake("/v1/stream", testing::SecretOf(who)));
    EXPECT_TRUE(c->WsSendText("{\"agency\":\"" + kA + "\"}"));
    return c;
  };
  auto a1 = open("counterA");
  auto a2 = open("counterA");
  {
    Conn third(s.port);
    EXPECT_FALSE(third.WsHandshake("/v1/stream", testing::SecretOf("counterA")));
    EXPECT_EQ(third.handshake_status(), "429");
  }
  // The refused connection ends once the server sees it closed (soon, but later on a busy
  // machine): until then a third stream is refused for want of a connection.
  std::unique_ptr<Conn> b1;
  for (int i = 0; i < 100 && !b1; ++i) {
    auto c = std::make_unique<Conn>(s.port);
    if (c->WsHandshake("/v1/stream", testing::SecretOf("specialistA"))) {
      b1 = std::move(c);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
  }
  ASSERT_TRUE(b1) << "no third stream once the refused one was gone";
  EXPECT_TRUE(b1->WsSendText("{\"agency\":\"" + kA + "\"}"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // Three streams hold the three connections: an HTTP request is refused.
  {
    Conn c(s.port);
    EXPECT_EQ(c.Request("GET", "/healthz").status, 503);
  }
  a1->WsSendFrame(0x8, std::string("\x03\xe8", 2));  // close 1000
  EXPECT_EQ(a1->WsRead(2000).opcode, 8);
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    Conn c(s.port);
    status = c.Request("GET", "/healthz").status;
  }
  EXPECT_EQ(status, 200);
}

// A reload of the definitions (SIGHUP) keeps every stream open, and events keep coming.
TEST(ServerE2E, AReloadKeepsStreamsOpen) {
  TestServer s("reload");
  s.Start();
  Conn ws(s.port);
  ASSERT_TRUE(ws.WsHandshake("/v1/stream", testing::SecretOf("counterA")));
  ASSERT_TRUE(ws.WsSendText("{\"agency\":\"" + kA + "\"}"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const std::string before = s.Receive("counterA", kA, "reload-1");
  EXPECT_EQ(Field(ws.WsRead(2000).payload, "dossier_id"), before);
  DefinitionSet set = LoadDefinitions(std::string(MOTCUA_SOURCE_DIR) + "/definitions");
  ASSERT_TRUE(set.ok());
  auto fresh = std::make_shared<DefinitionCatalog>(std::move(set), s.harness->catalog().get());
  s.harness->service().SetCatalog(fresh);
  s.harness->SetCatalog(fresh);
  const std::string after = s.Receive("counterA", kA, "reload-2");
  testing::Conn::Frame f = ws.WsRead(2000);
  EXPECT_EQ(f.opcode, 1);
  EXPECT_EQ(Field(f.payload, "dossier_id"), after);
}

// The WebSocket protocol (RFC 6455) as clients meet it: pings are answered, a close is echoed,
// unmasked client frames and other versions are refused.
TEST(ServerE2E, TheStreamSpeaksWebSocket) {
  TestServer s("rfc6455");
  s.Start();
  Conn ws(s.port);
  ASSERT_TRUE(ws.WsHandshake("/v1/stream", testing::SecretOf("counterA")));
  ASSERT_TRUE(ws.WsSendText("{\"agency\":\"" + kA + "\"}"));
  ASSERT_TRUE(ws.WsSendFrame(0x9, "are you there"));
  testing::Conn::Frame pong = ws.WsRead(2000);
  EXPECT_EQ(pong.opcode, 0xA);
  EXPECT_EQ(pong.payload, "are you there");
  ASSERT_TRUE(ws.WsSendFrame(0x8, std::string("\x03\xe8", 2) + "bye"));
  testing::Conn::Frame echo = ws.WsRead(2000);
  EXPECT_EQ(echo.opcode, 8);
  EXPECT_EQ(echo.close_code, 1000);
  EXPECT_EQ(ws.WsRead(500).opcode, -1);  // and the connection ends

  // A client that sends its subscription right behind the upgrade request, in one write.
  Conn eager(s.port);
  ASSERT_TRUE(eager.WsHandshake("/v1/stream", testing::SecretOf("counterA"),
                                Conn::WsFrame(0x1, "{\"agency\":\"" + kA + "\"}")));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const std::string id = s.Receive("counterA", kA, "eager-1");
  testing::Conn::Frame first = eager.WsRead(2000);
  EXPECT_EQ(first.opcode, 1);
  EXPECT_EQ(Field(first.payload, "dossier_id"), id);

  Conn bare(s.port);
  ASSERT_TRUE(bare.WsHandshake("/v1/stream", testing::SecretOf("counterA")));
  ASSERT_TRUE(bare.WsSendFrame(0x1, "{\"all\":true}", /*masked=*/false));
  testing::Conn::Frame refused = bare.WsRead(2000);
  EXPECT_EQ(refused.opcode, 8);
  EXPECT_EQ(refused.close_code, 1002);
  EXPECT_EQ(refused.payload, "client frames must be masked");

  Conn old(s.port);
  testing::Reply r = old.Request("GET", "/v1/stream", "",
                                 {{"Upgrade", "websocket"},
                                  {"Connection", "Upgrade"},
                                  {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                  {"Sec-WebSocket-Version", "8"},
                                  {"Authorization", "Bearer " + testing::SecretOf("counterA")}});
  EXPECT_EQ(r.status, 426);
  EXPECT_EQ(r.headers["sec-websocket-version"], "13");
}

// Revoking a token (and the reload that follows) closes its open streams within a second with
// 1008, as its HTTP requests are refused; streams of other tokens stay open.
TEST(ServerE2E, ARevokedTokensStreamsAreClosed) {
  TestServer s("revoke");
  s.Start();
  Conn revoked(s.port), kept(s.port);
  ASSERT_TRUE(revoked.WsHandshake("/v1/stream", testing::SecretOf("counterA")));
  ASSERT_TRUE(revoked.WsSendText("{\"agency\":\"" + kA + "\"}"));
  ASSERT_TRUE(kept.WsHandshake("/v1/stream", testing::SecretOf("specialistA")));
  ASSERT_TRUE(kept.WsSendText("{\"agency\":\"" + kA + "\"}"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  Result<http::Revocation> r = http::RevokeTokens(s.dir + "/tokens.yaml", "counterA");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->revoked, 1);
  auto reloaded = http::TokenStore::Load(s.dir + "/tokens.yaml");
  ASSERT_TRUE(reloaded.ok());
  const auto revoked_at = std::chrono::steady_clock::now();
  s.harness->SetTokens(*reloaded);

  testing::Conn::Frame f = revoked.WsRead(3000);
  const auto took = std::chrono::steady_clock::now() - revoked_at;
  ASSERT_EQ(f.opcode, 8);
  EXPECT_EQ(f.close_code, 1008);
  EXPECT_EQ(f.payload, "token revoked");
  EXPECT_LT(took, std::chrono::milliseconds(1000));
  EXPECT_EQ(s.Get("counterA", "/v1/dossiers?agency=" + kA).status, 401);
  // The other stream is open and still gets what it subscribed to: a new counter officer's
  // reception at the agency.
  Result<std::string> secret =
      http::AddToken(s.dir + "/tokens.yaml", {"counterA2", {"counter"}, {kA}});
  ASSERT_TRUE(secret.ok());
  auto with_new = http::TokenStore::Load(s.dir + "/tokens.yaml");
  ASSERT_TRUE(with_new.ok());
  s.harness->SetTokens(*with_new);
  Conn c(s.port);
  Reply r2 = c.Request("POST", "/v1/dossiers",
                       "{\"procedure_code\":\"2.000908\",\"receiving_agency\":\"" + kA +
                           "\",\"applicant\":{\"name\":\"Nguyễn Văn An\",\"id_number\":"
                           "\"001090012345\"}}",
                       {{"Authorization", "Bearer " + *secret}, {"Idempotency-Key", "k"}});
  ASSERT_EQ(r2.status, 201) << r2.body;
  testing::Conn::Frame event = kept.WsRead(3000);
  ASSERT_EQ(event.opcode, 1) << event.payload;
  EXPECT_NE(event.payload.find("\"dossier_id\":\"" + Field(r2.body, "id") + "\""),
            std::string::npos)
      << event.payload;
}

// A training system's manual clock through the real server: admins move it, every timer on
// the way fires at its own instant, and a lifecycle runs across days and holidays: a copy from
// the original register (2.000908, same day, 15:00 cut-off) received Wed 29/4/2026 16:00, the
// day before the 30/4 and 1/5 holidays → due Mon 4/5 17:00.
TEST(ServerE2E, ATrainingClockMovesTimeAndFiresTimersOnTheWay) {
  TestServer s("clock");
  s.Start({}, /*manual_clock=*/true);
  auto put = [&](const std::string& who, const std::string& target, const std::string& body,
                 const std::string& method = "PUT") {
    Conn c(s.port);
    auto h = s.Auth(who);
    return c.Request(method, target, body, h);
  };
  Reply set = put("admin", "/v1/admin/clock", "{\"now\":\"2026-04-29T16:00\"}");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.body, "{\"mode\":\"manual\",\"now\":\"2026-04-29T16:00:00+07:00\"}");
  EXPECT_EQ(set.headers["motcua-clock"], "manual 2026-04-29T16:00:00+07:00");
  // Only admins move it.
  EXPECT_EQ(put("counterA", "/v1/admin/clock", "{\"now\":\"2026-05-01T10:00\"}").status, 403);

  const std::string id = s.Receive("counterA", kA, "train-1");
  Reply d = s.Get("counterA", "/v1/dossiers/" + id);
  EXPECT_EQ(Field(d.body, "due_at"), "2026-05-04T17:00:00+07:00");
  // Now the clock may not go back: the dossier's history would.
  EXPECT_EQ(put("admin", "/v1/admin/clock", "{\"now\":\"2026-04-29T09:00\"}").status, 409);

  // Six days on: the nearly-due warning (Wed 17:00), the receive step's budget (Mon 08:30) and
  // the due (Mon 17:00) fire, each at its own instant.
  Reply moved = put("admin", "/v1/admin/clock/advance", "{\"days\":6}", "POST");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.body,
            "{\"mode\":\"manual\",\"now\":\"2026-05-05T16:00:00+07:00\",\"timers_fired\":3}");
  Reply h = s.Get("counterA", "/v1/dossiers/" + id + "/history");
  for (const char* fired :
       {"\"at\":\"2026-04-29T17:00:00+07:00\",\"actor\":\"system\"", "\"timer\":\"nearly_due\"",
        "\"at\":\"2026-05-04T08:30:00+07:00\"", "\"timer\":\"step_due\"",
        "\"at\":\"2026-05-04T17:00:00+07:00\"", "\"timer\":\"dossier_due\""}) {
    EXPECT_NE(h.body.find(fired), std::string::npos) << fired << " in " << h.body;
  }
  d = s.Get("counterA", "/v1/dossiers/" + id);
  EXPECT_NE(d.body.find("\"overdue\":true"), std::string::npos) << d.body;
  // The officer's version from before the marks still works (issue 10 §4), and the rest of the
  // lifecycle runs on the training clock: forwarded at Tue 5/5 16:00, late.
  Reply fwd = s.Post("counterA", "/v1/dossiers/" + id + "/commands",
                     "{\"command\":\"act\",\"action\":\"forward\"}", "train-2", "\"1\"");
  ASSERT_EQ(fwd.status, 200) << fwd.body;
  EXPECT_NE(fwd.body.find("\"at\":\"2026-05-05T16:00:00+07:00\""), std::string::npos);
  EXPECT_NE(fwd.body.find("\"timeliness\":\"late\""), std::string::npos);
  // /healthz says it is a training system.
  Reply health = s.Get("", "/healthz");
  EXPECT_EQ(health.body,
            "{\"status\":\"ok\",\"clock\":\"manual\",\"now\":\"2026-05-05T16:00:00+07:00\"}");
}

// A real system's clock is the system's: nothing moves it, and responses carry no clock header.
TEST(ServerE2E, ARealSystemsClockDoesNotMove) {
  TestServer s("sysclock");
  s.Start();
  Conn c(s.port);
  Reply r = c.Request("PUT", "/v1/admin/clock", "{\"now\":\"2027-01-01T08:00\"}", s.Auth("admin"));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Field(r.body, "type"), "urn:problem:motcua:system-clock");
  EXPECT_EQ(r.headers.count("motcua-clock"), 0u);
  Reply g = s.Get("admin", "/v1/admin/clock");
  EXPECT_EQ(Field(g.body, "mode"), "system");
}

// The WebSocket handshake's answers are framed like every other: a 101 with our Server and a
// Date, a 401 with WWW-Authenticate.
TEST(ServerE2E, WebSocketHandshakesAreFramedLikeEveryResponse) {
  TestServer s("wsframe");
  s.Start();
  {
    Conn c(s.port);
    c.Send(
        "GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        "Authorization: Bearer " +
        testing::SecretOf("counterA") + "\r\n\r\n");
    Reply r = c.ReadReply();
    EXPECT_EQ(r.status, 101);
    EXPECT_EQ(r.headers["server"], "motcua");
    EXPECT_FALSE(r.headers["date"].empty());
  }
  {
    Conn c(s.port);
    c.Send(
        "GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    Reply r = c.ReadReply();
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.headers["www-authenticate"], "Bearer");
  }
}

TEST(ServerE2E, AFailedSyncStopsWritesButNotReads) {
  std::atomic<bool> fail{false};
  auto fs = std::make_shared<testing::FailingSyncFs>(&fail);
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  TestServer s("failsync");
  s.store_options.env = env.get();
  s.Start();
  const std::string id = s.Receive("counterA", kA, "f-1");
  fail = true;
  Reply refused = s.Act("counterA", id, "forward", 1, "f-2");
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.headers.count("retry-after"), 1u);
  fail = false;  // the disk recovers, but nothing after a failed sync is acknowledged
  Reply still = s.Act("counterA", id, "forward", 1, "f-3");
  EXPECT_EQ(still.status, 503);
  EXPECT_EQ(Field(still.body, "type"), "urn:problem:motcua:writes-stopped") << still.body;
  EXPECT_EQ(s.Get("counterA", "/v1/dossiers/" + id).status, 200);  // reads keep working
  EXPECT_EQ(s.Get("", "/readyz").status, 503);
  s.Stop();
}

TEST(ServerE2E, TheFreeSpaceGuardRefusesNewWork) {
  TestServer s("diskfull");
  std::atomic<uint64_t> free_bytes{10ull << 30};
  s.free_disk = [&free_bytes]() -> Result<uint64_t> { return free_bytes.load(); };
  s.Start();
  const std::string id = s.Receive("counterA", kA, "d-1");
  free_bytes = 100ull << 20;  // 100 MiB, under the 256 MiB guard
  Reply r = s.Post("counterA", "/v1/dossiers", "{}", "d-2");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Field(r.body, "type"), "urn:problem:motcua:disk-full");
  EXPECT_EQ(s.Get("", "/readyz").status, 503);
  EXPECT_EQ(s.Get("counterA", "/v1/dossiers/" + id).status, 200);
  free_bytes = 10ull << 30;
  EXPECT_EQ(s.Act("counterA", id, "forward", 1, "d-3").status, 200);
}

TEST(ServerE2E, GracefulShutdownUnderLoadLosesNothingAcknowledged) {
  TestServer s("shutdown");
  s.Start();
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; !stop.load(); ++i) {
        const std::string key = "g-" + std::to_string(t) + "-" + std::to_string(i);
        Conn c(s.port);
        if (!c.connected()) return;
        Reply r = c.Request("POST", "/v1/dossiers",
                            "{\"procedure_code\":\"2.000908\",\"receiving_agency\":\"" + kA +
                                "\",\"applicant\":{\"name\":\"Nguyễn Văn An\",\"id_number\":"
                                "\"001090012345\"},\"documents\":[{\"document_id\":"
                                "\"identity_paper\"}]}",
                            {{"Authorization", "Bearer " + testing::SecretOf("counterA")},
                             {"Idempotency-Key", key}});
        if (r.status == 201) {
          std::lock_guard lock(mu);
          acknowledged.push_back(Field(r.body, "id"));
        } else if (r.closed || r.status == 503) {
          return;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  s.server->Shutdown();
  stop = true;
  for (auto& c : clients) c.join();
  s.harness->service().Stop();
  ASSERT_GT(acknowledged.size(), 10u);
  // Reopen the store: every acknowledged dossier is there.
  s.Stop();
  auto store = RocksStore::Open(s.dir + "/db");
  ASSERT_TRUE(store.ok());
  for (const auto& id : acknowledged) {
    auto d = (*store)->Get(id);
    ASSERT_TRUE(d.ok() && d->has_value()) << "acknowledged " << id << " was lost";
  }
}

}  // namespace
}  // namespace motcua
