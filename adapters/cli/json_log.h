#pragma once
// `log_format: json` (README "Configuration"): every line the server writes on stderr (its own
// messages, the request log, RocksDB's warnings) becomes one JSON object on a line, for a log
// shipper to read without patterns:
//
//   {"time":"2026-12-02T06:10:00.123Z","level":"info","source":"http","msg":"POST /v1/dossiers 201
//    1.68ms actor=cb1 client=203.0.113.9","method":"POST","path":"/v1/dossiers","status":201,
//    "ms":1.68,"actor":"cb1","client":"203.0.113.9"}
//
// Installed once at start, before any other thread: std::cerr and the C `stderr` stream then
// collect each thread's text up to its end of line and write the line, formatted, to file
// descriptor 2 in one write: nothing is held back after a line ends, and lines of two threads
// never mix.

#include <cstdint>
#include <string>
#include <string_view>

namespace motcua::cli {

// One line of text (without its newline) as a JSON object, at `unix_ms`.
std::string JsonLogLine(std::string_view line, int64_t unix_ms);

// Routes std::cerr and stderr through JsonLogLine.
void InstallJsonStderr();

}  // namespace motcua::cli
