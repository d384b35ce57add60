#pragma once
// The YAML files that hold credentials (tokens.yaml, accounts.yaml): read with errors that name
// the file and line; written whole to a temporary file of mode 0600, then renamed into place, so
// that a reader never sees half a file.

#include <yaml-cpp/yaml.h>

#include <string>

#include "engine/common/status.h"

namespace motcua::http {

Result<YAML::Node> LoadSecretFile(const std::string& path);
// `comment` is written as the file's first line ("# ...").
Status SaveSecretFile(const std::string& path, const YAML::Node& root, const std::string& comment);

}  // namespace motcua::http
