// The agency registry (agency.h): checks when built, the tree, and the agencies of new dossiers.

#include "engine/definition/agency.h"

#include <algorithm>
#include <set>

#include "engine/common/strings.h"

namespace motcua {

namespace {

bool Digits(const std::string& s, size_t from, size_t n) {
  for (size_t i = from; i < from + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// How an agency was in operation on a day it was not: "dissolved on 2025-06-30; its work is
// done by X (name)" or "in operation from 2026-01-01".
std::string NotActive(const Agency& a, CivilDate on, const AgencyRegistry& registry) {
  if (a.effective_from && on < *a.effective_from) {
    return "agency '" + a.code + "' is in operation from " + FormatDate(*a.effective_from);
  }
  std::string out = "agency '" + a.code + "' ceased on " + FormatDate(*a.effective_until);
  if (const Agency* now = registry.DoingTheWorkOf(a.code, on)) {
    out += "; its work is done by '" + now->code + "' (" + now->name + ")";
  }
  return out;
}

}  // namespace

bool IsAgencyCode(const std::string& c) {
  return c.size() == 13 && Digits(c, 0, 3) && c[3] == '.' && Digits(c, 4, 2) && c[6] == '.' &&
         Digits(c, 7, 2) && c[9] == '.' && c[10] >= 'A' && c[10] <= 'Z' && Digits(c, 11, 2);
}

bool Agency::ActiveOn(CivilDate d) const {
  return (!effective_from || !(d < *effective_from)) &&
         (!effective_until || !(*effective_until < d));
}

AgencyRegistry AgencyRegistry::Build(std::vector<Agency> agencies,
                                     const std::vector<std::string>& calendars,
                                     std::vector<Diagnostic>* errors) {
  AgencyRegistry r;
  auto error = [errors](const SourceRef& at, const std::string& path, std::string message) {
    errors->push_back(Diagnostic{at, path, std::move(message)});
  };
  for (Agency& a : agencies) {
    if (!IsAgencyCode(a.code)) {
      error(a.at, a.path + ".code",
            "'" + a.code +
                "' is not an electronic identification code; expected four groups like "
                "000.17.22.H56 (3, 2 and 2 digits, a capital letter and 2 digits)");
      continue;
    }
    const std::string code = a.code;
    const SourceRef at = a.at;
    const std::string path = a.path;
    if (!r.by_code_.emplace(code, std::move(a)).second) {
      error(at, path + ".code",
            "agency '" + code + "' is defined twice (also at " + r.by_code_[code].at.file + ":" +
                std::to_string(r.by_code_[code].at.line) + ")");
    }
  }
  const std::set<std::string> calendar_ids(calendars.begin(), calendars.end());
  for (const auto& [code, a] : r.by_code_) {
    if (!a.parent.empty() && !r.by_code_.count(a.parent)) {
      error(a.parent_at, a.path + ".parent", "unknown agency '" + a.parent + "'");
    }
    for (size_t i = 0; i < a.serves.size(); ++i) {
      const std::string& s = a.serves[i];
      const SourceRef& sat = i < a.serves_at.size() ? a.serves_at[i] : a.at;
      if (!r.by_code_.count(s)) error(sat, a.path + ".serves", "unknown agency '" + s + "'");
      if (s == code)
        error(sat, a.path + ".serves", "an agency receives for itself already; list others");
    }
    if (!a.calendar.empty() && !calendar_ids.count(a.calendar)) {
      error(a.calendar_at, a.path + ".calendar",
            "unknown calendar '" + a.calendar +
                "'; defined: " + (calendars.empty() ? "none" : Join(calendars)));
    }
    if (a.effective_from && a.effective_until && *a.effective_until < *a.effective_from) {
      error(a.until_at, a.path + ".effective_until",
            "ends (" + FormatDate(*a.effective_until) + ") before it starts (" +
                FormatDate(*a.effective_from) + ")");
    }
    if (!a.successor.empty()) {
      auto s = r.by_code_.find(a.successor);
      if (s == r.by_code_.end()) {
        error(a.successor_at, a.path + ".successor", "unknown agency '" + a.successor + "'");
      } else if (!a.effective_until) {
        error(a.successor_at, a.path + ".successor",
              "a successor takes over when an agency ceases: give effective_until too");
      } else if (s->second.effective_from &&
                 DaysFromCivil(*s->second.effective_from) > DaysFromCivil(*a.effective_until) + 1) {
        error(a.successor_at, a.path + ".successor",
              "'" + a.successor + "' starts on " + FormatDate(*s->second.effective_from) +
                  ", after '" + code + "' ceased on " + FormatDate(*a.effective_until) +
                  ": its work would have no agency in between");
      }
    }
  }
  // The tree has no cycles, and successions end.
  for (const auto& [code, a] : r.by_code_) {
    for (const auto& [link, at, path] :
         {std::tuple{&Agency::parent, a.parent_at, "parent"},
          std::tuple{&Agency::successor, a.successor_at, "successor"}}) {
      std::set<std::string> seen = {code};
      for (const Agency* x = &a; !(x->*link).empty();) {
        auto next = r.by_code_.find(x->*link);
        if (next == r.by_code_.end()) break;
        if (!seen.insert(next->first).second) {
          error(at, a.path + "." + path,
                std::string("the ") + path + " chain of '" + code + "' comes back to '" +
                    next->first + "'");
          break;
        }
        x = &next->second;
      }
    }
  }
  return r;
}

FieldProblem AgencyRegistry::Unknown(const std::string& field, const std::string& code) {
  return FieldProblem{field, "unknown agency '" + code +
                                 "'; the registry (GET /v1/agencies, definitions/agencies/) has "
                                 "no such code"};
}

const Agency* AgencyRegistry::Find(const std::string& code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? nullptr : &it->second;
}

std::vector<const Agency*> AgencyRegistry::All() const {
  std::vector<const Agency*> out;
  out.reserve(by_code_.size());
  for (const auto& [code, a] : by_code_) out.push_back(&a);
  return out;
}

bool AgencyRegistry::IsWithin(const std::string& code, const std::string& ancestor) const {
  std::string at = code;
  for (size_t hops = 0; hops <= by_code_.size(); ++hops) {
    if (at == ancestor) return true;
    const Agency* a = Find(at);
    if (a == nullptr || a->parent.empty()) return false;
    at = a->parent;
  }
  return false;
}

bool AgencyRegistry::HasUnits(const std::string& code) const {
  for (const auto& [c, a] : by_code_) {
    if (a.parent == code) return true;
  }
  return false;
}

bool AgencyRegistry::Reaches(const std::string& receiving, const std::string& competent) const {
  if (receiving == competent) return true;
  const Agency* r = Find(receiving);
  return r != nullptr &&
         std::find(r->serves.begin(), r->serves.end(), competent) != r->serves.end();
}

std::vector<const Agency*> AgencyRegistry::ReachedOfKind(const std::string& receiving,
                                                         const std::string& kind,
                                                         CivilDate on) const {
  std::vector<const Agency*> out;
  const Agency* r = Find(receiving);
  if (r == nullptr) return out;
  if (r->kind == kind && r->ActiveOn(on)) out.push_back(r);
  for (const std::string& code : r->serves) {
    const Agency* s = Find(code);
    if (s != nullptr && s->kind == kind && s->ActiveOn(on)) out.push_back(s);
  }
  return out;
}

const Agency* AgencyRegistry::DoingTheWorkOf(const std::string& code, CivilDate on) const {
  const Agency* a = Find(code);
  for (size_t hops = 0; a != nullptr && hops <= by_code_.size(); ++hops) {
    if (a->ActiveOn(on)) return a;
    if (a->successor.empty()) return nullptr;
    a = Find(a->successor);
  }
  return nullptr;
}

std::optional<FieldProblem> AgencyRegistry::Resolve(const std::string& receiving,
                                                    const std::string& competent,
                                                    const Procedure& procedure, CivilDate on,
                                                    bool check_competence,
                                                    AgencyChoice* out) const {
  const Agency* r = Find(receiving);
  if (r == nullptr) return Unknown("receiving_agency", receiving);
  if (!r->ActiveOn(on)) return FieldProblem{"receiving_agency", NotActive(*r, on, *this)};
  out->receiving = receiving;
  if (!competent.empty()) {
    const Agency* c = Find(competent);
    if (c == nullptr) return Unknown("competent_agency", competent);
    if (!check_competence) {
      out->competent = competent;
      return std::nullopt;
    }
    if (!c->ActiveOn(on)) return FieldProblem{"competent_agency", NotActive(*c, on, *this)};
    if (c->kind != procedure.agency_kind) {
      return FieldProblem{"competent_agency", "procedure " + procedure.code + " is decided by a '" +
                                                  procedure.agency_kind + "', but '" + competent +
                                                  "' is a '" + c->kind + "'"};
    }
    if (!Reaches(receiving, competent)) {
      return FieldProblem{"competent_agency",
                          "'" + receiving + "' does not receive for '" + competent +
                              "'; it receives for itself" +
                              (r->serves.empty() ? std::string() : " and " + Join(r->serves))};
    }
    out->competent = competent;
    return std::nullopt;
  }
  if (!check_competence) {
    out->competent = receiving;
    return std::nullopt;
  }
  std::vector<const Agency*> reached = ReachedOfKind(receiving, procedure.agency_kind, on);
  if (reached.size() == 1 || (!reached.empty() && reached.front() == r)) {
    out->competent = reached.front()->code;
    return std::nullopt;
  }
  if (reached.empty()) {
    return FieldProblem{"receiving_agency", "procedure " + procedure.code + " is decided by a '" +
                                                procedure.agency_kind + "', and '" + receiving +
                                                "' neither is one nor receives for one"};
  }
  std::vector<std::string> codes;
  for (const Agency* a : reached) codes.push_back(a->code);
  return FieldProblem{"competent_agency", "'" + receiving + "' receives for several '" +
                                              procedure.agency_kind + "': name one of " +
                                              Join(codes)};
}

}  // namespace motcua
