// The HTTP API, byte for byte: testdata/api.transcript is a list of requests, each followed by
// the answer the handlers gave (status, content type, metrics route label, headers, body). The test
// sends every request through Api::Handle (no socket: the same handlers the server calls) over the
// in-memory store, with a manual clock and counted dossier ids, and compares the whole transcript.
//
// Format of a request block (the answer section after `<<<` is what the test writes):
//   @ 2026-03-02T09:00                       set the clock (local time)
//   >>> METHOD TARGET [as=PRINCIPAL] [size]   `size`: record the body's length, not the body;
//                                             `{next_cursor}` in TARGET: the previous answer's
//   Header: value                             request headers, then an empty line
//   {"body": "..."}                           the request body (lines up to `<<<`)
//   <<< 201 application/json route=/v1/dossiers
//   ETag: "1"
//   {"dossier": ...}
//
// An intended change of the API shows up here as a diff; MOTCUA_UPDATE_TRANSCRIPT=1 rewrites the
// file with what the code answers now, to be reviewed like any other change.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>

#include "adapters/http/api.h"
#include "engine/store/memory_store.h"
#include "tests/adapters/http/api_fixture.h"
#include "tests/adapters/http/openapi_schemas.h"

namespace motcua {
namespace {

const std::string kTranscript =
    std::string(MOTCUA_SOURCE_DIR) + "/tests/adapters/http/testdata/api.transcript";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

struct CountingIds : IdSource {
  int n = 0;
  std::string NewId() override {
    char buf[16];
    std::snprintf(buf, sizeof buf, "T%05d", ++n);
    return buf;
  }
};

class Transcript {
 public:
  Transcript()
      : harness_(&store_, ::testing::TempDir() + "/motcua-transcript-tokens.yaml",
                 {{"counterA", "counter", "000.17.22.H56"},
                  {"counterB", "counter", "000.17.22.H99"},
                  {"specialistA", "specialist", "000.17.22.H56"},
                  {"leaderA", "leader", "000.17.22.H56"},
                  {"clerkA", "clerk", "000.17.22.H56"},
                  {"integratorA", "integrator", "000.00.00.H56"},
                  {"staffA", "counter, specialist, division_head, leader, clerk", "000.00.00.H56"},
                  {"admin", "admin", "*"}},
                 Options(), {.ids = &ids_}) {
    EXPECT_TRUE(harness_.service_harness.started.ok());
  }

  // Runs every request of `in`; returns the transcript with the answers the code gives now.
  std::string Run(const std::vector<std::string>& in) {
    std::string out;
    size_t i = 0;
    while (i < in.size()) {
      const std::string& line = in[i];
      if (line.rfind("@ ", 0) == 0) {
        harness_.clock().Set(*ParseLocalDateTime(line.substr(2), 7 * 3600));
        out += line + "\n";
        ++i;
      } else if (line.rfind(">>> ", 0) == 0) {
        i = Request(in, i, &out);
      } else {
        out += line + "\n";
        ++i;
      }
    }
    return out;
  }

 private:
  // One request block starting at in[i]; returns the index after its (old) answer.
  size_t Request(const std::vector<std::string>& in, size_t i, std::string* out) {
    std::istringstream words(in[i].substr(4));
    http::HttpRequest req;
    words >> req.method >> req.target;
    if (size_t at = req.target.find("{next_cursor}"); at != std::string::npos) {
      req.target.replace(at, 13, PercentEncoded(NextCursor(last_body_)));
    }
    bool size_only = false;
    for (std::string w; words >> w;) {
      if (w.rfind("as=", 0) == 0) {
        req.headers["authorization"] = "Bearer " + testing::SecretOf(w.substr(3));
      }
      if (w == "size") size_only = true;
    }
    req.remote = "192.0.2.1";
    *out += in[i++] + "\n";
    for (; i < in.size() && !in[i].empty() && in[i].rfind("<<<", 0) != 0; ++i) {
      const size_t colon = in[i].find(": ");
      std::string name = in[i].substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[name] = in[i].substr(colon + 2);
      *out += in[i] + "\n";
    }
    if (i < in.size() && in[i].empty()) {
      *out += "\n";
      ++i;
    }
    for (; i < in.size() && in[i].rfind("<<<", 0) != 0; ++i) {
      req.body += (req.body.empty() ? "" : "\n") + in[i];
      *out += in[i] + "\n";
    }
    // Skip the old answer: from `<<<` to the blank line that ends it.
    if (i < in.size()) {
      while (i < in.size() && !in[i].empty()) ++i;
      if (i < in.size()) ++i;
    }

    std::promise<http::HttpResponse> answered;
    harness_.api->Handle(req,
                         [&answered](http::HttpResponse r) { answered.set_value(std::move(r)); });
    http::HttpResponse r = answered.get_future().get();
    last_body_ = r.body;
    CheckAgainstOpenApi(req.method, r);
    *out += "<<< " + std::to_string(r.status) + " " + r.content_type + " route=" + r.route + "\n";
    for (const auto& [name, value] : r.headers) *out += name + ": " + value + "\n";
    if (size_only) {
      *out += "(" + std::to_string(r.body.size()) + " bytes)\n";
    } else if (!r.body.empty()) {
      *out += r.body + "\n";
    }
    *out += "\n";
    return i;
  }

  // Every JSON answer has the schema the OpenAPI document gives its route, method and status
  // (so the document lists every status a route answers, and describes every body).
  void CheckAgainstOpenApi(const std::string& method, const http::HttpResponse& r) {
    if (r.content_type.find("json") == std::string::npos || r.body.empty()) return;
    if (r.route == "unknown" || r.route == "malformed" || r.route == "invalid") return;
    if (r.route == "/v1/openapi.json") return;  // the document itself
    const std::string what = method + " " + r.route + " " + std::to_string(r.status);
    // A method the route does not have is answered alike on every route (405, or 401 first):
    // the document says so once.
    std::string m = method == "HEAD" ? "get" : method;
    for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const testing::Value* item = testing::Get(*testing::Get(openapi_, "paths"), r.route);
    if (item == nullptr || testing::Get(*item, m) == nullptr || r.status == 405) return;
    const testing::Value* schema = testing::ResponseSchema(openapi_, r.route, method, r.status);
    if (schema == nullptr) {
      ADD_FAILURE() << "docs/openapi.json has no answer " << what;
      return;
    }
    std::optional<testing::Value> body = testing::ParseJson(r.body);
    ASSERT_TRUE(body) << what << ": " << r.body;
    const std::string error = testing::Validate(*body, *schema, openapi_, "$");
    EXPECT_EQ(error, "") << what << ": " << r.body;
    ++validated_;
  }

 public:
  int validated() const { return validated_; }

 private:
  testing::Value openapi_ = *testing::ParseJson(testing::ReadSource("docs/openapi.json"));
  int validated_ = 0;

  // The "next_cursor" of a JSON answer, unescaped (it is a JSON string).
  static std::string NextCursor(const std::string& body) {
    const std::string key = "\"next_cursor\":\"";
    size_t at = body.find(key);
    if (at == std::string::npos) return "";
    std::string out;
    for (size_t i = at + key.size(); i < body.size() && body[i] != '"'; ++i) {
      if (body.compare(i, 2, "\\u") == 0) {
        out += static_cast<char>(std::stoi(body.substr(i + 2, 4), nullptr, 16));
        i += 5;
      } else {
        out += body[i];
      }
    }
    return out;
  }
  static std::string PercentEncoded(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
        out += static_cast<char>(c);
      } else {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", c);
        out += buf;
      }
    }
    return out;
  }

  static http::ApiOptions Options() {
    http::ApiOptions options;
    options.public_lookups_per_minute = 3;
    options.public_reads_per_minute = 5;
    options.cors_origins = {"https://console.example.gov.vn"};
    return options;
  }

  std::string last_body_;
  MemoryStore store_;
  CountingIds ids_;
  testing::ApiHarness harness_;
};

TEST(ApiTranscriptTest, EveryAnswerIsAsRecorded) {
  const std::string expected = ReadAll(kTranscript);
  ASSERT_FALSE(expected.empty()) << kTranscript;
  const std::vector<std::string> lines = Lines(expected);
  Transcript transcript;
  const std::string actual = transcript.Run(lines);
  EXPECT_GE(transcript.validated(), 150) << "answers validated against docs/openapi.json";
  if (std::getenv("MOTCUA_UPDATE_TRANSCRIPT") != nullptr) {
    std::ofstream(kTranscript, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << kTranscript;
  }
  if (actual == expected) return;
  const std::vector<std::string> got = Lines(actual);
  size_t n = 0;
  while (n < got.size() && n < lines.size() && got[n] == lines[n]) ++n;
  const std::string actual_file = ::testing::TempDir() + "/api.transcript.actual";
  std::ofstream(actual_file, std::ios::binary) << actual;
  ADD_FAILURE() << kTranscript << ":" << n + 1
                << ": the answer differs\n  recorded: " << (n < lines.size() ? lines[n] : "(end)")
                << "\n  now:      " << (n < got.size() ? got[n] : "(end)")
                << "\nwhole transcript now: " << actual_file;
}

}  // namespace
}  // namespace motcua
