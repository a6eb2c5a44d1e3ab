// Read-triggered compaction: Gets and iterator seeks that keep consulting a
// table and going on past it compact that table one level down, so a
// read-heavy phase flattens the tree; Options::read_triggered_compaction
// turns it off.
#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "db/db_impl.h"
#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/mem_env.h"
#include "support/test_util.h"
#include "util/random.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;

uint64_t IntProperty(DB* db, const std::string& name) {
  uint64_t v = 0;
  REQUIRE(db->GetIntProperty(name, &v));
  return v;
}

// A DB shaped like one random writes leave: data on levels 1 and 2 and
// three overlapping level-0 tables on top (below the level-0 trigger of 8,
// so no size compaction takes them).
struct Uneven {
  MemEnv env;
  Options options;
  std::unique_ptr<DB> db;
  Model model;

  explicit Uneven(bool read_triggered, uint64_t seed) {
    options.env = &env;
    options.create_if_missing = true;
    options.write_buffer_size = 64 << 10;
    options.target_file_size = 32 << 10;
    options.max_bytes_for_level_base = 128 << 10;
    options.level0_file_num_compaction_trigger = 8;
    options.level0_slowdown_writes_trigger = 16;
    options.level0_stop_writes_trigger = 24;
    options.read_triggered_compaction = read_triggered;
    REQUIRE(DB::Open(options, "/db", &db).ok());
    Random rnd(static_cast<uint32_t>(seed));
    const auto put = [&](int n) {
      for (int i = 0; i < n; i++) {
        const std::string k = "k" + std::to_string(10000 + rnd.Uniform(5000));
        const std::string v = rnd.Bytes(60);
        REQUIRE(db->Put(WriteOptions(), k, v).ok());
        model[k] = v;
      }
    };
    put(20000);
    REQUIRE(db->CompactRange(nullptr, nullptr).ok());  // everything below level 0
    for (int t = 0; t < 3; t++) {
      put(300);
      REQUIRE(db->Flush().ok());
    }
    impl()->TEST_WaitForBackgroundWork();
    REQUIRE(IntProperty(db.get(), "lsmkv.num-files-at-level0") == 3);
  }
  DBImpl* impl() { return static_cast<DBImpl*>(db.get()); }
  // Files at levels 0..2.
  std::string Shape() {
    std::string s;
    for (int level = 0; level < 3; level++) {
      s += std::to_string(IntProperty(db.get(), "lsmkv.num-files-at-level" + std::to_string(level))) + " ";
    }
    return s;
  }
};

}  // namespace

TEST_CASE("Read-triggered compaction: Gets that go on past level 0 flatten the tree", "[db][compaction][read]") {
  const uint64_t seed = test::TestSeed(21);
  INFO("seed " << seed);
  for (const bool enabled : {true, false}) {
    INFO("read_triggered_compaction " << enabled);
    Uneven u(enabled, seed);
    const std::string shape_before = u.Shape();
    Random rnd(static_cast<uint32_t>(seed + 1));
    for (int round = 0; round < 10; round++) {
      for (int i = 0; i < 2000; i++) {
        const std::string k = "k" + std::to_string(10000 + rnd.Uniform(5000));
        std::string v;
        const Status s = u.db->Get(ReadOptions(), k, &v);
        auto it = u.model.find(k);
        if (it == u.model.end()) {
          REQUIRE(s.IsNotFound());
        } else {
          REQUIRE(s.ok());
          REQUIRE(v == it->second);
        }
      }
      u.impl()->TEST_WaitForBackgroundWork();
    }
    INFO("levels 0-2 before: " << shape_before << " after: " << u.Shape());
    if (enabled) {
      REQUIRE(IntProperty(u.db.get(), "lsmkv.read-triggered-compactions") > 0);
      REQUIRE(IntProperty(u.db.get(), "lsmkv.num-files-at-level0") == 0);  // level 0 compacted away
    } else {
      REQUIRE(IntProperty(u.db.get(), "lsmkv.read-triggered-compactions") == 0);
      REQUIRE(u.Shape() == shape_before);
    }
    REQUIRE(test::Contents(u.db.get()) == u.model);
    // What reads triggered is in the MANIFEST like any compaction.
    u.db.reset();
    REQUIRE(DB::Open(u.options, "/db", &u.db).ok());
    REQUIRE(test::Contents(u.db.get()) == u.model);
  }
}

TEST_CASE("Read-triggered compaction: iterator seeks count too", "[db][compaction][read]") {
  const uint64_t seed = test::TestSeed(22);
  INFO("seed " << seed);
  Uneven u(true, seed);
  Random rnd(static_cast<uint32_t>(seed + 1));
  auto it = u.db->NewIterator(ReadOptions());
  for (int i = 0; i < 20000; i++) {
    const std::string k = "k" + std::to_string(10000 + rnd.Uniform(5000));
    it->Seek(k);
    auto want = u.model.lower_bound(k);
    REQUIRE(it->Valid() == (want != u.model.end()));
    if (it->Valid()) REQUIRE(it->key().ToString() == want->first);
  }
  REQUIRE(it->status().ok());
  it.reset();
  u.impl()->TEST_WaitForBackgroundWork();
  INFO("levels 0-2: " << u.Shape());
  REQUIRE(IntProperty(u.db.get(), "lsmkv.read-triggered-compactions") > 0);
  REQUIRE(IntProperty(u.db.get(), "lsmkv.num-files-at-level0") < 3);
  REQUIRE(test::Contents(u.db.get()) == u.model);
}

}  // namespace lsmkv
