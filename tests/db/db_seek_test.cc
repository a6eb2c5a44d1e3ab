// Seeks through the whole read stack against a std::map model, on the
// shapes that exercise its shortcuts: several overlapping level-0 tables
// over deeper levels (the merging iterator stops a seek at the newest
// version, relying on its children being passed newest first), levels of
// many small tables of many small blocks (the level iterator re-points one
// table iterator from table to table, and its probe and seek share the
// tables they open), and a table cache smaller than the number of tables.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "lsmkv/db.h"
#include "support/mem_env.h"
#include "support/model_walker.h"
#include "support/test_util.h"
#include "util/random.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;

uint64_t FilesAtLevel(DB* db, int level) {
  std::string v;
  REQUIRE(db->GetProperty("lsmkv.num-files-at-level" + std::to_string(level), &v));
  return std::stoull(v);
}

// Seeks to `picks` keys of the model (present keys, as seekrandom does) and
// to keys near them, each followed by a few steps forward or back, at the
// state `snapshot` (nullptr: now) shows; `model` is that state.
void CheckSeeks(DB* db, const Snapshot* snapshot, const Model& model, Random* rnd, int picks) {
  ReadOptions ro;
  ro.snapshot = snapshot;
  auto it = db->NewIterator(ro);
  for (int i = 0; i < picks && !model.empty(); i++) {
    auto pick = model.begin();
    std::advance(pick, rnd->Uniform(model.size()));
    std::string target = pick->first;
    if (rnd->OneIn(4)) target.push_back('!');  // just past a present key
    it->Seek(target);
    auto expect = model.lower_bound(target);
    INFO("seek " << target);
    REQUIRE(it->status().ok());
    REQUIRE(it->Valid() == (expect != model.end()));
    const bool forward = !rnd->OneIn(3);
    for (int step = 0; step < 4 && expect != model.end(); step++) {
      REQUIRE(it->Valid());
      REQUIRE(it->key().ToString() == expect->first);
      REQUIRE(it->value().ToString() == expect->second);
      if (forward) {
        it->Next();
        ++expect;
      } else {
        it->Prev();
        expect = expect == model.begin() ? model.end() : std::prev(expect);
      }
      REQUIRE(it->status().ok());
      REQUIRE(it->Valid() == (expect != model.end()));
    }
  }
}

}  // namespace

TEST_CASE("DB seeks: overlapping level-0 tables over deeper levels, small blocks, few open tables, "
          "match std::map at snapshots",
          "[db][iterator][model][snapshot]") {
  const uint64_t seed = test::TestSeed(1420);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  MemEnv env;
  Options options = test::SmallLevelsOptions(&env);
  options.block_size = 256;       // many blocks per table: block switches within a table
  options.max_open_files = 16;    // a table cache of 6: tables are evicted while iterators hold them
  options.level0_file_num_compaction_trigger = 6;  // several overlapping level-0 tables
  options.level0_slowdown_writes_trigger = 20;
  options.level0_stop_writes_trigger = 24;
  options.read_triggered_compaction = false;  // the seeks must not flatten the shape
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());

  Model model;
  std::vector<std::pair<const Snapshot*, Model>> snapshots;
  const auto random_key = [&] { return "key" + std::to_string(10000 + rnd.Uniform(2500)); };
  uint64_t most_level0_over_deeper = 0;  // level-0 tables seen over a non-empty deeper level
  for (int phase = 0; phase < 12; phase++) {
    INFO("phase " << phase);
    // Each phase overwrites part of the key space (so versions of one key
    // sit in several level-0 tables and levels) and deletes some keys.
    const int writes = 400 + static_cast<int>(rnd.Uniform(800));
    for (int i = 0; i < writes; i++) {
      const std::string k = random_key();
      if (phase >= 2 && rnd.OneIn(6)) {
        REQUIRE(db->Delete(WriteOptions(), k).ok());
        model.erase(k);
      } else {
        const std::string v = std::to_string(phase) + ":" + rnd.Bytes(10 + rnd.Uniform(50));
        REQUIRE(db->Put(WriteOptions(), k, v).ok());
        model[k] = v;
      }
    }
    // Most phases end in a table of their own on level 0; one pushes
    // everything down, so that later level-0 tables sit over deep levels.
    if (phase == 5) {
      REQUIRE(db->CompactRange(nullptr, nullptr).ok());
    } else if (!rnd.OneIn(4)) {
      REQUIRE(db->Flush().ok());
    }
    if (phase % 3 == 1) snapshots.emplace_back(db->GetSnapshot(), model);
    uint64_t deeper = 0;
    for (int level = 1; level < 7; level++) deeper += FilesAtLevel(db.get(), level);
    if (deeper > 0) most_level0_over_deeper = std::max(most_level0_over_deeper, FilesAtLevel(db.get(), 0));

    CheckSeeks(db.get(), nullptr, model, &rnd, 400);
    {
      auto it = db->NewIterator(ReadOptions());
      test::ModelWalker walker(it.get(), &model);
      for (int step = 0; step < 1500; step++) walker.Step(&rnd, random_key());
    }
    for (const auto& [snapshot, snapshot_model] : snapshots) {
      CheckSeeks(db.get(), snapshot, snapshot_model, &rnd, 150);
      ReadOptions ro;
      ro.snapshot = snapshot;
      auto it = db->NewIterator(ro);
      test::ModelWalker walker(it.get(), &snapshot_model);
      for (int step = 0; step < 300; step++) walker.Step(&rnd, random_key());
    }
  }
  for (auto& s : snapshots) db->ReleaseSnapshot(s.first);
  // The shape the test is about was reached.
  REQUIRE(most_level0_over_deeper >= 3);
}

// A table of a level that cannot be opened (its footer is damaged) stops
// that level's stream with Corruption: its entries before the table are all
// returned, in order, and none after it (the level iterator does not skip
// the table). As before, the merged walk goes on with the other children
// (a level-0 table here) and status() reports the Corruption. Seeks into
// the intact tables still read right (through the probes, which share the
// tables they open with the level iterator).
TEST_CASE("DB seeks: a level table that cannot be opened stops the walk, the other tables still read",
          "[db][iterator][corruption]") {
  MemEnv env;
  Options options = test::SmallLevelsOptions(&env);
  options.compression = kNoCompression;
  options.read_triggered_compaction = false;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Model model;
  for (int i = 0; i < 6000; i++) {
    char k[16];
    std::snprintf(k, sizeof(k), "key%06d", i * 2);  // even numbers: room for level-0 keys between
    model[k] = "value" + std::to_string(i) + std::string(40, 'x');
    REQUIRE(db->Put(WriteOptions(), k, model[k]).ok());
  }
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  db.reset();
  std::vector<std::string> tables;
  {
    std::vector<std::string> children;
    REQUIRE(env.GetChildren("/db", &children).ok());
    for (const auto& c : children) {
      if (c.size() > 4 && c.substr(c.size() - 4) == ".sst") tables.push_back("/db/" + c);
    }
  }
  REQUIRE(tables.size() >= 4);
  std::sort(tables.begin(), tables.end());
  // Damage the footer of a table in the middle of the key range.
  const std::string bad = tables[tables.size() / 2];
  std::string data;
  REQUIRE(ReadFileToString(&env, bad, &data).ok());
  data[data.size() - 1] ^= 0x55;  // the magic
  REQUIRE(env.SetContents(bad, data).ok());

  REQUIRE(DB::Open(options, "/db", &db).ok());
  // A level-0 table above the damaged level, its keys between the others.
  for (int i = 0; i < 200; i++) {
    char k[16];
    std::snprintf(k, sizeof(k), "key%06d", i * 60 + 1);
    model[k] = "l0-" + std::to_string(i);
    REQUIRE(db->Put(WriteOptions(), k, model[k]).ok());
  }
  REQUIRE(db->Flush().ok());

  for (const bool forward : {true, false}) {
    INFO((forward ? "forward" : "backward"));
    // The level's keys (even numbers) in walk order.
    std::vector<std::string> level_keys;
    for (const auto& [k, v] : model) {
      if ((k.back() - '0') % 2 == 0) level_keys.push_back(k);
    }
    if (!forward) std::reverse(level_keys.begin(), level_keys.end());
    auto it = db->NewIterator(ReadOptions());
    forward ? it->SeekToFirst() : it->SeekToLast();
    size_t level_returned = 0;
    std::string previous;
    for (; it->Valid(); forward ? it->Next() : it->Prev()) {
      const std::string k = it->key().ToString();
      REQUIRE(model.count(k) == 1);
      REQUIRE(it->value().ToString() == model[k]);
      if (!previous.empty()) REQUIRE((forward ? previous < k : previous > k));
      previous = k;
      if ((k.back() - '0') % 2 == 0) {
        // No gap in the level's stream: the next of its keys, or nothing.
        REQUIRE(level_returned < level_keys.size());
        REQUIRE(k == level_keys[level_returned]);
        level_returned++;
      }
    }
    REQUIRE(it->status().IsCorruption());
    REQUIRE(level_returned > 0);
    REQUIRE(level_returned < level_keys.size());
  }
  // Seeks: keys in intact tables read right; a key in the damaged table's
  // range reports Corruption, and what the iterator is on (another
  // child's next entry) is never a wrong entry.
  int intact = 0;
  int damaged = 0;
  for (int i = 0; i < 12000; i += 37) {
    char k[16];
    std::snprintf(k, sizeof(k), "key%06d", i);
    auto it = db->NewIterator(ReadOptions());
    it->Seek(k);
    if (!it->status().ok()) {
      REQUIRE(it->status().IsCorruption());
      if (it->Valid()) {
        REQUIRE(it->key().ToString() >= std::string(k));
        REQUIRE(model.at(it->key().ToString()) == it->value().ToString());
      }
      damaged++;
      continue;
    }
    auto expect = model.lower_bound(k);
    REQUIRE(it->Valid() == (expect != model.end()));
    if (it->Valid()) {
      REQUIRE(it->key().ToString() == expect->first);
      REQUIRE(it->value().ToString() == expect->second);
    }
    intact++;
  }
  REQUIRE(damaged > 0);
  REQUIRE(intact > damaged);
}

}  // namespace lsmkv
