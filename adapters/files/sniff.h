#pragma once
// What an uploaded file is, recognised by its content and never by its name or the type the
// client claims: the signatures of the file types definitions may accept (KnownFileTypes).

#include <string_view>

#include "engine/definition/procedure.h"

namespace motcua {

// The type of `bytes`, or nullptr when it is none of the known types (or is cut short: a PDF
// without its end-of-file marker).
const FileType* SniffFileType(std::string_view bytes);

}  // namespace motcua
