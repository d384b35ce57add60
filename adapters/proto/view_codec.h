#pragma once
// The domain as the API shows it: dossier views, events, M06 rows and the public progress
// answer, with instants as local RFC 3339 text in Vietnam time (proto/motcua/v1/api.proto).

#include <cstdint>
#include <vector>

#include "engine/definition/catalog.h"
#include "engine/definition/procedure.h"
#include "engine/dossier/dossier.h"
#include "motcua/v1/api.pb.h"

namespace motcua {

// The API renders instants at this offset (Vietnam, UTC+7, no DST).
constexpr int kApiUtcOffsetSeconds = 7 * 3600;

// A dossier as of `now` (for "overdue"), with its pinned procedure's name and actions and its
// agencies' names from `catalog`. `allowed_actions` lists the current step's actions the
// `caller_roles` may take (null: every one); `step_actions` lists them all.
void FillView(const Dossier& d, const ProcedureCatalog& catalog, Instant now, v1::DossierView* v,
              const std::vector<std::string>* caller_roles = nullptr);
// An event; `position` is its outbox position (0 outside streams).
void FillEvent(const Event& e, uint64_t position, v1::EventView* v);
// A dossier's history: every event and the M06 row of every hand-over, its step named by the
// procedure version the hand-over was recorded under (`catalog`'s versions of `procedure_code`).
void FillHistory(const std::string& dossier_id, const std::vector<Event>& history,
                 const ProcedureCatalog& catalog, const std::string& procedure_code,
                 v1::HistoryResponse* out);
// What the public may see of a dossier: no personal data.
void FillPublicProgress(const Dossier& d, const Procedure* p, v1::PublicProgress* out);

}  // namespace motcua
