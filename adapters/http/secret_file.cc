// Credential files (secret_file.h).

#include "adapters/http/secret_file.h"

#include <filesystem>
#include <fstream>

namespace motcua::http {

Result<YAML::Node> LoadSecretFile(const std::string& path) {
  try {
    return YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Status SaveSecretFile(const std::string& path, const YAML::Node& root, const std::string& comment) {
  YAML::Emitter out;
  out << root;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!f) return Internal("cannot write " + tmp);
    f << "# " << comment << "\n" << out.c_str() << "\n";
    if (!f) return Internal("cannot write " + tmp);
  }
  std::filesystem::permissions(
      tmp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Internal("cannot replace " + path + ": " + ec.message());
  return Status::Ok();
}

}  // namespace motcua::http
