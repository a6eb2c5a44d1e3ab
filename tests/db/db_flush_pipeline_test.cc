// Pipelined flushes: the next memtable's table is built while the previous
// table's syncs run, and flushes are installed oldest first. A table sync
// is held in the FaultEnv so the test can look at the DB while one flush
// is syncing and a younger one waits for its turn.
#include <catch2/catch.hpp>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "format/filename.h"
#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/db_files.h"
#include "support/fault_env.h"
#include "support/mem_env.h"
#include "support/test_util.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;
using test::TablesInManifest;

constexpr size_t kWriteBuffer = 16 << 10;

Options PipelineOptions(Env* env) {
  Options options = test::NewDBOptions(env);
  options.write_buffer_size = kWriteBuffer;
  options.max_write_buffer_number = 2;
  return options;
}

// The value a memtable's fill gives key i: each fill (`round`) writes
// other values, so a younger memtable's value must win over an older one.
std::string FillValue(const std::string& round, int i) {
  return round + std::string(120, static_cast<char>('a' + i % 26));
}

// Writes keys "k<1000+i>" (the same keys in every fill, so the memtables'
// tables overlap) until the active memtable switches out: one more
// immutable memtable (no flush may be installed meanwhile), or, with
// max_keys, after that many keys. No assertions (it may run on a thread
// of its own): false when a write or property read failed.
bool Fill(DB* db, const std::string& round, const WriteOptions& wo, Model* model, int max_keys = 0) {
  std::string count;
  if (!db->GetProperty("lsmkv.num-immutable-memtables", &count)) return false;
  const std::string before = count;
  for (int i = 0; i < 10000; i++) {
    const std::string k = "k" + std::to_string(1000 + i % 150);
    const std::string v = FillValue(round, i);
    if (!db->Put(wo, k, v).ok()) return false;
    (*model)[k] = v;
    if (max_keys > 0) {
      if (i + 1 == max_keys) return true;
      continue;
    }
    if (!db->GetProperty("lsmkv.num-immutable-memtables", &count)) return false;
    if (count != before) return std::stoull(count) == std::stoull(before) + 1;
  }
  return false;
}

uint64_t ImmutableMemtables(DB* db) {
  std::string count;
  REQUIRE(db->GetProperty("lsmkv.num-immutable-memtables", &count));
  return std::stoull(count);
}

// Every key of the model, read with Get (point reads take the newest
// table first; a scan merges by sequence and would not see tables in the
// wrong order).
void RequireGets(DB* db, const Model& model) {
  for (const auto& [k, v] : model) {
    std::string got;
    INFO(k);
    REQUIRE(db->Get(ReadOptions(), k, &got).ok());
    REQUIRE(got == v);
  }
}

// Lets a held call go on when the test leaves the scope, passing or not
// (a flush held forever would make the DB's Close wait forever).
// Declared after the DB, so it runs before the DB closes.
struct ReleaseOnExit {
  FaultEnv* env;
  ~ReleaseOnExit() { env->ReleaseHeld(); }
};

int TablesInVersion(DB* db) {
  int n = 0;
  for (int level = 0; level < 7; level++) n += static_cast<int>(test::FilesAtLevel(db, level));
  return n;
}


// Holds the first flush's table sync, then fills a second memtable: its
// flush builds and syncs its table and waits for the first to be
// installed. Returns with the first flush held and the second waiting.
void HoldFirstFlushAndBuildSecond(FaultEnv* env, MemEnv* mem, DB* db, const WriteOptions& wo, Model* model) {
  env->HoldNext(FaultEnv::Op::kSync, ".sst");  // the first table's sync (of NNNNNN.sst.tmp)
  REQUIRE(Fill(db, "A", wo, model));             // memtable A switches out, its flush starts
  REQUIRE(env->WaitUntilHeld(10000));
  // A's table is written: the writer may switch again although A's flush
  // has not ended (with the old rule, one immutable memtable at most, this
  // switch would wait for A's sync, which the test holds).
  std::atomic<bool> switched{false};
  bool filled = false;
  Model b;
  std::thread writer([&] {
    filled = Fill(db, "B", wo, &b);
    switched = true;
  });
  const bool in_time = test::WaitUntil([&] { return switched.load(); }, std::chrono::seconds(10));
  if (!in_time) env->ReleaseHeld();  // let the writer finish, then fail
  writer.join();
  REQUIRE(in_time);
  REQUIRE(filled);
  for (const auto& [k, v] : b) (*model)[k] = v;
  // B's table is built, synced and renamed (only A's sync is held), and
  // then waits: its name appears on disk, but no Version holds it.
  REQUIRE(test::WaitUntil([&] { return !test::FilesOfType(mem, "/db", FileType::kTableFile).empty(); },
                          std::chrono::seconds(10)));
}

}  // namespace

TEST_CASE("Flush pipeline: a younger table waits for the older flush, reads see both memtables",
          "[db][flush][pipeline]") {
  MemEnv mem;
  FaultEnv env(&mem);
  const Options options = PipelineOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  ReleaseOnExit release{&env};
  Model model;
  HoldFirstFlushAndBuildSecond(&env, &mem, db.get(), WriteOptions(), &model);

  // Neither flush is installed: B's waits for A's (installing B first
  // would record B's WAL as the oldest one needed while A's data is only
  // in A's WAL and memtable).
  REQUIRE(TablesInVersion(db.get()) == 0);
  REQUIRE(ImmutableMemtables(db.get()) == 2);
  RequireGets(db.get(), model);
  REQUIRE(test::Contents(db.get()) == model);

  // A third full memtable has no room (two immutable memtables at most
  // with max_write_buffer_number 2): its writer waits for A's flush.
  std::atomic<bool> third_done{false};
  bool third_filled = false;
  Model third;
  std::thread writer([&] {
    third_filled = Fill(db.get(), "C", WriteOptions(), &third, /*max_keys=*/250);
    third_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const bool finished_while_held = third_done.load();
  env.ReleaseHeld();
  writer.join();
  REQUIRE_FALSE(finished_while_held);
  REQUIRE(third_filled);
  for (const auto& [k, v] : third) model[k] = v;

  REQUIRE(db->Flush().ok());
  REQUIRE(TablesInManifest(db.get()).size() >= 2);
  RequireGets(db.get(), model);
  REQUIRE(test::Contents(db.get()) == model);
  db.reset();
  REQUIRE(DB::Open(options, "/db", &db).ok());
  // (A compaction's inputs stay on disk while the Version before it is
  // kept; Open removes whatever no Version names.)
  REQUIRE(test::FilesOfType(&mem, "/db", FileType::kTableFile) == TablesInManifest(db.get()));
  RequireGets(db.get(), model);
  REQUIRE(test::Contents(db.get()) == model);
}

TEST_CASE("Flush pipeline: a power loss while the younger table waits loses no synced write",
          "[db][flush][pipeline][fault]") {
  for (bool drop_dir_entries : {false, true}) {
    INFO("drop unsynced directory entries: " << drop_dir_entries);
    MemEnv mem;
    FaultEnv env(&mem);
    const Options options = PipelineOptions(&env);
    std::unique_ptr<DB> db;
    REQUIRE(DB::Open(options, "/db", &db).ok());
    ReleaseOnExit release{&env};
    WriteOptions sync;
    sync.sync = true;
    Model model;
    HoldFirstFlushAndBuildSecond(&env, &mem, db.get(), sync, &model);
    // The power goes while A's table sync is held and B's table waits: the
    // held sync fails and makes nothing durable.
    env.Freeze();
    env.ReleaseHeld();
    db.reset();
    REQUIRE(env.DropUnsyncedData(drop_dir_entries).ok());
    const Status reopened = DB::Open(options, "/db", &db);
    INFO(reopened.ToString());
    REQUIRE(reopened.ok());
    RequireGets(db.get(), model);
    REQUIRE(test::Contents(db.get()) == model);
  }
}

TEST_CASE("Flush pipeline: a power loss after the older flush is installed loses no synced write",
          "[db][flush][pipeline][fault]") {
  MemEnv mem;
  FaultEnv env(&mem);
  const Options options = PipelineOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  ReleaseOnExit release{&env};
  WriteOptions sync;
  sync.sync = true;
  Model model;
  // The younger table's MANIFEST edit fails, as the power goes: A is
  // installed (the MANIFEST's log number is B's WAL now), B's table is
  // durable but not recorded, B's writes are only in B's WAL.
  HoldFirstFlushAndBuildSecond(&env, &mem, db.get(), sync, &model);
  env.FailNth(FaultEnv::Op::kSync, 2, /*sticky=*/true, "MANIFEST");  // A's edit syncs, B's does not
  env.ReleaseHeld();
  REQUIRE(test::WaitUntil([&] { return !db->Put(WriteOptions(), "probe", "p").ok(); }, std::chrono::seconds(10)));
  REQUIRE(TablesInVersion(db.get()) == 1);
  model.erase("probe");  // unsynced: it may or may not survive
  env.Freeze();
  db.reset();
  REQUIRE(env.DropUnsyncedData(true).ok());
  const Status reopened = DB::Open(options, "/db", &db);
  INFO(reopened.ToString());
  REQUIRE(reopened.ok());
  RequireGets(db.get(), model);
  Model got = test::Contents(db.get());
  got.erase("probe");
  REQUIRE(got == model);
}

TEST_CASE("Flush pipeline: the older table's sync fails, the younger table is dropped, Resume flushes both",
          "[db][flush][pipeline][fault]") {
  MemEnv mem;
  FaultEnv env(&mem);
  const Options options = PipelineOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  ReleaseOnExit release{&env};
  WriteOptions sync;
  sync.sync = true;
  Model model;
  HoldFirstFlushAndBuildSecond(&env, &mem, db.get(), sync, &model);
  env.FailNth(FaultEnv::Op::kSync, 1, /*sticky=*/false, ".sst");  // the held sync, when it goes on
  env.ReleaseHeld();
  // Writes go on until the failed flush's error stops them.
  REQUIRE(test::WaitUntil(
      [&] {
        const Status s = db->Put(WriteOptions(), "probe", "p");
        if (s.ok()) model["probe"] = "p";
        return s.IsIOError();
      },
      std::chrono::seconds(10)));
  // The waiting table was never recorded, and it is gone from the disk.
  REQUIRE(TablesInVersion(db.get()) == 0);
  REQUIRE(test::WaitUntil([&] { return test::FilesOfType(&mem, "/db", FileType::kTableFile).empty(); },
                          std::chrono::seconds(10)));
  RequireGets(db.get(), model);
  REQUIRE(test::Contents(db.get()) == model);

  REQUIRE(db->Resume().ok());
  REQUIRE(db->Flush().ok());
  REQUIRE(TablesInVersion(db.get()) >= 1);
  RequireGets(db.get(), model);
  REQUIRE(test::Contents(db.get()) == model);
  db.reset();
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE(test::FilesOfType(&mem, "/db", FileType::kTableFile) == TablesInManifest(db.get()));
  RequireGets(db.get(), model);
}

// Resume while the younger flush is still running: the failed memtable is
// flushed again under a newer file number, so the younger table, numbered
// before it, must not be installed after it (both overlap level 0, which
// is ordered by file number: Get would read the older values). Two
// FaultEnvs: the outer one holds and then fails the older table's sync,
// the inner one holds the younger table's sync.
TEST_CASE("Flush pipeline: Resume while the younger flush runs keeps the younger values on top",
          "[db][flush][pipeline][fault]") {
  MemEnv mem;
  FaultEnv inner(&mem);
  FaultEnv env(&inner);
  const Options options = PipelineOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  ReleaseOnExit release_inner{&inner};
  ReleaseOnExit release{&env};
  Model model;
  // Three flushes of the same keys: tables at levels 2, 1 and 0, so the
  // next overlapping flushes stay in level 0.
  for (const char* round : {"P", "Q", "R"}) {
    REQUIRE(Fill(db.get(), round, WriteOptions(), &model, /*max_keys=*/100));
    REQUIRE(db->Flush().ok());
  }
  REQUIRE(test::FilesAtLevel(db.get(), 0) >= 1);

  env.HoldNext(FaultEnv::Op::kSync, ".sst");  // A's table sync
  REQUIRE(Fill(db.get(), "A", WriteOptions(), &model));
  REQUIRE(env.WaitUntilHeld(10000));
  inner.HoldNext(FaultEnv::Op::kSync, ".sst");  // B's table sync (A's is held above it)
  std::atomic<bool> switched{false};
  bool filled = false;
  Model b;
  std::thread writer([&] {
    filled = Fill(db.get(), "B", WriteOptions(), &b);
    switched = true;
  });
  const bool b_held = inner.WaitUntilHeld(10000);
  if (!b_held) env.ReleaseHeld();
  writer.join();
  REQUIRE(b_held);
  REQUIRE(filled);
  for (const auto& [k, v] : b) model[k] = v;

  // A's sync fails; B is still in its own sync.
  env.FailNth(FaultEnv::Op::kSync, 1, /*sticky=*/false, ".sst");
  env.ReleaseHeld();
  REQUIRE(test::WaitUntil([&] { return !db->Put(WriteOptions(), "probe", "p").ok(); }, std::chrono::seconds(10)));
  std::atomic<bool> resumed{false};
  Status resume_status;
  std::thread resumer([&] {
    resume_status = db->Resume();
    resumed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  inner.ReleaseHeld();  // B goes on: it finds A's flush failed and gives its table up
  resumer.join();
  INFO(resume_status.ToString());
  REQUIRE(resume_status.ok());
  REQUIRE(db->Put(WriteOptions(), "probe", "p").ok());
  model["probe"] = "p";
  REQUIRE(db->Flush().ok());
  RequireGets(db.get(), model);
  db.reset();
  REQUIRE(DB::Open(options, "/db", &db).ok());
  RequireGets(db.get(), model);
}

TEST_CASE("Flush pipeline: Close while the younger table waits installs the older one and drops the younger",
          "[db][flush][pipeline]") {
  MemEnv mem;
  FaultEnv env(&mem);
  const Options options = PipelineOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  ReleaseOnExit release{&env};
  Model model;
  HoldFirstFlushAndBuildSecond(&env, &mem, db.get(), WriteOptions(), &model);
  std::atomic<bool> closed{false};
  Status close_status;
  std::thread closer([&] {
    close_status = db->Close();
    closed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const bool closed_while_held = closed.load();  // Close waits for the flush jobs
  env.ReleaseHeld();
  closer.join();
  REQUIRE_FALSE(closed_while_held);
  INFO(close_status.ToString());
  REQUIRE(close_status.ok());
  db.reset();
  // A's table is the only one recorded; B's waiting table was removed and
  // its writes come back from its WAL.
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE(TablesInManifest(db.get()).size() >= 1);
  REQUIRE(test::FilesOfType(&mem, "/db", FileType::kTableFile) == TablesInManifest(db.get()));
  RequireGets(db.get(), model);
  REQUIRE(test::Contents(db.get()) == model);
}

TEST_CASE("Flush pipeline: Flush and a checkpoint while the younger table waits",
          "[db][flush][pipeline]") {
  MemEnv mem;
  FaultEnv env(&mem);
  const Options options = PipelineOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  ReleaseOnExit release{&env};
  Model model;
  HoldFirstFlushAndBuildSecond(&env, &mem, db.get(), WriteOptions(), &model);
  // The active memtable holds writes too: Flush must switch it out and
  // flush it after both the held flush and the waiting one.
  REQUIRE(Fill(db.get(), "C", WriteOptions(), &model, /*max_keys=*/40));

  // A checkpoint does not wait for flushes: taken now, it holds A's and
  // B's writes in their WALs (no table is installed yet) and C's in the
  // active WAL.
  uint64_t checkpoint_sequence = 0;
  REQUIRE(mem.CreateDir("/").ok());  // a checkpoint's parent must exist
  const Status checkpoint = db->CreateCheckpoint("/ckpt", &checkpoint_sequence);
  INFO(checkpoint.ToString());
  REQUIRE(checkpoint.ok());
  const Model at_checkpoint = model;

  std::atomic<bool> flushed{false};
  Status flush_status;
  std::thread flusher([&] {
    flush_status = db->Flush();
    flushed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const bool flushed_while_held = flushed.load();  // Flush waits for A, then B, then C
  env.ReleaseHeld();
  flusher.join();
  REQUIRE_FALSE(flushed_while_held);
  INFO(flush_status.ToString());
  REQUIRE(flush_status.ok());
  // All three memtables are tables now, installed oldest first (Gets take
  // the newest table first, so a wrong order would show old values).
  REQUIRE(ImmutableMemtables(db.get()) == 0);
  REQUIRE(TablesInVersion(db.get()) >= 1);
  RequireGets(db.get(), model);
  REQUIRE(test::Contents(db.get()) == model);

  // The checkpoint opens on its own with exactly the writes it was taken at.
  std::unique_ptr<DB> copy;
  Options copy_options = options;
  copy_options.create_if_missing = false;
  REQUIRE(DB::Open(copy_options, "/ckpt", &copy).ok());
  RequireGets(copy.get(), at_checkpoint);
  REQUIRE(test::Contents(copy.get()) == at_checkpoint);
  copy.reset();

  db.reset();
  REQUIRE(DB::Open(options, "/db", &db).ok());
  RequireGets(db.get(), model);
  REQUIRE(test::Contents(db.get()) == model);
}

}  // namespace lsmkv
