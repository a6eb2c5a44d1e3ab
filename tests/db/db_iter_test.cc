// The DB iterator against a std::map model: random writes, then random walks
// mixing Seek, SeekForPrev, SeekToFirst/Last, Next and Prev, checked at
// every step, at the current state and at older snapshots.
#include <catch2/catch.hpp>
#include <map>

#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/mem_env.h"
#include "support/model_walker.h"
#include "support/test_util.h"
#include "util/random.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;

using Walker = test::ModelWalker;

using Snapshots = std::vector<std::pair<const Snapshot*, Model>>;

// `steps` random Walker steps over db as of `snapshot` (nullptr: now),
// checked against `model`; random_key() gives the seek targets.
template <typename KeyFn>
void RandomWalk(DB* db, const Snapshot* snapshot, const Model& model, Random* rnd, const KeyFn& random_key,
                int steps) {
  ReadOptions ro;
  ro.snapshot = snapshot;
  auto it = db->NewIterator(ro);
  Walker w(it.get(), &model);
  for (int step = 0; step < steps; step++) w.Step(rnd, random_key());
}

// A random walk at the current state, then one at each live snapshot.
template <typename KeyFn>
void WalkNowAndAtSnapshots(DB* db, const Model& model, const Snapshots& snapshots, Random* rnd,
                           const KeyFn& random_key, int now_steps, int snapshot_steps) {
  RandomWalk(db, nullptr, model, rnd, random_key, now_steps);
  for (const auto& [snap, snap_model] : snapshots) RandomWalk(db, snap, snap_model, rnd, random_key, snapshot_steps);
}

}  // namespace

TEST_CASE("DB iterator: random walks match std::map, also at snapshots", "[db][iterator][model]") {
  const uint64_t seed = test::TestSeed(77);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  MemEnv env;
  Options options = test::NewDBOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());

  Model model;
  Snapshots snapshots;
  const auto random_key = [&] {
    // Small key space with shared prefixes and an embedded NUL.
    std::string k = "k" + std::to_string(rnd.Uniform(300));
    if (rnd.OneIn(10)) k.push_back('\0');
    return k;
  };
  for (int round = 0; round < 20; round++) {
    for (int i = 0; i < 500; i++) {
      const std::string k = random_key();
      if (rnd.OneIn(3)) {
        REQUIRE(db->Delete(WriteOptions(), k).ok());
        model.erase(k);
      } else {
        const std::string v = "v" + std::to_string(round) + "." + std::to_string(i);
        REQUIRE(db->Put(WriteOptions(), k, v).ok());
        model[k] = v;
      }
    }
    if (round % 4 == 0) snapshots.emplace_back(db->GetSnapshot(), model);
    if (round == 10) {
      for (auto& s : snapshots) db->ReleaseSnapshot(s.first);
      snapshots.clear();
      db.reset();
      REQUIRE(DB::Open(options, "/db", &db).ok());
    }
    WalkNowAndAtSnapshots(db.get(), model, snapshots, &rnd, random_key, 500, 200);
  }
  for (auto& s : snapshots) db->ReleaseSnapshot(s.first);
}

TEST_CASE("DB iterator: empty DB and fully deleted DB", "[db][iterator]") {
  MemEnv env;
  Options options = test::NewDBOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  for (int pass = 0; pass < 2; pass++) {
    auto it = db->NewIterator(ReadOptions());
    it->SeekToFirst();
    REQUIRE_FALSE(it->Valid());
    it->SeekToLast();
    REQUIRE_FALSE(it->Valid());
    it->Seek("a");
    REQUIRE_FALSE(it->Valid());
    it->SeekForPrev("z");
    REQUIRE_FALSE(it->Valid());
    REQUIRE(it->status().ok());
    it.reset();
    for (const char* k : {"a", "b", "c"}) {
      REQUIRE(db->Put(WriteOptions(), k, "v").ok());
      REQUIRE(db->Delete(WriteOptions(), k).ok());
    }
  }
}

}  // namespace lsmkv

// ---------------------------------------------------------------------------
// Iterators across memtables, level 0 and deeper levels.

#include <set>

#include "db/db_impl.h"
#include "format/filename.h"
#include "table/table.h"

namespace lsmkv {

namespace {

// The entries of `model` inside [lower, upper) (empty string: unbounded).
Model Bounded(const Model& model, const std::string* lower, const std::string* upper) {
  Model out;
  for (const auto& [k, v] : model) {
    if (lower != nullptr && k < *lower) continue;
    if (upper != nullptr && k >= *upper) continue;
    out.emplace(k, v);
  }
  return out;
}

uint64_t CacheMisses(DB* db) {
  std::string stats;
  REQUIRE(db->GetProperty("lsmkv.stats", &stats));
  const size_t p = stats.find("misses ");
  REQUIRE(p != std::string::npos);
  return std::stoull(stats.substr(p + 7));
}

}  // namespace

TEST_CASE("DB iterator: random walks with bounds match std::map across flushes and compactions",
          "[db][iterator][model]") {
  const uint64_t seed = test::TestSeed(5150);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  MemEnv env;
  const Options options = test::SmallLevelsOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Model model;
  const auto random_key = [&] { return "k" + std::to_string(10000 + rnd.Uniform(4000)); };
  int steps = 0;
  for (int round = 0; steps < 120000; round++) {
    INFO("round " << round);
    for (int i = 0; i < 300; i++) {
      const std::string k = random_key();
      if (rnd.OneIn(3)) {
        REQUIRE(db->Delete(WriteOptions(), k).ok());
        model.erase(k);
      } else {
        const std::string v = std::to_string(round) + ":" + rnd.Bytes(rnd.Uniform(30));
        REQUIRE(db->Put(WriteOptions(), k, v).ok());
        model[k] = v;
      }
    }
    if (rnd.OneIn(8)) REQUIRE(db->Flush().ok());
    if (rnd.OneIn(20)) {
      std::string a = random_key(), b = random_key();
      if (b < a) std::swap(a, b);
      const Slice sa(a), sb(b);
      REQUIRE(db->CompactRange(rnd.OneIn(2) ? &sa : nullptr, rnd.OneIn(2) ? &sb : nullptr).ok());
    }
    // An iterator, bounded half of the time.
    std::string lower = random_key(), upper = random_key();
    if (upper < lower) std::swap(lower, upper);
    const bool use_lower = rnd.OneIn(2), use_upper = rnd.OneIn(2);
    const Slice lower_slice(lower), upper_slice(upper);
    ReadOptions ro;
    ro.iterate_lower_bound = use_lower ? &lower_slice : nullptr;
    ro.iterate_upper_bound = use_upper ? &upper_slice : nullptr;
    const Model view = Bounded(model, use_lower ? &lower : nullptr, use_upper ? &upper : nullptr);
    auto it = db->NewIterator(ro);
    Walker w(it.get(), &view);
    for (int i = 0; i < 400; i++, steps++) w.Step(&rnd, random_key());
  }
}

TEST_CASE("DB iterator: a snapshot hides later writes, deletes and compactions", "[db][iterator][snapshot]") {
  MemEnv env;
  const Options options = test::SmallLevelsOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Model before;
  test::PutNumberedKeys(db.get(), 3000, [](int i) { return "v1-" + std::to_string(i); }, &before);
  REQUIRE(db->Flush().ok());
  const Snapshot* snap = db->GetSnapshot();
  for (int i = 0; i < 3000; i++) {
    const std::string k = test::NumberedKey(i);
    if (i % 2 == 0) {
      REQUIRE(db->Delete(WriteOptions(), k).ok());
    } else {
      REQUIRE(db->Put(WriteOptions(), k, "v2").ok());
    }
    REQUIRE(db->Put(WriteOptions(), "new" + std::to_string(i), "n").ok());
  }
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  ReadOptions at;
  at.snapshot = snap;
  auto it = db->NewIterator(at);
  Model seen;
  for (it->SeekToFirst(); it->Valid(); it->Next()) seen[it->key().ToString()] = it->value().ToString();
  REQUIRE(it->status().ok());
  REQUIRE(seen == before);
  Model reversed;
  for (it->SeekToLast(); it->Valid(); it->Prev()) reversed[it->key().ToString()] = it->value().ToString();
  REQUIRE(reversed == before);
  std::string value;
  REQUIRE(db->Get(at, "k10000", &value).ok());
  REQUIRE(value == "v1-0");
  REQUIRE(db->Get(at, "new5", &value).IsNotFound());
  it.reset();
  db->ReleaseSnapshot(snap);
}

TEST_CASE("DB iterator: survives flushes, compactions and the deletion of its files",
          "[db][iterator]") {
  const std::string dir = test::ScratchDir("iter_survives");
  Options options = test::SmallLevelsOptions();
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, dir, &db).ok());
  Model model;
  test::PutNumberedKeys(db.get(), 5000, [](int i) { return std::string(40, 'a' + i % 26); }, &model);
  REQUIRE(db->Flush().ok());
  std::vector<std::string> before_files;
  REQUIRE(Env::Default()->GetChildren(dir, &before_files).ok());
  auto it = db->NewIterator(ReadOptions());
  it->Seek("k12000");  // opened tables and blocks mid-way
  REQUIRE(it->Valid());

  // Rewrite and delete everything underneath it.
  for (int i = 0; i < 5000; i++) {
    REQUIRE(db->Put(WriteOptions(), test::NumberedKey(i), "changed").ok());
  }
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  for (int i = 0; i < 5000; i += 3) REQUIRE(db->Delete(WriteOptions(), test::NumberedKey(i)).ok());
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());

  // The tables it reads are obsolete now but stay on disk while it lives
  // (its Version pins them); it reads exactly the old state, both ways.
  const auto old_tables_left = [&] {
    std::vector<std::string> now;
    REQUIRE(Env::Default()->GetChildren(dir, &now).ok());
    const std::set<std::string> present(now.begin(), now.end());
    int left = 0;
    for (const auto& f : before_files) {
      if (f.size() > 4 && f.substr(f.size() - 4) == ".sst" && present.count(f) > 0) left++;
    }
    return left;
  };
  REQUIRE(old_tables_left() > 0);
  Model seen;
  for (it->SeekToFirst(); it->Valid(); it->Next()) seen[it->key().ToString()] = it->value().ToString();
  REQUIRE(it->status().ok());
  REQUIRE(seen == model);
  it->SeekForPrev("k12000");
  REQUIRE(it->Valid());
  REQUIRE(it->key() == Slice("k12000"));
  it->Prev();
  REQUIRE(it->key() == Slice("k11999"));
  // Once it is gone, the next clean-up deletes them.
  it.reset();
  REQUIRE(db->Put(WriteOptions(), "trigger", "x").ok());
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  REQUIRE(old_tables_left() == 0);
  it.reset();
  db.reset();
  test::RemoveTree(dir);
}

TEST_CASE("DB iterator: a scan of 1M keys reads each block at most once, fill_cache=false spares the cache",
          "[db][iterator]") {
  MemEnv env;
  Options options = test::NewDBOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  constexpr int kKeys = 1000000;
  WriteBatch batch;
  for (int i = 0; i < kKeys; i++) {
    char key[16];
    std::snprintf(key, sizeof(key), "%08d", i);
    batch.Put(key, "value");
    if (batch.Count() == 1000) {
      REQUIRE(db->Write(WriteOptions(), &batch).ok());
      batch.Clear();
    }
  }
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());

  // Count the data blocks of every table.
  uint64_t blocks = 0;
  std::vector<std::string> children;
  REQUIRE(env.GetChildren("/db", &children).ok());
  InternalKeyComparator icmp(BytewiseComparator());
  for (const auto& c : children) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(c, &number, &type) || type != FileType::kTableFile) continue;
    std::unique_ptr<RandomAccessFile> file;
    uint64_t size;
    REQUIRE(env.GetFileSize("/db/" + c, &size).ok());
    REQUIRE(env.NewRandomAccessFile("/db/" + c, &file).ok());
    TableOptions topts;
    topts.comparator = &icmp;
    std::shared_ptr<Table> table;
    REQUIRE(Table::Open(topts, "/db/" + c, std::move(file), size, number, &table).ok());
    blocks += table->properties().num_data_blocks;
  }
  REQUIRE(blocks > 100);

  // Warm a small working set.
  std::string value;
  for (int i = 0; i < 100; i++) REQUIRE(db->Get(ReadOptions(), "00500000", &value).ok());
  const uint64_t before_scan = CacheMisses(db.get());
  {
    ReadOptions scan;
    scan.fill_cache = false;
    auto it = db->NewIterator(scan);
    int n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
    REQUIRE(it->status().ok());
    REQUIRE(n == kKeys);
  }
  const uint64_t after_scan = CacheMisses(db.get());
  INFO("blocks " << blocks << ", misses during scan " << after_scan - before_scan);
  REQUIRE(after_scan - before_scan <= blocks);
  // The working set is still cached: no miss for it.
  REQUIRE(db->Get(ReadOptions(), "00500000", &value).ok());
  REQUIRE(CacheMisses(db.get()) == after_scan);
}

TEST_CASE("DB iterator: a corrupt block ends the scan with Corruption, never wrong data",
          "[db][iterator][corruption]") {
  MemEnv env;
  Options options = test::NewDBOptions(&env);
  options.compression = kNoCompression;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Model model;
  test::PutNumberedKeys(db.get(), 5000, [](int i) { return "value" + std::to_string(i); }, &model);
  REQUIRE(db->Flush().ok());
  db.reset();
  std::vector<std::string> children;
  REQUIRE(env.GetChildren("/db", &children).ok());
  std::string table_name;
  for (const auto& c : children) {
    if (c.size() > 4 && c.substr(c.size() - 4) == ".sst") table_name = "/db/" + c;
  }
  REQUIRE(!table_name.empty());
  std::string data;
  REQUIRE(ReadFileToString(&env, table_name, &data).ok());
  data[data.size() / 3] ^= 0x10;  // inside a data block
  REQUIRE(env.SetContents(table_name, data).ok());

  REQUIRE(DB::Open(options, "/db", &db).ok());
  for (bool forward : {true, false}) {
    auto it = db->NewIterator(ReadOptions());
    int n = 0;
    for (forward ? it->SeekToFirst() : it->SeekToLast(); it->Valid(); forward ? it->Next() : it->Prev()) {
      REQUIRE(model.at(it->key().ToString()) == it->value().ToString());
      n++;
    }
    INFO("entries before the damage: " << n);
    REQUIRE(it->status().IsCorruption());
    REQUIRE(n < static_cast<int>(model.size()));
  }
}

}  // namespace lsmkv

namespace lsmkv {

// LevelDB's bench order in small: random fills, overwrites and deletes
// leave several versions of most keys on level 0 and deeper levels, where
// the merging iterator puts off seeking tables whose bloom filters rule out
// the sought key. Walks at the current state and at snapshots taken between
// the phases, with seeks mostly to present keys.
TEST_CASE("DB iterator: walks over overwritten keys on several levels match std::map at snapshots",
          "[db][iterator][model][snapshot]") {
  const uint64_t seed = test::TestSeed(1416);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  MemEnv env;
  const Options options = test::SmallLevelsOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Model model;
  Snapshots snapshots;
  const auto random_key = [&] { return "key" + std::to_string(100000 + rnd.Uniform(3000)); };
  for (int phase = 0; phase < 6; phase++) {
    INFO("phase " << phase);
    for (int i = 0; i < 3000; i++) {
      const std::string k = random_key();
      if (phase >= 2 && rnd.OneIn(5)) {
        REQUIRE(db->Delete(WriteOptions(), k).ok());
        model.erase(k);
      } else {
        const std::string v = std::to_string(phase) + ":" + rnd.Bytes(20 + rnd.Uniform(60));
        REQUIRE(db->Put(WriteOptions(), k, v).ok());
        model[k] = v;
      }
    }
    if (phase % 2 == 1) REQUIRE(db->Flush().ok());
    snapshots.emplace_back(db->GetSnapshot(), model);
    std::string levels;
    REQUIRE(db->GetProperty("lsmkv.stats", &levels));
    INFO(levels);
    WalkNowAndAtSnapshots(db.get(), model, snapshots, &rnd, random_key, 3000, 1000);
  }
  for (auto& s : snapshots) db->ReleaseSnapshot(s.first);
}

}  // namespace lsmkv

namespace lsmkv {

// In reverse, key() is the iterator's own saved copy: seeking to it must
// not clear it before reading it (found by review: Seek(key()) after Prev
// landed one key early, SeekForPrev(key()) ended the iteration).
TEST_CASE("DB iterator: Seek and SeekForPrev to its own key() after Prev", "[db][iterator]") {
  MemEnv env;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(test::NewDBOptions(&env), "/db", &db).ok());
  for (const char* k : {"apple", "banana", "cherry"}) REQUIRE(db->Put(WriteOptions(), k, k).ok());
  const bool flushed = GENERATE(false, true);
  if (flushed) REQUIRE(db->Flush().ok());
  INFO("flushed " << flushed);
  auto it = db->NewIterator(ReadOptions());
  it->SeekToLast();
  it->Prev();
  REQUIRE(it->Valid());
  REQUIRE(it->key().ToString() == "banana");
  it->Seek(it->key());
  REQUIRE(it->Valid());
  CHECK(it->key().ToString() == "banana");

  it->SeekToLast();
  it->Prev();
  REQUIRE(it->key().ToString() == "banana");
  it->SeekForPrev(it->key());
  REQUIRE(it->Valid());
  CHECK(it->key().ToString() == "banana");
  CHECK(it->value().ToString() == "banana");
}

}  // namespace lsmkv
