#pragma once
// The engine's view of loaded definitions (ProcedureCatalog) over a DefinitionSet.
//
// A reload builds a new catalog from the new set and the previous catalog: versions that
// dossiers may have pinned are kept even when their file was removed, so a dossier in flight
// never loses its definition.

#include <memory>

#include "adapters/yaml/definition_loader.h"
#include "engine/dossier/processor.h"

namespace motcua {

class DefinitionCatalog : public ProcedureCatalog {
 public:
  // `previous` may be null.
  DefinitionCatalog(DefinitionSet set, const DefinitionCatalog* previous);

  std::shared_ptr<const Procedure> InForce(const std::string& code, CivilDate on) const override;
  std::shared_ptr<const Procedure> Version(const std::string& code, int version) const override;
  const WorkCalendar* Calendar(const std::string& id) const override;
  const WorkCalendar* CalendarFor(const std::string& agency,
                                  const std::string& procedure_calendar) const override;

  const DefinitionSet& set() const { return set_; }
  // Versions kept from an earlier load whose files are gone.
  const std::vector<std::shared_ptr<const Procedure>>& retained() const { return retained_; }

 private:
  DefinitionSet set_;
  std::vector<std::shared_ptr<const Procedure>> retained_;
};

}  // namespace motcua
