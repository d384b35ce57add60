// The examples in docs/api.md and README.md, run against the API: every request example is sent
// and its documented answer compared with the real one, so the documents stay true.
//
// docs/api.md: a plain code block whose lines start with a method and a path is a request (its
// header lines apply); for POST and PUT the next ```json block is the body. The next ```json
// block before another request is the documented answer: every field it shows must be in the
// real answer with the value shown ("…" stands for anything: as a value, or as a key for the
// fields left out; an array ending in such an element may go on). The clock is set to the
// latest "at" the documented answer shows, and the first dossier created gets the id the
// examples use. README.md: every curl command of the quick start is sent and must succeed.

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>
#include <sstream>
#include <thread>

#include "engine/store/memory_store.h"
#include "tests/adapters/http/api_fixture.h"

namespace motcua {
namespace {

const char kEllipsis[] = "\xe2\x80\xa6";  // …

struct Block {
  std::string lang;
  std::string text;
  int line = 0;     // of the opening fence
  int section = 0;  // how many headings come before it
};

std::vector<Block> CodeBlocks(const std::string& markdown) {
  std::vector<Block> out;
  std::istringstream in(markdown);
  std::string line;
  int n = 0;
  int section = 0;
  std::optional<Block> open;
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("```", 0) == 0) {
      if (open) {
        out.push_back(*open);
        open.reset();
      } else {
        open = Block{line.substr(3), "", n, section};
      }
      continue;
    }
    if (open) {
      open->text += line + "\n";
    } else if (line.rfind("#", 0) == 0) {
      ++section;
    }
  }
  return out;
}

// The first dossier gets the id the examples use; later ones count on from it.
struct DocIds : IdSource {
  int n = 0;
  std::string NewId() override {
    char buf[24];
    std::snprintf(buf, sizeof buf, "019cac53e0407c2e91%02x", 0xab + n++);
    return buf;
  }
};

// Whether `actual` shows everything `expected` shows; `where` names the first difference.
bool Shows(const google::protobuf::Value& expected, const google::protobuf::Value& actual,
           const std::string& path, std::string* where) {
  using google::protobuf::Value;
  if (expected.kind_case() == Value::kStringValue && expected.string_value() == kEllipsis) {
    return true;
  }
  if (expected.kind_case() == Value::kStringValue &&
      expected.string_value().size() > std::string(kEllipsis).size() &&
      expected.string_value().compare(expected.string_value().size() - 3, 3, kEllipsis) == 0) {
    // "mc_…": a prefix.
    const std::string prefix =
        expected.string_value().substr(0, expected.string_value().size() - 3);
    if (actual.kind_case() == Value::kStringValue && actual.string_value().rfind(prefix, 0) == 0) {
      return true;
    }
  }
  if (expected.kind_case() != actual.kind_case()) {
    *where = path + ": documented " + expected.ShortDebugString() + ", answered " +
             actual.ShortDebugString();
    return false;
  }
  if (expected.kind_case() == Value::kStructValue) {
    for (const auto& [key, value] : expected.struct_value().fields()) {
      if (key == kEllipsis) continue;
      auto it = actual.struct_value().fields().find(key);
      if (it == actual.struct_value().fields().end()) {
        // An omitted field is the default (false, 0, "").
        if ((value.kind_case() == Value::kBoolValue && !value.bool_value()) ||
            (value.kind_case() == Value::kStringValue && value.string_value().empty())) {
          continue;
        }
        *where = path + "." + key + ": documented, not answered";
        return false;
      }
      if (!Shows(value, it->second, path + "." + key, where)) return false;
    }
    return true;
  }
  if (expected.kind_case() == Value::kListValue) {
    const auto& e = expected.list_value().values();
    const auto& a = actual.list_value().values();
    // Examples may cut lists: the elements shown come first; a last element of only "…" says
    // so explicitly.
    const bool open_ended = !e.empty() && e[e.size() - 1].kind_case() == Value::kStructValue &&
                            e[e.size() - 1].struct_value().fields().size() == 1 &&
                            e[e.size() - 1].struct_value().fields().count(kEllipsis) > 0;
    const int shown = open_ended ? e.size() - 1 : e.size();
    if (a.size() < shown) {
      *where = path + ": documented " + std::to_string(e.size()) + " elements, answered " +
               std::to_string(a.size());
      return false;
    }
    for (int i = 0; i < shown; ++i) {
      if (!Shows(e[i], a[i], path + "[" + std::to_string(i) + "]", where)) return false;
    }
    return true;
  }
  if (expected.ShortDebugString() != actual.ShortDebugString()) {
    *where = path + ": documented " + expected.ShortDebugString() + ", answered " +
             actual.ShortDebugString();
    return false;
  }
  return true;
}

std::optional<google::protobuf::Value> Parse(const std::string& json) {
  google::protobuf::Value v;
  if (!google::protobuf::util::JsonStringToMessage(json, &v).ok()) return std::nullopt;
  return v;
}

// The latest "at" a documented answer shows (the instant the example happens at).
std::optional<Instant> LatestAt(const std::string& json) {
  std::optional<Instant> out;
  std::regex at("\"at\": *\"([0-9T:+-]+)\"");
  for (auto it = std::sregex_iterator(json.begin(), json.end(), at); it != std::sregex_iterator();
       ++it) {
    std::string text = (*it)[1];
    std::optional<Instant> t = ParseLocalDateTime(text.substr(0, 19), 7 * 3600);
    if (t && (!out || *out < *t)) out = t;
  }
  return out;
}

class DocExamples : public ::testing::Test {
 protected:
  DocExamples()
      : harness_(&store_, ::testing::TempDir() + "/motcua-doc-tokens.yaml",
                 {{"cb1", "counter, specialist, leader, clerk, integrator", "*"},
                  {"admin", "admin", "*"}},
                 {}, {.ids = &ids_}) {
    EXPECT_TRUE(harness_.service_harness.started.ok());
    harness_.clock().Set(*ParseLocalDateTime("2026-03-02T09:15", 7 * 3600));
  }

  http::HttpResponse Send(const std::string& method, const std::string& target,
                          const std::map<std::string, std::string>& headers,
                          const std::string& body, const std::string& who = "cb1") {
    return harness_.Answer(method, target, body, who, headers);
  }

  MemoryStore store_;
  DocIds ids_;
  testing::ApiHarness harness_;
};

TEST_F(DocExamples, EveryRequestOfTheApiReferenceAnswersAsDocumented) {
  const std::vector<Block> blocks = CodeBlocks(testing::ReadSource("docs/api.md"));
  const std::regex request_line("^(GET|POST|PUT) (/[^ ]*)( +#.*)?$", std::regex::multiline);
  int requests = 0, compared = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (!blocks[i].lang.empty()) continue;
    struct RequestLine {
      std::string method, target, comment;
    };
    std::vector<RequestLine> lines;
    std::map<std::string, std::string> headers;
    std::istringstream in(blocks[i].text);
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (std::regex_match(line, m, request_line)) {
        lines.push_back({m[1], m[2], m[3]});
      } else if (const size_t colon = line.find(": ");
                 colon != std::string::npos && !lines.empty() && line[0] != '{') {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (name != "authorization") headers[name] = line.substr(colon + 2);
      }
    }
    if (lines.empty()) continue;
    // The json blocks up to the next request: the body (POST, PUT), then the answer.
    std::vector<const Block*> json;
    for (size_t j = i + 1; j < blocks.size(); ++j) {
      if (blocks[j].section != blocks[i].section) break;
      if (blocks[j].lang.empty() && std::regex_search(blocks[j].text, request_line)) break;
      if (blocks[j].lang == "json") json.push_back(&blocks[j]);
    }
    for (const auto& [method, target, comment] : lines) {
      const bool has_body = method != "GET";
      const std::string body = has_body && !json.empty() ? json[0]->text : "";
      const Block* answer = json.size() > (has_body ? 1u : 0u) ? json[has_body ? 1 : 0] : nullptr;
      if (answer) {
        if (std::optional<Instant> at = LatestAt(answer->text)) harness_.clock().Set(*at);
      }
      // The caller: the counter's token, an admin's for a request marked "# as admin".
      const bool public_route = target.rfind("/v1/public/", 0) == 0;
      const std::string who = public_route                                    ? ""
                              : comment.find("as admin") != std::string::npos ? "admin"
                                                                              : "cb1";
      http::HttpResponse r = Send(method, target, headers, body, who);
      ++requests;
      SCOPED_TRACE("docs/api.md:" + std::to_string(blocks[i].line) + ": " + method + " " + target);
      std::optional<google::protobuf::Value> documented;
      if (answer != nullptr) {
        documented = Parse(answer->text);
        ASSERT_TRUE(documented) << "docs/api.md:" << answer->line << ": not JSON";
      }
      // A documented problem gives its status; everything else succeeds.
      const auto& fields = documented
                               ? documented->struct_value().fields()
                               : google::protobuf::Map<std::string, google::protobuf::Value>();
      if (auto st = fields.find("status"); st != fields.end() && st->second.has_number_value()) {
        EXPECT_EQ(r.status, static_cast<int>(st->second.number_value())) << r.body;
      } else {
        EXPECT_LT(r.status, 300) << r.body;
      }
      if (answer == nullptr) continue;
      std::optional<google::protobuf::Value> actual = Parse(r.body);
      ASSERT_TRUE(actual) << r.body;
      std::string where;
      EXPECT_TRUE(Shows(*documented, *actual, "$", &where))
          << "docs/api.md:" << answer->line << ": " << where << "\nanswered: " << r.body;
      ++compared;
    }
  }
  // Every example found (a parser that finds none must not pass).
  std::printf("docs/api.md: %d requests sent, %d answers compared\n", requests, compared);
  EXPECT_GE(requests, 15);
  EXPECT_GE(compared, 8);
}

TEST_F(DocExamples, EveryCurlOfTheQuickStartSucceeds) {
  int sent = 0;
  const std::regex header("-H \"([^:\"]+): ([^\"]*)\"");
  const std::regex url("\"?http://127\\.0\\.0\\.1:8080(/[^ \"']*)\"?");
  const std::regex data("-d '([^']*)'");
  for (const Block& block : CodeBlocks(testing::ReadSource("README.md"))) {
    // One command per "curl", continued over lines (a trailing backslash, or an open quote).
    std::vector<std::string> commands;
    std::istringstream in(block.text);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("curl ", 0) == 0) {
        commands.push_back(line);
      } else if (!commands.empty()) {
        commands.back() += "\n" + line;
      }
    }
    for (std::string cmd : commands) {
      cmd = std::regex_replace(cmd, std::regex("\\\\\n *"), " ");
      std::smatch m;
      if (!std::regex_search(cmd, m, url)) continue;
      const std::string target = m[1];
      std::map<std::string, std::string> headers;
      for (auto h = std::sregex_iterator(cmd.begin(), cmd.end(), header);
           h != std::sregex_iterator(); ++h) {
        std::string name = (*h)[1];
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (name != "authorization") headers[name] = (*h)[2];
      }
      std::string body;
      if (std::regex_search(cmd, m, data)) body = m[1];
      const std::string method = cmd.find("-X POST") != std::string::npos ? "POST" : "GET";
      http::HttpResponse r = Send(method, target, headers, body);
      EXPECT_LT(r.status, 300) << "README.md:" << block.line << ": " << cmd << "\n" << r.body;
      ++sent;
    }
  }
  EXPECT_GE(sent, 3);
}

}  // namespace
}  // namespace motcua
