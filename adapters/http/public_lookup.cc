// Handler: the citizen's progress lookup by dossier number and the last four digits of the ID
// number: no personal data, one answer for a wrong number and wrong digits, rate-limited per
// client address (handlers.h).

#include "adapters/http/handlers.h"
#include "adapters/proto/view_codec.h"
#include "motcua/v1/api.pb.h"

namespace motcua::http::handlers {

void PublicProgress(Api& api, Call& call) {
  const int per_minute = api.options().public_lookups_per_minute;
  if (!api.public_lookups().Allow(call.request.remote, api.deps().clock->Now().seconds / 60,
                                  per_minute)) {
    return call.Problem(429, "rate-limited", "Too many lookups",
                        "at most " + std::to_string(per_minute) + " lookups a minute", "",
                        {{"Retry-After", "60"}});
  }
  const std::string number = call.query["number"];
  const std::string last = call.query["id_last4"];
  if (number.empty() || last.size() != 4) {
    return call.Problem(400, "invalid-field", "Number and ID digits required",
                        "send ?number=<dossier number>&id_last4=<last 4 digits of your ID>",
                        number.empty() ? "number" : "id_last4");
  }
  Result<std::optional<std::string>> id = api.deps().store->IdByNumber(number);
  std::shared_ptr<const Dossier> d;
  if (id.ok() && *id) {
    Result<std::shared_ptr<const Dossier>> got = api.deps().store->GetShared(**id);
    if (got.ok()) d = *got;
  }
  const std::string& idn = d ? d->applicant.id_number : std::string();
  if (!d || idn.size() < 4 || idn.compare(idn.size() - 4, 4, last) != 0) {
    // The same answer for an unknown number and a wrong second factor.
    return call.Problem(404, "not-found", "Not found",
                        "no dossier matches this number and these digits");
  }
  v1::PublicProgress out;
  auto proc = api.deps().catalog()->Version(d->procedure_code, d->procedure_version);
  FillPublicProgress(*d, proc.get(), &out);
  call.Json(200, out);
}

}  // namespace motcua::http::handlers
