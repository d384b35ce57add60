// The applicant every new dossier needs (dossier.h CheckApplicant): a name, and an identity number
// whose shape fits its kind. Each row is one applicant and the field and words of the answer.

#include "engine/dossier/dossier.h"

#include <gtest/gtest.h>

namespace motcua {
namespace {

struct Row {
  const char* name;
  IdKind kind;
  const char* id_number;
  const char* field;    // "" when the applicant is good
  const char* message;  // a part of the answer
};

const Row kRows[] = {
    // Citizens: the 12-digit personal identification number (căn cước).
    {"Nguyễn Văn An", IdKind::kCitizenId, "001090012345", "", ""},
    {"Nguyễn Văn An", IdKind::kCitizenId, "", "applicant.id_number", "required"},
    {"Nguyễn Văn An", IdKind::kCitizenId, "012345678", "applicant.id_number",
     "9-digit identity card (CMND) is no longer valid"},
    {"Nguyễn Văn An", IdKind::kCitizenId, "00109001234", "applicant.id_number",
     "12-digit personal identification number (căn cước), got 11 characters"},
    {"Nguyễn Văn An", IdKind::kCitizenId, "0010900123456", "applicant.id_number",
     "got 13 characters"},
    {"Nguyễn Văn An", IdKind::kCitizenId, "00109001234A", "applicant.id_number", "12-digit"},
    {"Nguyễn Văn An", IdKind::kCitizenId, "001090 12345", "applicant.id_number", "12-digit"},
    // Passports: ICAO 9303 document numbers.
    {"John Smith", IdKind::kPassport, "C1234567", "", ""},
    {"John Smith", IdKind::kPassport, "123456789", "", ""},
    {"John Smith", IdKind::kPassport, "c1234567", "applicant.id_number", "capital letters"},
    {"John Smith", IdKind::kPassport, "ABCDEFG", "applicant.id_number", "at least one a digit"},
    {"John Smith", IdKind::kPassport, "C1234", "applicant.id_number", "got 5 characters"},
    {"John Smith", IdKind::kPassport, "C123456789", "applicant.id_number", "got 10 characters"},
    // Organisations: the tax (enterprise) code, a branch's with its 3-digit suffix.
    {"Công ty TNHH An Bình", IdKind::kTaxCode, "0101234567", "", ""},
    {"Công ty TNHH An Bình", IdKind::kTaxCode, "0101234567-001", "", ""},
    {"Công ty TNHH An Bình", IdKind::kTaxCode, "0101234567-1", "applicant.id_number",
     "'-' and 3 digits for a branch, got 12 characters"},
    {"Công ty TNHH An Bình", IdKind::kTaxCode, "0101234567001", "applicant.id_number", "10 digits"},
    {"Công ty TNHH An Bình", IdKind::kTaxCode, "010123456", "applicant.id_number", "10 digits"},
    // A name is required whatever the number.
    {"", IdKind::kCitizenId, "001090012345", "applicant.name", "required"},
    {" \t ", IdKind::kCitizenId, "001090012345", "applicant.name", "required"},
    {"", IdKind::kCitizenId, "", "applicant.name", "required"},
};

TEST(CheckApplicant, NeedsANameAndANumberOfItsKind) {
  for (const Row& row : kRows) {
    Applicant a;
    a.name = row.name;
    a.id_kind = row.kind;
    a.id_number = row.id_number;
    std::optional<FieldProblem> problem = CheckApplicant(a);
    const std::string at =
        std::string(NameOf(row.kind)) + " '" + row.id_number + "' of '" + row.name + "'";
    if (std::string(row.field).empty()) {
      EXPECT_FALSE(problem.has_value()) << at << ": " << problem->message;
      continue;
    }
    ASSERT_TRUE(problem.has_value()) << at;
    EXPECT_EQ(problem->field, row.field) << at;
    EXPECT_NE(problem->message.find(row.message), std::string::npos)
        << at << ": " << problem->message;
  }
}

}  // namespace
}  // namespace motcua
