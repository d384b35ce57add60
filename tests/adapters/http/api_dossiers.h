#pragma once
// Dossiers taken through the API for tests that need some (registers, reports): gtest checks
// each step, so this is for tests only (the fuzz targets use api_fixture.h alone).

#include <gtest/gtest.h>

#include <string>

#include "tests/adapters/http/api_fixture.h"

namespace motcua::testing {

// The string member `name` of a JSON answer ("" when absent): enough for ids and numbers.
inline std::string JsonField(const std::string& json, const std::string& name) {
  const size_t at = json.find("\"" + name + "\":\"");
  if (at == std::string::npos) return "";
  const size_t from = at + name.size() + 4;
  return json.substr(from, json.find('"', from) - from);
}

// As `who`, receives a 2.000908 dossier (a copy from the original register) for `applicant` at
// `agency`, then takes it through its steps to its decision when `issue` is set (its version is
// then 5). Idempotency keys start with `key`. Returns its id ("" on failure, reported).
inline std::string ReceiveCopyDossier(ApiHarness& h, const std::string& who,
                                      const std::string& agency, const std::string& applicant,
                                      const std::string& key, bool issue) {
  http::HttpResponse r = h.Answer(
      "POST", "/v1/dossiers",
      R"({"procedure_code":"2.000908","receiving_agency":")" + agency +
          R"(","applicant":{"name":")" + applicant +
          R"(","id_number":"001090012345","phone":"0912345678","address":"Thôn 1"},"documents":[{"document_id":"identity_paper"}]})",
      who, {{"idempotency-key", key}});
  EXPECT_EQ(r.status, 201) << r.body;
  const std::string id = JsonField(r.body, "id");
  if (!issue) return id;
  const char* steps[] = {
      R"({"command":"act","action":"forward"})", R"({"command":"act","action":"forward"})",
      R"({"command":"act","action":"forward"})", R"({"command":"act","action":"issue"})"};
  int version = 1;
  for (const char* body : steps) {
    r = h.Answer("POST", "/v1/dossiers/" + id + "/commands", body, who,
                 {{"idempotency-key", key + std::to_string(version)},
                  {"if-match", "\"" + std::to_string(version) + "\""}});
    EXPECT_EQ(r.status, 200) << r.body;
    ++version;
  }
  return id;
}

}  // namespace motcua::testing
