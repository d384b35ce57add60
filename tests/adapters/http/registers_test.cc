// The M07 register (GET /v1/registers/m07, adapters/http/registers.cc) through the API without a
// socket: the results an agency returned in a window, in the order of return, with the columns
// of the register; scope and bad windows refused.

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "engine/store/memory_store.h"
#include "motcua/v1/api.pb.h"
#include "tests/adapters/http/api_dossiers.h"

namespace motcua {
namespace {

const char kA[] = "000.17.22.H56";

class RegisterTest : public ::testing::Test {
 protected:
  RegisterTest()
      : harness_(&store_, ::testing::TempDir() + "/motcua-register-tokens.yaml",
                 {{"cb1", "counter, specialist, leader, clerk", kA},
                  {"other", "counter", "000.18.22.H56"}}) {
    harness_.clock().Set(*ParseLocalDateTime("2026-03-02T08:00", 7 * 3600));
  }

  // Receives a 2.000908 dossier for `applicant` and takes it to its return at `returned_at`.
  std::string Returned(const std::string& applicant, const std::string& returned_at,
                       const std::string& via) {
    const std::string key = applicant + returned_at;
    harness_.clock().Set(*ParseLocalDateTime("2026-03-02T08:00", 7 * 3600));  // before the cut-off
    const std::string id = testing::ReceiveCopyDossier(harness_, "cb1", kA, applicant, key, true);
    const int version = 5;
    harness_.clock().Set(*ParseLocalDateTime(returned_at, 7 * 3600));
    http::HttpResponse r = harness_.Answer(
        "POST", "/v1/dossiers/" + id + "/commands",
        R"({"command":"return_result","returned_via":")" + via +
            R"(","returned_to":"Chính chủ","receipt_signed":true})",
        "cb1",
        {{"idempotency-key", key + "r"}, {"if-match", "\"" + std::to_string(version) + "\""}});
    EXPECT_EQ(r.status, 200) << r.body;
    return id;
  }

  MemoryStore store_;
  testing::ApiHarness harness_;
};

TEST_F(RegisterTest, TheResultsReturnedInTheWindowInTheOrderOfReturn) {
  const std::string late = Returned("Trần Thị Bé", "2026-03-02T16:00", "post");
  const std::string early = Returned("Nguyễn Văn An", "2026-03-02T10:00", "counter");
  Returned("Lê Văn Cường", "2026-03-03T09:00", "electronic");  // the next day: outside
  http::HttpResponse r = harness_.Answer(
      "GET",
      std::string("/v1/registers/m07?agency=") + kA + "&from=2026-03-02T00:00&to=2026-03-03T00:00",
      "", "cb1");
  ASSERT_EQ(r.status, 200) << r.body;
  v1::M07Register reg;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &reg).ok()) << r.body;
  EXPECT_EQ(reg.agency(), kA);
  EXPECT_EQ(reg.from(), "2026-03-02T00:00:00+07:00");
  ASSERT_EQ(reg.rows_size(), 2);
  EXPECT_EQ(reg.rows(0).no(), 1);
  EXPECT_EQ(reg.rows(0).dossier_id(), early);
  EXPECT_EQ(reg.rows(0).applicant_name(), "Nguyễn Văn An");
  EXPECT_EQ(reg.rows(0).applicant_address(), "Thôn 1");
  EXPECT_EQ(reg.rows(0).returned_at(), "2026-03-02T10:00:00+07:00");
  EXPECT_EQ(reg.rows(0).returned_via(), "counter");
  EXPECT_EQ(reg.rows(0).procedure_name(), "Cấp bản sao từ sổ gốc");
  EXPECT_EQ(reg.rows(0).due_at(), "2026-03-02T17:00:00+07:00");
  EXPECT_TRUE(reg.rows(0).receipt_signed());
  EXPECT_EQ(reg.rows(1).no(), 2);
  EXPECT_EQ(reg.rows(1).dossier_id(), late);
  EXPECT_EQ(reg.rows(1).returned_via(), "post");
  EXPECT_EQ(reg.rows(1).returned_to(), "Chính chủ");
}

TEST_F(RegisterTest, ScopeAndWindowAreChecked) {
  const std::string window = "&from=2026-03-02T00:00&to=2026-03-03T00:00";
  EXPECT_EQ(
      harness_.Answer("GET", std::string("/v1/registers/m07?agency=") + kA + window, "", "other")
          .status,
      404);
  http::HttpResponse r = harness_.Answer(
      "GET", std::string("/v1/registers/m07?agency=") + kA + "&from=2026-03-02", "", "cb1");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"field\":\"from\""), std::string::npos) << r.body;
  r = harness_.Answer(
      "GET", std::string("/v1/registers/m07?agency=") + kA + "&from=2026-03-02T00:00", "", "cb1");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"field\":\"to\""), std::string::npos) << r.body;
  // The caller's only agency is the default.
  EXPECT_EQ(harness_.Answer("GET", "/v1/registers/m07?" + window.substr(1), "", "cb1").status, 200);
}

}  // namespace
}  // namespace motcua
