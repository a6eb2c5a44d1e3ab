// Options::recycle_log_file_num end to end on the POSIX Env: obsolete WALs
// are reused (renamed and overwritten in place) by later WALs; a reused
// file's old records are never replayed nor reported; a process crash at
// any point loses no acknowledged write; files with other hard links, WALs
// the change feed archives and WALs a checkpoint copies are never reused.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "lsmkv/db.h"
#include "lsmkv/write_batch.h"
#include "support/db_contents.h"
#include "support/test_util.h"
#include "util/random.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;

// Forwards ReuseLogFile (EnvWrapper does not) and counts the reuses.
class CountingReuseEnv final : public EnvWrapper {
 public:
  CountingReuseEnv() : EnvWrapper(Env::Default()) {}
  Status ReuseLogFile(const std::string& old_fname, const std::string& fname, WalWriteMode mode,
                      std::unique_ptr<WritableFile>* result) override {
    Status s = target()->ReuseLogFile(old_fname, fname, mode, result);
    if (s.ok()) reused++;
    else refused++;
    return s;
  }
  // Forwarded so the DB's WALs are the POSIX Env's (EnvWrapper would give
  // NewWritableFile's, also POSIX; kept explicit).
  Status NewLogFile(const std::string& fname, WalWriteMode mode,
                    std::unique_ptr<WritableFile>* result) override {
    return target()->NewLogFile(fname, mode, result);
  }
  int reused = 0;
  int refused = 0;
};

std::string Key(uint64_t i) { return "key" + std::to_string(i); }

// Puts ~100 KiB, then flushes: every call switches the WAL once.
void FillAndFlush(DB* db, Random* rnd, Model* model, bool sync = false) {
  WriteOptions wo;
  wo.sync = sync;
  for (int i = 0; i < 200; i++) {
    const std::string key = Key(rnd->Uniform(1000));
    const std::string value(400 + rnd->Uniform(200), static_cast<char>('a' + rnd->Uniform(26)));
    REQUIRE(db->Put(wo, key, value).ok());
    (*model)[key] = value;
  }
  REQUIRE(db->Flush().ok());
}

std::string WalRecovery(DB* db) {
  std::string report;
  REQUIRE(db->GetProperty("lsmkv.wal-recovery", &report));
  return report;
}

ino_t Inode(const std::string& path) {
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_ino;
}

std::vector<std::string> LogNames(const std::string& dir) {
  std::vector<std::string> children, logs;
  REQUIRE(Env::Default()->GetChildren(dir, &children).ok());
  for (const std::string& c : children) {
    if (c.size() > 4 && c.compare(c.size() - 4, 4, ".log") == 0) logs.push_back(c);
  }
  return logs;
}

}  // namespace

TEST_CASE("DB: recycled WALs are reused, and their old records are neither replayed nor reported",
          "[db][recycle]") {
  const uint64_t seed = test::TestSeed(4242);
  INFO("seed " << seed);
  Random rnd(seed);
  const std::string dir = test::ScratchDir("db_wal_recycle");
  CountingReuseEnv env;
  Options options;
  options.create_if_missing = true;
  options.env = &env;
  options.recycle_log_file_num = 2;
  Model model;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, dir, &db).ok());
  for (int round = 0; round < 8; round++) FillAndFlush(db.get(), &rnd, &model);
  REQUIRE(env.reused >= 6);
  REQUIRE(env.refused == 0);
  // The live WAL plus at most two kept for reuse.
  REQUIRE(LogNames(dir).size() <= 3);
  // Some writes that only the live (reused) WAL holds: the reopen below
  // replays them and must stop at the old records behind them.
  WriteOptions wo;
  for (int i = 0; i < 50; i++) {
    const std::string value = "tail-" + std::to_string(i);
    REQUIRE(db->Put(wo, Key(i), value).ok());
    model[Key(i)] = value;
  }
  db.reset();

  // Reopen (with recycling off too): exactly the model, nothing damaged.
  for (const size_t recycle : {size_t{2}, size_t{0}}) {
    INFO("reopen with recycle_log_file_num " << recycle);
    options.recycle_log_file_num = recycle;
    REQUIRE(DB::Open(options, dir, &db).ok());
    REQUIRE(test::Contents(db.get()) == model);
    const std::string report = WalRecovery(db.get());
    INFO(report);
    REQUIRE(report.find("damaged records: 0 ") != std::string::npos);
    REQUIRE(report.find("stopped: no") != std::string::npos);
    db.reset();
  }
  // recycle_log_file_num 0: the kept files were deleted at that Open.
  REQUIRE(LogNames(dir).size() == 1);
  test::RemoveTree(dir);
}

TEST_CASE("DB: WALs in a separate wal_dir are reused there", "[db][recycle]") {
  const std::string dir = test::ScratchDir("db_wal_recycle_waldir");
  const std::string wal_dir = dir + "-wal";
  test::RemoveTree(wal_dir);
  CountingReuseEnv env;
  Options options;
  options.create_if_missing = true;
  options.env = &env;
  options.wal_dir = wal_dir;
  options.recycle_log_file_num = 2;
  Random rnd(5);
  Model model;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, dir, &db).ok());
  for (int round = 0; round < 5; round++) FillAndFlush(db.get(), &rnd, &model);
  REQUIRE(env.reused >= 3);
  REQUIRE(env.refused == 0);
  REQUIRE(LogNames(dir).empty());  // no WAL ever lands in the DB directory
  REQUIRE(LogNames(wal_dir).size() <= 3);
  db.reset();
  REQUIRE(DB::Open(options, dir, &db).ok());
  REQUIRE(test::Contents(db.get()) == model);
  REQUIRE(WalRecovery(db.get()).find("damaged records: 0 ") != std::string::npos);
  db.reset();
  test::RemoveTree(wal_dir);
  test::RemoveTree(dir);
}

TEST_CASE("DB: a WAL with another hard link is never overwritten", "[db][recycle]") {
  const std::string dir = test::ScratchDir("db_wal_recycle_link");
  const std::string outside = dir + "-linked.log";
  (void)::unlink(outside.c_str());
  CountingReuseEnv env;
  Options options;
  options.create_if_missing = true;
  options.env = &env;
  options.recycle_log_file_num = 1;
  Random rnd(7);
  Model model;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, dir, &db).ok());
  std::vector<std::string> logs = LogNames(dir);
  REQUIRE(logs.size() == 1);
  // Someone links the live WAL elsewhere (a copy made by linking).
  REQUIRE(::link((dir + "/" + logs[0]).c_str(), outside.c_str()) == 0);
  FillAndFlush(db.get(), &rnd, &model);  // it becomes obsolete: kept for reuse
  std::string linked_before;
  REQUIRE(ReadFileToString(Env::Default(), outside, &linked_before).ok());
  FillAndFlush(db.get(), &rnd, &model);  // the next switch tries to reuse it
  FillAndFlush(db.get(), &rnd, &model);
  REQUIRE(env.refused >= 1);
  std::string linked_after;
  REQUIRE(ReadFileToString(Env::Default(), outside, &linked_after).ok());
  REQUIRE(linked_after == linked_before);
  for (const std::string& log : LogNames(dir)) REQUIRE(Inode(dir + "/" + log) != Inode(outside));
  db.reset();
  REQUIRE(DB::Open(options, dir, &db).ok());
  REQUIRE(test::Contents(db.get()) == model);
  db.reset();
  (void)::unlink(outside.c_str());
  test::RemoveTree(dir);
}

TEST_CASE("DB: WALs kept for the change feed are archived, not reused", "[db][recycle]") {
  const std::string dir = test::ScratchDir("db_wal_recycle_feed");
  CountingReuseEnv env;
  Options options;
  options.create_if_missing = true;
  options.env = &env;
  options.recycle_log_file_num = 4;
  options.wal_retention_bytes = 64 << 20;
  Random rnd(11);
  Model model;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, dir, &db).ok());
  const uint64_t first = db->GetLatestSequenceNumber() + 1;
  for (int round = 0; round < 5; round++) FillAndFlush(db.get(), &rnd, &model);
  REQUIRE(env.reused == 0);
  // The feed still reads every batch from the first one, across the
  // archived WALs.
  std::unique_ptr<UpdateIterator> it;
  REQUIRE(db->GetUpdatesSince(first, &it).ok());
  uint64_t next = first;
  while (it->Valid()) {
    REQUIRE(it->sequence() == next);
    next += it->batch().Count();
    it->Next();
  }
  REQUIRE(it->status().ok());
  REQUIRE(next == db->GetLatestSequenceNumber() + 1);
  it.reset();
  db.reset();
  test::RemoveTree(dir);
}

TEST_CASE("DB: the change feed reads a reused live WAL up to its last batch", "[db][recycle]") {
  const std::string dir = test::ScratchDir("db_wal_recycle_feed_live");
  CountingReuseEnv env;
  Options options;
  options.create_if_missing = true;
  options.env = &env;
  options.recycle_log_file_num = 2;
  Random rnd(31);
  Model model;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, dir, &db).ok());
  for (int round = 0; round < 4; round++) FillAndFlush(db.get(), &rnd, &model);
  REQUIRE(env.reused >= 2);  // the live WAL is a reused file, old records after the new ones
  const uint64_t first = db->GetLatestSequenceNumber() + 1;
  std::unique_ptr<UpdateIterator> it;
  REQUIRE(db->GetUpdatesSince(first, &it).ok());
  REQUIRE_FALSE(it->Valid());
  REQUIRE(it->status().ok());
  it.reset();
  WriteOptions wo;
  for (int i = 0; i < 20; i++) {
    WriteBatch batch;
    batch.Put(Key(i), "feed-" + std::to_string(i));
    batch.Put(Key(i + 100), "feed+" + std::to_string(i));
    REQUIRE(db->Write(wo, &batch).ok());
  }
  REQUIRE(db->GetUpdatesSince(first, &it).ok());
  uint64_t next = first;
  int batches = 0;
  while (it->Valid()) {
    REQUIRE(it->sequence() == next);
    REQUIRE(it->batch().Count() == 2);
    next += it->batch().Count();
    batches++;
    it->Next();
  }
  REQUIRE(it->status().ok());
  REQUIRE(batches == 20);
  REQUIRE(next == db->GetLatestSequenceNumber() + 1);
  it.reset();
  db.reset();
  test::RemoveTree(dir);
}

TEST_CASE("DB: a checkpoint taken while WALs are recycled opens with exactly its writes", "[db][recycle]") {
  const std::string dir = test::ScratchDir("db_wal_recycle_ckpt");
  const std::string ckpt = dir + "-ckpt";
  test::RemoveTree(ckpt);
  CountingReuseEnv env;
  Options options;
  options.create_if_missing = true;
  options.env = &env;
  options.recycle_log_file_num = 2;
  Random rnd(23);
  Model model;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, dir, &db).ok());
  for (int round = 0; round < 4; round++) FillAndFlush(db.get(), &rnd, &model);
  // Unflushed writes in a reused WAL, then the checkpoint copies that WAL.
  WriteOptions wo;
  for (int i = 0; i < 100; i++) {
    const std::string value = "unflushed-" + std::to_string(i);
    REQUIRE(db->Put(wo, Key(i), value).ok());
    model[Key(i)] = value;
  }
  REQUIRE(env.reused >= 2);
  uint64_t sequence = 0;
  REQUIRE(db->CreateCheckpoint(ckpt, &sequence).ok());
  const Model at_checkpoint = model;
  // The source writes on, reusing the WALs the checkpoint copied from.
  for (int round = 0; round < 4; round++) FillAndFlush(db.get(), &rnd, &model);
  db.reset();

  Options ckpt_options;
  std::unique_ptr<DB> copy;
  REQUIRE(DB::Open(ckpt_options, ckpt, &copy).ok());
  REQUIRE(copy->GetLatestSequenceNumber() == sequence);
  REQUIRE(test::Contents(copy.get()) == at_checkpoint);
  REQUIRE(WalRecovery(copy.get()).find("damaged records: 0 ") != std::string::npos);
  copy.reset();
  REQUIRE(DB::Open(options, dir, &db).ok());
  REQUIRE(test::Contents(db.get()) == model);
  db.reset();
  test::RemoveTree(ckpt);
  test::RemoveTree(dir);
}

// A child process writes with recycling on (a WAL switch every ~64 KiB, so
// every WAL after the first few is a reused file) and is killed with
// SIGKILL at a random moment: in the middle of a reuse, a rename, a first
// write or a sync. Every write the child had acknowledged (reported on a
// pipe after Put returned) must be there after reopening, and the DB must
// be exactly the model after the acknowledged writes, or after one more
// (the write in flight), with no damage reported.
TEST_CASE("DB: a process killed while WALs are recycled loses no acknowledged write", "[db][recycle]") {
  const uint64_t seed = test::TestSeed(9090);
  const int rounds = 6;
  for (int round = 0; round < rounds; round++) {
    const uint64_t round_seed = seed + static_cast<uint64_t>(round);
    INFO("seed " << round_seed);
    const std::string dir = test::ScratchDir("db_wal_recycle_crash");
    Options options;
    options.create_if_missing = true;
    options.write_buffer_size = 64 << 10;
    options.recycle_log_file_num = 2;
    const auto op = [](Random* rnd, int i, std::string* key, std::string* value, bool* sync) {
      *key = Key(rnd->Uniform(400));
      *value = std::string(100 + rnd->Uniform(300), static_cast<char>('a' + i % 26));
      *sync = rnd->OneIn(3);
    };
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      std::unique_ptr<DB> db;
      if (!DB::Open(options, dir, &db).ok()) _exit(10);
      Random rnd(round_seed);
      for (int i = 0;; i++) {
        std::string key, value;
        bool sync;
        op(&rnd, i, &key, &value, &sync);
        WriteOptions wo;
        wo.sync = sync;
        if (!db->Put(wo, key, value).ok()) _exit(11);
        const int32_t acked = i + 1;
        if (::write(fds[1], &acked, sizeof(acked)) != sizeof(acked)) _exit(12);
      }
    }
    ::close(fds[1]);
    // Let it run through many WAL switches first.
    Random timing(round_seed * 31 + 1);
    const int32_t kill_after = 800 + static_cast<int32_t>(timing.Uniform(3000));
    int32_t acked = 0, value = 0;
    while (acked < kill_after && ::read(fds[0], &value, sizeof(value)) == sizeof(value)) acked = value;
    REQUIRE(::kill(pid, SIGKILL) == 0);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    while (::read(fds[0], &value, sizeof(value)) == sizeof(value)) acked = value;
    ::close(fds[0]);
    REQUIRE(acked >= kill_after);

    Model model;
    Random rnd(round_seed);
    for (int i = 0; i < acked; i++) {
      std::string key, v;
      bool sync;
      op(&rnd, i, &key, &v, &sync);
      model[key] = v;
    }
    Model one_more = model;
    {
      std::string key, v;
      bool sync;
      op(&rnd, acked, &key, &v, &sync);
      one_more[key] = v;
    }
    std::unique_ptr<DB> db;
    REQUIRE(DB::Open(options, dir, &db).ok());
    const Model got = test::Contents(db.get());
    INFO("acknowledged writes: " << acked);
    REQUIRE((got == model || got == one_more));
    const std::string report = WalRecovery(db.get());
    INFO(report);
    REQUIRE(report.find("damaged records: 0 ") != std::string::npos);
    REQUIRE(report.find("stopped: no") != std::string::npos);
    db.reset();
    test::RemoveTree(dir);
  }
}

}  // namespace lsmkv
