// The agency registry (engine/definition/agency.h) built in memory: the tree scope follows,
// successions, and how a new dossier's agencies are checked and resolved.

#include "engine/definition/agency.h"

#include <gtest/gtest.h>

namespace motcua {
namespace {

Agency Make(std::string code, std::string kind, std::string parent = "",
            std::vector<std::string> serves = {}) {
  Agency a;
  a.code = std::move(code);
  a.name = "name of " + a.code;
  a.kind = std::move(kind);
  a.parent = std::move(parent);
  a.serves = std::move(serves);
  a.path = "agencies[?]";
  return a;
}

class AgencyRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<Agency> list = {
        Make("000.00.00.H56", "UBND cấp tỉnh"),
        Make("000.00.01.H56", "Trung tâm", "000.00.00.H56", {"000.00.12.H56", "000.17.22.H56"}),
        Make("000.00.12.H56", "Sở Xây dựng", "000.00.00.H56"),
        Make("000.17.22.H56", "UBND cấp xã", "000.00.00.H56"),
        Make("000.18.22.H56", "UBND cấp xã", "000.00.00.H56"),
        Make("000.00.01.H57", "Trung tâm", "", {"000.17.22.H57", "000.18.22.H57"}),
        Make("000.17.22.H57", "UBND cấp xã", "000.00.01.H57"),
        Make("000.18.22.H57", "UBND cấp xã", "000.00.01.H57"),
    };
    Agency old = Make("000.16.22.H56", "UBND cấp xã", "000.00.00.H56");
    old.effective_until = CivilDate{2025, 6, 30};
    old.successor = "000.15.22.H56";
    Agency middle = Make("000.15.22.H56", "UBND cấp xã", "000.00.00.H56");
    middle.effective_until = CivilDate{2025, 6, 30};
    middle.successor = "000.17.22.H56";
    Agency future = Make("000.19.22.H56", "UBND cấp xã", "000.00.00.H56");
    future.effective_from = CivilDate{2027, 1, 1};
    list.push_back(old);
    list.push_back(middle);
    list.push_back(future);
    std::vector<Diagnostic> errors;
    registry_ = AgencyRegistry::Build(std::move(list), {"vn"}, &errors);
    ASSERT_TRUE(errors.empty()) << errors.front().ToString();
    procedure_.code = "2.000908";
    procedure_.agency_kind = "UBND cấp xã";
  }

  // "receiving -> competent" or the problem's "field: message".
  std::string Resolve(const std::string& receiving, const std::string& competent = "",
                      bool check = true, const std::string& kind = "UBND cấp xã") {
    procedure_.agency_kind = kind;
    AgencyChoice out;
    std::optional<FieldProblem> p =
        registry_.Resolve(receiving, competent, procedure_, today_, check, &out);
    return p ? p->field + ": " + p->message : out.receiving + " -> " + out.competent;
  }

  AgencyRegistry registry_;
  Procedure procedure_;
  CivilDate today_{2026, 3, 2};
};

TEST_F(AgencyRegistryTest, ScopeFollowsTheTree) {
  EXPECT_TRUE(registry_.IsWithin("000.17.22.H56", "000.00.00.H56"));
  EXPECT_TRUE(registry_.IsWithin("000.16.22.H56", "000.00.00.H56"));  // dissolved units too
  EXPECT_TRUE(registry_.IsWithin("000.00.00.H56", "000.00.00.H56"));
  EXPECT_FALSE(registry_.IsWithin("000.00.00.H56", "000.17.22.H56"));
  EXPECT_FALSE(registry_.IsWithin("000.17.22.H57", "000.00.00.H56"));
  EXPECT_FALSE(registry_.IsWithin("not.a.code", "000.00.00.H56"));
}

TEST_F(AgencyRegistryTest, WorkFollowsSuccessors) {
  EXPECT_EQ(registry_.DoingTheWorkOf("000.16.22.H56", today_)->code, "000.17.22.H56");
  EXPECT_EQ(registry_.DoingTheWorkOf("000.16.22.H56", {2025, 6, 30})->code, "000.16.22.H56");
  EXPECT_EQ(registry_.DoingTheWorkOf("000.19.22.H56", today_), nullptr);
}

TEST_F(AgencyRegistryTest, ANewDossiersAgenciesAreCheckedAndResolved) {
  EXPECT_EQ(Resolve("000.17.22.H56"), "000.17.22.H56 -> 000.17.22.H56");
  EXPECT_EQ(Resolve("000.00.01.H56"), "000.00.01.H56 -> 000.17.22.H56");
  EXPECT_EQ(Resolve("000.00.01.H56", "", true, "Sở Xây dựng"), "000.00.01.H56 -> 000.00.12.H56");
  EXPECT_EQ(Resolve("000.00.01.H56", "000.17.22.H56"), "000.00.01.H56 -> 000.17.22.H56");
  EXPECT_EQ(Resolve("000.00.01.H57"),
            "competent_agency: '000.00.01.H57' receives for several 'UBND cấp xã': name one of "
            "000.17.22.H57, 000.18.22.H57");
  EXPECT_EQ(Resolve("000.00.01.H57", "000.18.22.H57"), "000.00.01.H57 -> 000.18.22.H57");
  EXPECT_EQ(Resolve("000.17.22.H56", "000.18.22.H56"),
            "competent_agency: '000.17.22.H56' does not receive for '000.18.22.H56'; it "
            "receives for itself");
  EXPECT_EQ(Resolve("000.00.01.H56", "000.18.22.H56"),
            "competent_agency: '000.00.01.H56' does not receive for '000.18.22.H56'; it "
            "receives for itself and 000.00.12.H56, 000.17.22.H56");
  EXPECT_EQ(Resolve("000.17.22.H56", "", true, "Sở Xây dựng"),
            "receiving_agency: procedure 2.000908 is decided by a 'Sở Xây dựng', and "
            "'000.17.22.H56' neither is one nor receives for one");
  EXPECT_EQ(Resolve("000.00.01.H56", "000.00.12.H56"),
            "competent_agency: procedure 2.000908 is decided by a 'UBND cấp xã', but "
            "'000.00.12.H56' is a 'Sở Xây dựng'");
  EXPECT_EQ(Resolve("000.16.22.H56"),
            "receiving_agency: agency '000.16.22.H56' ceased on 2025-06-30; its work is done by "
            "'000.17.22.H56' (name of 000.17.22.H56)");
  EXPECT_EQ(Resolve("000.19.22.H56"),
            "receiving_agency: agency '000.19.22.H56' is in operation from 2027-01-01");
  EXPECT_EQ(Resolve("000.17.22.H56", "000.19.22.H56"),
            "competent_agency: agency '000.19.22.H56' is in operation from 2027-01-01");
  EXPECT_EQ(Resolve("000.99.22.H56").substr(0, 48),
            "receiving_agency: unknown agency '000.99.22.H56'");
  // A refusal at the counter: the competent agency need not be competent, only real.
  EXPECT_EQ(Resolve("000.17.22.H56", "", false, "Sở Xây dựng"), "000.17.22.H56 -> 000.17.22.H56");
  EXPECT_EQ(Resolve("000.17.22.H56", "000.00.12.H56", false), "000.17.22.H56 -> 000.00.12.H56");
  EXPECT_EQ(Resolve("000.16.22.H56", "", false).substr(0, 54),
            "receiving_agency: agency '000.16.22.H56' ceased on 202");
}

TEST(AgencyCodeTest, HasTheFormOfAnElectronicIdentificationCode) {
  EXPECT_TRUE(IsAgencyCode("000.17.22.H56"));
  EXPECT_TRUE(IsAgencyCode("000.00.00.G12"));
  for (const char* bad : {"", "17.22.H56", "000.17.22.h56", "000.17.22.H5", "000.17.22.H560",
                          "000,17.22.H56", "000.1A.22.H56", "000.17.22.H56 ", "../../etc"}) {
    EXPECT_FALSE(IsAgencyCode(bad)) << bad;
  }
}

}  // namespace
}  // namespace motcua
