// Compactions side by side: several at once never share an input file or
// write into a key range another one reads or writes at the same level;
// one compaction slot stays for level 0; compactions split into key ranges
// (max_subcompactions) keep the data and the MANIFEST right.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "db/db_impl.h"
#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/mem_env.h"
#include "support/slow_tables_env.h"
#include "support/test_util.h"
#include "util/random.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;
using Event = DBImpl::CompactionEvent;

Options SmallLevels(Env* env) {
  Options o;
  o.env = env;
  o.create_if_missing = true;
  o.write_buffer_size = 32 << 10;
  o.target_file_size = 32 << 10;
  o.max_bytes_for_level_base = 64 << 10;
  return o;
}

// The user-key range compaction e covers at `level`: all its inputs' where
// it writes (its outputs lie there), its level-`level` inputs' where it
// only reads.
std::pair<std::string, std::string> RangeAt(const Event& e, int level) {
  if (level == e.output_level) return {e.smallest, e.largest};
  return {e.level_smallest, e.level_largest};
}

// Checks every compaction against those running when it starts.
class CompactionChecker {
 public:
  void OnEvent(const Event& e) {
    std::lock_guard<std::mutex> g(mu_);
    if (!e.started) {
      running_.erase(std::find_if(running_.begin(), running_.end(),
                                  [&](const Event& r) { return r.inputs == e.inputs; }));
      return;
    }
    for (const Event& r : running_) {
      for (uint64_t n : e.inputs) {
        if (std::count(r.inputs.begin(), r.inputs.end(), n) > 0) {
          problems_.push_back("file " + std::to_string(n) + " is an input of two compactions at once");
        }
      }
      // Two compactions touching one level must stay in disjoint key
      // ranges there: one's outputs (anywhere in the range of all its
      // inputs) must not overlap a file the other reads or writes there.
      for (int level : {e.level, e.output_level}) {
        if (level != r.level && level != r.output_level) continue;
        const auto [e_lo, e_hi] = RangeAt(e, level);
        const auto [r_lo, r_hi] = RangeAt(r, level);
        if (!(e_hi < r_lo || r_hi < e_lo)) {
          problems_.push_back("at L" + std::to_string(level) + ": L" + std::to_string(e.level) + "->L" +
                              std::to_string(e.output_level) + " [" + e_lo + ", " + e_hi + "] overlaps running L" +
                              std::to_string(r.level) + "->L" + std::to_string(r.output_level) + " [" + r_lo +
                              ", " + r_hi + "]");
        }
      }
    }
    running_.push_back(e);
    const int deeper = static_cast<int>(
        std::count_if(running_.begin(), running_.end(), [](const Event& r) { return r.level > 0; }));
    max_running_ = std::max(max_running_, static_cast<int>(running_.size()));
    max_deeper_running_ = std::max(max_deeper_running_, deeper);
    if (deeper > 0 && deeper < static_cast<int>(running_.size())) level0_beside_deeper_ = true;
  }

  std::vector<std::string> problems() {
    std::lock_guard<std::mutex> g(mu_);
    return problems_;
  }
  int max_running() {
    std::lock_guard<std::mutex> g(mu_);
    return max_running_;
  }
  int max_deeper_running() {
    std::lock_guard<std::mutex> g(mu_);
    return max_deeper_running_;
  }
  bool level0_beside_deeper() {
    std::lock_guard<std::mutex> g(mu_);
    return level0_beside_deeper_;
  }

 private:
  std::mutex mu_;  // the DB calls under its mutex; the test reads from its own thread
  std::vector<Event> running_;
  std::vector<std::string> problems_;
  int max_running_ = 0;
  int max_deeper_running_ = 0;
  bool level0_beside_deeper_ = false;
};

// Random puts (incompressible values) over `keys` keys: enough data for
// levels 1 to 3, so compactions out of several levels want to run at once.
void Load(DB* db, Model* model, uint64_t seed, int ops, int keys) {
  Random rnd(static_cast<uint32_t>(seed));
  for (int i = 0; i < ops; i++) {
    const std::string k = "k" + std::to_string(100000 + rnd.Uniform(keys));
    if (rnd.OneIn(10)) {
      REQUIRE(db->Delete(WriteOptions(), k).ok());
      model->erase(k);
    } else {
      const std::string v = rnd.Bytes(40);
      REQUIRE(db->Put(WriteOptions(), k, v).ok());
      (*model)[k] = v;
    }
  }
}

std::string Listing(DB* db) {
  std::string listing;
  REQUIRE(db->GetProperty("lsmkv.sstables", &listing));
  return listing;
}

uint64_t IntProperty(DB* db, const char* name) {
  uint64_t v = 0;
  REQUIRE(db->GetIntProperty(name, &v));
  return v;
}

}  // namespace

TEST_CASE("Compaction concurrency: compactions at once never share an input file or a key range of a level",
          "[db][compaction][concurrency]") {
  const uint64_t seed = test::TestSeed(14);
  INFO("seed " << seed);
  MemEnv mem;
  SlowTablesEnv env(&mem, 3000);  // jobs overlap in time
  Options options = SmallLevels(&env);
  options.max_background_jobs = 4;  // a flush thread and three compaction slots
  options.max_subcompactions = 2;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  CompactionChecker checker;
  static_cast<DBImpl*>(db.get())->TEST_SetCompactionObserver([&](const Event& e) { checker.OnEvent(e); });
  Model model;
  Load(db.get(), &model, seed, 60000, 30000);
  static_cast<DBImpl*>(db.get())->TEST_WaitForBackgroundWork();
  std::string problems;
  for (const auto& p : checker.problems()) problems += p + "\n";
  INFO(problems);
  CHECK(problems.empty());
  REQUIRE(checker.max_running() >= 2);  // else this test could not catch anything
  REQUIRE(test::Contents(db.get()) == model);
}

TEST_CASE("Compaction concurrency: one compaction slot stays for level 0", "[db][compaction][concurrency]") {
  const uint64_t seed = test::TestSeed(15);
  INFO("seed " << seed);
  MemEnv mem;
  SlowTablesEnv env(&mem, 3000);
  Options options = SmallLevels(&env);
  options.max_background_jobs = 3;  // a flush thread and two compaction slots
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  CompactionChecker checker;
  static_cast<DBImpl*>(db.get())->TEST_SetCompactionObserver([&](const Event& e) { checker.OnEvent(e); });
  Model model;
  Load(db.get(), &model, seed, 60000, 30000);
  static_cast<DBImpl*>(db.get())->TEST_WaitForBackgroundWork();
  std::string problems;
  for (const auto& p : checker.problems()) problems += p + "\n";
  INFO(problems);
  CHECK(problems.empty());
  // Deeper levels never hold both slots, and level 0 did use its slot
  // while a deeper compaction ran.
  REQUIRE(checker.max_deeper_running() == 1);
  REQUIRE(checker.level0_beside_deeper());
  REQUIRE(test::Contents(db.get()) == model);
}

TEST_CASE("Compaction concurrency: split compactions match a std::map across reopens and the MANIFEST "
          "replays to the same version",
          "[db][compaction][concurrency][model]") {
  const uint64_t seed = test::TestSeed(16);
  INFO("seed " << seed);
  MemEnv env;
  Options options = SmallLevels(&env);
  options.max_background_jobs = 3;
  options.max_subcompactions = 4;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Model model;
  Random rnd(static_cast<uint32_t>(seed));
  uint64_t split_ranges = 0;
  for (int round = 0; round < 4; round++) {
    INFO("round " << round);
    Load(db.get(), &model, seed * 31 + round, 25000, 20000);
    // A snapshot held across compactions keeps what it sees.
    const Snapshot* snap = db->GetSnapshot();
    Model at_snapshot = model;
    Load(db.get(), &model, seed * 37 + round, 5000, 20000);
    ReadOptions ro;
    ro.snapshot = snap;
    Model seen;
    REQUIRE(test::ReadAll(db.get(), &seen, ro).ok());
    REQUIRE(seen == at_snapshot);
    db->ReleaseSnapshot(snap);

    static_cast<DBImpl*>(db.get())->TEST_WaitForBackgroundWork();
    split_ranges += IntProperty(db.get(), "lsmkv.subcompactions");
    REQUIRE(db->Flush().ok());
    static_cast<DBImpl*>(db.get())->TEST_WaitForBackgroundWork();
    const std::string before = Listing(db.get());
    REQUIRE(db->Close().ok());
    db.reset();
    REQUIRE(DB::Open(options, "/db", &db).ok());
    // Reopening replays the MANIFEST the concurrent compactions appended
    // to: the same tables at the same levels.
    REQUIRE(Listing(db.get()) == before);
    REQUIRE(test::Contents(db.get()) == model);
    for (int i = 0; i < 200; i++) {
      const std::string k = "k" + std::to_string(100000 + rnd.Uniform(20000));
      std::string v;
      const Status s = db->Get(ReadOptions(), k, &v);
      auto it = model.find(k);
      if (it == model.end()) {
        REQUIRE(s.IsNotFound());
      } else {
        REQUIRE(s.ok());
        REQUIRE(v == it->second);
      }
    }
  }
  REQUIRE(split_ranges > 0);  // compactions were split: the test covered them
}

}  // namespace lsmkv
