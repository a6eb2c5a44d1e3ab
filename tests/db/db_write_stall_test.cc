// Write back-pressure from level 0 with the default triggers: how many
// level-0 files writes tolerate before they are slowed, with and without
// Gets beside the writes, counted through the DB's stall properties with
// compactions paused (no timing involved).
#include <catch2/catch.hpp>
#include <climits>
#include <functional>
#include <memory>
#include <string>

#include "db/db_impl.h"
#include "lsmkv/db.h"
#include "support/mem_env.h"

namespace lsmkv {

namespace {

uint64_t IntProperty(DB* db, const char* name) {
  uint64_t v = 0;
  REQUIRE(db->GetIntProperty(name, &v));
  return v;
}

// Writes the same ten keys and flushes them: every table overlaps every
// other, so each flush lands in level 0 once the levels below hold one.
void FlushOverlappingTable(DB* db, int round) {
  for (int k = 0; k < 10; k++) {
    REQUIRE(db->Put(WriteOptions(), "key" + std::to_string(k), "value" + std::to_string(round)).ok());
  }
  REQUIRE(db->Flush().ok());
}

// A new DB "/db" on env with the default options, changed by `adjust` when
// given; with pause_compactions, compactions are paused so level 0 only
// grows (TEST_PauseCompactions(false) resumes them).
std::unique_ptr<DB> OpenStallDB(Env* env, bool pause_compactions,
                                const std::function<void(Options*)>& adjust = nullptr) {
  Options options;
  options.env = env;
  options.create_if_missing = true;
  if (adjust) adjust(&options);
  std::unique_ptr<DB> db;
  const Status s = DB::Open(options, "/db", &db);
  INFO(s.ToString());
  REQUIRE(s.ok());
  if (pause_compactions) static_cast<DBImpl*>(db.get())->TEST_PauseCompactions(true);
  return db;
}

}  // namespace

TEST_CASE("Write stalls: default triggers slow writes at 20 level-0 files and stop none before 36",
          "[db][stall]") {
  MemEnv env;
  std::unique_ptr<DB> db = OpenStallDB(&env, /*pause_compactions=*/true);
  auto* impl = static_cast<DBImpl*>(db.get());

  // Below the slowdown trigger: no write is delayed or stopped, however
  // many level-0 files there are (LevelDB's trigger was 8).
  int round = 0;
  while (IntProperty(db.get(), "lsmkv.num-files-at-level0") < 19) {
    FlushOverlappingTable(db.get(), round++);
    INFO("round " << round << ", level-0 files " << IntProperty(db.get(), "lsmkv.num-files-at-level0"));
    REQUIRE(db->Put(WriteOptions(), "probe", "x").ok());
    REQUIRE(IntProperty(db.get(), "lsmkv.write-slowdowns") == 0);
    REQUIRE(IntProperty(db.get(), "lsmkv.write-stops") == 0);
  }
  // At the slowdown trigger each write is delayed once; writes are still
  // never stopped below the stop trigger.
  FlushOverlappingTable(db.get(), round++);
  REQUIRE(IntProperty(db.get(), "lsmkv.num-files-at-level0") == 20);
  REQUIRE(db->Put(WriteOptions(), "probe", "y").ok());
  REQUIRE(IntProperty(db.get(), "lsmkv.write-slowdowns") == 1);
  while (IntProperty(db.get(), "lsmkv.num-files-at-level0") < 35) FlushOverlappingTable(db.get(), round++);
  REQUIRE(IntProperty(db.get(), "lsmkv.write-stops") == 0);
  REQUIRE(IntProperty(db.get(), "lsmkv.write-slowdowns") > 1);

  // Compaction drains level 0 once it runs; then writes go undelayed.
  impl->TEST_PauseCompactions(false);
  impl->TEST_WaitForBackgroundWork();
  REQUIRE(IntProperty(db.get(), "lsmkv.num-files-at-level0") <
          static_cast<uint64_t>(Options().level0_file_num_compaction_trigger));
  const uint64_t slowed = IntProperty(db.get(), "lsmkv.write-slowdowns");
  REQUIRE(db->Put(WriteOptions(), "probe", "z").ok());
  REQUIRE(IntProperty(db.get(), "lsmkv.write-slowdowns") == slowed);
  std::string value;
  REQUIRE(db->Get(ReadOptions(), "key3", &value).ok());
  REQUIRE(value == "value" + std::to_string(round - 1));
}

TEST_CASE("Write stalls: while Gets come in beside the writes, writes are slowed from 8 level-0 files",
          "[db][stall]") {
  MemEnv env;
  std::unique_ptr<DB> db = OpenStallDB(&env, /*pause_compactions=*/true);
  auto* impl = static_cast<DBImpl*>(db.get());
  const auto level0_files = [&] { return IntProperty(db.get(), "lsmkv.num-files-at-level0"); };
  std::string value;

  // Writes alone: 8 level-0 files slow nobody (the trigger is 20).
  int round = 0;
  while (level0_files() < 8) FlushOverlappingTable(db.get(), round++);
  REQUIRE(db->Put(WriteOptions(), "probe", "a").ok());
  REQUIRE(IntProperty(db.get(), "lsmkv.write-slowdowns") == 0);

  // A Get between two flushes (the flushed memtable held 11 entries: one
  // Get per 16 is the share that counts) lowers the trigger to 8 from the
  // next flush on, so the next write is delayed once.
  REQUIRE(db->Get(ReadOptions(), "key1", &value).ok());
  FlushOverlappingTable(db.get(), round++);
  REQUIRE(level0_files() == 9);
  const uint64_t slowed_before = IntProperty(db.get(), "lsmkv.write-slowdowns");
  REQUIRE(db->Put(WriteOptions(), "probe", "b").ok());
  REQUIRE(IntProperty(db.get(), "lsmkv.write-slowdowns") == slowed_before + 1);
  REQUIRE(IntProperty(db.get(), "lsmkv.write-stops") == 0);

  // A flush with no Get since the last one raises it back to 20.
  FlushOverlappingTable(db.get(), round++);
  REQUIRE(level0_files() == 10);
  const uint64_t slowed_after = IntProperty(db.get(), "lsmkv.write-slowdowns");
  REQUIRE(db->Put(WriteOptions(), "probe", "c").ok());
  REQUIRE(IntProperty(db.get(), "lsmkv.write-slowdowns") == slowed_after);

  impl->TEST_PauseCompactions(false);
  impl->TEST_WaitForBackgroundWork();
  REQUIRE(db->Get(ReadOptions(), "key3", &value).ok());
  REQUIRE(value == "value" + std::to_string(round - 1));
  REQUIRE(db->Get(ReadOptions(), "probe", &value).ok());
  REQUIRE(value == "c");
}

TEST_CASE("Write stalls: triggers turned off (compaction trigger above INT_MAX / 2) slow no write, Gets or not",
          "[db][stall]") {
  MemEnv env;
  std::unique_ptr<DB> db = OpenStallDB(&env, /*pause_compactions=*/false, [](Options* options) {
    // Twice the compaction trigger does not fit an int: the readers'
    // trigger must stay the slowdown trigger, not wrap below zero.
    options->level0_file_num_compaction_trigger = (1 << 30) + 1;
    options->level0_slowdown_writes_trigger = INT_MAX;
    options->level0_stop_writes_trigger = INT_MAX;
  });
  std::string value;
  for (int round = 0; round < 4; round++) {
    REQUIRE(db->Get(ReadOptions(), "key1", &value).ok() == (round > 0));
    FlushOverlappingTable(db.get(), round);
    REQUIRE(db->Put(WriteOptions(), "probe", "x").ok());
  }
  REQUIRE(IntProperty(db.get(), "lsmkv.write-slowdowns") == 0);
  REQUIRE(IntProperty(db.get(), "lsmkv.write-stops") == 0);
}

}  // namespace lsmkv
