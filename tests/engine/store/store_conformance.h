#pragma once
// One conformance suite for every Store implementation (engine/store/store.h). An
// implementation's test instantiates it with a factory:
//   INSTANTIATE_TYPED_TEST_SUITE_P(Memory, StoreConformance, MemoryStoreFactory);

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "engine/store/indexes.h"
#include "engine/store/store.h"
#include "engine/store/verify.h"

namespace motcua::testing {

inline Dossier SampleDossier(const std::string& id, DossierStatus status, const std::string& step,
                             int64_t version) {
  Dossier d;
  d.id = id;
  d.version = version;
  d.number = "000.00.00.H56-260302-" + id;
  d.procedure_code = "2.000908";
  d.procedure_version = 1;
  d.receiving_agency = "A1";
  d.competent_agency = "A1";
  d.applicant.id_number = "0010900" + id;
  d.status = status;
  d.current_step = step;
  d.received_at = Instant{1772400000};
  d.due_at = Instant{1772420000 + version};
  d.timers = {Timer{TimerKind::kDossierDue, *d.due_at}};
  return d;
}

inline Event SampleEvent(const Dossier& d) {
  Event e;
  e.type = EventType::kForwarded;
  e.dossier_id = d.id;
  e.version = d.version;
  e.status = d.status;
  e.at = Instant{1772400000 + d.version};
  e.to_step = d.current_step;
  return e;
}

// A write set that makes a new received dossier `id`, its event at outbox `position`.
inline WriteSet NewDossierWrite(const std::string& id, uint64_t position) {
  Dossier d = SampleDossier(id, DossierStatus::kReceived, "receive", 1);
  WriteSet w;
  w.first_outbox_position = position;
  w.changes.push_back({std::nullopt, d, {SampleEvent(d)}});
  return w;
}

// The ids of a query's page, in order.
inline std::vector<std::string> Ids(const QueryPage& page) {
  std::vector<std::string> ids;
  for (const auto& d : page.dossiers) ids.push_back(d->id);
  return ids;
}

template <typename Factory>
class StoreConformance : public ::testing::Test {
 protected:
  void SetUp() override { store_ = factory_.Make(); }
  void TearDown() override {
    store_.reset();
    factory_.Cleanup();
  }
  Factory factory_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE_P(StoreConformance);

TYPED_TEST_P(StoreConformance, CommitIsReadBackWithHistoryIndexesAndOutbox) {
  Store& s = *this->store_;
  Dossier d = SampleDossier("d1", DossierStatus::kReceived, "receive", 1);
  WriteSet w;
  w.first_outbox_position = 1;
  w.changes.push_back({std::nullopt, d, {SampleEvent(d)}});
  w.idempotency.push_back({"k1", 42, "d1", 1});
  w.counters.emplace_back("dn/A1/260302", 1);
  ASSERT_TRUE(s.Commit(w).ok());

  auto got = s.Get("d1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, d);
  EXPECT_EQ(s.History("d1")->size(), 1u);
  EXPECT_EQ(**s.IdByNumber(d.number), "d1");
  EXPECT_EQ(*s.Counter("dn/A1/260302"), 1);
  EXPECT_EQ(*s.Counter("never"), 0);
  EXPECT_EQ((**s.Idempotency("k1")).payload_hash, 42u);
  EXPECT_FALSE(s.Idempotency("k2")->has_value());
  EXPECT_EQ(*s.LastOutboxPosition(), 1u);
  EXPECT_FALSE(s.Get("nope")->has_value());
}

TYPED_TEST_P(StoreConformance, UpdateMovesIndexEntriesAndVerifies) {
  Store& s = *this->store_;
  Dossier v1 = SampleDossier("d1", DossierStatus::kReceived, "receive", 1);
  WriteSet w1;
  w1.first_outbox_position = 1;
  w1.changes.push_back({std::nullopt, v1, {SampleEvent(v1)}});
  ASSERT_TRUE(s.Commit(w1).ok());
  Dossier v2 = SampleDossier("d1", DossierStatus::kInProcessing, "appraise", 2);
  WriteSet w2;
  w2.first_outbox_position = 2;
  w2.changes.push_back({v1, v2, {SampleEvent(v2)}});
  ASSERT_TRUE(s.Commit(w2).ok());

  for (const auto& e : IndexEntries(v1)) {
    bool still_wanted = false;
    for (const auto& f : IndexEntries(v2)) still_wanted = still_wanted || e == f;
    EXPECT_EQ(*s.HasIndexEntry(e), still_wanted) << e;
  }
  for (const auto& e : IndexEntries(v2)) EXPECT_TRUE(*s.HasIndexEntry(e)) << e;
  // The shared read (which a store may answer from a cache) agrees with the stored record.
  std::shared_ptr<const Dossier> shared = *s.GetShared("d1");
  ASSERT_NE(shared, nullptr);
  EXPECT_EQ(*shared, v2);
  EXPECT_EQ(*shared, **s.Get("d1"));
  EXPECT_EQ(*s.GetShared("nope"), nullptr);
  // The work queue of the new step lists it; the old step's queue no longer does.
  DossierQuery q;
  q.agency = "A1";
  q.step = "appraise";
  EXPECT_EQ(Ids(*s.Query(q)), std::vector<std::string>{"d1"});
  q.step = "receive";
  EXPECT_TRUE(s.Query(q)->dossiers.empty());
  // Its history is two events, but the sample events do not replay to the sample record:
  // verification must say so.
  auto report = VerifyStore(s);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->dossiers, 1u);
  EXPECT_FALSE(report->ok());
}

TYPED_TEST_P(StoreConformance, OutboxIsOrderedAndResumable) {
  Store& s = *this->store_;
  uint64_t pos = 1;
  for (int i = 0; i < 5; ++i) {
    Dossier d = SampleDossier("d" + std::to_string(i), DossierStatus::kReceived, "receive", 1);
    WriteSet w;
    w.first_outbox_position = pos;
    w.changes.push_back({std::nullopt, d, {SampleEvent(d)}});
    ASSERT_TRUE(s.Commit(w).ok());
    pos += 1;
  }
  EXPECT_EQ(*s.LastOutboxPosition(), 5u);
  auto tail = s.ReadOutbox(2, 10);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), 3u);
  EXPECT_EQ((*tail)[0].position, 3u);
  EXPECT_EQ((*tail)[0].event.dossier_id, "d2");
  EXPECT_EQ(s.ReadOutbox(5, 10)->size(), 0u);
}

TYPED_TEST_P(StoreConformance, QueriesPageWithAStableCursor) {
  Store& s = *this->store_;
  WriteSet w;
  w.first_outbox_position = 1;
  for (int i = 0; i < 7; ++i) {
    Dossier d = SampleDossier("d" + std::to_string(i), DossierStatus::kInProcessing, "appraise", 1);
    w.changes.push_back({std::nullopt, d, {SampleEvent(d)}});
  }
  ASSERT_TRUE(s.Commit(w).ok());
  DossierQuery q;
  q.agency = "A1";
  q.status = DossierStatus::kInProcessing;
  q.limit = 3;
  std::vector<std::string> all;
  for (int page = 0; page < 5; ++page) {
    auto p = s.Query(q);
    ASSERT_TRUE(p.ok());
    for (const std::string& id : Ids(*p)) all.push_back(id);
    if (p->next_cursor.empty()) break;
    q.cursor = p->next_cursor;
  }
  EXPECT_EQ(all, (std::vector<std::string>{"d0", "d1", "d2", "d3", "d4", "d5", "d6"}));
  DossierQuery bad;
  bad.agency = "A1";
  bad.status = DossierStatus::kInProcessing;
  bad.cursor = "garbage";
  EXPECT_EQ(s.Query(bad).status().code(), StatusCode::kInvalidArgument);
  // Cursors are opaque: not a storage key, and only good for the query that gave them.
  q.cursor.clear();
  const std::string cursor = s.Query(q)->next_cursor;
  EXPECT_EQ(cursor.find(kIndexSep), std::string::npos) << cursor;
  EXPECT_EQ(cursor.find("as"), std::string::npos) << cursor;
  DossierQuery other;
  other.procedure_code = "2.000908";
  other.cursor = cursor;
  Result<QueryPage> refused = s.Query(other);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().message(), "the cursor does not belong to this query");
}

TYPED_TEST_P(StoreConformance, DueTimersComeEarliestFirst) {
  Store& s = *this->store_;
  WriteSet w;
  w.first_outbox_position = 1;
  for (int i = 3; i >= 1; --i) {
    Dossier d = SampleDossier("d" + std::to_string(i), DossierStatus::kInProcessing, "appraise", i);
    w.changes.push_back({std::nullopt, d, {}});
  }
  ASSERT_TRUE(s.Commit(w).ok());
  auto due = s.DueTimers(Instant{1772420002}, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].dossier_id, "d1");
  EXPECT_EQ((*due)[1].dossier_id, "d2");
  EXPECT_EQ((*due)[1].timer.kind, TimerKind::kDossierDue);
}

// A scan with an end stops before it, within its prefix; due timers are read up to `upto` only,
// and a timer due exactly then is due.
TYPED_TEST_P(StoreConformance, IndexScansStopAtTheirEnd) {
  Store& s = *this->store_;
  WriteSet w;
  w.first_outbox_position = 1;
  for (int i = 1; i <= 3; ++i) {
    Dossier d = SampleDossier("d" + std::to_string(i), DossierStatus::kInProcessing, "appraise", i);
    w.changes.push_back({std::nullopt, d, {}});
  }
  ASSERT_TRUE(s.Commit(w).ok());
  const std::string prefix = IndexPrefix(IndexKind::kTimer);
  Result<std::vector<std::string>> all = s.ScanIndex(prefix, "", 100);
  ASSERT_TRUE(all.ok());
  ASSERT_GE(all->size(), 3u);
  Result<std::vector<std::string>> first = s.ScanIndexRange(prefix, "", (*all)[1], 100);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, std::vector<std::string>({(*all)[0]}));
  Result<std::vector<std::string>> middle = s.ScanIndexRange(prefix, (*all)[0], (*all)[2], 100);
  ASSERT_TRUE(middle.ok());
  EXPECT_EQ(*middle, std::vector<std::string>({(*all)[1]}));
  // An end past the prefix's keys is the prefix's end.
  Result<std::vector<std::string>> past = s.ScanIndexRange(prefix, "", prefix + "\xff", 100);
  ASSERT_TRUE(past.ok());
  EXPECT_EQ(*past, *all);
  // d1's timer is due at 1772420001: due then, not a second before.
  const Instant d1_due = ParseSortableInstant((*all)[0].substr(prefix.size(), 16));
  EXPECT_EQ(s.DueTimers(Instant{d1_due.seconds - 1}, 10)->size(), 0u);
  Result<std::vector<DueTimer>> due = s.DueTimers(d1_due, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].dossier_id, "d1");
}

// A decided dossier whose result is at a step after the decision is in that step's queue; one
// decided at its step (the result held there) is not.
TYPED_TEST_P(StoreConformance, AResultOnItsWayIsInItsStepsQueue) {
  Store& s = *this->store_;
  WriteSet w;
  w.first_outbox_position = 1;
  Dossier carried = SampleDossier("d1", DossierStatus::kDecided, "transfer", 1);
  carried.after_decision = true;
  carried.assignee = "sp1";
  Dossier held = SampleDossier("d2", DossierStatus::kDecided, "transfer", 1);
  for (const Dossier& d : {carried, held}) w.changes.push_back({std::nullopt, d, {SampleEvent(d)}});
  ASSERT_TRUE(s.Commit(w).ok());
  DossierQuery q;
  q.agency = "A1";
  q.step = "transfer";
  Result<QueryPage> page = s.Query(q);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(Ids(*page), std::vector<std::string>{"d1"});
  q.assignee = "sp1";
  EXPECT_EQ(Ids(*s.Query(q)), std::vector<std::string>{"d1"});
}

// Search: applicant names by folded prefix, phones by digits, numbers by prefix, alone or with
// a queue's filters.
TYPED_TEST_P(StoreConformance, SearchFindsFoldedNamesPhonesAndNumbers) {
  Store& s = *this->store_;
  WriteSet w;
  w.first_outbox_position = 1;
  const std::vector<std::pair<std::string, std::string>> people = {
      {"Nguyễn Văn An", "0912 345 678"},
      {"NGUYỄN VĂN ANH", "+84 912 000 111"},
      {"Trần Thị Bé", ""},
      {"Đặng Văn An", "0912345678"}};
  for (size_t i = 0; i < people.size(); ++i) {
    Dossier d = SampleDossier("d" + std::to_string(i), DossierStatus::kInProcessing, "appraise", 1);
    d.applicant.name = people[i].first;
    d.applicant.phone = people[i].second;
    if (i == 2) d.status = DossierStatus::kReceived;
    w.changes.push_back({std::nullopt, d, {SampleEvent(d)}});
  }
  ASSERT_TRUE(s.Commit(w).ok());
  auto ids = [&s](DossierQuery q) {
    Result<QueryPage> page = s.Query(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? Ids(*page) : std::vector<std::string>{};
  };
  DossierQuery q;
  q.name_prefix = "nguyen van an";
  EXPECT_EQ(ids(q), (std::vector<std::string>{"d0", "d1"}));  // "an" and "anh"
  q.name_prefix = "dang";
  EXPECT_EQ(ids(q), std::vector<std::string>{"d3"});
  q = {};
  q.phone = "0912345678";
  EXPECT_EQ(ids(q), (std::vector<std::string>{"d0", "d3"}));
  q = {};
  q.number_prefix = "000.00.00.H56-260302-d";
  EXPECT_EQ(ids(q).size(), 4u);
  q.number_prefix = "000.00.00.H56-260302-d2";
  EXPECT_EQ(ids(q), std::vector<std::string>{"d2"});
  // With a queue's filter: the agency's dossiers in processing named "nguyen".
  q = {};
  q.agency = "A1";
  q.status = DossierStatus::kInProcessing;
  q.name_prefix = "nguyen";
  EXPECT_EQ(ids(q), (std::vector<std::string>{"d0", "d1"}));
  q.name_prefix = "tran";
  EXPECT_EQ(ids(q), std::vector<std::string>{});
}

// Fields joined by the index separator (a report counter's name).
inline std::string J(std::initializer_list<std::string_view> fields) {
  std::string s;
  for (std::string_view f : fields) {
    if (!s.empty() || f != *fields.begin()) s += kIndexSep;
    s += f;
  }
  return s;
}

// What ScanReportCounters gives for [begin, end), zeros left out.
inline std::map<std::string, int64_t> ReportCounters(Store& s, const std::string& begin,
                                                     const std::string& end) {
  std::map<std::string, int64_t> out;
  std::string last;
  const Status st = s.ScanReportCounters(begin, end, [&](std::string_view name, int64_t value) {
    EXPECT_LT(last, std::string(name)) << "names come once each, in order";
    last = name;
    if (value != 0) out.emplace(name, value);
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

TYPED_TEST_P(StoreConformance, ReportChangesAddUpAcrossCommits) {
  Store& s = *this->store_;
  WriteSet a;
  a.report_deltas = {{J({"f6", "d", "20260302", "A1", "P", "in_counter"}), 2},
                     {J({"f6", "d", "20260303", "A1", "P", "overdue"}), 1},
                     {J({"f6", "y", "2026", "A1", "P", "in_counter"}), 2}};
  ASSERT_TRUE(s.Commit(a).ok());
  WriteSet b;
  b.report_deltas = {{J({"f6", "d", "20260302", "A1", "P", "in_counter"}), 1},
                     {J({"f6", "d", "20260303", "A1", "P", "overdue"}), -1},
                     {J({"f6", "d", "20260304", "A1", "P", "on_time"}), 1}};
  ASSERT_TRUE(s.Commit(b).ok());
  EXPECT_EQ(
      ReportCounters(s, J({"f6", "d", ""}), J({"f6", "d", "20260304"})),
      (std::map<std::string, int64_t>{{J({"f6", "d", "20260302", "A1", "P", "in_counter"}), 3}}));
  EXPECT_EQ(
      ReportCounters(s, J({"f6", "d", "20260304"}), J({"f6", "e"})),
      (std::map<std::string, int64_t>{{J({"f6", "d", "20260304", "A1", "P", "on_time"}), 1}}));
  EXPECT_EQ(ReportCounters(s, J({"f6", "y", ""}), J({"f6", "z"})),
            (std::map<std::string, int64_t>{{J({"f6", "y", "2026", "A1", "P", "in_counter"}), 2}}));
}

TYPED_TEST_P(StoreConformance, StatesArePutDeletedAndScannedByPrefix) {
  Store& s = *this->store_;
  ASSERT_TRUE(
      s.WriteStates({{"dc/a", "1"}, {"dl/a/1", "x"}, {"dl/a/2", "y"}, {"dl/b/1", "z"}}).ok());
  EXPECT_EQ(*s.GetState("dc/a"), std::optional<std::string>("1"));
  EXPECT_EQ(*s.GetState("dc/b"), std::nullopt);
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(*s.ScanStates("dl/a/", "", 10), (Pairs{{"dl/a/1", "x"}, {"dl/a/2", "y"}}));
  EXPECT_EQ(*s.ScanStates("dl/a/", "dl/a/1", 10), (Pairs{{"dl/a/2", "y"}}));
  EXPECT_EQ(*s.ScanStates("dl/", "", 2), (Pairs{{"dl/a/1", "x"}, {"dl/a/2", "y"}}));
  // One write puts and deletes together.
  ASSERT_TRUE(s.WriteStates({{"dc/a", "2"}, {"dl/a/1", std::nullopt}}).ok());
  EXPECT_EQ(*s.GetState("dc/a"), std::optional<std::string>("2"));
  EXPECT_EQ(*s.ScanStates("dl/a/", "", 10), (Pairs{{"dl/a/2", "y"}}));
}

REGISTER_TYPED_TEST_SUITE_P(StoreConformance, CommitIsReadBackWithHistoryIndexesAndOutbox,
                            UpdateMovesIndexEntriesAndVerifies, OutboxIsOrderedAndResumable,
                            QueriesPageWithAStableCursor, DueTimersComeEarliestFirst,
                            IndexScansStopAtTheirEnd, AResultOnItsWayIsInItsStepsQueue,
                            SearchFindsFoldedNamesPhonesAndNumbers, ReportChangesAddUpAcrossCommits,
                            StatesArePutDeletedAndScannedByPrefix);

}  // namespace motcua::testing
