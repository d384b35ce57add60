// The national portal's payload (adapters/delivery/portal.h): its instants, status codes through
// the tenant's table, procedure codes through its map, and which service an event becomes.

#include "adapters/delivery/portal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace motcua {
namespace {

using ::testing::HasSubstr;

TEST(PortalTest, InstantsAreVietnamTimeInFourteenDigits) {
  EXPECT_EQ(PortalTime(Instant{1772413200}), "20260302080000");  // 01:00Z → 08:00 +07:00
  EXPECT_EQ(PortalTime(Instant{1772470799}), "20260302235959");
  EXPECT_EQ(PortalTime(Instant{1772470800}), "20260303000000") << "the local day turns at 17:00Z";
  EXPECT_EQ(PortalTime(std::nullopt), "");
}

TEST(PortalTest, StatusCodesFollowTheDomainTableUnlessTheTenantSaysOtherwise) {
  PortalSettings s;
  EXPECT_EQ(PortalStatusCode(s, DossierStatus::kSubmitted), 1);
  EXPECT_EQ(PortalStatusCode(s, DossierStatus::kReceived), 2);
  EXPECT_EQ(PortalStatusCode(s, DossierStatus::kNotReceived), 3);
  EXPECT_EQ(PortalStatusCode(s, DossierStatus::kInProcessing), 4);
  EXPECT_EQ(PortalStatusCode(s, DossierStatus::kSupplementRequested), 5);
  EXPECT_EQ(PortalStatusCode(s, DossierStatus::kPaymentRequested), 6);
  EXPECT_EQ(PortalStatusCode(s, DossierStatus::kStopped), 8);
  EXPECT_EQ(PortalStatusCode(s, DossierStatus::kDecided), 9);
  EXPECT_EQ(PortalStatusCode(s, DossierStatus::kReturned), 10);
  s.status_codes["consulting"] = 11;
  EXPECT_EQ(PortalStatusCode(s, DossierStatus::kConsulting), 11);
}

std::vector<Event> Received() {
  Event e;
  e.type = EventType::kReceived;
  e.dossier_id = "d1";
  e.version = 1;
  e.status = DossierStatus::kReceived;
  e.at = Instant{1772413200};
  e.number = "000.17.22.H56-260302-0001";
  e.due_at = Instant{1772586000};
  e.procedure_code = "2.000908";
  e.procedure_version = 1;
  e.receiving_agency = e.competent_agency = "000.17.22.H56";
  e.applicant.name = "Nguyễn Văn An";
  e.applicant.id_number = "001190012345";
  e.documents = {{"identity_paper", 2}};
  return {e};
}

TEST(PortalTest, AReceptionIsAWholeDossierSync) {
  PortalSettings s;
  s.procedure_codes["2.000908"] = "2.000908.000.00.00.H56";
  Procedure p;
  p.code = "2.000908";
  p.name = "Chứng thực bản sao từ bản chính";
  p.field = "Chứng thực";
  Document paper;
  paper.id = "identity_paper";
  paper.name = "Giấy tờ tùy thân";
  p.documents.push_back(paper);
  const PortalMessage m = MakePortalMessage(Received(), &p, AgencyRegistry(), s);
  EXPECT_EQ(m.service, "DongBoHoSoMC");
  EXPECT_EQ(m.unit_code, "000.17.22.H56");
  EXPECT_THAT(m.data, HasSubstr("\"MaHoSo\":\"000.17.22.H56-260302-0001\""));
  EXPECT_THAT(m.data, HasSubstr("\"MaTTHC\":\"2.000908.000.00.00.H56\""));
  EXPECT_THAT(m.data, HasSubstr("\"TenTTHC\":\"Chứng thực bản sao từ bản chính\""));
  EXPECT_THAT(m.data, HasSubstr("\"NgayTiepNhan\":\"20260302080000\""));
  EXPECT_THAT(m.data, HasSubstr("\"NgayHenTra\":\"20260304080000\""));
  EXPECT_THAT(m.data, HasSubstr("\"TrangThaiHoSo\":\"2\""));
  EXPECT_THAT(m.data, HasSubstr("\"KenhThucHien\":1"));
  EXPECT_THAT(m.data,
              HasSubstr("{\"MaGiayTo\":\"identity_paper\",\"TenGiayTo\":\"Giấy tờ tùy thân\","
                        "\"SoLuong\":2}"));
  const std::string body = PortalBody(m, "s1");
  EXPECT_EQ(body.substr(0, body.find(",\"data\":")),
            "{\"session\":\"s1\",\"madonvi\":\"000.17.22.H56\",\"service\":\"DongBoHoSoMC\"");
  EXPECT_EQ(body.substr(body.find(",\"data\":") + 8), m.data + "}");
}

TEST(PortalTest, AHandOverIsAProgressUpdate) {
  std::vector<Event> h = Received();
  Event f;
  f.type = EventType::kForwarded;
  f.dossier_id = "d1";
  f.version = 2;
  f.status = DossierStatus::kInProcessing;
  f.at = Instant{1772416800};
  f.role = "counter";
  f.step_due_at = Instant{1772503200};
  f.hand_over = HandOver{"receive", "counterA", "specialist", Timeliness::kEarly, "", 600};
  h.push_back(f);
  const PortalMessage m = MakePortalMessage(h, nullptr, AgencyRegistry(), PortalSettings());
  EXPECT_EQ(m.service, "CapNhatTienDoHoSoMC");
  EXPECT_THAT(m.data, HasSubstr("\"NguoiXuLy\":\"counterA\""));
  EXPECT_THAT(m.data, HasSubstr("\"ThoiDiemXuLy\":\"20260302090000\""));
  EXPECT_THAT(m.data, HasSubstr("\"BuocXuLy\":\"receive\""));
  EXPECT_THAT(m.data, HasSubstr("\"KetQuaBuoc\":\"early\""));
  EXPECT_THAT(m.data, HasSubstr("\"TrangThai\":\"4\""));
  EXPECT_THAT(m.data, HasSubstr("\"NgayKetThucTheoQuyDinh\":\"20260303090000\""));
}

}  // namespace
}  // namespace motcua
