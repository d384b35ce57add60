// The hash chains (adapters/rocksdb/chain.h): every commit extends its dossier's chain and the
// outbox's global chain, across reopen; `motcua verify`'s check (ChainCheck, riding on
// VerifyStore) passes on an untouched store and names the dossier and the event, or the outbox
// position, of a value edited with raw RocksDB afterwards; audit checkpoints agree with the chain
// recomputed, and one that does not is named.

#include "adapters/rocksdb/chain_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <filesystem>

#include "adapters/proto/dossier_codec.h"
#include "adapters/rocksdb/chain.h"
#include "engine/store/verify.h"
#include "tests/adapters/rocksdb/temp_dir.h"
#include "tests/engine/store/store_conformance.h"

namespace motcua::testing {
namespace {

using ::testing::HasSubstr;

class ChainCheckTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    store_.reset();
    auto s = RocksStore::Open(dir_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  // Dossier `id` moves to `version` (created at 1), in a commit of its own at the next position.
  void Move(const std::string& id, int64_t version) {
    Dossier after = SampleDossier(id, DossierStatus::kInProcessing, "appraise", version);
    std::shared_ptr<const Dossier> before = version > 1 ? *store_->GetShared(id) : nullptr;
    WriteSet w;
    w.first_outbox_position = *store_->LastOutboxPosition() + 1;
    w.changes.emplace_back(before, std::make_shared<const Dossier>(after),
                           std::vector<Event>{SampleEvent(after)});
    ASSERT_TRUE(store_->Commit(w).ok());
  }
  // What `motcua verify` reports of the chains.
  std::vector<std::string> Check() {
    ChainCheck chains(*store_, *store_);
    VerifyOptions options;
    options.history = [&](const Dossier& d) { return chains.History(d); };
    Result<VerifyReport> report = VerifyStore(*store_, options);
    EXPECT_TRUE(report.ok());
    EXPECT_TRUE(chains.Finish().ok());
    head_ = chains.head_hash();
    checkpoints_ = chains.checkpoints();
    return chains.problems();
  }
  std::string HistoryKey(const std::string& id, int64_t version) {
    std::string key = id;
    key.push_back('\0');
    return key + EncodeBE64(static_cast<uint64_t>(version));
  }
  std::string Raw(ColumnFamily f, const std::string& key) {
    std::string value;
    EXPECT_TRUE(store_->db()->Get(rocksdb::ReadOptions(), store_->handle(f), key, &value).ok());
    return value;
  }
  void PutRaw(ColumnFamily f, const std::string& key, const std::string& value) {
    ASSERT_TRUE(store_->db()->Put(rocksdb::WriteOptions(), store_->handle(f), key, value).ok());
  }
  // Three dossiers, two events each, interleaved: positions 1..6.
  void MakeSix() {
    for (const char* id : {"d1", "d2", "d3"}) Move(id, 1);
    for (const char* id : {"d1", "d2", "d3"}) Move(id, 2);
  }

  std::string dir_ = FreshDir("chains");
  std::unique_ptr<RocksStore> store_;
  std::string head_;
  size_t checkpoints_ = 0;
};

TEST_F(ChainCheckTest, EveryCommitExtendsTheChainsAcrossReopen) {
  MakeSix();
  EXPECT_TRUE(Check().empty());
  // The record holds its chain's head: the hash of its last event, which follows the first.
  std::string_view content, hash1, hash2;
  const std::string v1 = Raw(ColumnFamily::kHistory, HistoryKey("d2", 1));
  const std::string v2 = Raw(ColumnFamily::kHistory, HistoryKey("d2", 2));
  ASSERT_TRUE(SplitChainHash(v1, &content, &hash1));
  EXPECT_EQ(hash1, ChainHash(ZeroHash(), content));
  ASSERT_TRUE(SplitChainHash(v2, &content, &hash2));
  EXPECT_EQ(hash2, ChainHash(hash1, content));
  EXPECT_EQ((*store_->GetShared("d2"))->history_hash.bytes, hash2);
  // The outbox's global chain: position 5 is d2's second event.
  std::string_view key, event_hash, global5, global4;
  const std::string at5 = Raw(ColumnFamily::kOutbox, EncodeBE64(5));
  ASSERT_TRUE(SplitOutboxValue(at5, &key, &event_hash, &global5));
  EXPECT_EQ(key, HistoryKey("d2", 2));
  EXPECT_EQ(event_hash, hash2);
  const std::string at4 = Raw(ColumnFamily::kOutbox, EncodeBE64(4));
  ASSERT_TRUE(SplitOutboxValue(at4, &key, &event_hash, &global4));
  EXPECT_EQ(global5, GlobalHash(global4, 5, hash2));

  // A checkpoint of the head as committed; the store reopened goes on from the head it stored.
  Result<AuditCheckpoint> c = WriteAuditCheckpoint(*store_, *store_, 1772400000);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->position, 6u);
  EXPECT_EQ(c->hash, head_);
  Open();
  Move("d1", 3);
  Move("d4", 1);
  EXPECT_TRUE(Check().empty());
  EXPECT_EQ(checkpoints_, 1u);
  ASSERT_TRUE(WriteAuditCheckpoint(*store_, *store_, 1772400100).ok());
  Result<std::vector<AuditCheckpoint>> all = ReadAuditCheckpoints(*store_, 0, 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].position, 8u);
  EXPECT_EQ((*all)[1].hash, head_);
}

TEST_F(ChainCheckTest, AnEventEditedAfterItWasWrittenIsNamed) {
  MakeSix();
  // Someone with the disk changes d2's second event: another actor, its old hash kept.
  const std::string stored = Raw(ColumnFamily::kHistory, HistoryKey("d2", 2));
  std::string_view content, hash;
  ASSERT_TRUE(SplitChainHash(stored, &content, &hash));
  Result<Event> e = DecodeEvent(std::string(content));
  ASSERT_TRUE(e.ok());
  e->actor = "someone-else";
  PutRaw(ColumnFamily::kHistory, HistoryKey("d2", 2), WithChainHash(EncodeEvent(*e), hash));
  const std::vector<std::string> problems = Check();
  ASSERT_EQ(problems.size(), 1u) << ::testing::PrintToString(problems);
  EXPECT_EQ(problems[0],
            "dossier 'd2': event 2 (forwarded) does not match its chain hash: the history was "
            "changed after it was written");
}

TEST_F(ChainCheckTest, AHistoryRewrittenWithNewHashesIsCaughtByTheOutbox) {
  MakeSix();
  // The edit comes with a new chain hash and a new head in the record: the dossier's own chain
  // holds, but the outbox's global chain still has the old hash.
  const std::string v1 = Raw(ColumnFamily::kHistory, HistoryKey("d3", 1));
  const std::string v2 = Raw(ColumnFamily::kHistory, HistoryKey("d3", 2));
  std::string_view content1, first, content2, second;
  ASSERT_TRUE(SplitChainHash(v1, &content1, &first));
  ASSERT_TRUE(SplitChainHash(v2, &content2, &second));
  Result<Event> e = DecodeEvent(std::string(content2));
  ASSERT_TRUE(e.ok());
  e->comment = "changed";
  const std::string edited = EncodeEvent(*e);
  const std::string new_hash = ChainHash(first, edited);
  PutRaw(ColumnFamily::kHistory, HistoryKey("d3", 2), WithChainHash(edited, new_hash));
  Dossier record = **store_->GetShared("d3");
  record.history_hash.bytes = new_hash;
  PutRaw(ColumnFamily::kDossiers, "d3", EncodeDossier(record));
  const std::vector<std::string> problems = Check();
  ASSERT_EQ(problems.size(), 1u) << ::testing::PrintToString(problems);
  EXPECT_EQ(problems[0],
            "outbox position 6: its event hash is not dossier 'd3' event 2 (forwarded)'s chain "
            "hash");
}

TEST_F(ChainCheckTest, AnEditedOutboxAndAWrongCheckpointAreNamed) {
  MakeSix();
  ASSERT_TRUE(WriteAuditCheckpoint(*store_, *store_, 1772400000).ok());
  // Position 3's global hash replaced: it no longer follows from 2, nor 4 from it.
  std::string_view key, event_hash, global;
  const std::string at3 = Raw(ColumnFamily::kOutbox, EncodeBE64(3));
  ASSERT_TRUE(SplitOutboxValue(at3, &key, &event_hash, &global));
  PutRaw(ColumnFamily::kOutbox, EncodeBE64(3), OutboxValue(key, event_hash, ZeroHash()));
  // A checkpoint that disagrees with the chain.
  ASSERT_TRUE(store_
                  ->WriteStates({Store::StateWrite{AuditCheckpointKey(2),
                                                   std::string(64, 'a') + " 1772400000"}})
                  .ok());
  const std::vector<std::string> problems = Check();
  ASSERT_EQ(problems.size(), 3u) << ::testing::PrintToString(problems);
  EXPECT_THAT(problems[0], HasSubstr("audit checkpoint at position 2 says aaaa"));
  EXPECT_EQ(problems[1],
            "outbox position 3: its global hash does not follow from the one before: the outbox "
            "was changed after it was written");
  EXPECT_EQ(problems[2],
            "outbox position 4: its global hash does not follow from the one before: the outbox "
            "was changed after it was written");
  // The checkpoint at 6 still agrees: recomputed from the event hashes, not the stored ones.
  EXPECT_EQ(checkpoints_, 2u);
}

}  // namespace
}  // namespace motcua::testing
