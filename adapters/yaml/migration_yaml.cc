// Reading a migration map (migration_yaml.h).

#include "adapters/yaml/migration_yaml.h"

#include <set>

#include "adapters/yaml/yaml_reader.h"
#include "engine/common/strings.h"

namespace motcua {

using yaml::Context;
using yaml::MapReader;

namespace {

// `steps:`, old step: new step, each name checked against its version when it is given.
void ReadSteps(Context& ctx, const YAML::Node& node, const std::string& path, const Procedure* from,
               const Procedure* to, std::map<std::string, std::string>* out) {
  if (!node.IsMap() || node.size() == 0) {
    ctx.Error(node, path,
              "expected a mapping of every step of the old version to a step of the new one, "
              "like `appraise: appraise`");
    return;
  }
  for (const auto& kv : node) {
    std::optional<std::string> old_step = yaml::ReadString(ctx, kv.first, path);
    if (!old_step) continue;
    const std::string sp = path + "." + *old_step;
    std::optional<std::string> new_step = yaml::ReadString(ctx, kv.second, sp);
    if (!new_step) continue;
    if (out->count(*old_step)) {
      ctx.Error(kv.first, sp, "step '" + *old_step + "' is mapped twice");
      continue;
    }
    if (from && !from->FindStep(*old_step)) {
      ctx.Error(kv.first, sp,
                "'" + *old_step + "' is not a step of " + from->code + " v" +
                    std::to_string(from->version) + " (its steps: " + Join(from->StepIds()) + ")");
    }
    if (to && !to->FindStep(*new_step)) {
      ctx.Error(kv.second, sp,
                "'" + *new_step + "' is not a step of " + to->code + " v" +
                    std::to_string(to->version) + " (its steps: " + Join(to->StepIds()) + ")");
    }
    (*out)[*old_step] = *new_step;
  }
}

void ReadSelection(Context& ctx, const YAML::Node& node, MigrationSelection* s) {
  MapReader m(ctx, node, "select", {"received_from", "received_until", "statuses", "dossiers"});
  if (!m.valid()) return;
  s->received_from = m.Date("received_from", false);
  s->received_until = m.Date("received_until", false);
  if (s->received_from && s->received_until && *s->received_until < *s->received_from) {
    ctx.Error(m.Get("received_until"), m.Sub("received_until"),
              "ends before received_from (" + FormatDate(*s->received_from) + ")");
  }
  m.List("statuses", false, [&](const YAML::Node& e, const std::string& ep) {
    // Only dossiers in flight move (engine/dossier/migration.h).
    std::optional<DossierStatus> status = yaml::ReadEnum(
        ctx, e, ep, kDossierStatusNames,
        {DossierStatus::kSubmitted, DossierStatus::kNotReceived, DossierStatus::kRefusedAtCounter,
         DossierStatus::kStopped, DossierStatus::kDecided, DossierStatus::kReturned});
    if (status) s->statuses.push_back(*status);
  });
  std::set<std::string> seen;
  m.List("dossiers", false, [&](const YAML::Node& e, const std::string& ep) {
    std::optional<std::string> named = yaml::ReadString(ctx, e, ep);
    if (named && !seen.insert(*named).second) {
      ctx.Error(e, ep, "dossier '" + *named + "' is named twice");
    } else if (named) {
      s->dossiers.push_back(*named);
    }
  });
}

}  // namespace

std::optional<MigrationFile> ParseMigrationFile(const std::string& text, const std::string& file,
                                                const Procedure* from, const Procedure* to,
                                                std::vector<Diagnostic>* errors) {
  Context ctx(file, errors);
  const size_t before = ctx.error_count();
  std::optional<YAML::Node> root = yaml::ParseYaml(ctx, text);
  if (!root) return std::nullopt;
  MapReader m(ctx, *root, "", {"reason", "steps", "select"});
  if (!m.valid()) return std::nullopt;
  MigrationFile out;
  out.migration.reason = m.String("reason", true).value_or("");
  if (out.migration.reason.find('\n') != std::string::npos) {
    ctx.Error(m.Get("reason"), "reason", "must be one line");
  }
  if (m.Has("steps")) {
    ReadSteps(ctx, m.Get("steps"), "steps", from, to, &out.migration.steps);
  } else {
    ctx.Error(*root, "steps", "required: every step of the old version mapped to one of the new");
  }
  if (m.Has("select")) ReadSelection(ctx, m.Get("select"), &out.select);
  if (ctx.error_count() != before) return std::nullopt;
  return out;
}

}  // namespace motcua
