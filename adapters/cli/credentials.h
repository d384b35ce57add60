#pragma once
// What the credential commands share (`motcua token`, `motcua account`).

#include <string>
#include <vector>

namespace motcua::cli {

// "a, b ,c" → {a, b, c}: split on commas, each part trimmed, empty parts dropped.
std::vector<std::string> SplitList(const std::string& s);
// 0 when every role is one the definitions at `definitions_dir` (or the API) know and every
// agency is in their registry (or "*"); otherwise says why on stderr and returns 1.
int CheckRolesAndAgencies(const std::string& definitions_dir, const std::vector<std::string>& roles,
                          const std::vector<std::string>& agencies);

}  // namespace motcua::cli
