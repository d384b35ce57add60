// Commands through the API (adapters/http/dossier_writes.cc): a dry run (?dry_run=true) answers
// what a command would do to the dossier as it stands, and writes nothing; and the working time a
// dossier has left as its view shows it (the console's queue highlights by it).

#include <gtest/gtest.h>

#include <filesystem>

#include "engine/store/memory_store.h"
#include "tests/adapters/http/api_dossiers.h"
#include "tests/adapters/http/api_fixture.h"

namespace motcua {
namespace {

// The one-stop centre receives the construction permit for the Department of Construction; the
// officer below may do every step (a test's shortcut), scoped to the province.
const char kCentre[] = "000.00.01.H56";

class DossierWritesTest : public ::testing::Test {
 protected:
  static std::string Dir() {
    return ::testing::TempDir() + "/motcua-dossier-writes-" + std::to_string(::getpid()) + "/";
  }
  static std::string Tokens() {
    std::filesystem::remove_all(Dir());
    std::filesystem::create_directories(Dir());
    return Dir() + "tokens.yaml";
  }
  DossierWritesTest()
      : h_(&store_, Tokens(),
           {{"all", "counter, specialist, division_head, leader", "000.00.00.H56"},
            {"sp1", "specialist", "000.00.00.H56"}}) {}
  ~DossierWritesTest() override { std::filesystem::remove_all(Dir()); }

  void At(const char* local) { h_.clock().Set(*ParseLocalDateTime(local, 7 * 3600)); }
  http::HttpResponse Command(const std::string& id, const std::string& body, int version,
                             const std::string& query = "", const std::string& who = "all") {
    return h_.Answer("POST", "/v1/dossiers/" + id + "/commands" + query, body, who,
                     {{"idempotency-key", "k" + std::to_string(version)},
                      {"if-match", "\"" + std::to_string(version) + "\""}});
  }
  // A 1.013225 dossier received Mon 1/6/2026 08:00 and forwarded to the leader's sign step
  // (version 4); its due: 20 WD → Mon 29/6 08:00.
  std::string AtTheSignStep() {
    At("2026-06-01T08:00");
    http::HttpResponse r = h_.Answer(
        "POST", "/v1/dossiers",
        std::string(R"({"procedure_code":"1.013225","receiving_agency":")") + kCentre +
            R"(","applicant":{"name":"Đỗ Văn Hùng","id_number":"001085012345"},)"
            R"("documents":[{"document_id":"application_form"},{"document_id":"land_use_papers"},)"
            R"({"document_id":"design_drawings","count":2}]})",
        "all", {{"idempotency-key", "r"}});
    EXPECT_EQ(r.status, 201) << r.body;
    const std::string id = testing::JsonField(r.body, "id");
    EXPECT_EQ(testing::JsonField(r.body, "due_at"), "2026-06-29T08:00:00+07:00");
    for (int v = 1; v <= 3; ++v) {
      EXPECT_EQ(Command(id, R"({"command":"act","action":"forward"})", v).status, 200);
    }
    return id;
  }

  MemoryStore store_;
  testing::ApiHarness h_;
};

TEST_F(DossierWritesTest, ADryRunShowsTheExtendedDueAndWritesNothing) {
  const std::string id = AtTheSignStep();
  // Neither Idempotency-Key nor If-Match is needed: nothing is written.
  http::HttpResponse dry =
      h_.Answer("POST", "/v1/dossiers/" + id + "/commands?dry_run=true",
                R"({"command":"act","action":"extend","extend_by":"5 WD"})", "all");
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_NE(dry.body.find(R"("dry_run":true)"), std::string::npos) << dry.body;
  // Mon 29/6 08:00 + 5 WD: 30/6, 1, 2, 3/7, Mon 6/7 → Mon 6/7 08:00.
  EXPECT_EQ(testing::JsonField(dry.body, "extended_due_at"), "2026-07-06T08:00:00+07:00");
  EXPECT_NE(dry.body.find(R"("type":"extended")"), std::string::npos) << dry.body;
  for (const auto& [k, v] : dry.headers) EXPECT_NE(k, "ETag") << "a dry run has no new version";

  http::HttpResponse now = h_.Answer("GET", "/v1/dossiers/" + id, "", "all");
  EXPECT_NE(now.body.find(R"("version":4)"), std::string::npos) << now.body;
  EXPECT_EQ(testing::JsonField(now.body, "extended_due_at"), "");
  // The real command then does what the dry run said.
  http::HttpResponse real =
      Command(id, R"({"command":"act","action":"extend","extend_by":"5 WD"})", 4);
  ASSERT_EQ(real.status, 200) << real.body;
  EXPECT_EQ(testing::JsonField(real.body, "extended_due_at"), "2026-07-06T08:00:00+07:00");
  EXPECT_EQ(real.body.find("dry_run"), std::string::npos) << real.body;
}

TEST_F(DossierWritesTest, ADryRunIsRefusedAsTheCommandWouldBe) {
  const std::string id = AtTheSignStep();
  // Beyond the procedure's maximum: the rule's own words.
  http::HttpResponse over =
      Command(id, R"({"command":"act","action":"extend","extend_by":"11 WD"})", 4, "?dry_run=true");
  EXPECT_EQ(over.status, 400) << over.body;
  EXPECT_NE(over.body.find("10 WD"), std::string::npos) << over.body;
  // Not the specialist's to take, nor against an old version.
  EXPECT_EQ(Command(id, R"({"command":"act","action":"extend","extend_by":"5 WD"})", 4,
                    "?dry_run=true", "sp1")
                .status,
            403);
  EXPECT_EQ(
      Command(id, R"({"command":"act","action":"extend","extend_by":"5 WD"})", 3, "?dry_run=true")
          .status,
      412);
  http::HttpResponse bad =
      Command(id, R"({"command":"act","action":"approve"})", 4, "?dry_run=yes");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(testing::JsonField(bad.body, "field"), "dry_run");
  http::HttpResponse recompute = Command(id, R"({"command":"recompute_due"})", 4, "?dry_run=true");
  EXPECT_EQ(recompute.status, 400);
  EXPECT_EQ(testing::JsonField(recompute.body, "field"), "dry_run");
  // Other writes have no dry run: refused rather than done.
  http::HttpResponse create = h_.Answer(
      "POST", "/v1/dossiers?dry_run=true",
      std::string(R"({"procedure_code":"1.013225","receiving_agency":")") + kCentre + R"("})",
      "all", {{"idempotency-key", "c"}});
  EXPECT_EQ(create.status, 400) << create.body;
  EXPECT_EQ(testing::JsonField(create.body, "field"), "dry_run");
  // None of it was written.
  EXPECT_NE(h_.Answer("GET", "/v1/dossiers/" + id, "", "all").body.find(R"("version":4)"),
            std::string::npos);
}

TEST_F(DossierWritesTest, TheViewSaysHowMuchWorkingTimeIsLeft) {
  const std::string id = AtTheSignStep();
  auto remaining = [&] {
    const std::string body = h_.Answer("GET", "/v1/dossiers/" + id, "", "all").body;
    const std::string key = R"("remaining_working_seconds":)";
    const size_t at = body.find(key);
    if (at == std::string::npos) return std::string("absent");
    const size_t from = at + key.size();
    return body.substr(from, body.find_first_of(",}", from) - from);
  };
  // Mon 1/6 08:00 → Mon 29/6 08:00: 20 working days of 8 hours.
  EXPECT_EQ(remaining(), std::to_string(20 * 8 * 3600));
  // Fri 26/6 16:00: the rest of Friday (1 h) and Mon 29/6 07:30–08:00.
  At("2026-06-26T16:00");
  EXPECT_EQ(remaining(), std::to_string(3600 + 1800));
  // Tue 30/6 09:00: a working day and an hour late (negative).
  At("2026-06-30T09:00");
  EXPECT_EQ(remaining(), std::to_string(-(8 * 3600 + 3600)));
  // Mon 29/6 08:00, the due instant itself: zero left, and said so.
  At("2026-06-29T08:00");
  EXPECT_EQ(remaining(), "0");
  // Decided: nothing left to count (omitted).
  ASSERT_EQ(Command(id, R"({"command":"act","action":"approve"})", 4).status, 200);
  EXPECT_EQ(remaining(), "absent");
}

}  // namespace
}  // namespace motcua
