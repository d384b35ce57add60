#pragma once
// The national portal's payload (payload: portal; DOMAIN.md §7, docs/delivery.md): one committed
// event as the portal's service call. An event with an M06 hand-over is a progress update
// (CapNhatTienDoHoSoMC: who, when, which step, its result and due); any other is a whole-dossier
// sync (DongBoHoSoMC: number, procedure, applicant, channel, received / due / decided / returned
// instants, status code, documents, supplement records with their old and new due instants).
// Instants are yyyyMMddHHmmss in Vietnam time; status codes go through the tenant's table,
// procedure codes through its local → national map. Field names follow the portal's services
// as production systems implemented them (2019–2020): re-check against Circular 04/2025.
// No I/O: the dossier is replayed from its history up to the event.

#include <string>
#include <vector>

#include "engine/definition/agency.h"
#include "engine/definition/procedure.h"
#include "engine/delivery/delivery.h"
#include "engine/dossier/dossier.h"

namespace motcua {

// "20260302080000" for 2026-03-02T08:00:00+07:00; empty for none.
std::string PortalTime(const std::optional<Instant>& t);
// The portal's status code for `s` (the tenant's table, else DOMAIN.md §3's).
int PortalStatusCode(const PortalSettings& settings, DossierStatus s);

struct PortalMessage {
  std::string service;    // DongBoHoSoMC | CapNhatTienDoHoSoMC
  std::string unit_code;  // MaDonVi
  std::string data;       // the JSON array the service takes
};

// The message for `history`'s last event (the history up to and including it, in order).
// `procedure`: the dossier's procedure version, if known.
PortalMessage MakePortalMessage(const std::vector<Event>& history, const Procedure* procedure,
                                const AgencyRegistry& agencies, const PortalSettings& settings);
// The request body: {"session": ..., "madonvi": ..., "service": ..., "data": [...]}.
std::string PortalBody(const PortalMessage& m, const std::string& session);

}  // namespace motcua
