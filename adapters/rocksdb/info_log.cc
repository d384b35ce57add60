// RocksDB's info log on stderr (info_log.h).

#include "adapters/rocksdb/info_log.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <string_view>

namespace motcua {

namespace {

class StderrInfoLog : public rocksdb::Logger {
 public:
  explicit StderrInfoLog(rocksdb::InfoLogLevel level) : rocksdb::Logger(level) {}

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char buf[1024];
    const int n = std::vsnprintf(buf, sizeof buf, format, ap);
    if (n < 0) return;
    const std::string_view text(buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1));
    // A backup holds file deletions off while it asks for the live files, which holds them off
    // again: RocksDB warns of the nesting on every backup. Expected, so not said.
    if (text.find("File Deletions Disabled, but already disabled") != std::string_view::npos ||
        text.find("File Deletions Enable, but not really enabled") != std::string_view::npos) {
      return;
    }
    std::string line = "rocksdb: ";
    line.append(text);
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
    line += '\n';
    // One write a line; a failed write (stderr closed or full) is dropped, never fatal.
    if (std::fwrite(line.data(), 1, line.size(), stderr) != line.size()) std::clearerr(stderr);
  }
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewStderrInfoLog(rocksdb::InfoLogLevel level) {
  return std::make_shared<StderrInfoLog>(level);
}

}  // namespace motcua
