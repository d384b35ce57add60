#pragma once
// The agency registry (DOMAIN.md §4 "Agencies"): every unit that receives or decides dossiers,
// loaded from definitions/agencies/*.yaml like procedures and calendars, and immutable once
// built. Agencies form a tree (a province or ministry at the root; its departments, communes and
// one-stop centres below), and a receiving unit may receive for the agencies it serves.
// Units are dissolved and merged on fixed dates (the 2025 reform): an agency has effective dates
// and a successor. A dossier keeps the codes it was received under forever; only new work is
// refused at an inactive unit, naming the unit that does its work now.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/field_problem.h"
#include "engine/common/time.h"
#include "engine/definition/procedure.h"

namespace motcua {

struct Agency {
  std::string code;  // electronic identification code (Decision 20/2020/QĐ-TTg): 000.17.22.H56
  std::string name;
  std::string kind;    // matches procedures' agency_kind ("UBND cấp xã", "Sở Xây dựng")
  std::string parent;  // the agency above it; empty at a root (a province, a ministry)
  // The agencies this one receives dossiers for besides itself (a one-stop centre's list).
  std::vector<std::string> serves;
  std::string calendar;  // the working sessions it counts time by; empty: the procedure's
  std::optional<CivilDate> effective_from;   // first day in operation; none: always was
  std::optional<CivilDate> effective_until;  // last day in operation; none: still is
  std::string successor;                     // the agency that took over its work
  // Where each part was written, for errors found after parsing ("agencies[3]" in its file).
  std::string path;
  SourceRef at, parent_at, calendar_at, successor_at, until_at;
  std::vector<SourceRef> serves_at;

  bool ActiveOn(CivilDate d) const;
};

// The agencies a new dossier resolved to.
struct AgencyChoice {
  std::string receiving;
  std::string competent;
};

class AgencyRegistry {
 public:
  AgencyRegistry() = default;
  // Checks the agencies (codes, references, the tree, dates, successors) and builds the
  // registry; every problem found goes to `errors` with the file and line it was written at.
  // `calendars`: the ids that exist.
  static AgencyRegistry Build(std::vector<Agency> agencies,
                              const std::vector<std::string>& calendars,
                              std::vector<Diagnostic>* errors);

  bool empty() const { return by_code_.empty(); }
  size_t size() const { return by_code_.size(); }
  const Agency* Find(const std::string& code) const;
  // The problem with `field` naming `code` when no agency has it.
  static FieldProblem Unknown(const std::string& field, const std::string& code);
  // Every agency, by code.
  std::vector<const Agency*> All() const;
  // Whether `code` is `ancestor` or lies below it in the tree.
  bool IsWithin(const std::string& code, const std::string& ancestor) const;
  // Whether any agency has `code` as its parent.
  bool HasUnits(const std::string& code) const;
  // Whether `receiving` may receive dossiers that `competent` decides: itself, or one it serves.
  bool Reaches(const std::string& receiving, const std::string& competent) const;
  // The agencies, active on `on`, of `kind` that `receiving` reaches (itself first).
  std::vector<const Agency*> ReachedOfKind(const std::string& receiving, const std::string& kind,
                                           CivilDate on) const;
  // The agency doing the work of `code` on `on`: itself while active, else its successor's,
  // followed; null when the chain ends without an active agency.
  const Agency* DoingTheWorkOf(const std::string& code, CivilDate on) const;

  // Checks a new dossier's agencies for `procedure` on local date `on` and resolves the
  // competent agency when it is not given: the receiving agency when it is of the procedure's
  // kind, else the one agency of that kind it reaches. Returns the problem, naming the field.
  // `check_competence` false (a refusal at the counter): the competent agency, when given, must
  // exist; competence is not required (a dossier may be refused as outside it).
  std::optional<FieldProblem> Resolve(const std::string& receiving, const std::string& competent,
                                      const Procedure& procedure, CivilDate on,
                                      bool check_competence, AgencyChoice* out) const;

 private:
  std::map<std::string, Agency> by_code_;
};

// Whether `code` has the shape of an electronic identification code: four dot-separated groups,
// 3 digits, 2 digits, 2 digits, then a capital letter and 2 digits (000.17.22.H56).
bool IsAgencyCode(const std::string& code);

}  // namespace motcua
