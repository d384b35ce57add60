// RocksDB's info log on stderr (info_log.h).

#include "adapters/rocksdb/info_log.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <string>

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
    std::string line = "rocksdb: ";
    line.append(buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1));
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
