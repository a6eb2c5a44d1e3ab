// Leveled compaction: the model test with small levels, tombstones,
// space reclamation, snapshots, concurrency and background errors.
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "db/db_impl.h"
#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/fault_env.h"
#include "support/mem_env.h"
#include "support/slow_tables_env.h"
#include "support/test_util.h"
#include "util/random.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;

using test::Contents;
using test::NumberedKey;
using test::PutNumberedKeys;

struct TableInfo {
  int level;
  uint64_t size;
  std::string smallest, largest;
};

// Parses lsmkv.sstables (keys in these tests need no unescaping).
std::vector<TableInfo> Tables(DB* db) {
  std::string listing;
  REQUIRE(db->GetProperty("lsmkv.sstables", &listing));
  std::vector<TableInfo> out;
  std::istringstream in(listing);
  std::string line;
  while (std::getline(in, line)) {
    TableInfo t;
    t.level = std::stoi(line.substr(line.find("level=") + 6));
    t.size = std::stoull(line.substr(line.find("size=") + 5));
    const size_t s = line.find("smallest='") + 10;
    t.smallest = line.substr(s, line.find('\'', s) - s);
    const size_t l = line.find("largest='") + 9;
    t.largest = line.substr(l, line.find('\'', l) - l);
    out.push_back(t);
  }
  return out;
}

// Level 1 and deeper hold disjoint, sorted key ranges.
void CheckLevelsDisjoint(DB* db) {
  std::map<int, std::vector<TableInfo>> by_level;
  for (const auto& t : Tables(db)) by_level[t.level].push_back(t);
  for (auto& [level, tables] : by_level) {
    if (level == 0) continue;
    for (size_t i = 1; i < tables.size(); i++) {
      INFO("level " << level << ": " << tables[i - 1].largest << " vs " << tables[i].smallest);
      REQUIRE(tables[i - 1].largest < tables[i].smallest);
    }
  }
}

uint64_t TableBytes(DB* db) {
  uint64_t sum = 0;
  for (const auto& t : Tables(db)) sum += t.size;
  return sum;
}

int DeepestLevel(DB* db) {
  int deepest = -1;
  for (const auto& t : Tables(db)) deepest = std::max(deepest, t.level);
  return deepest;
}

}  // namespace

TEST_CASE("Compaction: 500k random ops with small levels match std::map", "[db][compaction][model]") {
  const uint64_t seed = test::TestSeed(4242);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  MemEnv env;
  const Options options = test::SmallLevelsOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Model model;
  for (int op = 1; op <= 500000; op++) {
    const std::string key = "key" + std::to_string(100000 + rnd.Uniform(50000));
    const uint64_t r = rnd.Uniform(100);
    if (r < 60) {
      const std::string value = rnd.Bytes(rnd.Uniform(40));
      REQUIRE(db->Put(WriteOptions(), key, value).ok());
      model[key] = value;
    } else if (r < 85) {
      REQUIRE(db->Delete(WriteOptions(), key).ok());
      model.erase(key);
    } else {
      std::string value;
      const Status s = db->Get(ReadOptions(), key, &value);
      auto it = model.find(key);
      if (it == model.end()) {
        REQUIRE(s.IsNotFound());
      } else {
        REQUIRE(s.ok());
        REQUIRE(value == it->second);
      }
    }
    if (op % 50000 == 0) {
      INFO("op " << op);
      REQUIRE(Contents(db.get()) == model);
      CheckLevelsDisjoint(db.get());
      if (op % 100000 == 0) {
        db.reset();
        REQUIRE(DB::Open(options, "/db", &db).ok());
        REQUIRE(Contents(db.get()) == model);
        CheckLevelsDisjoint(db.get());
      }
    }
  }
  REQUIRE(DeepestLevel(db.get()) >= 2);  // data really moved down
  std::string stats;
  REQUIRE(db->GetProperty("lsmkv.stats", &stats));
  INFO(stats);
  REQUIRE(stats.find("L1 ") != std::string::npos);
}

TEST_CASE("Compaction: a level far over budget drains in multi-file bites and matches std::map",
          "[db][compaction][model]") {
  const uint64_t seed = test::TestSeed(1414);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  MemEnv env;
  Options options = test::SmallLevelsOptions(&env);  // L1 budget: 4 tables' worth
  // Memtables large enough that only the explicit flushes below fill level
  // 0 (15 files: below the stop trigger, so paused compactions never stop
  // the writes).
  options.write_buffer_size = 1 << 20;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  auto* impl = static_cast<DBImpl*>(db.get());
  using Event = DBImpl::CompactionEvent;
  std::mutex mu;
  size_t level1_compactions = 0, level1_bites = 0;
  impl->TEST_SetCompactionObserver([&](const Event& e) {
    if (!e.started || e.level != 1 || e.read_triggered) return;
    std::lock_guard<std::mutex> g(mu);
    level1_compactions++;
    if (e.level_inputs >= 2) level1_bites++;
  });
  // Level 0 builds up while compactions wait; the L0 -> L1 compaction then
  // leaves level 1 many times over its budget, as a fast random fill does.
  impl->TEST_PauseCompactions(true);
  Model model;
  for (int op = 0; op < 60000; op++) {
    const std::string key = "key" + std::to_string(100000 + rnd.Uniform(40000));
    if (rnd.Uniform(10) < 8) {
      const std::string value = rnd.Bytes(20 + rnd.Uniform(40));
      REQUIRE(db->Put(WriteOptions(), key, value).ok());
      model[key] = value;
    } else {
      REQUIRE(db->Delete(WriteOptions(), key).ok());
      model.erase(key);
    }
    if (op % 4000 == 3999) REQUIRE(db->Flush().ok());
  }
  impl->TEST_PauseCompactions(false);
  impl->TEST_WaitForBackgroundWork();
  {
    std::lock_guard<std::mutex> g(mu);
    INFO(level1_compactions << " compactions out of level 1");
    REQUIRE(level1_bites > 0);
  }
  REQUIRE(Contents(db.get()) == model);
  CheckLevelsDisjoint(db.get());
  impl->TEST_SetCompactionObserver(nullptr);
  db.reset();
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE(Contents(db.get()) == model);
  CheckLevelsDisjoint(db.get());
}

TEST_CASE("Compaction: deleted keys never come back", "[db][compaction]") {
  MemEnv env;
  const Options options = test::SmallLevelsOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Model model;
  PutNumberedKeys(db.get(), 20000, [](int) { return std::string(50, 'v'); }, &model);
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());  // values now deep down
  for (int i = 0; i < 20000; i += 2) {
    const std::string k = NumberedKey(i);
    REQUIRE(db->Delete(WriteOptions(), k).ok());
    model.erase(k);
  }
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  REQUIRE(Contents(db.get()) == model);
  db.reset();
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE(Contents(db.get()) == model);
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  REQUIRE(Contents(db.get()) == model);
  std::string value;
  REQUIRE(db->Get(ReadOptions(), "k10000", &value).IsNotFound());
  REQUIRE(db->Get(ReadOptions(), "k10001", &value).ok());
}

TEST_CASE("Compaction: space is reclaimed after deleting everything", "[db][compaction]") {
  MemEnv env;
  Options options = test::SmallLevelsOptions(&env);
  options.write_buffer_size = 1 << 20;
  options.target_file_size = 1 << 20;
  options.max_bytes_for_level_base = 4 << 20;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Random rnd(17);
  constexpr int kKeys = 50000;  // 50,000 × 1 KiB ≈ 50 MB
  for (int i = 0; i < kKeys; i++) {
    REQUIRE(db->Put(WriteOptions(), "key" + std::to_string(i), rnd.Bytes(1000)).ok());
  }
  REQUIRE(db->Flush().ok());
  REQUIRE(TableBytes(db.get()) > (40 << 20));
  for (int i = 0; i < kKeys; i++) REQUIRE(db->Delete(WriteOptions(), "key" + std::to_string(i)).ok());
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  INFO(TableBytes(db.get()));
  REQUIRE(TableBytes(db.get()) < (1 << 20));
  REQUIRE(Contents(db.get()).empty());
}

TEST_CASE("Compaction: a snapshot keeps old values through full compaction", "[db][compaction][snapshot]") {
  MemEnv env;
  const Options options = test::SmallLevelsOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Model before;
  PutNumberedKeys(db.get(), 5000, [](int i) { return "old" + std::to_string(i); }, &before);
  const Snapshot* snap = db->GetSnapshot();
  Model after = before;
  for (int i = 0; i < 5000; i++) {
    const std::string k = NumberedKey(i);
    if (i % 3 == 0) {
      REQUIRE(db->Delete(WriteOptions(), k).ok());
      after.erase(k);
    } else {
      REQUIRE(db->Put(WriteOptions(), k, "new").ok());
      after[k] = "new";
    }
  }
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  REQUIRE(Contents(db.get(), snap) == before);
  REQUIRE(Contents(db.get()) == after);
  std::string value;
  ReadOptions at_snap;
  at_snap.snapshot = snap;
  REQUIRE(db->Get(at_snap, "k10000", &value).ok());
  REQUIRE(value == "old0");
  const uint64_t with_snapshot = TableBytes(db.get());
  db->ReleaseSnapshot(snap);
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  REQUIRE(Contents(db.get()) == after);
  REQUIRE(TableBytes(db.get()) < with_snapshot);  // old versions are gone now
}

// Snapshots keep several versions of a key through compactions; an output
// table must not end between two of them. (If it did, a later compaction
// could move the newer version one level down while the older one stays
// above it, and reads would return the older value: LevelDB issue 320.)
TEST_CASE("Compaction: output tables never split one user key's versions", "[db][compaction][snapshot]") {
  MemEnv env;
  Options options = test::SmallLevelsOptions(&env);
  options.target_file_size = 4096;  // cut outputs often
  options.compression = kNoCompression;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Random rnd(test::TestSeed(320));
  std::vector<const Snapshot*> snapshots;
  Model model;
  for (int round = 0; round < 12; round++) {
    for (int k = 0; k < 40; k++) {
      const std::string key = "key" + std::to_string(100 + k);
      const std::string value = std::to_string(round) + std::string(200 + rnd.Uniform(200), 'v');
      REQUIRE(db->Put(WriteOptions(), key, value).ok());
      model[key] = value;
    }
    snapshots.push_back(db->GetSnapshot());  // every version stays visible to someone
  }
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  CheckLevelsDisjoint(db.get());
  // Release the snapshots one by one, compacting parts of the range in
  // between, then read every key back.
  for (size_t i = 0; i < snapshots.size(); i++) {
    db->ReleaseSnapshot(snapshots[i]);
    const std::string begin = "key" + std::to_string(100 + rnd.Uniform(40));
    const Slice b(begin);
    REQUIRE(db->CompactRange(&b, nullptr).ok());
    CheckLevelsDisjoint(db.get());
  }
  for (const auto& [k, v] : model) {
    std::string got;
    REQUIRE(db->Get(ReadOptions(), k, &got).ok());
    REQUIRE(got == v);
  }
  REQUIRE(Contents(db.get()) == model);
}

TEST_CASE("Compaction: 4 writers and 4 readers while compactions run", "[db][compaction][concurrency]") {
  MemEnv env;
  Options options = test::SmallLevelsOptions(&env);
  options.max_background_jobs = 3;  // flushes plus two concurrent compactions
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  constexpr int kWriters = 4, kKeysPerWriter = 500, kRounds = 30;
  // deleted[w][k]: set once writer w's final Delete of key k returned.
  std::vector<std::unique_ptr<std::atomic<bool>[]>> deleted;
  for (int w = 0; w < kWriters; w++) {
    deleted.emplace_back(new std::atomic<bool>[kKeysPerWriter]);
    for (int k = 0; k < kKeysPerWriter; k++) deleted[w][k] = false;
  }
  std::atomic<bool> failed{false}, done{false};
  const auto key_of = [](int w, int k) { return "w" + std::to_string(w) + "-" + std::to_string(1000 + k); };
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; w++) {
    threads.emplace_back([&, w] {
      for (int round = 0; round < kRounds; round++) {
        for (int k = 0; k < kKeysPerWriter; k++) {
          // Value: the key, then the round, padded.
          if (!db->Put(WriteOptions(), key_of(w, k), key_of(w, k) + "@" + std::to_string(round) + std::string(40, '.')).ok()) {
            failed = true;
          }
        }
      }
      for (int k = 0; k < kKeysPerWriter; k += 2) {
        if (!db->Delete(WriteOptions(), key_of(w, k)).ok()) failed = true;
        deleted[w][k] = true;
      }
    });
  }
  for (int r = 0; r < 4; r++) {
    threads.emplace_back([&, r] {
      Random rnd(r);
      while (!done.load()) {
        const int w = static_cast<int>(rnd.Uniform(kWriters));
        const int k = static_cast<int>(rnd.Uniform(kKeysPerWriter));
        const bool was_deleted = deleted[w][k].load();
        std::string value;
        const Status s = db->Get(ReadOptions(), key_of(w, k), &value);
        if (s.ok()) {
          if (was_deleted || value.rfind(key_of(w, k) + "@", 0) != 0) failed = true;
        } else if (!s.IsNotFound()) {
          failed = true;
        }
        if (rnd.OneIn(50)) {
          auto it = db->NewIterator(ReadOptions());
          for (it->SeekToFirst(); it->Valid(); it->Next()) {
            if (it->value().ToString().rfind(it->key().ToString() + "@", 0) != 0) failed = true;
          }
          if (!it->status().ok()) failed = true;
        }
      }
    });
  }
  for (int w = 0; w < kWriters; w++) threads[w].join();
  done = true;
  for (size_t i = kWriters; i < threads.size(); i++) threads[i].join();
  REQUIRE_FALSE(failed.load());
  db.reset();
  REQUIRE(DB::Open(options, "/db", &db).ok());
  const Model got = Contents(db.get());
  REQUIRE(got.size() == kWriters * kKeysPerWriter / 2);
  for (const auto& [k, v] : got) REQUIRE(v.rfind(k + "@" + std::to_string(kRounds - 1), 0) == 0);
}

TEST_CASE("Compaction: an I/O error is sticky and the DB reopens cleanly", "[db][compaction][fault]") {
  MemEnv mem;
  FaultEnv env(&mem);
  const Options options = test::SmallLevelsOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  WriteOptions sync;
  sync.sync = true;
  Model model;
  PutNumberedKeys(db.get(), 5000, [](int) { return std::string(60, 'x'); }, &model, sync);
  REQUIRE(db->Flush().ok());
  env.FailNth(FaultEnv::Op::kWrite, 3, /*sticky=*/true);
  const Status s = db->CompactRange(nullptr, nullptr);
  REQUIRE(s.IsIOError());
  REQUIRE(db->Put(WriteOptions(), "after", "x").IsIOError());
  env.ClearFailures();
  db.reset();
  REQUIRE(env.DropUnsyncedData(true).ok());
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE(Contents(db.get()) == model);
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  REQUIRE(Contents(db.get()) == model);
}

TEST_CASE("Compaction: level-0 back-pressure slows and stops writes, never fails them",
          "[db][compaction]") {
  MemEnv env;
  Options options = test::SmallLevelsOptions(&env);
  options.write_buffer_size = 16 << 10;
  options.level0_file_num_compaction_trigger = 2;
  options.level0_slowdown_writes_trigger = 3;
  options.level0_stop_writes_trigger = 4;
  options.max_background_jobs = 1;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Model model;
  for (int i = 0; i < 30000; i++) {
    const std::string k = "k" + std::to_string(100000 + (i * 7919) % 30000);
    REQUIRE(db->Put(WriteOptions(), k, std::string(50, 'y')).ok());
    model[k] = std::string(50, 'y');
  }
  std::string l0;
  REQUIRE(db->GetProperty("lsmkv.num-files-at-level0", &l0));
  REQUIRE(std::stoi(l0) <= options.level0_stop_writes_trigger);
  REQUIRE(Contents(db.get()) == model);
  std::string stats;
  REQUIRE(db->GetProperty("lsmkv.stats", &stats));
  INFO(stats);
  REQUIRE(stats.find("stall: 0.000 s") == std::string::npos);
}

}  // namespace lsmkv

namespace lsmkv {

TEST_CASE("Compaction: disjoint flushes skip level 0 and move down without being rewritten, outputs are split",
          "[db][compaction]") {
  MemEnv env;
  Options options = test::SmallLevelsOptions(&env);
  options.level0_file_num_compaction_trigger = 2;
  options.max_bytes_for_level_base = 4 << 10;  // level 2 holds 40 KiB: the flushes overflow it
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  // Sequential keys, one flush per batch: every table covers its own key
  // range, so each flush goes straight to level 2 and compaction can move
  // files from there instead of merging them.
  for (int batch = 0; batch < 8; batch++) {
    for (int i = 0; i < 500; i++) {
      char key[32];
      std::snprintf(key, sizeof(key), "key%06d", batch * 500 + i);
      REQUIRE(db->Put(WriteOptions(), key, std::string(60, 'm')).ok());
    }
    REQUIRE(db->Flush().ok());
  }
  static_cast<DBImpl*>(db.get())->TEST_WaitForBackgroundWork();
  std::string stats;
  REQUIRE(db->GetProperty("lsmkv.stats", &stats));
  INFO(stats);
  REQUIRE(stats.find("flushes: 8 (8 placed below level 0)") != std::string::npos);
  // Moves out of level 2 show up as compactions into level 3 that read and
  // wrote nothing.
  const size_t l3 = stats.find("\nL3 ");
  REQUIRE(l3 != std::string::npos);
  REQUIRE(stats.substr(l3, stats.find('\n', l3 + 1) - l3).find(" 0.00       0.00") != std::string::npos);
  const auto tables = Tables(db.get());
  int deeper = 0;
  for (const auto& t : tables) deeper += t.level >= 1;
  REQUIRE(deeper >= 4);
  // Every byte was written once to a table (plus the WAL): no rewrite.
  const size_t amp = stats.find("write amplification: ");
  REQUIRE(amp != std::string::npos);
  REQUIRE(std::stod(stats.substr(amp + 21)) < 2.2);

  // A merge compaction's outputs are cut near target_file_size (the check
  // runs when a data block is written, and filter, index and footer follow);
  // unsplit, the data would make one ~500 KiB table.
  for (int i = 0; i < 40000; i++) {
    REQUIRE(db->Put(WriteOptions(), "r" + std::to_string((i * 7919) % 40000), std::string(60, 'r')).ok());
  }
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  for (const auto& t : Tables(db.get())) {
    INFO("level " << t.level << " size " << t.size);
    REQUIRE(t.size < 2 * options.target_file_size);
  }
}

}  // namespace lsmkv

namespace lsmkv {

// Two compactions whose files do not overlap run at the same time: table
// creation is slowed down so that jobs overlap in time, and the picker must
// hand the second thread a compaction of other files.
TEST_CASE("Compaction: non-overlapping compactions run at the same time", "[db][compaction][concurrency]") {
  MemEnv mem;
  SlowTablesEnv env(&mem, 5000);
  Options options = test::SmallLevelsOptions(&env);
  options.max_background_jobs = 3;  // one for flushes, two for compactions
  options.write_buffer_size = 32 << 10;
  options.target_file_size = 32 << 10;
  options.max_bytes_for_level_base = 64 << 10;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Random rnd(8);
  Model model;
  for (int i = 0; i < 60000; i++) {
    const std::string k = "k" + std::to_string(100000 + rnd.Uniform(30000));
    // Incompressible values: ~1.5 MB of live data fills levels 1 to 3, so
    // compactions out of different levels can run at once.
    const std::string v = rnd.Bytes(40);
    REQUIRE(db->Put(WriteOptions(), k, v).ok());
    model[k] = v;
  }
  static_cast<DBImpl*>(db.get())->TEST_WaitForBackgroundWork();
  std::string stats;
  REQUIRE(db->GetProperty("lsmkv.stats", &stats));
  INFO(stats);
  const size_t p = stats.find("compactions at once (max): ");
  REQUIRE(p != std::string::npos);
  REQUIRE(std::stoi(stats.substr(p + 27)) >= 2);
  REQUIRE(Contents(db.get()) == model);
  CheckLevelsDisjoint(db.get());
}

}  // namespace lsmkv
