// Portal status codes, open statuses and dossier numbers (dossier.h).

#include "engine/dossier/dossier.h"

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

}  // namespace motcua
