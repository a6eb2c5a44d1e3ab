// The transaction iterator (lib/txn/transaction_iterator.cc) against a
// std::map model: random walks mixing Seek, SeekForPrev, SeekToFirst,
// SeekToLast, Next and Prev -- so direction changes everywhere -- over DB
// entries and pending writes (puts, overwrites, deletions), with and
// without bounds. Then the key ranges those walks cover under
// kSerializable: another client's write to a key a walk stood on, or into
// a gap one of its steps crossed, makes the commit fail; a write outside
// the iterator's bounds does not.
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lsmkv/transaction.h"
#include "support/db_contents.h"
#include "support/model_walker.h"
#include "txn_fixture.h"
#include "util/random.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;

// A ModelWalker that also remembers what its moves covered.
class CoverageWalker {
 public:
  CoverageWalker(Iterator* it, const Model* model) : it_(it), walker_(it, model) {}

  void Step(Random* rnd, const std::string& target) {
    const std::string before = it_->Valid() ? it_->key().ToString() : "";
    const test::ModelWalker::Op op = walker_.Step(rnd, target);
    if (!it_->Valid()) return;
    const std::string now = it_->key().ToString();
    visited_.insert(now);
    if (op == test::ModelWalker::kNext) gaps_.emplace_back(before, now);
    if (op == test::ModelWalker::kPrev) gaps_.emplace_back(now, before);
  }

  // Keys the iterator stood on.
  const std::set<std::string>& visited() const { return visited_; }
  // (a, b): a Next from a or a Prev from b moved between them.
  const std::vector<std::pair<std::string, std::string>>& gaps() const { return gaps_; }

 private:
  Iterator* const it_;
  test::ModelWalker walker_;
  std::set<std::string> visited_;
  std::vector<std::pair<std::string, std::string>> gaps_;
};

template <typename T>
const T& Pick(Random* rnd, const std::vector<T>& from) {
  return from[rnd->Uniform(from.size())];
}

}  // namespace

TEST_CASE("Transaction iterator: random walks in both directions match std::map, and the walked ranges conflict",
          "[txn][iterator][model]") {
  const uint64_t seed = test::TestSeed(2718);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  test::TxnFixture f("txn-iter-walks");
  Model db_model;  // what the DB holds
  const auto random_key = [&] { return "k" + std::to_string(rnd.Uniform(80)); };
  for (int i = 0; i < 50; i++) {
    const std::string k = random_key();
    f.Put(k, "db" + std::to_string(i));
    db_model[k] = "db" + std::to_string(i);
  }

  // How often each kind of conflict check ran (so none is vacuous).
  int visited_checks = 0, gap_checks = 0, outside_checks = 0;
  for (int round = 0; round < 150; round++) {
    INFO("round " << round);
    auto txn = f.Begin(IsolationLevel::kSerializable);
    Model view = db_model;  // what the transaction sees
    std::set<std::string> pending;
    for (int i = 0; i < 20; i++) {
      const std::string k = random_key();
      pending.insert(k);
      if (rnd.OneIn(3)) {
        REQUIRE(txn->Delete(k).ok());
        view.erase(k);
      } else {
        const std::string v = "t" + std::to_string(round) + "." + std::to_string(i);
        REQUIRE(txn->Put(k, v).ok());
        view[k] = v;
      }
    }

    std::string lo = random_key(), hi = random_key();
    if (hi < lo) std::swap(lo, hi);
    const bool bounded = rnd.OneIn(2);
    const Slice lower(lo), upper(hi);
    ReadOptions ro;
    if (bounded) {
      ro.iterate_lower_bound = &lower;
      ro.iterate_upper_bound = &upper;
    }
    Model inside;
    for (const auto& [k, v] : view) {
      if (!bounded || (k >= lo && k < hi)) inside[k] = v;
    }
    auto it = txn->NewIterator(ro);
    CoverageWalker walker(it.get(), &inside);
    // Targets range a little beyond the keys in use, past both ends.
    for (int step = 0; step < 60; step++) walker.Step(&rnd, random_key() + (rnd.OneIn(5) ? "5" : ""));
    it.reset();

    // Another client writes one key; the commit must fail exactly when the
    // walks covered it. Keys the transaction writes conflict anyway, so
    // the covered ones are picked among the others.
    std::vector<std::string> seen_not_written;
    for (const auto& k : walker.visited()) {
      if (pending.count(k) == 0) seen_not_written.push_back(k);
    }
    std::string other_key;
    bool covered = false;
    switch (rnd.Uniform(3)) {
      case 0:
        if (!seen_not_written.empty()) {
          other_key = Pick(&rnd, seen_not_written);
          covered = true;
          visited_checks++;
        }
        break;
      case 1: {
        // a + "\0" is the first key after a: new, and inside the gap unless
        // b is that very key (written by an earlier round).
        std::vector<std::string> gap_keys;
        for (const auto& [a, b] : walker.gaps()) {
          if (a + std::string(1, '\0') < b) gap_keys.push_back(a + std::string(1, '\0'));
        }
        if (!gap_keys.empty()) {
          other_key = Pick(&rnd, gap_keys);
          covered = true;
          gap_checks++;
        }
        break;
      }
      default:
        if (bounded) {
          other_key = rnd.OneIn(2) ? "a-below" : hi;  // below lo; at the exclusive upper bound
          if (pending.count(other_key) != 0) other_key.clear();
          if (!other_key.empty()) outside_checks++;
        }
        break;
    }
    if (!other_key.empty()) {
      f.Put(other_key, "other");
      db_model[other_key] = "other";
    }
    const Status committed = txn->Commit();
    INFO("other key '" << other_key << "' covered " << covered << ": " << committed.ToString());
    if (covered) {
      REQUIRE(committed.IsBusy());
    } else {
      REQUIRE(committed.ok());
      for (const auto& k : pending) {
        if (view.count(k) != 0) {
          db_model[k] = view[k];
        } else {
          db_model.erase(k);
        }
      }
    }
    REQUIRE(test::Contents(f.db.get()) == db_model);
  }
  INFO("visited " << visited_checks << " gap " << gap_checks << " outside " << outside_checks);
  CHECK(visited_checks >= 10);
  CHECK(gap_checks >= 10);
  CHECK(outside_checks >= 10);
}

}  // namespace lsmkv
