// The catalog over a loaded definition set.

#include "engine/definition/catalog.h"

namespace motcua {

std::shared_ptr<const Procedure> DefinitionSet::InForce(const std::string& code,
                                                        CivilDate d) const {
  for (const auto& p : procedures) {
    if (p->code == code && p->InForceOn(d)) return p;
  }
  return nullptr;
}

std::shared_ptr<const Procedure> DefinitionSet::Find(const std::string& code, int version) const {
  for (const auto& p : procedures) {
    if (p->code == code && p->version == version) return p;
  }
  return nullptr;
}

DefinitionCatalog::DefinitionCatalog(DefinitionSet set, const DefinitionCatalog* previous)
    : set_(std::move(set)) {
  if (previous == nullptr) return;
  auto keep = [this](const std::shared_ptr<const Procedure>& p) {
    if (!set_.Find(p->code, p->version)) retained_.push_back(p);
  };
  for (const auto& p : previous->set_.procedures) keep(p);
  for (const auto& p : previous->retained_) keep(p);
}

std::shared_ptr<const Procedure> DefinitionCatalog::InForce(const std::string& code,
                                                            CivilDate on) const {
  return set_.InForce(code, on);
}

std::shared_ptr<const Procedure> DefinitionCatalog::Version(const std::string& code,
                                                            int version) const {
  if (auto p = set_.Find(code, version)) return p;
  for (const auto& p : retained_) {
    if (p->code == code && p->version == version) return p;
  }
  return nullptr;
}

const WorkCalendar* DefinitionCatalog::Calendar(const std::string& id) const {
  auto it = set_.calendars.find(id);
  return it == set_.calendars.end() ? nullptr : it->second.get();
}

}  // namespace motcua
