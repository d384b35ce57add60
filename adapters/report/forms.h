#pragma once
// The printed forms of Circular 03/2025/TT-VPCP (DOMAIN.md §3) as HTML pages for a browser to
// print: M01 receipt and appointment slip, M02 request to complete or supplement, M03 refusal
// at the counter, M04 apology and new appointment, M05 stop notice on withdrawal (A5), M06 process
// control sheet (A4), and the M07 register (A4 landscape). The templates are
// adapters/report/forms/*.html (template.h), compiled into the binary; the data is the
// dossier, its history, its procedure version and the agency registry.

#include <string>
#include <vector>

#include "engine/common/enum_names.h"
#include "engine/common/status.h"
#include "engine/definition/catalog.h"
#include "engine/dossier/dossier.h"
#include "motcua/v1/api.pb.h"

namespace motcua {

enum class FormKind { kM01 = 0, kM02, kM03, kM04, kM05, kM06 };
// The path segment of GET /v1/dossiers/{id}/forms/{form}.
inline constexpr auto kFormKindNames = MakeNames<FormKind>({
    {FormKind::kM01, "m01"},
    {FormKind::kM02, "m02"},
    {FormKind::kM03, "m03"},
    {FormKind::kM04, "m04"},
    {FormKind::kM05, "m05"},
    {FormKind::kM06, "m06"},
});
static_assert(kFormKindNames.Complete());
constexpr const auto& NamesOf(FormKind) { return kFormKindNames; }

// The form as a page. NotFound, saying why, when the dossier never reached the state that issues
// it (no M01 before the reception, no M04 without an extension, ...); InvalidArgument when a
// template is broken (it names the file and line).
Result<std::string> RenderDossierForm(FormKind form, const Dossier& d,
                                      const std::vector<Event>& history,
                                      const ProcedureCatalog& catalog);

// The M07 register as a page (the rows of GET /v1/registers/m07).
Result<std::string> RenderM07Register(const v1::M07Register& reg, const AgencyRegistry& registry);

}  // namespace motcua
