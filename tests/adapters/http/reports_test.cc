// Report form 06 (GET /v1/reports/form06, adapters/http/reports.cc) through the API without a
// socket: the counts of a window by agency and by procedure, carried-over and overdue dossiers,
// the window clipped at today, the caller's scope, the CSV, HTML and XLSX renderings, bad
// parameters refused naming the parameter.

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "engine/store/memory_store.h"
#include "motcua/v1/api.pb.h"
#include "tests/adapters/http/api_dossiers.h"

namespace motcua {
namespace {

const char kA[] = "000.17.22.H56";
const char kB[] = "000.18.22.H56";
const char kProvince[] = "000.00.00.H56";

class ReportTest : public ::testing::Test {
 protected:
  ReportTest()
      : harness_(&store_, ::testing::TempDir() + "/motcua-report-tokens.yaml",
                 {{"cb1", "counter, specialist, leader, clerk", kA},
                  {"cb2", "counter", kB},
                  {"head", "manager", kProvince}}) {
    // Mon 2/3/2026 08:00: three copies at A (one issued at once, early), one at B.
    harness_.clock().Set(*ParseLocalDateTime("2026-03-02T08:00", 7 * 3600));
    testing::ReceiveCopyDossier(harness_, "cb1", kA, "Nguyễn Văn An", "a1", true);
    testing::ReceiveCopyDossier(harness_, "cb1", kA, "Trần Thị Bé", "a2", false);
    testing::ReceiveCopyDossier(harness_, "cb1", kA, "Lê Văn Cường", "a3", false);
    testing::ReceiveCopyDossier(harness_, "cb2", kB, "Phạm Thị Dung", "b1", false);
    harness_.clock().Set(*ParseLocalDateTime("2026-03-10T09:00", 7 * 3600));
  }

  v1::Form06Report Report(const std::string& query, const std::string& who) {
    http::HttpResponse r = harness_.Answer("GET", "/v1/reports/form06?" + query, "", who);
    EXPECT_EQ(r.status, 200) << r.body;
    v1::Form06Report out;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &out).ok()) << r.body;
    return out;
  }

  static const v1::Form06Row* Row(const v1::Form06Report& r, const std::string& key) {
    for (const auto& row : r.rows()) {
      if (row.key() == key) return &row;
    }
    return nullptr;
  }

  MemoryStore store_;
  testing::ApiHarness harness_;
};

TEST_F(ReportTest, AnAgencysMonthUpToToday) {
  v1::Form06Report r = Report(std::string("period=2026-03&agency=") + kA, "cb1");
  EXPECT_EQ(r.from(), "2026-03-01");
  EXPECT_EQ(r.to(), "2026-03-10");  // the month has not ended: up to today
  EXPECT_EQ(r.agency_name(), "UBND xã An Hòa (mẫu)");
  const v1::Form06Row* a = Row(r, kA);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->received(), 3);
  EXPECT_EQ(a->direct(), 3);
  EXPECT_EQ(a->counter(), 3);
  EXPECT_EQ(a->carried_over(), 0);
  EXPECT_EQ(a->processed(), 1);
  EXPECT_EQ(a->early(), 1);
  EXPECT_EQ(a->in_progress(), 2);
  EXPECT_EQ(a->overdue(), 2);  // due 2/3 17:00
  EXPECT_EQ(a->not_yet_due(), 0);
  EXPECT_EQ(r.total().received(), 3);
}

TEST_F(ReportTest, AWindowEndingTodaySaysWhatIsOverdueNow) {
  // Both open copies at A are due today at 17:00: not yet overdue a minute before.
  harness_.clock().Set(*ParseLocalDateTime("2026-03-02T16:59", 7 * 3600));
  v1::Form06Report r = Report(std::string("period=2026-03&agency=") + kA, "cb1");
  EXPECT_EQ(r.to(), "2026-03-02");
  EXPECT_EQ(r.total().in_progress(), 2);
  EXPECT_EQ(r.total().overdue(), 0);
  EXPECT_EQ(r.total().not_yet_due(), 2);
  harness_.clock().Set(*ParseLocalDateTime("2026-03-02T17:00", 7 * 3600));
  r = Report(std::string("period=2026-03&agency=") + kA, "cb1");
  EXPECT_EQ(r.total().overdue(), 2);
  EXPECT_EQ(r.total().not_yet_due(), 0);
}

TEST_F(ReportTest, AProvinceByUnitAndByProcedure) {
  // The manager's only agency is the default; its communes are rows, rolled up.
  v1::Form06Report r = Report("from=2026-03-01&to=2026-03-09", "head");
  EXPECT_EQ(r.agency(), kProvince);
  ASSERT_NE(Row(r, kA), nullptr);
  ASSERT_NE(Row(r, kB), nullptr);
  EXPECT_EQ(Row(r, kA)->received(), 3);
  EXPECT_EQ(Row(r, kB)->received(), 1);
  EXPECT_EQ(Row(r, kB)->overdue(), 1);
  EXPECT_EQ(r.total().received(), 4);
  EXPECT_EQ(r.total().in_progress(), 3);
  r = Report("from=2026-03-01&to=2026-03-09&group_by=procedure", "head");
  ASSERT_EQ(r.rows_size(), 1);
  EXPECT_EQ(r.rows(0).key(), "2.000908");
  EXPECT_EQ(r.rows(0).label(), "Cấp bản sao từ sổ gốc");
  EXPECT_EQ(r.rows(0).received(), 4);
  r = Report("from=2026-03-01&to=2026-03-09&group_by=field", "head");
  ASSERT_EQ(r.rows_size(), 1);
  EXPECT_EQ(r.rows(0).key(), "Chứng thực");
}

TEST_F(ReportTest, OpenDossiersCarryOverIntoALaterWindow) {
  v1::Form06Report r = Report(std::string("from=2026-03-03&to=2026-03-09&agency=") + kA, "cb1");
  const v1::Form06Row* a = Row(r, kA);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->carried_over(), 2);
  EXPECT_EQ(a->received(), 2);
  EXPECT_EQ(a->processed(), 0);
  EXPECT_EQ(a->in_progress(), 2);
  // Before any dossier: nothing.
  r = Report(std::string("period=2026-02&agency=") + kA, "cb1");
  EXPECT_EQ(r.total().received(), 0);
}

TEST_F(ReportTest, TheFormatsOfficesFileItIn) {
  const std::string q = std::string("/v1/reports/form06?period=2026-03&agency=") + kA;
  http::HttpResponse csv = harness_.Answer("GET", q + "&format=csv", "", "cb1");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.rfind("\xEF\xBB\xBF", 0), 0u);  // the byte-order mark
  EXPECT_NE(csv.body.find("1,UBND xã An Hòa (mẫu),000.17.22.H56,3,0,3,0,1,1,0,0,2,0,2,"),
            std::string::npos)
      << csv.body;
  http::HttpResponse html = harness_.Answer("GET", q + "&format=html", "", "cb1");
  ASSERT_EQ(html.status, 200);
  EXPECT_NE(html.body.find("size: A4 landscape"), std::string::npos);
  EXPECT_NE(html.body.find("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), std::string::npos);
  EXPECT_NE(html.body.find("Kỳ báo cáo: từ ngày 01/03/2026 đến ngày 10/03/2026"),
            std::string::npos);
  http::HttpResponse xlsx = harness_.Answer("GET", q + "&format=xlsx", "", "cb1");
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.rfind("PK\x03\x04", 0), 0u);  // a zip: the XLSX container
  EXPECT_GT(xlsx.body.size(), 3000u);
}

TEST_F(ReportTest, StepsByStepThenOfficer) {
  http::HttpResponse r = harness_.Answer(
      "GET", std::string("/v1/reports/steps?period=2026-03&agency=") + kA, "", "cb1");
  ASSERT_EQ(r.status, 200) << r.body;
  v1::StepReport steps;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &steps).ok()) << r.body;
  EXPECT_EQ(steps.to(), "2026-03-10");
  // The issued copy's four hand-overs, at once: each step's total, then its one officer.
  ASSERT_EQ(steps.rows_size(), 8) << r.body;
  EXPECT_EQ(steps.rows(0).procedure_code(), "2.000908");
  EXPECT_EQ(steps.rows(0).step_id(), "receive");
  EXPECT_EQ(steps.rows(0).officer(), "");
  EXPECT_EQ(steps.rows(0).handovers(), 1);
  EXPECT_EQ(steps.rows(0).median_minutes(), 1);  // under a minute
  EXPECT_EQ(steps.rows(1).step_id(), "receive");
  EXPECT_EQ(steps.rows(1).officer(), "cb1");
  EXPECT_EQ(steps.rows(7).step_id(), "issue");
  http::HttpResponse csv = harness_.Answer(
      "GET", std::string("/v1/reports/steps?period=2026-03&format=csv&agency=") + kA, "", "cb1");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.rfind("\xEF\xBB\xBF", 0), 0u);
  EXPECT_NE(csv.body.find("2.000908,Cấp bản sao từ sổ gốc,receive,"), std::string::npos)
      << csv.body;
  r = harness_.Answer("GET", "/v1/reports/steps?period=2026&format=xlsx", "", "cb1");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("expected json or csv"), std::string::npos) << r.body;
}

TEST_F(ReportTest, AFormAsPdfNeedsARenderer) {
  const std::string id = testing::JsonField(
      harness_.Answer("GET", std::string("/v1/dossiers?agency=") + kA + "&limit=1", "", "cb1").body,
      "id");
  http::HttpResponse r =
      harness_.Answer("GET", "/v1/dossiers/" + id + "/forms/m01?format=pdf", "", "cb1");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("no PDF renderer is configured"), std::string::npos) << r.body;
  EXPECT_EQ(harness_.Answer("GET", "/v1/dossiers/" + id + "/forms/m01", "", "cb1").status, 200);
  EXPECT_EQ(harness_.Answer("GET", "/v1/dossiers/" + id + "/forms/m04", "", "cb1").status, 404);
}

TEST_F(ReportTest, ScopeAndBadParametersAreRefused) {
  EXPECT_EQ(
      harness_.Answer("GET", std::string("/v1/reports/form06?period=2026&agency=") + kA, "", "cb2")
          .status,
      404);
  const std::pair<const char*, const char*> cases[] = {
      {"period=2026-13", "period"},
      {"period=2026&from=2026-01-01", "period"},
      {"from=2026-03-01", "to"},
      {"from=2026-3-1&to=2026-03-05", "from"},
      {"from=2026-03-05&to=2026-03-01", "to"},
      {"period=2026-04", "period"},  // starts after today
      {"period=2026&group_by=unit", "group_by"},
      {"period=2026&format=pdf", "format"},
  };
  for (const auto& [query, field] : cases) {
    http::HttpResponse r =
        harness_.Answer("GET", std::string("/v1/reports/form06?") + query, "", "cb1");
    EXPECT_EQ(r.status, 400) << query << ": " << r.body;
    EXPECT_NE(r.body.find(std::string("\"field\":\"") + field + "\""), std::string::npos)
        << query << ": " << r.body;
  }
}

}  // namespace
}  // namespace motcua
