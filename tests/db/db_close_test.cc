// DB::Close: reports what went wrong (an injected fsync failure), makes
// unsynced writes durable, releases the lock, and leaves an object whose
// every later call returns an error instead of crashing; a Flush waiting
// when Close begins returns Busy.
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <map>
#include <string>

#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/fault_env.h"
#include "support/mem_env.h"

namespace lsmkv {

namespace {

Options MemOptions(Env* env) {
  Options o;
  o.create_if_missing = true;
  o.env = env;
  return o;
}

}  // namespace

TEST_CASE("Close then every call on the object returns an error", "[close]") {
  MemEnv mem;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(MemOptions(&mem), "/db", &db).ok());
  REQUIRE(db->Put(WriteOptions(), "k", "v").ok());
  REQUIRE(db->Close().ok());

  const Status again = db->Close();
  CHECK(again.IsInvalidArgument());
  CHECK(db->Put(WriteOptions(), "k", "v").IsInvalidArgument());
  CHECK(db->Delete(WriteOptions(), "k").IsInvalidArgument());
  WriteBatch batch;
  batch.Put("a", "b");
  CHECK(db->Write(WriteOptions(), &batch).IsInvalidArgument());
  std::string value;
  CHECK(db->Get(ReadOptions(), "k", &value).IsInvalidArgument());
  auto it = db->NewIterator(ReadOptions());
  it->SeekToFirst();
  CHECK_FALSE(it->Valid());
  CHECK(it->status().IsInvalidArgument());
  it.reset();
  CHECK(db->GetSnapshot() == nullptr);
  db->ReleaseSnapshot(nullptr);
  CHECK_FALSE(db->GetProperty("lsmkv.stats", &value));
  CHECK(db->Flush().IsInvalidArgument());
  CHECK(db->CompactRange(nullptr, nullptr).IsInvalidArgument());
  CHECK(db->VerifyChecksums().IsInvalidArgument());
  CHECK(db->CreateCheckpoint("/cp").IsInvalidArgument());
  CHECK(db->Resume().IsInvalidArgument());
  CHECK(db->GetLatestSequenceNumber() == 1);
  db.reset();  // the destructor of a closed DB does nothing more
}

TEST_CASE("Close releases the lock: the directory reopens while the closed object lives", "[close]") {
  MemEnv mem;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(MemOptions(&mem), "/db", &db).ok());
  REQUIRE(db->Put(WriteOptions(), "k", "v").ok());
  std::unique_ptr<DB> second;
  CHECK(DB::Open(MemOptions(&mem), "/db", &second).IsBusy());
  REQUIRE(db->Close().ok());
  REQUIRE(DB::Open(MemOptions(&mem), "/db", &second).ok());
  CHECK(test::Contents(second.get()) == std::map<std::string, std::string>{{"k", "v"}});
  CHECK(second->GetLatestSequenceNumber() == 1);
}

// Close syncs the WAL: writes acknowledged without sync survive a power
// loss right after Close returned OK.
TEST_CASE("Close makes unsynced writes durable", "[close]") {
  MemEnv mem;
  FaultEnv fault(&mem);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(MemOptions(&fault), "/db", &db).ok());
  for (int i = 0; i < 100; i++) REQUIRE(db->Put(WriteOptions(), "k" + std::to_string(i), "v").ok());
  REQUIRE(db->Close().ok());
  db.reset();
  REQUIRE(fault.DropUnsyncedData(/*drop_unsynced_dir_entries=*/true).ok());
  REQUIRE(DB::Open(MemOptions(&fault), "/db", &db).ok());
  CHECK(test::Contents(db.get()).size() == 100);
}

TEST_CASE("Close reports an injected fsync failure and still releases the lock", "[close]") {
  MemEnv mem;
  FaultEnv fault(&mem);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(MemOptions(&fault), "/db", &db).ok());
  REQUIRE(db->Put(WriteOptions(), "k", "v").ok());
  fault.FailNth(FaultEnv::Op::kSync, 1);
  const Status s = db->Close();
  INFO(s.ToString());
  CHECK(s.IsIOError());
  CHECK(s.ToString().find("injected") != std::string::npos);
  CHECK(db->Close().IsInvalidArgument());
  fault.ClearFailures();
  std::unique_ptr<DB> again;
  REQUIRE(DB::Open(MemOptions(&fault), "/db", &again).ok());  // the lock was released
  CHECK(test::Contents(again.get()).size() == 1);  // the write reached the OS before the sync failed
}

TEST_CASE("The destructor closes a DB that was not closed", "[close]") {
  MemEnv mem;
  FaultEnv fault(&mem);
  {
    std::unique_ptr<DB> db;
    REQUIRE(DB::Open(MemOptions(&fault), "/db", &db).ok());
    REQUIRE(db->Put(WriteOptions(), "k", "v").ok());
  }
  REQUIRE(fault.DropUnsyncedData(true).ok());  // the destructor synced the WAL too
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(MemOptions(&fault), "/db", &db).ok());
  CHECK(test::Contents(db.get()).size() == 1);
}

TEST_CASE("Close ends a Flush waiting on a flush in progress: Flush returns Busy, nothing is lost",
          "[close][flush]") {
  MemEnv mem;
  FaultEnv fault(&mem);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(MemOptions(&fault), "/db", &db).ok());
  REQUIRE(db->Put(WriteOptions(), "k", "v").ok());
  // The background flush Flush starts waits in the env, creating its table.
  fault.HoldNext(FaultEnv::Op::kOpen, ".sst");
  auto flushed = std::async(std::launch::async, [&] { return db->Flush(); });
  REQUIRE(fault.WaitUntilHeld(30'000));
  // Close waits for that flush; the Flush waiting beside it must not.
  auto closed = std::async(std::launch::async, [&] { return db->Close(); });
  const bool flush_returned = flushed.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  fault.ReleaseHeld();  // before any check: a failed one must not leave Close waiting
  CHECK(flush_returned);
  const Status flush_status = flushed.get();
  INFO(flush_status.ToString());
  CHECK(flush_status.IsBusy());
  CHECK(closed.get().ok());

  std::unique_ptr<DB> again;
  REQUIRE(DB::Open(MemOptions(&fault), "/db", &again).ok());
  CHECK(test::Contents(again.get()) == std::map<std::string, std::string>{{"k", "v"}});
}

}  // namespace lsmkv
