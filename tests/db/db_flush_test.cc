// Memtable flushes to level-0 tables: the model test with a small write
// buffer, durability of Flush(), obsolete-file cleanup, crashes and I/O
// errors at every step of a flush.
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <sstream>

#include "format/filename.h"
#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/db_files.h"
#include "support/fault_env.h"
#include "support/mem_env.h"
#include "support/slow_tables_env.h"
#include "support/test_util.h"
#include "util/random.h"
#include "version/version_set.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;

using test::Contents;
using test::FilesOfType;
using test::TablesInManifest;

// Table numbers the MANIFEST on disk names (read while the DB is closed).
std::set<uint64_t> TablesInManifestOnDisk(Env* env, const std::string& dbname) {
  InternalKeyComparator icmp(BytewiseComparator());
  VersionSet versions(dbname, env, &icmp);
  const Status s = versions.Recover(BytewiseComparator()->Name());
  INFO(s.ToString());
  REQUIRE(s.ok());
  std::set<uint64_t> out;
  for (const auto& level : versions.current()->files) {
    for (const auto& f : level) out.insert(f->number);
  }
  return out;
}

int FilesAtLevel(DB* db, int level) {
  std::string v;
  REQUIRE(db->GetProperty("lsmkv.num-files-at-level" + std::to_string(level), &v));
  return std::stoi(v);
}

int FilesAtLevel0(DB* db) { return FilesAtLevel(db, 0); }

int TableCount(DB* db) {
  int n = 0;
  for (int level = 0; level < 7; level++) n += FilesAtLevel(db, level);
  return n;
}

}  // namespace

TEST_CASE("Flush: 200k random ops with a 64 KiB write buffer match std::map across reopens",
          "[db][flush][model]") {
  const uint64_t seed = test::TestSeed(31337);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  const std::string dir = test::ScratchDir("flush_model");
  Options options;
  options.create_if_missing = true;
  options.write_buffer_size = 64 << 10;
  options.wal_dir = dir + "/wal";
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, dir + "/db", &db).ok());
  Model model;
  for (int op = 1; op <= 200000; op++) {
    const std::string key = "key" + std::to_string(rnd.Uniform(20000));
    if (rnd.Uniform(10) < 7) {
      const std::string value = rnd.Bytes(rnd.Uniform(60));
      REQUIRE(db->Put(WriteOptions(), key, value).ok());
      model[key] = value;
    } else {
      REQUIRE(db->Delete(WriteOptions(), key).ok());
      model.erase(key);
    }
    if (op % 997 == 0) {
      const std::string probe = "key" + std::to_string(rnd.Uniform(20000));
      std::string value;
      const Status s = db->Get(ReadOptions(), probe, &value);
      auto it = model.find(probe);
      if (it == model.end()) {
        REQUIRE(s.IsNotFound());
      } else {
        REQUIRE(s.ok());
        REQUIRE(value == it->second);
      }
    }
    if (op % 20000 == 0) {
      INFO("op " << op);
      REQUIRE_FALSE(TablesInManifest(db.get()).empty());  // flushed (and maybe compacted)
      db.reset();
      // After a clean close only the WALs of memtables not yet flushed
      // remain (at most max_write_buffer_number); after reopen, which
      // flushes what they hold, only the new WAL. The tables on disk are
      // exactly those the MANIFEST names.
      REQUIRE(FilesOfType(options.env, dir + "/wal", FileType::kLogFile).size() <=
              static_cast<size_t>(options.max_write_buffer_number));
      REQUIRE(FilesOfType(options.env, dir + "/db", FileType::kTableFile) ==
              TablesInManifestOnDisk(options.env, dir + "/db"));
      REQUIRE(FilesOfType(options.env, dir + "/db", FileType::kTableTempFile).empty());
      REQUIRE(FilesOfType(options.env, dir + "/db", FileType::kDescriptorFile).size() == 1);
      REQUIRE(DB::Open(options, dir + "/db", &db).ok());
      // (Background compactions may start right away: only the WAL count is
      // stable after reopening.)
      REQUIRE(FilesOfType(options.env, dir + "/wal", FileType::kLogFile).size() == 1);
      REQUIRE(Contents(db.get()) == model);
    }
  }
  std::string stats;
  REQUIRE(db->GetProperty("lsmkv.stats", &stats));
  INFO(stats);
  REQUIRE(stats.find("flushes: 0 ") == std::string::npos);
  db.reset();
  test::RemoveTree(dir);
}

TEST_CASE("Flush: Flush() makes unsynced writes durable and empties the WAL", "[db][flush]") {
  MemEnv mem;
  FaultEnv env(&mem);
  Options options = test::NewDBOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  for (int i = 0; i < 1000; i++) REQUIRE(db->Put(WriteOptions(), "k" + std::to_string(i), "v").ok());
  REQUIRE(db->Delete(WriteOptions(), "k7").ok());
  REQUIRE(TableCount(db.get()) == 0);
  REQUIRE(db->Flush().ok());
  REQUIRE(TableCount(db.get()) == 1);
  REQUIRE(db->Flush().ok());  // nothing new: no new table
  REQUIRE(TableCount(db.get()) == 1);
  std::string sstables;
  REQUIRE(db->GetProperty("lsmkv.sstables", &sstables));
  // The first table overlaps nothing: it goes straight to level 2.
  REQUIRE(sstables.find("level=2") != std::string::npos);
  REQUIRE(sstables.find("entries=1001") != std::string::npos);
  REQUIRE(sstables.find("smallest='k0' largest='k999'") != std::string::npos);

  env.Freeze();  // power loss right after Flush returned
  db.reset();
  REQUIRE(env.DropUnsyncedData(/*drop_unsynced_dir_entries=*/true).ok());
  REQUIRE(DB::Open(options, "/db", &db).ok());
  const Model got = Contents(db.get());
  REQUIRE(got.size() == 999);
  REQUIRE(got.count("k7") == 0);
  std::string value;
  REQUIRE(db->Get(ReadOptions(), "k999", &value).ok());
}

TEST_CASE("Flush: reads go through tables, bloom filters and the block cache", "[db][flush]") {
  MemEnv mem;
  Options options = test::NewDBOptions(&mem);
  options.write_buffer_size = 64 << 10;
  // No compaction, so every flushed table stays in level 0 (~14 of them).
  options.level0_file_num_compaction_trigger = 50;
  options.level0_slowdown_writes_trigger = 60;
  options.level0_stop_writes_trigger = 70;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  for (int i = 0; i < 20000; i++) {
    REQUIRE(db->Put(WriteOptions(), "key" + std::to_string(i), std::string(30, 'a' + i % 26)).ok());
  }
  REQUIRE(db->Flush().ok());
  REQUIRE(FilesAtLevel0(db.get()) > 5);
  std::string value;
  for (int i = 0; i < 20000; i += 7) {
    REQUIRE(db->Get(ReadOptions(), "key" + std::to_string(i), &value).ok());
    REQUIRE(value == std::string(30, 'a' + i % 26));
  }
  for (int i = 0; i < 2000; i++) REQUIRE(db->Get(ReadOptions(), "absent" + std::to_string(i), &value).IsNotFound());
  std::string stats;
  REQUIRE(db->GetProperty("lsmkv.stats", &stats));
  INFO(stats);
  REQUIRE(stats.find("bloom useful: 0\n") == std::string::npos);
  std::string usage;
  REQUIRE(db->GetProperty("lsmkv.approximate-memory-usage", &usage));
  REQUIRE(std::stoull(usage) > 64 << 10);  // memtable + cached blocks + pinned index/filter
}

TEST_CASE("Flush: writers wait for a slow flush instead of failing", "[db][flush]") {
  // Table files take 20 ms to create: the memtables fill up faster.
  MemEnv mem;
  SlowTablesEnv env(&mem, 20000);
  Options options = test::NewDBOptions(&env);
  options.write_buffer_size = 16 << 10;
  options.max_write_buffer_number = 2;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Model model;
  for (int i = 0; i < 5000; i++) {
    const std::string k = "k" + std::to_string(i);
    REQUIRE(db->Put(WriteOptions(), k, std::string(100, 'x')).ok());
    model[k] = std::string(100, 'x');
  }
  std::string stats;
  REQUIRE(db->GetProperty("lsmkv.stats", &stats));
  INFO(stats);
  REQUIRE(stats.find("stall: 0.000 s") == std::string::npos);
  REQUIRE(Contents(db.get()) == model);
}

TEST_CASE("Flush: files nobody names are deleted at open", "[db][flush]") {
  MemEnv mem;
  Options options = test::NewDBOptions(&mem);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE(db->Put(WriteOptions(), "k", "v").ok());
  REQUIRE(db->Flush().ok());
  db.reset();
  REQUIRE(WriteStringToFile(&mem, "junk", "/db/000900.sst", false).ok());
  REQUIRE(WriteStringToFile(&mem, "junk", "/db/000901.sst.tmp", false).ok());
  REQUIRE(WriteStringToFile(&mem, "junk", "/db/MANIFEST-000001", false).ok());
  REQUIRE(WriteStringToFile(&mem, "MANIFEST-000001\n", "/db/CURRENT.tmp", false).ok());
  REQUIRE(WriteStringToFile(&mem, "keep me", "/db/user-notes.txt", false).ok());
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE_FALSE(mem.FileExists("/db/000900.sst"));
  REQUIRE_FALSE(mem.FileExists("/db/000901.sst.tmp"));
  REQUIRE_FALSE(mem.FileExists("/db/MANIFEST-000001"));
  REQUIRE_FALSE(mem.FileExists("/db/CURRENT.tmp"));
  REQUIRE(mem.FileExists("/db/user-notes.txt"));
  std::string value;
  REQUIRE(db->Get(ReadOptions(), "k", &value).ok());
}

TEST_CASE("Flush: a missing table named by the MANIFEST is Corruption at open", "[db][flush]") {
  MemEnv mem;
  Options options = test::NewDBOptions(&mem);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE(db->Put(WriteOptions(), "k", "v").ok());
  REQUIRE(db->Flush().ok());
  const std::set<uint64_t> tables = TablesInManifest(db.get());
  db.reset();
  REQUIRE(tables.size() == 1);
  REQUIRE(mem.RemoveFile(TableFileName("/db", *tables.begin())).ok());
  const Status s = DB::Open(options, "/db", &db);
  REQUIRE(s.IsCorruption());
  REQUIRE(s.ToString().find("missing") != std::string::npos);
}

// Crash (power loss) at every write, sync and rename a flush performs, with
// and without losing unsynced directory entries: every synced write is
// there, and a key deleted before the crash stays deleted.
TEST_CASE("Flush: a crash at any step of a flush loses nothing synced", "[db][flush][fault]") {
  WriteOptions sync;
  sync.sync = true;
  for (FaultEnv::Op op : {FaultEnv::Op::kWrite, FaultEnv::Op::kSync, FaultEnv::Op::kRename,
                          FaultEnv::Op::kOpen}) {
    for (bool drop_dir_entries : {false, true}) {
      bool reached_end = false;
      for (int n = 1; !reached_end && n < 200; n++) {
        INFO("op " << static_cast<int>(op) << " n " << n << " drop dir entries " << drop_dir_entries);
        MemEnv mem;
        FaultEnv env(&mem);
        Options options = test::NewDBOptions(&env);
        std::unique_ptr<DB> db;
        REQUIRE(DB::Open(options, "/db", &db).ok());
        REQUIRE(db->Put(sync, "doomed", "old").ok());
        REQUIRE(db->Flush().ok());  // "doomed" now lives in a table
        REQUIRE(db->Delete(sync, "doomed").ok());
        Model model;
        for (int i = 0; i < 300; i++) {
          const std::string k = "k" + std::to_string(i);
          REQUIRE(db->Put(sync, k, std::to_string(i)).ok());
          model[k] = std::to_string(i);
        }
        // Crash at the n-th op of this kind during the flush: it and every
        // later I/O fails, then unsynced data is lost.
        env.FailNth(op, n, /*sticky=*/true);
        const Status flushed = db->Flush();
        reached_end = flushed.ok();
        if (!flushed.ok()) {
          REQUIRE(flushed.IsIOError());
          // The error is sticky: no write is acknowledged after it.
          REQUIRE_FALSE(db->Put(WriteOptions(), "after", "x").ok());
        }
        env.Freeze();
        db.reset();
        REQUIRE(env.DropUnsyncedData(drop_dir_entries).ok());
        const Status reopened = DB::Open(options, "/db", &db);
        INFO(reopened.ToString());
        REQUIRE(reopened.ok());
        REQUIRE(Contents(db.get()) == model);
      }
      REQUIRE(reached_end);
    }
  }
}

TEST_CASE("Flush: an I/O error during a background flush surfaces and sticks", "[db][flush][fault]") {
  MemEnv mem;
  FaultEnv env(&mem);
  Options options = test::NewDBOptions(&env);
  options.write_buffer_size = 16 << 10;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  WriteOptions sync;
  sync.sync = true;
  Model acknowledged;
  env.FailNth(FaultEnv::Op::kSync, 30, /*sticky=*/true);
  Status s;
  for (int i = 0; i < 100000 && s.ok(); i++) {
    const std::string k = "k" + std::to_string(i);
    s = db->Put(sync, k, std::string(100, 'v'));
    if (s.ok()) acknowledged[k] = std::string(100, 'v');
  }
  REQUIRE(s.IsIOError());
  REQUIRE(db->Put(WriteOptions(), "later", "x").IsIOError());
  REQUIRE(db->Flush().IsIOError());
  env.ClearFailures();
  db.reset();
  REQUIRE(env.DropUnsyncedData(true).ok());
  REQUIRE(DB::Open(options, "/db", &db).ok());
  const Model got = Contents(db.get());
  for (const auto& [k, v] : acknowledged) REQUIRE(got.count(k) == 1);
  REQUIRE(db->Put(WriteOptions(), "later", "x").ok());
}

}  // namespace lsmkv

namespace lsmkv {

// LevelDB closes a full WAL without syncing it, so with "every Nth write
// synced" a power loss can keep a synced write in the new WAL while losing
// earlier acknowledged writes in the old one (leveldb#193). In lsmkv the
// synced write first syncs the old WAL (DBImpl::unsynced_logs_). Table
// creation is slowed down so the flush cannot make the old writes durable
// first.
TEST_CASE("Flush: a synced write after a WAL switch keeps every earlier write", "[db][flush][fault]") {
  MemEnv mem;
  SlowTablesEnv slow(&mem, 50000);
  FaultEnv env(&slow);
  Options options = test::NewDBOptions(&env);
  options.write_buffer_size = 16 << 10;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  for (int i = 0; i < 200; i++) {
    REQUIRE(db->Put(WriteOptions(), "k" + std::to_string(1000 + i), std::string(100, 'x')).ok());
  }
  WriteOptions sync;
  sync.sync = true;
  REQUIRE(db->Put(sync, "last", "synced").ok());
  env.Freeze();  // power loss before the slow flush finished
  db.reset();
  REQUIRE(env.DropUnsyncedData(true).ok());
  REQUIRE(DB::Open(options, "/db", &db).ok());
  std::string value;
  REQUIRE(db->Get(ReadOptions(), "last", &value).ok());
  for (int i = 0; i < 200; i++) {
    INFO(i);
    REQUIRE(db->Get(ReadOptions(), "k" + std::to_string(1000 + i), &value).ok());
  }
}

}  // namespace lsmkv
