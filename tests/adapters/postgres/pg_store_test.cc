// The PostgreSQL store against a real PostgreSQL server started for this test binary
// (temp_postgres.h): the shared conformance suite, the schema's migrations, one writer per
// database, group commits that change a dossier twice, a crash of the server, a lost server and
// the recovery after it, and hash chains byte for byte those of the RocksDB store.

#include "adapters/postgres/pg_store.h"

#include <algorithm>
#include <atomic>
#include <filesystem>

#include "adapters/rocksdb/chain_check.h"
#include "adapters/rocksdb/rocks_store.h"
#include "engine/store/indexes.h"
#include "tests/adapters/postgres/pg_test_server.h"
#include "tests/adapters/rocksdb/temp_dir.h"
#include "tests/engine/common/status_matchers.h"
#include "tests/engine/store/store_conformance.h"

namespace motcua::testing {
namespace {

using ::testing::_;
using ::testing::HasSubstr;

struct PgStoreFactory {
  std::string db = FreshDatabase();
  std::unique_ptr<Store> Make() {
    auto s = PgStore::Open(On(db));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }
  void Cleanup() { DropDatabase(db); }
};

INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, StoreConformance, PgStoreFactory);

class PgStoreTest : public ::testing::Test {
 protected:
  void TearDown() override { DropDatabase(db_); }
  std::string db_ = FreshDatabase();
};

TEST_F(PgStoreTest, TheSchemaIsAppliedOnceAndANewerOneIsRefused) {
  {
    auto s = PgStore::Open(On(db_));
    ASSERT_THAT(s, IsOk());
    EXPECT_TRUE((*s)->created());
    EXPECT_EQ((*s)->migration(), "schema 0 → " + std::to_string(PgStore::SchemaVersion()));
  }
  {
    auto s = PgStore::Open(On(db_));
    ASSERT_THAT(s, IsOk());
    EXPECT_FALSE((*s)->created());
    EXPECT_EQ((*s)->migration(), "");
  }
  auto raw = pg::Conn::Open(Server().Dsn(db_));
  ASSERT_THAT(raw, IsOk());
  ASSERT_THAT((*raw)->Script("INSERT INTO motcua_schema (version, name) VALUES (999, 'future')"),
              IsOk());
  EXPECT_THAT(PgStore::Open(On(db_)),
              StatusIs(StatusCode::kFailedPrecondition,
                       HasSubstr("has motcua schema version 999; this build knows up to")));
}

TEST_F(PgStoreTest, AReadOnlyOpenOfAnEmptyDatabaseWritesNothing) {
  PgStoreOptions o = On(db_);
  o.read_only = true;
  EXPECT_THAT(PgStore::Open(o),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("has motcua schema version 0")));
  auto raw = pg::Conn::Open(Server().Dsn(db_));
  ASSERT_THAT(raw, IsOk());
  auto tables = (*raw)->Exec("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()");
  ASSERT_THAT(tables, IsOk());
  EXPECT_EQ(tables->int64(0, 0), 0);
}

TEST_F(PgStoreTest, ASecondWriterOfTheSameDatabaseIsRefused) {
  auto first = PgStore::Open(On(db_));
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(PgStore::Open(On(db_)),
              StatusIs(StatusCode::kFailedPrecondition,
                       HasSubstr("another motcua server writes this PostgreSQL database")));
  first->reset();
  EXPECT_THAT(PgStore::Open(On(db_)), IsOk());  // the lock went with the first's connection
}

// A server that does not flush would lose what it acknowledged: motcua does not write there.
TEST_F(PgStoreTest, AServerWithoutFsyncIsRefused) {
  std::string error;
  ASSERT_TRUE(Server().Psql("ALTER SYSTEM SET fsync = off", &error)) << error;
  ASSERT_TRUE(Server().Psql("SELECT pg_reload_conf()", &error)) << error;
  Result<std::unique_ptr<PgStore>> refused = PgStore::Open(On(db_));
  // The reload reaches new sessions within moments.
  for (int i = 0; i < 50 && refused.ok(); ++i) {
    refused->reset();
    ::usleep(100000);
    refused = PgStore::Open(On(db_));
  }
  EXPECT_THAT(refused,
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("runs with fsync = off")));
  ASSERT_TRUE(Server().Psql("ALTER SYSTEM RESET fsync", &error)) << error;
  ASSERT_TRUE(Server().Psql("SELECT pg_reload_conf()", &error)) << error;
  for (int i = 0; i < 50; ++i) {
    if (PgStore::Open(On(db_)).ok()) break;
    ::usleep(100000);
  }
  EXPECT_THAT(PgStore::Open(On(db_)), IsOk());
}

// Two commands on one dossier in one group commit: one row per table, as the last left it.
TEST_F(PgStoreTest, AGroupThatChangesADossierTwiceKeepsItsLastState) {
  auto opened = PgStore::Open(On(db_));
  ASSERT_THAT(opened, IsOk());
  PgStore& s = **opened;
  Dossier v1 = SampleDossier("d1", DossierStatus::kReceived, "receive", 1);
  Dossier v2 = SampleDossier("d1", DossierStatus::kInProcessing, "appraise", 2);
  Dossier v3 = SampleDossier("d1", DossierStatus::kReceived, "receive", 3);
  WriteSet w1, w2, w3;
  w1.first_outbox_position = 1;
  w1.changes.push_back({std::nullopt, v1, {SampleEvent(v1)}});
  w1.counters.emplace_back("c", 1);
  w1.report_deltas.emplace_back("r", 2);
  w2.first_outbox_position = 2;
  w2.changes.push_back({v1, v2, {SampleEvent(v2)}});
  w2.counters.emplace_back("c", 2);
  w2.report_deltas.emplace_back("r", 3);
  w3.first_outbox_position = 3;
  w3.changes.push_back({v2, v3, {SampleEvent(v3)}});
  for (WriteSet* w : {&w1, &w2, &w3}) s.Encode(*w);
  ASSERT_THAT(s.Commit({&w1, &w2, &w3}), IsOk());

  EXPECT_EQ((**s.Get("d1")).version, 3);
  EXPECT_EQ(s.History("d1")->size(), 3u);
  EXPECT_EQ(*s.LastOutboxPosition(), 3u);
  EXPECT_EQ(*s.Counter("c"), 2);
  int64_t r = 0;
  ASSERT_THAT(s.ScanReportCounters("r", "s", [&](std::string_view, int64_t v) { r = v; }), IsOk());
  EXPECT_EQ(r, 5);
  // v3's entries are back after v2 removed them (receive), v2's own are gone (appraise).
  for (const std::string& e : IndexEntries(v3)) EXPECT_TRUE(*s.HasIndexEntry(e)) << e;
  for (const std::string& e : IndexEntries(v2)) {
    bool in_v3 = false;
    for (const std::string& f : IndexEntries(v3)) in_v3 = in_v3 || e == f;
    EXPECT_EQ(*s.HasIndexEntry(e), in_v3) << e;
  }
}

// The server crashes (no checkpoint): every acknowledged commit is there after its recovery.
TEST_F(PgStoreTest, WhatWasAcknowledgedSurvivesACrashOfTheServer) {
  {
    auto s = PgStore::Open(On(db_));
    ASSERT_THAT(s, IsOk());
    for (int i = 1; i <= 20; ++i) {
      ASSERT_THAT((*s)->Commit(NewDossierWrite("d" + std::to_string(i), i)), IsOk());
    }
  }
  std::string error;
  ASSERT_TRUE(Server().Crash(&error)) << error;
  auto s = PgStore::Open(On(db_));
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(*(*s)->LastOutboxPosition(), 20u);
  for (int i = 1; i <= 20; ++i) EXPECT_TRUE((*(*s)->Get("d" + std::to_string(i))).has_value());
  auto report = VerifyStore(**s);
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->dossiers, 20u);
}

// The server goes away: a commit fails unacknowledged, and later ones are refused (whether a
// lost COMMIT took effect is unknown); reads come back with the server, and writes once the store
// has recovered: its writer connects again, and the chain goes on from the database's head.
TEST_F(PgStoreTest, ALostServerFailsTheCommitAndTheStoreRecoversWithIt) {
  auto opened = PgStore::Open(On(db_));
  ASSERT_THAT(opened, IsOk());
  PgStore& s = **opened;
  ASSERT_THAT(s.Commit(NewDossierWrite("d1", 1)), IsOk());
  std::string error;
  ASSERT_TRUE(Server().Stop(&error)) << error;
  EXPECT_THAT(s.Commit(NewDossierWrite("d2", 2)), StatusIs(StatusCode::kUnavailable, _));
  EXPECT_THAT(s.Writable(), StatusIs(StatusCode::kUnavailable, _));
  EXPECT_THAT(s.Get("d1"), StatusIs(StatusCode::kUnavailable, _));
  EXPECT_THAT(s.Recover(), StatusIs(StatusCode::kUnavailable, HasSubstr("cannot connect")));
  ASSERT_TRUE(Server().StartServer(&error)) << error;
  EXPECT_THAT(s.Commit(NewDossierWrite("d2", 2)),
              StatusIs(StatusCode::kUnavailable, HasSubstr("refuses writes after a failed write")));
  auto d1 = s.Get("d1");
  ASSERT_THAT(d1, IsOk());
  EXPECT_TRUE(d1->has_value());
  EXPECT_FALSE((*s.Get("d2")).has_value());

  ASSERT_THAT(s.Recover(), IsOk());
  EXPECT_THAT(s.Writable(), IsOk());
  ASSERT_THAT(s.Commit(NewDossierWrite("d2", 2)), IsOk());
  ASSERT_THAT(s.Commit(NewDossierWrite("d3", 3)), IsOk());
  EXPECT_EQ(*s.LastOutboxPosition(), 3u);
  // The global chain is the one of a store that never failed.
  const std::string dir = FreshDir("pg-recovered");
  {
    auto rocks = RocksStore::Open(dir);
    ASSERT_THAT(rocks, IsOk());
    for (int i = 1; i <= 3; ++i) {
      ASSERT_THAT((*rocks)->Commit(NewDossierWrite("d" + std::to_string(i), i)), IsOk());
    }
    for (uint64_t p = 1; p <= 3; ++p) EXPECT_EQ(*s.GlobalHashAt(p), *(*rocks)->GlobalHashAt(p));
  }
  std::filesystem::remove_all(dir);
  // Still one writer: a second store is refused while this one writes again.
  EXPECT_THAT(PgStore::Open(On(db_)),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("another motcua server")));
}

// A store opened read-only never takes writes up.
TEST_F(PgStoreTest, AReadOnlyStoreDoesNotRecoverWrites) {
  { ASSERT_THAT(PgStore::Open(On(db_)), IsOk()); }
  PgStoreOptions o = On(db_);
  o.read_only = true;
  auto s = PgStore::Open(o);
  ASSERT_THAT(s, IsOk());
  EXPECT_THAT((*s)->Recover(), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("read-only")));
  EXPECT_THAT((*s)->Writable(), StatusIs(StatusCode::kUnavailable, _));
}

// The hash chains' check reads the PostgreSQL store's rows as it reads RocksDB's: sound chains
// pass; an outbox entry changed after it was written, or an event, is named.
TEST_F(PgStoreTest, TheChainCheckFindsWhatWasChanged) {
  auto opened = PgStore::Open(On(db_));
  ASSERT_THAT(opened, IsOk());
  PgStore& s = **opened;
  for (int i = 1; i <= 3; ++i) {
    ASSERT_THAT(s.Commit(NewDossierWrite("d" + std::to_string(i), i)), IsOk());
  }
  ASSERT_THAT(WriteAuditCheckpoint(s, s, 1772400000), IsOk());
  auto check = [&s]() -> std::vector<std::string> {
    ChainCheck chains(s, s);
    for (int i = 1; i <= 3; ++i) {
      auto d = s.Get("d" + std::to_string(i));
      EXPECT_THAT(chains.History(**d), IsOk());
    }
    EXPECT_THAT(chains.Finish(), IsOk());
    EXPECT_EQ(chains.events(), 3u);
    return chains.problems();
  };
  EXPECT_EQ(check(), std::vector<std::string>{});
  // Changed behind the store's back, through a connection of its own.
  auto conn = pg::Conn::Open(Server().Dsn(db_));
  ASSERT_THAT(conn, IsOk());
  ASSERT_THAT((*conn)->Script("UPDATE outbox SET global_hash = '\\x" + std::string(64, '0') +
                              "'::bytea WHERE position = 2"),
              IsOk());
  // d3's event replaced by d1's: a chain of its own that holds, but not d3's.
  ASSERT_THAT((*conn)->Script("UPDATE history SET event = (SELECT event FROM history WHERE "
                              "dossier_id = 'd1'::bytea) WHERE dossier_id = 'd3'::bytea"),
              IsOk());
  const std::vector<std::string> problems = check();
  ASSERT_GE(problems.size(), 2u);
  auto said = [&](const std::string& what) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](const std::string& p) { return p.find(what) != std::string::npos; });
  };
  EXPECT_TRUE(said("outbox position 2: its global hash does not follow")) << problems[0];
  EXPECT_TRUE(said("dossier 'd3'")) << problems[0];
}

// The same commits make the same chains on both stores (a copy between them verifies).
TEST_F(PgStoreTest, HashChainsAreThoseOfTheRocksDbStore) {
  const std::string dir = FreshDir("pg-chains");
  auto rocks = RocksStore::Open(dir);
  auto pg = PgStore::Open(On(db_));
  ASSERT_THAT(rocks, IsOk());
  ASSERT_THAT(pg, IsOk());
  Dossier v1 = SampleDossier("d1", DossierStatus::kReceived, "receive", 1);
  Dossier v2 = SampleDossier("d1", DossierStatus::kInProcessing, "appraise", 2);
  for (Store* s : std::initializer_list<Store*>{rocks->get(), pg->get()}) {
    WriteSet w1, w2;
    w1.first_outbox_position = 1;
    w1.changes.push_back({std::nullopt, v1, {SampleEvent(v1)}});
    w2.first_outbox_position = 2;
    w2.changes.push_back({v1, v2, {SampleEvent(v2)}});
    ASSERT_THAT(s->Commit(w1), IsOk());
    ASSERT_THAT(s->Commit(w2), IsOk());
    ASSERT_THAT(s->Commit(NewDossierWrite("d2", 3)), IsOk());
  }
  EXPECT_EQ((**(*pg)->Get("d1")).history_hash.bytes, (**(*rocks)->Get("d1")).history_hash.bytes);
  for (uint64_t p = 1; p <= 3; ++p) EXPECT_EQ(*(*pg)->GlobalHashAt(p), *(*rocks)->GlobalHashAt(p));
  EXPECT_EQ(*(*pg)->History("d2"), *(*rocks)->History("d2"));
  rocks->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace motcua::testing
