// Reading agency files (agency_yaml.h).

#include "adapters/yaml/agency_yaml.h"

#include "adapters/yaml/yaml_reader.h"

namespace motcua {

using yaml::Context;
using yaml::MapReader;

std::optional<std::vector<Agency>> ParseAgencyFile(const std::string& text, const std::string& file,
                                                   std::vector<Diagnostic>* errors) {
  Context ctx(file, errors);
  const size_t before = ctx.error_count();
  std::optional<YAML::Node> root = yaml::ParseYaml(ctx, text);
  if (!root) return std::nullopt;
  MapReader m(ctx, *root, "", {"agencies"});
  if (!m.valid()) return std::nullopt;
  std::vector<Agency> out;
  m.List("agencies", true, [&](const YAML::Node& e, const std::string& ep) {
    MapReader a(ctx, e, ep,
                {"code", "name", "kind", "parent", "serves", "calendar", "effective_from",
                 "effective_until", "successor", "note"});
    if (!a.valid()) return;
    Agency agency;
    agency.path = ep;
    agency.at = ctx.At(e);
    agency.code = a.String("code", true).value_or("");
    if (a.Has("code")) agency.at = ctx.At(a.Get("code"));
    agency.name = a.String("name", true).value_or("");
    agency.kind = a.String("kind", true).value_or("");
    agency.parent = a.String("parent", false).value_or("");
    if (a.Has("parent")) agency.parent_at = ctx.At(a.Get("parent"));
    a.List("serves", false, [&](const YAML::Node& s, const std::string& sp) {
      if (auto code = yaml::ReadString(ctx, s, sp)) {
        agency.serves.push_back(*code);
        agency.serves_at.push_back(ctx.At(s));
      }
    });
    agency.calendar = a.String("calendar", false).value_or("");
    if (a.Has("calendar")) agency.calendar_at = ctx.At(a.Get("calendar"));
    agency.effective_from = a.Date("effective_from", false);
    agency.effective_until = a.Date("effective_until", false);
    if (a.Has("effective_until")) agency.until_at = ctx.At(a.Get("effective_until"));
    agency.successor = a.String("successor", false).value_or("");
    if (a.Has("successor")) agency.successor_at = ctx.At(a.Get("successor"));
    a.String("note", false);
    out.push_back(std::move(agency));
  });
  if (ctx.error_count() != before) return std::nullopt;
  return out;
}

}  // namespace motcua
