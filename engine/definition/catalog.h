#pragma once
// Loaded definitions as the engine sees them: the set one load produced (DefinitionSet), the port
// commands read definitions through (ProcedureCatalog), and its implementation over a set
// (DefinitionCatalog). Reading files is the YAML adapter's job (adapters/yaml/definition_loader.h);
// everything here is pure.
//
// A catalog is an immutable snapshot: a reload builds a new one and swaps the pointer, so a
// command sees one consistent set. A new catalog keeps the versions the previous one had, even
// when their files are gone, so a dossier in flight never loses the definition it was received
// under.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/calendar/calendar.h"
#include "engine/definition/agency.h"
#include "engine/definition/procedure.h"

namespace motcua {

// What one load of a definitions directory produced.
struct DefinitionSet {
  std::vector<std::shared_ptr<const Procedure>> procedures;  // sorted by code, version
  std::map<std::string, std::shared_ptr<const WorkCalendar>> calendars;
  AgencyRegistry agencies;
  std::vector<Diagnostic> errors;  // empty = valid

  bool ok() const { return errors.empty(); }
  // The version of `code` in force on `d`, or nullptr.
  std::shared_ptr<const Procedure> InForce(const std::string& code, CivilDate d) const;
  std::shared_ptr<const Procedure> Find(const std::string& code, int version) const;
};

// The port: definitions and calendars as commands need them.
class ProcedureCatalog {
 public:
  virtual ~ProcedureCatalog() = default;
  // The version of `code` in force on local date `on`, or nullptr.
  virtual std::shared_ptr<const Procedure> InForce(const std::string& code, CivilDate on) const = 0;
  // A pinned version, or nullptr.
  virtual std::shared_ptr<const Procedure> Version(const std::string& code, int version) const = 0;
  virtual const WorkCalendar* Calendar(const std::string& id) const = 0;
  virtual const AgencyRegistry& Agencies() const = 0;
  // The calendar an agency works by: its own (the registry's `calendar`) when it has one,
  // otherwise the procedure's calendar.
  const WorkCalendar* CalendarFor(const std::string& agency,
                                  const std::string& procedure_calendar) const {
    const Agency* a = Agencies().Find(agency);
    return Calendar(a != nullptr && !a->calendar.empty() ? a->calendar : procedure_calendar);
  }
};

// The catalog over a loaded set.
class DefinitionCatalog : public ProcedureCatalog {
 public:
  // `previous` (may be null): the catalog this one replaces; its versions stay reachable.
  DefinitionCatalog(DefinitionSet set, const DefinitionCatalog* previous);

  std::shared_ptr<const Procedure> InForce(const std::string& code, CivilDate on) const override;
  std::shared_ptr<const Procedure> Version(const std::string& code, int version) const override;
  const WorkCalendar* Calendar(const std::string& id) const override;
  const AgencyRegistry& Agencies() const override { return set_.agencies; }

  const DefinitionSet& set() const { return set_; }
  // Versions kept from an earlier load whose files are gone.
  const std::vector<std::shared_ptr<const Procedure>>& retained() const { return retained_; }

 private:
  DefinitionSet set_;
  std::vector<std::shared_ptr<const Procedure>> retained_;
};

}  // namespace motcua
