// libFuzzer target: the definition loader on arbitrary text. It must report problems as
// diagnostics, never crash, hang or throw.

#include <cstddef>
#include <cstdint>
#include <string>

#include "adapters/yaml/definition_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<motcua::Diagnostic> errors;
  auto p = motcua::ParseProcedureYaml(text, "fuzz.yaml", &errors);
  if (p == nullptr && errors.empty()) __builtin_trap();  // refused without saying why
  errors.clear();
  motcua::ParseCalendarYaml(text, "fuzz.yaml", &errors);
  return 0;
}
