#pragma once
// The life of a 2.000908 dossier as the benchmarks drive it, six durable commands: 0 the
// reception at a sample commune's counter, 1-3 forward (appraise, sign, issue steps), 4 issue
// (the decision), 5 return the result. One actor holds every role the steps need.

#include <cstdio>
#include <string>

#include "engine/batch/command_batch.h"

namespace motcua::bench {

// Communes of the shipped sample registry (definitions/agencies/) that decide 2.000908.
inline constexpr const char* kCommunes[] = {"000.17.22.H56", "000.18.22.H56", "000.19.22.H56",
                                            "000.17.22.H99"};

// Command `step` of the dossier `id` (empty for the reception, which names its applicant by
// `applicant`: the ID number is 0010 followed by its last eight digits). `key` makes the
// idempotency key unique.
inline CommandRequest LifecycleStep(size_t step, const std::string& id, const std::string& key,
                                    const char* agency, unsigned long long applicant,
                                    const std::string& name = "Nguyễn Văn An") {
  CommandRequest r;
  r.command.actor = Actor{"cb", {"counter", "specialist", "leader", "clerk"}};
  r.idempotency_key = std::to_string(step) + "-" + key;
  r.payload_hash = step + 1;
  if (step == 0) {
    r.command.type = CommandType::kReceive;
    r.command.procedure_code = "2.000908";
    r.command.receiving_agency = agency;
    r.command.applicant.name = name;
    char id_number[16];  // a 12-digit citizen ID
    std::snprintf(id_number, sizeof id_number, "0010%08llu", applicant % 100'000'000ull);
    r.command.applicant.id_number = id_number;
    r.command.documents = {{"identity_paper", 1}};
    return r;
  }
  r.command.dossier_id = id;
  if (step == 5) {
    r.command.type = CommandType::kReturnResult;
  } else {
    r.command.type = CommandType::kAct;
    r.command.action_id = step == 4 ? "issue" : "forward";
  }
  return r;
}

}  // namespace motcua::bench
