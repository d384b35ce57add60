// Writes the golden store (tests/adapters/rocksdb/testdata/golden-store/): every scenario of
// tests/scenarios/ run into one RocksDB store, then flushed and compacted into table files. It was
// run once, by the code of the storage format it records; golden_store_test.cc replays it with
// `verify` on every build, so that no later change breaks old data unnoticed. Do not regenerate it
// to make that test pass: a store written before a change must still verify after it.
//
//   make_golden_store <out-dir>

#include <rocksdb/db.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "adapters/rocksdb/rocks_store.h"
#include "engine/store/verify.h"
#include "tests/adapters/runtime/service_driver.h"

using namespace motcua;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_golden_store <out-dir>\n");
    return 2;
  }
  const std::string out = argv[1];
  std::filesystem::remove_all(out);
  const std::vector<std::string> scenarios = motcua::testing::ScenarioFiles();
  {
    auto store = RocksStore::Open(out);
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
      return 1;
    }
    for (size_t i = 0; i < scenarios.size(); ++i) {
      char prefix[24];
      std::snprintf(prefix, sizeof prefix, "g%02zu-", i);
      // Expectations of dossier numbers and timer counts differ from the scenario's own (the
      // scenarios share one store here); what matters is what the code wrote.
      motcua::testing::ServiceDriver driver(store->get());
      const auto failures =
          motcua::testing::RunScenario(scenarios[i], store->get(), &driver, prefix);
      std::printf("%s %s: %zu expectations differ in the shared store\n", prefix,
                  std::filesystem::path(scenarios[i]).filename().c_str(), failures.size());
    }
    Result<VerifyReport> report = VerifyStore(**store);
    if (!report.ok() || !report->ok()) {
      std::fprintf(stderr, "the generated store does not verify\n");
      return 1;
    }
    std::printf("%zu dossiers, %zu events, %zu index entries, outbox at %llu\n", report->dossiers,
                report->events, report->index_entries,
                static_cast<unsigned long long>(report->outbox_last));
  }
  // Everything into table files: the directory then holds no write-ahead log to replay.
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), out, &names).ok()) return 1;
  for (const auto& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  if (!rocksdb::DB::Open(rocksdb::DBOptions(), out, families, &handles, &db).ok()) return 1;
  for (auto* h : handles) {
    if (!db->Flush(rocksdb::FlushOptions(), h).ok()) return 1;
    if (!db->CompactRange(rocksdb::CompactRangeOptions(), h, nullptr, nullptr).ok()) return 1;
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  db->Close();
  delete db;
  for (const auto& e : std::filesystem::directory_iterator(out)) {
    if (e.path().filename().string().rfind("LOG", 0) == 0) std::filesystem::remove(e.path());
  }
  return 0;
}
