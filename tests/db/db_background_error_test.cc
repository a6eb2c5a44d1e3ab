// Background errors: a failed MANIFEST write leaves the edit's fate
// unknown, so nothing it (or a later edit) could refer to is deleted and
// nothing more is appended to that MANIFEST; reopen finds every
// acknowledged write. Flush, compaction and MANIFEST errors can be cleared
// by Resume (automatically after a full disk); WAL errors cannot.
#include <catch2/catch.hpp>
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "format/filename.h"
#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/mem_env.h"
#include "support/writable_file_wrapper.h"
#include "util/random.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;

// Fails chosen operations on files whose name contains `pattern`: the n-th
// (1-based) Append, Sync, creation or rename of such a file, or the n-th
// SyncDir. A failing Append first writes half of its bytes. With
// no_space_pattern set, appends to matching files fail with NoSpace while
// disk_full is true.
class FailingEnv final : public EnvWrapper {
 public:
  enum class Op { kNone, kAppend, kSync, kCreate, kRename, kSyncDir };

  explicit FailingEnv(Env* base) : EnvWrapper(base) {}

  void Arm(Op op, const std::string& pattern, int n) {
    std::lock_guard<std::mutex> l(mu_);
    op_ = op;
    pattern_ = pattern;
    remaining_ = n;
    fired_ = false;
  }
  bool fired() {
    std::lock_guard<std::mutex> l(mu_);
    return fired_;
  }
  void Disarm() { Arm(Op::kNone, "", 0); }

  std::atomic<bool> disk_full{false};
  std::string no_space_pattern;

  // True when this call is the one to fail.
  bool ShouldFail(Op op, const std::string& fname) {
    std::lock_guard<std::mutex> l(mu_);
    if (op != op_ || remaining_ <= 0) return false;
    if (op != Op::kSyncDir && fname.find(pattern_) == std::string::npos) return false;
    if (--remaining_ > 0) return false;
    fired_ = true;
    return true;
  }

  Status NewWritableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override {
    if (ShouldFail(Op::kCreate, f)) return Status::IOError(f, "injected create failure");
    std::unique_ptr<WritableFile> file;
    Status s = target()->NewWritableFile(f, &file);
    if (s.ok()) *r = std::make_unique<File>(this, f, std::move(file));
    return s;
  }
  Status RenameFile(const std::string& src, const std::string& target) override {
    if (ShouldFail(Op::kRename, target)) return Status::IOError(target, "injected rename failure");
    return EnvWrapper::RenameFile(src, target);
  }
  Status SyncDir(const std::string& d) override {
    if (ShouldFail(Op::kSyncDir, d)) return Status::IOError(d, "injected directory sync failure");
    return EnvWrapper::SyncDir(d);
  }

 private:
  class File final : public test::WritableFileWrapper {
   public:
    File(FailingEnv* env, std::string name, std::unique_ptr<WritableFile> base)
        : WritableFileWrapper(std::move(base)), env_(env), name_(std::move(name)) {}
    Status Append(const Slice& data) override {
      if (env_->disk_full && !env_->no_space_pattern.empty() &&
          name_.find(env_->no_space_pattern) != std::string::npos) {
        return Status::NoSpace(name_, "No space left on device (simulated)");
      }
      if (env_->ShouldFail(Op::kAppend, name_)) {
        (void)base()->Append(Slice(data.data(), data.size() / 2));
        return Status::IOError(name_, "injected append failure");
      }
      return base()->Append(data);
    }
    Status Sync() override {
      if (env_->ShouldFail(Op::kSync, name_)) return Status::IOError(name_, "injected sync failure");
      return base()->Sync();
    }

   private:
    FailingEnv* const env_;
    const std::string name_;
  };

  std::mutex mu_;
  Op op_ = Op::kNone;
  std::string pattern_;
  int remaining_ = 0;
  bool fired_ = false;
};

Options SmallOptions(Env* env) {
  Options options;
  options.env = env;
  options.create_if_missing = true;
  options.write_buffer_size = 16 << 10;  // many flushes, and compactions
  options.max_bytes_for_level_base = 64 << 10;
  options.target_file_size = 16 << 10;
  return options;
}

// Random puts and deletes over 200 keys until a write fails or `writes`
// succeeded; acknowledged ones go to *model. Returns the failed write's key
// (its fate is unknown), or "" if none failed.
std::string Workload(DB* db, Random* rnd, int writes, Model* model, Status* failure) {
  for (int i = 0; i < writes; i++) {
    const std::string key = "key" + std::to_string(rnd->Uniform(200));
    Status s;
    std::string value;
    if (rnd->OneIn(5)) {
      s = db->Delete(WriteOptions(), key);
    } else {
      value = std::string(100 + rnd->Uniform(200), static_cast<char>('a' + rnd->Uniform(26)));
      s = db->Put(WriteOptions(), key, value);
    }
    if (!s.ok()) {
      *failure = s;
      return key;
    }
    if (value.empty()) model->erase(key);
    else (*model)[key] = value;
  }
  return "";
}

// The DB holds exactly the model, except that `unknown` may hold anything.
void RequireModel(DB* db, Model model, const std::string& unknown) {
  Model got = test::Contents(db);
  if (!unknown.empty()) {
    got.erase(unknown);
    model.erase(unknown);
  }
  REQUIRE(got == model);
}

uint64_t ManifestSize(Env* env) {
  std::string current;
  REQUIRE(ReadFileToString(env, "/db/CURRENT", &current).ok());
  uint64_t size = 0;
  REQUIRE(env->GetFileSize("/db/" + current.substr(0, current.size() - 1), &size).ok());
  return size;
}

}  // namespace

TEST_CASE("Background errors: a failed MANIFEST append or sync loses no acknowledged write",
          "[db][fault][manifest]") {
  const uint64_t seed = test::TestSeed(1301);
  for (FailingEnv::Op op : {FailingEnv::Op::kAppend, FailingEnv::Op::kSync}) {
    for (int n = 1; n <= 4; n++) {
      INFO("seed " << seed << ", op " << static_cast<int>(op) << ", failing call " << n);
      MemEnv mem;
      FailingEnv env(&mem);
      const Options options = SmallOptions(&env);
      Random rnd(seed + n);
      Model model;
      std::unique_ptr<DB> db;
      REQUIRE(DB::Open(options, "/db", &db).ok());
      env.Arm(op, "MANIFEST", n);
      Status failure;
      std::string unknown = Workload(db.get(), &rnd, 20000, &model, &failure);
      REQUIRE(env.fired());
      INFO(failure.ToString());
      if (unknown.empty()) {
        // The failure hit a compaction while writes still had room: they
        // stop at the next flush.
        REQUIRE(!db->Flush().ok());
      }
      env.Disarm();
      // No further edit reaches that MANIFEST, also not at close.
      const uint64_t size = ManifestSize(&mem);
      Status more;
      const Model before_more = model;
      REQUIRE(!Workload(db.get(), &rnd, 5, &model, &more).empty());  // writes keep failing
      REQUIRE(model == before_more);
      REQUIRE(!db->Flush().ok());
      REQUIRE(!db->CompactRange(nullptr, nullptr).ok());
      db.reset();
      REQUIRE(ManifestSize(&mem) == size);
      // Reopen: every acknowledged write.
      const Status s = DB::Open(options, "/db", &db);
      INFO(s.ToString());
      REQUIRE(s.ok());
      RequireModel(db.get(), model, unknown);
    }
  }
}

TEST_CASE("Background errors: a compaction whose MANIFEST sync failed deletes none of its outputs",
          "[db][fault][manifest]") {
  // The synced edit may be on disk (here it is): its outputs must survive,
  // or the next Open finds a MANIFEST naming missing tables.
  MemEnv mem;
  FailingEnv env(&mem);
  Options options = SmallOptions(&env);
  options.level0_file_num_compaction_trigger = 100;  // no background compactions
  options.level0_slowdown_writes_trigger = 100;
  options.level0_stop_writes_trigger = 100;
  options.max_bytes_for_level_base = 1 << 30;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Random rnd(3);
  Model model;
  Status failure;
  for (int round = 0; round < 4; round++) {
    REQUIRE(Workload(db.get(), &rnd, 50, &model, &failure).empty());
    REQUIRE(db->Flush().ok());
  }
  env.Arm(FailingEnv::Op::kSync, "MANIFEST", 1);
  REQUIRE(db->CompactRange(nullptr, nullptr).IsIOError());
  REQUIRE(env.fired());
  env.Disarm();
  db.reset();
  const Status s = DB::Open(options, "/db", &db);
  INFO(s.ToString());
  REQUIRE(s.ok());
  RequireModel(db.get(), model, "");
}

TEST_CASE("Background errors: a failed new MANIFEST at Open leaves a DB that opens",
          "[db][fault][manifest]") {
  const std::vector<std::pair<FailingEnv::Op, std::string>> points = {
      {FailingEnv::Op::kCreate, "MANIFEST"}, {FailingEnv::Op::kAppend, "MANIFEST"},
      {FailingEnv::Op::kSync, "MANIFEST"},   {FailingEnv::Op::kSyncDir, ""},
      {FailingEnv::Op::kRename, "CURRENT"},  {FailingEnv::Op::kAppend, "CURRENT"}};
  for (const auto& [op, pattern] : points) {
    for (int n = 1; n <= 3; n++) {
      INFO("op " << static_cast<int>(op) << " on " << pattern << ", failing call " << n);
      MemEnv mem;
      FailingEnv env(&mem);
      const Options options = SmallOptions(&env);
      Random rnd(77 + n);
      Model model;
      std::unique_ptr<DB> db;
      REQUIRE(DB::Open(options, "/db", &db).ok());
      Status failure;
      REQUIRE(Workload(db.get(), &rnd, 3000, &model, &failure).empty());
      db.reset();
      env.Arm(op, pattern, n);
      const Status s = DB::Open(options, "/db", &db);
      env.Disarm();
      if (!s.ok()) REQUIRE(db == nullptr);
      db.reset();
      const Status reopened = DB::Open(options, "/db", &db);
      INFO(s.ToString() << " / " << reopened.ToString());
      REQUIRE(reopened.ok());
      RequireModel(db.get(), model, "");
    }
  }
}

TEST_CASE("Background errors: Resume after a MANIFEST failure writes a new MANIFEST and goes on",
          "[db][fault][manifest]") {
  MemEnv mem;
  FailingEnv env(&mem);
  const Options options = SmallOptions(&env);
  Random rnd(5);
  Model model;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  env.Arm(FailingEnv::Op::kSync, "MANIFEST", 2);
  Status failure;
  std::string unknown = Workload(db.get(), &rnd, 20000, &model, &failure);
  REQUIRE(env.fired());
  if (unknown.empty()) REQUIRE(!db->Flush().ok());
  env.Disarm();
  std::string current_before;
  REQUIRE(ReadFileToString(&mem, "/db/CURRENT", &current_before).ok());
  REQUIRE(db->Resume().ok());
  std::string current_after;
  REQUIRE(ReadFileToString(&mem, "/db/CURRENT", &current_after).ok());
  REQUIRE(current_after != current_before);  // a new MANIFEST
  if (!unknown.empty()) {
    // The failed write may or may not be there; settle it.
    REQUIRE(db->Delete(WriteOptions(), unknown).ok());
    model.erase(unknown);
  }
  REQUIRE(Workload(db.get(), &rnd, 3000, &model, &failure).empty());
  REQUIRE(db->Flush().ok());
  RequireModel(db.get(), model, "");
  db.reset();
  REQUIRE(DB::Open(options, "/db", &db).ok());
  RequireModel(db.get(), model, "");
}

TEST_CASE("Background errors: a failed WAL sync stays until reopen", "[db][fault]") {
  MemEnv mem;
  FailingEnv env(&mem);
  const Options options = SmallOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE(db->Put(WriteOptions(), "before", "1").ok());
  env.Arm(FailingEnv::Op::kSync, ".log", 1);
  WriteOptions sync;
  sync.sync = true;
  REQUIRE(db->Put(sync, "failed", "x").IsIOError());
  env.Disarm();
  const Status s = db->Resume();
  REQUIRE(s.IsIOError());  // not cleared: whether the record is on disk is unknown
  REQUIRE(db->Put(WriteOptions(), "after", "2").IsIOError());
  db.reset();
  REQUIRE(DB::Open(options, "/db", &db).ok());
  std::string value;
  REQUIRE(db->Get(ReadOptions(), "before", &value).ok());
  REQUIRE(db->Put(WriteOptions(), "after", "2").ok());
}

TEST_CASE("Background errors: writes resume on their own once a full disk has space again",
          "[db][fault][nospace]") {
  MemEnv mem;
  FailingEnv env(&mem);
  env.no_space_pattern = ".sst";  // table writes hit the full disk (the WAL has room)
  const Options options = SmallOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Random rnd(9);
  Model model;
  Status failure;
  REQUIRE(Workload(db.get(), &rnd, 500, &model, &failure).empty());
  env.disk_full = true;
  std::string unknown = Workload(db.get(), &rnd, 20000, &model, &failure);
  INFO(failure.ToString());
  REQUIRE(failure.IsNoSpace());
  // Still full: writes keep failing (the retries fail too).
  mem.SleepForMicroseconds(200000);
  REQUIRE(db->Put(WriteOptions(), "while-full", "x").IsNoSpace());
  env.disk_full = false;
  // Space is back: within seconds writes succeed again without reopening.
  Status s;
  for (int i = 0; i < 200; i++) {
    s = db->Put(WriteOptions(), "resumed", "1");
    if (s.ok()) break;
    mem.SleepForMicroseconds(50000);
  }
  INFO(s.ToString());
  REQUIRE(s.ok());
  model["resumed"] = "1";
  REQUIRE(Workload(db.get(), &rnd, 2000, &model, &failure).empty());
  REQUIRE(db->Flush().ok());
  RequireModel(db.get(), model, unknown);
  std::string stats;
  REQUIRE(db->GetProperty("lsmkv.stats", &stats));
  INFO(stats);
  REQUIRE(stats.find("background errors: none, resumed 0") == std::string::npos);
  REQUIRE(stats.find("background errors: none, resumed") != std::string::npos);
  db.reset();
  REQUIRE(DB::Open(options, "/db", &db).ok());
  RequireModel(db.get(), model, unknown);
}

namespace {

// Records the directories synced.
class DirSyncRecorder final : public EnvWrapper {
 public:
  explicit DirSyncRecorder(Env* base) : EnvWrapper(base) {}
  Status SyncDir(const std::string& d) override {
    std::lock_guard<std::mutex> l(mu_);
    synced.push_back(d);
    return EnvWrapper::SyncDir(d);
  }
  std::mutex mu_;
  std::vector<std::string> synced;
};

}  // namespace

TEST_CASE("Open: new DB and WAL directories are made durable in their parents", "[db][open]") {
  MemEnv mem;
  DirSyncRecorder env(&mem);
  Options options;
  options.env = &env;
  options.create_if_missing = true;
  options.wal_dir = "/top/wal";
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/top/db", &db).ok());
  REQUIRE(std::count(env.synced.begin(), env.synced.end(), "/top") == 2);
  db.reset();
  env.synced.clear();
  REQUIRE(DB::Open(options, "/top/db", &db).ok());  // existing: nothing new to sync there
  REQUIRE(std::count(env.synced.begin(), env.synced.end(), "/top") == 0);
}

}  // namespace lsmkv
