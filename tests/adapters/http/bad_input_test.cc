// The bad-input catalogue (testdata/bad_input.catalogue): every field of every request body has
// bad values that are refused with the right answer, naming the field, and nothing is written.

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "adapters/http/subscription.h"
#include "engine/store/memory_store.h"
#include "tests/adapters/http/api_fixture.h"

namespace motcua {
namespace {

struct Case {
  int line = 0;
  std::string field;  // Message.path
  std::string method, target, who = "counterA";
  std::string body;
  std::string answer;
};

std::string Trim(const std::string& s) {
  const size_t a = s.find_first_not_of(' ');
  const size_t b = s.find_last_not_of(' ');
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::vector<Case> ReadCatalogue() {
  std::vector<Case> out;
  std::istringstream in(testing::ReadSource("tests/adapters/http/testdata/bad_input.catalogue"));
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> parts;
    size_t at = 0;
    for (int i = 0; i < 3; ++i) {
      const size_t bar = line.find(" | ", at);
      parts.push_back(line.substr(at, bar - at));
      at = bar + 3;
    }
    // The answer follows the last separator (bodies may hold " | ").
    const size_t last = line.rfind(" | ");
    parts[2] = line.substr(line.find(" | ", line.find(" | ") + 3) + 3,
                           last - (line.find(" | ", line.find(" | ") + 3) + 3));
    parts.push_back(line.substr(last + 3));
    Case c;
    c.line = n;
    c.field = Trim(parts[0]);
    std::istringstream req(parts[1]);
    req >> c.method;
    if (c.method != "WS") req >> c.target;
    for (std::string w; req >> w;) {
      if (w.rfind("as=", 0) == 0) c.who = w.substr(3);
    }
    c.body = Trim(parts[2]);
    c.answer = Trim(parts[3]);
    // Sizes past the limits, spelled out.
    for (const auto& [name, size] :
         {std::pair{"COMMENT_OF_2001_BYTES", 2001}, std::pair{"REASON_OF_2001_BYTES", 2001},
          std::pair{"ID_OF_65_BYTES", 65}, std::pair{"NAME_OF_201_BYTES", 201}}) {
      if (size_t p = c.body.find(name); p != std::string::npos) {
        c.body.replace(p, std::string(name).size(), std::string(size, 'x'));
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

// Every field path of a request message ("applicant.name", "documents.count").
void FieldPaths(const google::protobuf::Descriptor* d, const std::string& prefix,
                std::set<std::string>* out) {
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    const std::string path = prefix + f->name();
    out->insert(path);
    if (f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      FieldPaths(f->message_type(), path + ".", out);
    }
  }
}

class BadInput : public ::testing::Test {
 protected:
  BadInput()
      : harness_(&store_, ::testing::TempDir() + "/motcua-bad-input-tokens.yaml",
                 {{"counterA", "counter", "000.17.22.H56"},
                  {"clerkA", "clerk", "000.17.22.H56"},
                  {"integratorA", "integrator", "000.00.00.H56"},
                  {"staffA", "counter", "000.00.00.H56"},
                  {"admin", "admin", "*"}},
                 Options(), {}) {}

  static http::ApiOptions Options() {
    http::ApiOptions o;
    o.manual_clock = true;
    return o;
  }

  http::HttpResponse Send(const std::string& method, const std::string& target,
                          const std::string& body, const std::string& who,
                          std::map<std::string, std::string> headers = {}) {
    if (method == "POST") headers.emplace("idempotency-key", "k-" + std::to_string(++keys_));
    return harness_.Answer(method, target, body, who, headers);
  }

  MemoryStore store_;
  testing::ApiHarness harness_;
  int keys_ = 0;
};

std::string JsonField(const std::string& json, const std::string& name) {
  std::smatch m;
  if (std::regex_search(json, m, std::regex("\"" + name + "\":\"([^\"]*)\""))) return m[1];
  return "";
}

TEST_F(BadInput, EveryFieldOfEveryRequestBodyIsRefusedByName) {
  // D: a received 2.000908 dossier at version 1.
  http::HttpResponse d = Send("POST", "/v1/dossiers",
                              "{\"procedure_code\":\"2.000908\",\"receiving_agency\":"
                              "\"000.17.22.H56\",\"applicant\":{\"name\":\"An\",\"id_number\":"
                              "\"001090012345\"},\"documents\":[{\"document_id\":"
                              "\"identity_paper\"}]}",
                              "counterA");
  ASSERT_EQ(d.status, 201) << d.body;
  const std::string id = JsonField(d.body, "id");
  const uint64_t written = *store_.LastOutboxPosition();

  std::set<std::string> covered;
  const std::vector<Case> cases = ReadCatalogue();
  for (const Case& c : cases) {
    SCOPED_TRACE("bad_input.catalogue:" + std::to_string(c.line) + ": " + c.field);
    covered.insert(std::regex_replace(c.field, std::regex("\\[[0-9]+\\]"), ""));
    const std::string path = c.field.substr(c.field.find('.') + 1);
    if (c.method == "WS") {
      auto principal = harness_.Tokens()->Authenticate(testing::SecretOf(c.who));
      ASSERT_TRUE(principal);
      Result<http::Subscription> sub = http::Subscription::Open(
          c.body, *principal, &store_, [this] { return harness_.service_harness.catalog; },
          *store_.LastOutboxPosition());
      ASSERT_FALSE(sub.ok()) << c.body;
      EXPECT_EQ(sub.status().message().rfind(c.answer, 0), 0u)
          << "answered: " << sub.status().message();
      continue;
    }
    std::string target = c.target;
    if (size_t p = target.find("/D/"); p != std::string::npos) target.replace(p + 1, 1, id);
    http::HttpResponse r = Send(c.method, target, c.body, c.who, {{"if-match", "\"1\""}});
    std::istringstream answer(c.answer);
    int status = 0;
    std::string type, field;
    answer >> status >> type >> field;
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(JsonField(r.body, "type"), "urn:problem:motcua:" + type) << r.body;
    if (type == "invalid-field") {
      EXPECT_EQ(JsonField(r.body, "field"), field.empty() ? path : field) << r.body;
    }
    // Refused: nothing written.
    EXPECT_EQ(*store_.LastOutboxPosition(), written) << r.body;
  }

  // Every field of every request body has a case.
  std::set<std::string> fields;
  for (const google::protobuf::Descriptor* m :
       {v1::CreateDossierRequest::descriptor(), v1::DossierCommandRequest::descriptor(),
        v1::StreamSubscribe::descriptor(), v1::ClockRequest::descriptor()}) {
    FieldPaths(m, m->name() + ".", &fields);
  }
  for (const std::string& f : fields) EXPECT_TRUE(covered.count(f)) << "no bad input for " << f;
  EXPECT_GE(cases.size(), 60u);
}

}  // namespace
}  // namespace motcua
