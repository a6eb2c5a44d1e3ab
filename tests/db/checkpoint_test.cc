// DB::CreateCheckpoint: copies taken while a writer runs with flushes and
// compactions hold exactly the writes up to their sequence number; tables
// are hard-linked (copied when linking fails); the files a checkpoint needs
// stay pinned while it is made; bad directories are refused.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "format/filename.h"
#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/mem_env.h"
#include "support/sequenced_writer.h"
#include "support/test_util.h"

namespace lsmkv {

namespace {

using test::Contents;
using Model = std::map<std::string, std::string>;

// Small buffers and levels, so flushes and compactions run all the time.
Options BusyOptions(Env* env) {
  Options o = test::SmallLevelsOptions(env);
  o.block_cache_capacity = 0;
  return o;
}

// Calls a hook once, at the first LinkFile (the checkpoint's first table);
// with fail_links, every LinkFile fails as across file systems.
class HookEnv final : public EnvWrapper {
 public:
  explicit HookEnv(Env* base) : EnvWrapper(base) {}
  std::function<void()> on_first_link;
  bool fail_links = false;
  int links = 0;

  Status LinkFile(const std::string& s, const std::string& t) override {
    if (links++ == 0 && on_first_link) on_first_link();
    if (fail_links) return Status::IOError(s, "Invalid cross-device link (simulated EXDEV)");
    return EnvWrapper::LinkFile(s, t);
  }
};

// Opens the copy, checks it against the writer's model at `sequence`.
void CheckCopy(Env* env, const std::string& dir, uint64_t sequence,
               const test::SequencedWriter& writer) {
  INFO("copy " << dir << " at sequence " << sequence);
  REQUIRE(writer.EndsBatch(sequence));
  Options o;
  o.env = env;
  std::unique_ptr<DB> copy;
  const Status s = DB::Open(o, dir, &copy);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(copy->GetLatestSequenceNumber() == sequence);
  CHECK(Contents(copy.get()) == writer.StateAt(sequence));
  REQUIRE(copy->Close().ok());
}

void CheckpointsWhileWriting(Env* env, const std::string& root) {
  const uint64_t seed = test::TestSeed(20261130);
  INFO("seed " << seed);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(BusyOptions(env), root + "/db", &db).ok());
  test::SequencedWriter writer(db.get(), seed);
  struct Taken {
    std::string dir;
    uint64_t sequence, acked_before, issued_after;
  };
  std::vector<Taken> taken;
  const auto take = [&] {
    Taken t;
    t.dir = root + "/checkpoint-" + std::to_string(taken.size());
    t.acked_before = writer.acked();
    const Status s = db->CreateCheckpoint(t.dir, &t.sequence);
    t.issued_after = writer.issued();
    INFO(s.ToString());
    REQUIRE(s.ok());
    taken.push_back(t);
  };
  for (int i = 0; i < 12; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(15));
    take();
  }
  // One more checkpoint once a compaction has really moved tables into level
  // 1, so compactions ran between the first checkpoint and the last.
  test::WriteUntilCompacted(db.get(), writer);
  take();
  writer.Stop();
  REQUIRE(writer.status().ok());
  for (const Taken& t : taken) {
    INFO(t.dir << ": acked before " << t.acked_before << ", sequence " << t.sequence
                << ", issued after " << t.issued_after);
    CHECK(t.acked_before <= t.sequence);
    CHECK(t.sequence <= t.issued_after);
    CheckCopy(env, t.dir, t.sequence, writer);
  }
  CHECK(taken.back().sequence > taken.front().sequence);
}

}  // namespace

TEST_CASE("Checkpoints taken during writes with flushes and compactions hold exactly their sequence's writes",
          "[checkpoint]") {
  SECTION("posix") {
    const std::string root = test::ScratchDir("checkpoint-live");
    CheckpointsWhileWriting(Env::Default(), root);
    test::RemoveTree(root);
  }
  SECTION("memenv") {
    MemEnv mem;
    REQUIRE(mem.CreateDir("/root").ok());  // a checkpoint's parent must exist
    CheckpointsWhileWriting(&mem, "/root");
  }
}

TEST_CASE("Checkpoint tables are hard links on the same file system and copies when linking fails",
          "[checkpoint]") {
  const std::string root = test::ScratchDir("checkpoint-links");
  HookEnv env(Env::Default());
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(BusyOptions(&env), root + "/db", &db).ok());
  for (int i = 0; i < 200; i++) REQUIRE(db->Put(WriteOptions(), "k" + std::to_string(i), "v").ok());
  REQUIRE(db->Flush().ok());
  REQUIRE(db->Put(WriteOptions(), "in-wal", "only in the WAL").ok());
  const Model expected = Contents(db.get());

  REQUIRE(db->CreateCheckpoint(root + "/linked").ok());
  int linked_tables = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root + "/linked")) {
    if (entry.path().extension() == ".sst") {
      linked_tables++;
      CHECK(std::filesystem::hard_link_count(entry.path()) == 2);  // shared with the DB
    }
  }
  CHECK(linked_tables > 0);

  env.fail_links = true;
  REQUIRE(db->CreateCheckpoint(root + "/copied").ok());
  for (const auto& entry : std::filesystem::directory_iterator(root + "/copied")) {
    if (entry.path().extension() == ".sst") CHECK(std::filesystem::hard_link_count(entry.path()) == 1);
  }
  for (const char* name : {"/linked", "/copied"}) {
    std::unique_ptr<DB> copy;
    REQUIRE(DB::Open(BusyOptions(Env::Default()), root + name, &copy).ok());
    CHECK(Contents(copy.get()) == expected);
  }
  db.reset();
  test::RemoveTree(root);
}

// The pin: between PinLiveFiles and the last copy, a flush (which makes
// the WAL obsolete) and a full compaction (which replaces every table)
// run. Without the pin, their obsolete-file removal deletes files the
// checkpoint still has to copy.
TEST_CASE("A checkpoint's files stay on disk while it is made", "[checkpoint]") {
  MemEnv mem;
  REQUIRE(mem.CreateDir("/").ok());  // a checkpoint's parent must exist
  HookEnv env(&mem);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(BusyOptions(&env), "/db", &db).ok());
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 300; i++) {
      REQUIRE(db->Put(WriteOptions(), "k" + std::to_string(i), "round" + std::to_string(round)).ok());
    }
    REQUIRE(db->Flush().ok());
  }
  REQUIRE(db->Put(WriteOptions(), "wal-only", "in the active WAL").ok());
  const Model expected = Contents(db.get());
  const uint64_t expected_sequence = db->GetLatestSequenceNumber();
  env.on_first_link = [&] {
    REQUIRE(db->Put(WriteOptions(), "later", "not in the checkpoint").ok());
    REQUIRE(db->CompactRange(nullptr, nullptr).ok());  // flushes, then rewrites every table
  };
  uint64_t sequence = 0;
  const Status s = db->CreateCheckpoint("/checkpoint", &sequence);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(sequence == expected_sequence);
  Options o;
  o.env = &mem;
  std::unique_ptr<DB> copy;
  const Status opened = DB::Open(o, "/checkpoint", &copy);
  INFO(opened.ToString());
  REQUIRE(opened.ok());
  CHECK(Contents(copy.get()) == expected);
  // Once the checkpoint is done the files it pinned go (with the next
  // edit: the one before it is kept until then, see VersionSet::previous_).
  REQUIRE(db->Put(WriteOptions(), "one more", "edit").ok());
  REQUIRE(db->Flush().ok());
  std::vector<std::string> children;
  REQUIRE(mem.GetChildren("/db", &children).ok());
  std::string listing;
  REQUIRE(db->GetProperty("lsmkv.sstables", &listing));
  for (const std::string& c : children) {
    uint64_t number;
    FileType type;
    if (ParseFileName(c, &number, &type) && type == FileType::kTableFile) {
      INFO(c << " left behind; live: " << listing);
      CHECK(listing.find("file=" + c) != std::string::npos);
    }
  }
}

TEST_CASE("CreateCheckpoint refuses an existing directory or a missing parent", "[checkpoint]") {
  MemEnv mem;
  REQUIRE(mem.CreateDir("/").ok());  // a checkpoint's parent must exist
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(BusyOptions(&mem), "/db", &db).ok());
  REQUIRE(db->Put(WriteOptions(), "k", "v").ok());
  REQUIRE(mem.CreateDir("/exists").ok());
  CHECK(db->CreateCheckpoint("/exists").IsInvalidArgument());
  CHECK(db->CreateCheckpoint("/db").IsInvalidArgument());
  CHECK(db->CreateCheckpoint("/no/such/parent/cp").IsInvalidArgument());
  CHECK(db->CreateCheckpoint("").IsInvalidArgument());
  uint64_t sequence = 99;
  REQUIRE(db->CreateCheckpoint("/cp", &sequence).ok());
  CHECK(sequence == 1);
  CHECK(db->CreateCheckpoint("/cp").IsInvalidArgument());  // now it exists
}

TEST_CASE("A checkpoint of a new empty DB opens empty at sequence 0", "[checkpoint]") {
  MemEnv mem;
  REQUIRE(mem.CreateDir("/").ok());  // a checkpoint's parent must exist
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(BusyOptions(&mem), "/db", &db).ok());
  CHECK(db->GetLatestSequenceNumber() == 0);
  uint64_t sequence = 99;
  REQUIRE(db->CreateCheckpoint("/cp", &sequence).ok());
  CHECK(sequence == 0);
  Options o;
  o.env = &mem;
  std::unique_ptr<DB> copy;
  REQUIRE(DB::Open(o, "/cp", &copy).ok());
  CHECK(Contents(copy.get()).empty());
  CHECK(copy->GetLatestSequenceNumber() == 0);
  REQUIRE(copy->Put(WriteOptions(), "a", "1").ok());
  CHECK(copy->GetLatestSequenceNumber() == 1);
}

}  // namespace lsmkv
