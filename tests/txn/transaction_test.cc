// Transactions, one or two at a time: read-your-writes, iterators, save
// points, rollback, and the conflicts each isolation level refuses.
#include "lsmkv/transaction.h"

#include <catch2/catch.hpp>
#include <atomic>
#include <map>
#include <thread>
#include <string>
#include <vector>

#include "txn/transaction_manager.h"
#include "txn_fixture.h"
#include "util/random.h"

namespace lsmkv {

using test::Scan;
using test::TxnFixture;
using test::TxnGet;

TEST_CASE("Transaction: reads its own writes through Get", "[txn]") {
  TxnFixture f("txn-ryw-get");
  f.Put("a", "1");
  f.Put("b", "2");
  auto txn = f.Begin();
  REQUIRE(txn->Put("a", "10").ok());
  REQUIRE(txn->Delete("b").ok());
  REQUIRE(txn->Put("c", "30").ok());
  CHECK(TxnGet(txn.get(), "a") == "10");
  CHECK(TxnGet(txn.get(), "b") == "<none>");
  CHECK(TxnGet(txn.get(), "c") == "30");
  // Nothing reaches the DB before Commit.
  CHECK(f.Get("a") == "1");
  CHECK(f.Get("b") == "2");
  CHECK(f.Get("c") == "<none>");
  REQUIRE(txn->Commit().ok());
  CHECK(f.Get("a") == "10");
  CHECK(f.Get("b") == "<none>");
  CHECK(f.Get("c") == "30");
  // Finished: every call says so.
  CHECK(txn->Put("d", "4").IsInvalidArgument());
  CHECK(txn->Commit().IsInvalidArgument());
  CHECK(txn->Rollback().IsInvalidArgument());
}

TEST_CASE("Transaction: reads at its snapshot, not later writes", "[txn]") {
  TxnFixture f("txn-snapshot");
  f.Put("a", "1");
  auto txn = f.Begin(IsolationLevel::kSnapshot);
  f.Put("a", "2");
  f.Put("b", "3");
  CHECK(TxnGet(txn.get(), "a") == "1");
  CHECK(TxnGet(txn.get(), "b") == "<none>");
  auto it = txn->NewIterator(ReadOptions());
  CHECK(Scan(it.get(), true) == std::vector<std::string>{"a=1"});
  ReadOptions with_snapshot;
  with_snapshot.snapshot = f.db->GetSnapshot();
  std::string value;
  CHECK(txn->Get(with_snapshot, "a", &value).IsInvalidArgument());
  f.db->ReleaseSnapshot(with_snapshot.snapshot);
}

TEST_CASE("Transaction: iterator merges pending writes, both directions, with bounds", "[txn]") {
  TxnFixture f("txn-ryw-iter");
  for (const char* k : {"b", "d", "f", "h"}) f.Put(k, std::string("db-") + k);
  auto txn = f.Begin();
  REQUIRE(txn->Put("a", "p-a").ok());  // before every DB key
  REQUIRE(txn->Put("d", "p-d").ok());  // overwrites a DB key
  REQUIRE(txn->Delete("f").ok());      // hides a DB key
  REQUIRE(txn->Delete("x").ok());      // deletes a missing key
  REQUIRE(txn->Put("e", "p-e").ok());  // between DB keys
  REQUIRE(txn->Put("z", "p-z").ok());  // after every DB key
  auto it = txn->NewIterator(ReadOptions());
  const std::vector<std::string> all = {"a=p-a", "b=db-b", "d=p-d", "e=p-e", "h=db-h", "z=p-z"};
  CHECK(Scan(it.get(), true) == all);
  CHECK(Scan(it.get(), false) == std::vector<std::string>(all.rbegin(), all.rend()));
  CHECK(Scan(it.get(), true, "c") == std::vector<std::string>{"d=p-d", "e=p-e", "h=db-h", "z=p-z"});
  CHECK(Scan(it.get(), false, "f") == std::vector<std::string>{"e=p-e", "d=p-d", "b=db-b", "a=p-a"});

  // Direction changes in the middle, across pending and DB keys.
  it->Seek("d");
  REQUIRE(it->Valid());
  it->Next();
  CHECK(it->key() == "e");
  it->Prev();
  CHECK(it->key() == "d");
  it->Prev();
  CHECK(it->key() == "b");
  it->Next();
  CHECK(it->key() == "d");
  it->Next();
  it->Next();
  CHECK(it->key() == "h");
  it->Prev();
  CHECK(it->key() == "e");

  // Bounds [b, h): both directions.
  const Slice lower("b");
  const Slice upper("h");
  ReadOptions bounded;
  bounded.iterate_lower_bound = &lower;
  bounded.iterate_upper_bound = &upper;
  auto bit = txn->NewIterator(bounded);
  const std::vector<std::string> inside = {"b=db-b", "d=p-d", "e=p-e"};
  CHECK(Scan(bit.get(), true) == inside);
  CHECK(Scan(bit.get(), false) == std::vector<std::string>(inside.rbegin(), inside.rend()));
  CHECK(Scan(bit.get(), true, "a") == inside);
  CHECK(Scan(bit.get(), false, "zz") == std::vector<std::string>(inside.rbegin(), inside.rend()));
}

TEST_CASE("Transaction: iterator matches a std::map model on random data", "[txn]") {
  const uint64_t seed = test::TestSeed(1717);
  INFO("seed " << seed);
  Random rnd(seed);
  TxnFixture f("txn-iter-model");
  std::map<std::string, std::string> model;
  const auto key = [&] { return "k" + std::to_string(rnd.Uniform(60)); };
  for (int i = 0; i < 40; i++) {
    const std::string k = key();
    f.Put(k, "db" + std::to_string(i));
    model[k] = "db" + std::to_string(i);
  }
  auto txn = f.Begin();
  for (int i = 0; i < 40; i++) {
    const std::string k = key();
    if (rnd.OneIn(3)) {
      REQUIRE(txn->Delete(k).ok());
      model.erase(k);
    } else {
      REQUIRE(txn->Put(k, "t" + std::to_string(i)).ok());
      model[k] = "t" + std::to_string(i);
    }
  }
  for (int round = 0; round < 50; round++) {
    const std::string lo = key(), hi = key();
    const Slice lower(lo), upper(hi);
    ReadOptions ro;
    const bool bounded = rnd.OneIn(2);
    if (bounded) {
      ro.iterate_lower_bound = &lower;
      ro.iterate_upper_bound = &upper;
    }
    std::vector<std::string> expected;
    for (const auto& [k, v] : model) {
      if (!bounded || (k >= lo && k < hi)) expected.push_back(k + "=" + v);
    }
    auto it = txn->NewIterator(ro);
    CHECK(Scan(it.get(), true) == expected);
    CHECK(Scan(it.get(), false) == std::vector<std::string>(expected.rbegin(), expected.rend()));
    // A random walk, checked step by step against the model.
    it->SeekToFirst();
    auto m = expected.begin();
    for (int step = 0; step < 30 && it->Valid(); step++) {
      REQUIRE(m != expected.end());
      CHECK(it->key().ToString() + "=" + it->value().ToString() == *m);
      if (rnd.OneIn(3) && m != expected.begin()) {
        it->Prev();
        --m;
      } else {
        it->Next();
        ++m;
      }
    }
    if (!it->Valid()) CHECK(m == expected.end());
  }
}

TEST_CASE("Transaction: save points", "[txn]") {
  TxnFixture f("txn-savepoint");
  f.Put("a", "db");
  auto txn = f.Begin();
  CHECK(txn->RollbackToSavePoint().IsNotFound());
  REQUIRE(txn->Put("a", "1").ok());
  txn->SetSavePoint();
  REQUIRE(txn->Put("a", "2").ok());
  REQUIRE(txn->Put("b", "2").ok());
  txn->SetSavePoint();
  REQUIRE(txn->Delete("a").ok());
  REQUIRE(txn->Put("c", "3").ok());
  CHECK(TxnGet(txn.get(), "a") == "<none>");
  REQUIRE(txn->RollbackToSavePoint().ok());
  CHECK(TxnGet(txn.get(), "a") == "2");
  CHECK(TxnGet(txn.get(), "b") == "2");
  CHECK(TxnGet(txn.get(), "c") == "<none>");
  REQUIRE(txn->RollbackToSavePoint().ok());
  CHECK(TxnGet(txn.get(), "a") == "1");
  CHECK(TxnGet(txn.get(), "b") == "<none>");
  CHECK(txn->RollbackToSavePoint().IsNotFound());
  REQUIRE(txn->Commit().ok());
  CHECK(f.Get("a") == "1");
  CHECK(f.Get("b") == "<none>");
  CHECK(f.Get("c") == "<none>");
}

TEST_CASE("Transaction: Rollback and destruction write nothing", "[txn]") {
  TxnFixture f("txn-rollback");
  {
    auto txn = f.Begin();
    REQUIRE(txn->Put("a", "1").ok());
    REQUIRE(txn->Rollback().ok());
    CHECK(txn->Commit().IsInvalidArgument());
  }
  {
    auto txn = f.Begin();
    REQUIRE(txn->Put("b", "1").ok());
  }  // destroyed uncommitted
  CHECK(f.Get("a") == "<none>");
  CHECK(f.Get("b") == "<none>");
  // No live transaction: the history is released.
  CHECK(GetTransactionStats(f.db.get()).history_entries == 0);
}

TEST_CASE("Transaction: lost update refused at both levels", "[txn]") {
  for (IsolationLevel level : {IsolationLevel::kSnapshot, IsolationLevel::kSerializable}) {
    TxnFixture f("txn-lost-update");
    f.Put("counter", "0");
    auto t1 = f.Begin(level);
    auto t2 = f.Begin(level);
    CHECK(TxnGet(t1.get(), "counter") == "0");
    CHECK(TxnGet(t2.get(), "counter") == "0");
    REQUIRE(t1->Put("counter", "1").ok());
    REQUIRE(t2->Put("counter", "1").ok());
    REQUIRE(t1->Commit().ok());
    const Status s = t2->Commit();
    INFO(s.ToString());
    CHECK(s.IsBusy());
    CHECK(f.Get("counter") == "1");
  }
}

// Two doctors on call; each goes off call if the other is still on.
// Under snapshot isolation both can succeed (write skew).
static Status GoOffCall(Transaction* txn, const std::string& me, const std::string& other) {
  if (TxnGet(txn, other) != "on") return Status::InvalidArgument("other doctor is off");
  return txn->Put(me, "off");
}

TEST_CASE("Transaction: write skew refused under kSerializable, allowed under kSnapshot", "[txn]") {
  for (IsolationLevel level : {IsolationLevel::kSnapshot, IsolationLevel::kSerializable}) {
    TxnFixture f("txn-write-skew");
    f.Put("alice", "on");
    f.Put("bob", "on");
    auto t1 = f.Begin(level);
    auto t2 = f.Begin(level);
    REQUIRE(GoOffCall(t1.get(), "alice", "bob").ok());
    REQUIRE(GoOffCall(t2.get(), "bob", "alice").ok());
    REQUIRE(t1->Commit().ok());
    const Status s = t2->Commit();
    if (level == IsolationLevel::kSnapshot) {
      CHECK(s.ok());  // the anomaly: nobody is on call
      CHECK(f.Get("alice") == "off");
      CHECK(f.Get("bob") == "off");
    } else {
      CHECK(s.IsBusy());
      CHECK(f.Get("alice") == "off");
      CHECK(f.Get("bob") == "on");
    }
  }
}

TEST_CASE("Transaction: a read of a missing key conflicts with its insertion", "[txn]") {
  TxnFixture f("txn-read-absent");
  auto txn = f.Begin();
  CHECK(TxnGet(txn.get(), "ghost") == "<none>");
  REQUIRE(txn->Put("other", "1").ok());
  f.Put("ghost", "boo");
  CHECK(txn->Commit().IsBusy());
}

TEST_CASE("Transaction: a plain Put, Delete or Write after a read invalidates it", "[txn]") {
  for (int kind = 0; kind < 3; kind++) {
    TxnFixture f("txn-plain-write");
    f.Put("balance", "100");
    auto txn = f.Begin();
    CHECK(TxnGet(txn.get(), "balance") == "100");
    REQUIRE(txn->Put("audit", "saw 100").ok());
    if (kind == 0) {
      f.Put("balance", "50");
    } else if (kind == 1) {
      REQUIRE(f.db->Delete(WriteOptions(), "balance").ok());
    } else {
      WriteBatch batch;
      batch.Put("unrelated", "x");
      batch.Put("balance", "70");
      REQUIRE(f.db->Write(WriteOptions(), &batch).ok());
    }
    INFO("kind " << kind);
    CHECK(txn->Commit().IsBusy());
    CHECK(f.Get("audit") == "<none>");
  }
  // A write to a key it did not touch does not.
  TxnFixture f("txn-plain-write-unrelated");
  f.Put("balance", "100");
  auto txn = f.Begin();
  CHECK(TxnGet(txn.get(), "balance") == "100");
  REQUIRE(txn->Put("audit", "saw 100").ok());
  f.Put("elsewhere", "1");
  CHECK(txn->Commit().ok());
}

TEST_CASE("Transaction: kSnapshot ignores writes to keys it only read", "[txn]") {
  TxnFixture f("txn-snapshot-reads");
  f.Put("a", "1");
  auto txn = f.Begin(IsolationLevel::kSnapshot);
  CHECK(TxnGet(txn.get(), "a") == "1");
  REQUIRE(txn->Put("b", "2").ok());
  f.Put("a", "changed");
  CHECK(txn->Commit().ok());
}

// Scans [from, to) and inserts a row counting what it saw: a phantom is a
// concurrent insert into that range.
static void CountRange(Transaction* txn, const std::string& from, const std::string& to,
                       bool bounded, bool forward) {
  const Slice lower(from), upper(to);
  ReadOptions ro;
  if (bounded) {
    ro.iterate_lower_bound = &lower;
    ro.iterate_upper_bound = &upper;
  }
  auto it = txn->NewIterator(ro);
  int n = 0;
  if (forward) {
    for (it->Seek(from); it->Valid() && it->key().compare(to) < 0; it->Next()) n++;
  } else {
    for (it->SeekForPrev(to); it->Valid() && it->key().compare(from) >= 0; it->Prev()) {
      if (it->key().compare(to) < 0) n++;
    }
  }
  REQUIRE(txn->Put("count", std::to_string(n)).ok());
}

TEST_CASE("Transaction: phantoms refused under kSerializable", "[txn]") {
  // Rows r10..r50; the scans cover [r20, r40) or, with the inserted key at
  // the range's end, its empty gap.
  struct Case {
    const char* insert;
    bool bounded;
    bool forward;
  };
  const std::vector<Case> cases = {
      {"r25", true, true},   {"r25", false, true},  {"r25", true, false}, {"r25", false, false},
      {"r35", true, true},   {"r35", true, false},  {"r20", true, true},  {"r39", false, true},
      {"r39", true, false},
  };
  for (const Case& c : cases) {
    for (IsolationLevel level : {IsolationLevel::kSnapshot, IsolationLevel::kSerializable}) {
      TxnFixture f("txn-phantom");
      for (int i = 10; i <= 50; i += 10) f.Put("r" + std::to_string(i), "row");
      auto txn = f.Begin(level);
      CountRange(txn.get(), "r20", "r40", c.bounded, c.forward);
      f.Put(c.insert, "phantom");
      const Status s = txn->Commit();
      INFO("insert " << c.insert << " bounded " << c.bounded << " forward " << c.forward);
      if (level == IsolationLevel::kSerializable) {
        CHECK(s.IsBusy());
      } else {
        CHECK(s.ok());
      }
    }
  }
}

TEST_CASE("Transaction: the empty gap after a range's last key is protected", "[txn]") {
  // The scan runs off the end of the DB: any later key is in the range.
  TxnFixture f("txn-phantom-gap");
  f.Put("a", "1");
  f.Put("b", "2");
  auto txn = f.Begin();
  auto it = txn->NewIterator(ReadOptions());
  int n = 0;
  for (it->Seek("a"); it->Valid(); it->Next()) n++;
  CHECK(n == 2);
  REQUIRE(txn->Put("count", std::to_string(n)).ok());
  f.Put("zzz", "after the end");
  CHECK(txn->Commit().IsBusy());
}

TEST_CASE("Transaction: writes outside a scanned range do not conflict", "[txn]") {
  TxnFixture f("txn-range-outside");
  for (int i = 10; i <= 50; i += 10) f.Put("r" + std::to_string(i), "row");
  auto txn = f.Begin();
  // Stops at r30 without looking further: covers [r20, r30].
  auto it = txn->NewIterator(ReadOptions());
  it->Seek("r20");
  REQUIRE(it->Valid());
  it->Next();
  REQUIRE(it->key() == "r30");
  REQUIRE(txn->Put("seen", "2").ok());
  f.Put("r35", "after where it stopped");
  f.Put("r15", "before where it started");
  CHECK(txn->Commit().ok());
}

TEST_CASE("Transaction: read-only transactions commit without validation", "[txn]") {
  TxnFixture f("txn-read-only");
  f.Put("a", "1");
  auto txn = f.Begin();
  CHECK(TxnGet(txn.get(), "a") == "1");
  f.Put("a", "2");
  const uint64_t validated = GetTransactionStats(f.db.get()).commits_validated;
  CHECK(txn->Commit().ok());
  CHECK(GetTransactionStats(f.db.get()).commits_validated == validated);
}

TEST_CASE("Transaction: older than the kept history, validated against the DB", "[txn]") {
  // Capacity 4: a few writes push the floor past the transaction's snapshot.
  for (bool flush : {false, true}) {
    for (bool conflict : {false, true}) {
      TxnFixture f("txn-history-fallback");
      SetTransactionHistoryCapacity(f.db.get(), 4);
      for (int i = 0; i < 20; i++) f.Put("r" + std::to_string(i), "row");
      auto txn = f.Begin();
      CHECK(TxnGet(txn.get(), "r5") == "row");
      auto it = txn->NewIterator(ReadOptions());
      for (it->Seek("r7"); it->Valid() && it->key().compare("r9") < 0; it->Next()) {
      }
      REQUIRE(txn->Put("result", "x").ok());
      for (int i = 0; i < 10; i++) f.Put("other" + std::to_string(i), "noise");
      if (conflict) f.Put("r85", "phantom");  // inside [r7, r9)
      if (flush) REQUIRE(f.db->Flush().ok());  // the DB check then reads a table
      const TransactionStats before = GetTransactionStats(f.db.get());
      CHECK(before.history_floor > 0);
      const Status s = txn->Commit();
      INFO("flush " << flush << " conflict " << conflict << " " << s.ToString());
      CHECK(s.IsBusy() == conflict);
      CHECK(s.ok() == !conflict);
      CHECK(GetTransactionStats(f.db.get()).db_checks == before.db_checks + 1);
    }
  }
  // A point read too.
  TxnFixture f("txn-history-fallback-point");
  SetTransactionHistoryCapacity(f.db.get(), 2);
  f.Put("k", "1");
  auto txn = f.Begin();
  CHECK(TxnGet(txn.get(), "k") == "1");
  REQUIRE(txn->Put("w", "1").ok());
  REQUIRE(f.db->Delete(WriteOptions(), "k").ok());
  for (int i = 0; i < 5; i++) f.Put("n" + std::to_string(i), "noise");
  CHECK(txn->Commit().IsBusy());
}

TEST_CASE("Transaction: two conflicting commits in one write group", "[txn]") {
  // Many threads commit read-modify-writes of one key at once, so commits
  // share write groups; each success must have seen the previous value.
  TxnFixture f("txn-same-group");
  f.Put("x", "0");
  constexpr int kThreads = 4;
  constexpr int kRounds = 200;
  std::atomic<int> successes{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&] {
      for (int r = 0; r < kRounds; r++) {
        auto txn = f.Begin();
        std::string v;
        if (!txn->Get(ReadOptions(), "x", &v).ok()) continue;
        if (!txn->Put("x", std::to_string(std::stoi(v) + 1)).ok()) continue;
        if (txn->Commit().ok()) successes++;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(f.Get("x") == std::to_string(successes.load()));
}

}  // namespace lsmkv
