// Portal status codes, open statuses and dossier numbers (dossier.h).

#include "engine/dossier/dossier.h"

#include <algorithm>
#include <cstdio>

namespace motcua {

int PortalStatusCode(DossierStatus s) {
  switch (s) {
    case DossierStatus::kSubmitted:
      return 1;
    case DossierStatus::kReceived:
      return 2;
    case DossierStatus::kNotReceived:
    case DossierStatus::kRefusedAtCounter:
      return 3;
    case DossierStatus::kInProcessing:
    case DossierStatus::kConsulting:
      return 4;
    case DossierStatus::kSupplementRequested:
      return 5;
    case DossierStatus::kPaymentRequested:
      return 6;
    case DossierStatus::kStopped:
      return 8;
    case DossierStatus::kDecided:
      return 9;
    case DossierStatus::kReturned:
      return 10;
  }
  return 0;
}

bool IsOpen(DossierStatus s) {
  switch (s) {
    case DossierStatus::kReceived:
    case DossierStatus::kInProcessing:
    case DossierStatus::kConsulting:
    case DossierStatus::kSupplementRequested:
    case DossierStatus::kPaymentRequested:
      return true;
    default:
      return false;
  }
}

std::string FormatDossierNumber(const std::string& agency, CivilDate day, int64_t sequence) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "-%02d%02d%02d-%04lld", day.year % 100, day.month, day.day,
                static_cast<long long>(sequence));
  return agency + buf;
}

namespace {

bool AllOf(const std::string& s, bool (*pred)(char)) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}
bool Digit(char c) { return c >= '0' && c <= '9'; }
bool CapitalOrDigit(char c) { return Digit(c) || (c >= 'A' && c <= 'Z'); }
bool Blank(const std::string& s) {
  return AllOf(s, [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}
std::string Characters(size_t n) {
  return std::to_string(n) + (n == 1 ? " character" : " characters");
}

// Why `id` is not a number of `kind`; empty when it is.
std::string IdNumberProblem(IdKind kind, const std::string& id) {
  switch (kind) {
    case IdKind::kCitizenId:
      if (id.size() == 12 && AllOf(id, Digit)) return "";
      if (id.size() == 9 && AllOf(id, Digit)) {
        return "a 9-digit identity card (CMND) is no longer valid since 2025-01-01; give the "
               "12-digit personal identification number (citizen_id)";
      }
      return "a citizen_id is the 12-digit personal identification number (căn cước), got " +
             Characters(id.size());
    case IdKind::kPassport:
      if (id.size() >= 6 && id.size() <= 9 && AllOf(id, CapitalOrDigit) &&
          !AllOf(id, [](char c) { return !Digit(c); })) {
        return "";
      }
      return "a passport number is 6 to 9 capital letters and digits, at least one a digit, got " +
             Characters(id.size());
    case IdKind::kTaxCode: {
      const bool ten = id.size() >= 10 && AllOf(id.substr(0, 10), Digit);
      if (ten && id.size() == 10) return "";
      if (ten && id.size() == 14 && id[10] == '-' && AllOf(id.substr(11), Digit)) return "";
      return "an organisation's tax code is 10 digits, or 10 digits, '-' and 3 digits for a "
             "branch, got " +
             Characters(id.size());
    }
  }
  return "unknown kind";
}

}  // namespace

std::optional<Instant> Dossier::OverdueFrom() const {
  if (!IsOpen(status)) return std::nullopt;
  const std::optional<Instant> due = effective_due();
  if (!due) return std::nullopt;
  if (paused() && pauses.back().from < *due) return std::nullopt;
  return due;
}

std::string CheckSha256(std::string_view sha256) {
  if (sha256.size() != 64) {
    return "expected 64 hex digits, got " + std::to_string(sha256.size()) + " characters";
  }
  for (char c : sha256) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return "expected lower-case hex digits only";
    }
  }
  return {};
}

bool Dossier::OnlyMarkedSince(int64_t expected) const {
  if (expected > version || expected < 1) return false;
  for (int64_t v = expected + 1; v <= version; ++v) {
    if (std::find(mark_versions.begin(), mark_versions.end(), v) == mark_versions.end()) {
      return false;
    }
  }
  return true;
}

std::optional<FieldProblem> CheckApplicant(const Applicant& a) {
  if (Blank(a.name)) {
    return FieldProblem{"applicant.name",
                        "required: the applicant's full name, or the organisation's name"};
  }
  if (a.id_number.empty()) {
    return FieldProblem{
        "applicant.id_number",
        std::string("required: the applicant's identity number (") + NameOf(a.id_kind) + ")"};
  }
  if (std::string problem = IdNumberProblem(a.id_kind, a.id_number); !problem.empty()) {
    return FieldProblem{"applicant.id_number", std::move(problem)};
  }
  return std::nullopt;
}

}  // namespace motcua
