#pragma once
// RocksDB's info log, through our own log (stderr) instead of a LOG file on the data disk: a full
// or failing disk must stop writes cleanly, and Debian's RocksDB (built with assertions) aborts
// when its own LOG file cannot be written.

#include <rocksdb/env.h>

#include <memory>

namespace motcua {

// Lines at or above `level` go to stderr as "rocksdb: <message>"; lower ones are dropped.
std::shared_ptr<rocksdb::Logger> NewStderrInfoLog(rocksdb::InfoLogLevel level);

}  // namespace motcua
