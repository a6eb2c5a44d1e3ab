// Options::wal_write_mode end to end on the POSIX Env: a DB whose WAL is
// written in each mode, and in kAuto on a "file system" that refuses
// mappings or fallocate (the test shim of env/posix_env_testing.h), keeps
// every acknowledged write through a process crash, reopens, and writes on.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "env/posix_env_testing.h"
#include "lsmkv/db.h"
#include "lsmkv/write_batch.h"
#include "support/db_contents.h"
#include "support/test_util.h"
#include "util/random.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;

class ScopedMappedLogFaults {
 public:
  explicit ScopedMappedLogFaults(const MappedLogFaults& faults) { TEST_SetMappedLogFaults(faults); }
  ~ScopedMappedLogFaults() { TEST_SetMappedLogFaults(MappedLogFaults{}); }
  ScopedMappedLogFaults(const ScopedMappedLogFaults&) = delete;
  ScopedMappedLogFaults& operator=(const ScopedMappedLogFaults&) = delete;
};

// Seeded puts (100..400-byte values) and deletes over 500 keys, with one
// write in 100 synced, and one in 50 a batch of 50..249 puts (a WAL record
// of ~12..100 KiB: the mapped WAL writes those of 16 KiB or more with
// pwrite, the rest with memcpy): about 1.5 MB of WAL, so a single WAL
// crosses the regions at 64, 192, 448 and 960 KiB. Applies them to *db
// when it is not null (returning false at the first failed write) and to
// *model.
bool RunWorkload(DB* db, uint64_t seed, int ops, Model* model) {
  Random rnd(seed);
  for (int i = 0; i < ops; i++) {
    const std::string key = "key" + std::to_string(rnd.Uniform(500));
    WriteOptions wo;
    wo.sync = rnd.OneIn(100);
    if (rnd.OneIn(50)) {
      WriteBatch batch;
      Model batch_model;
      const int puts = 50 + static_cast<int>(rnd.Uniform(200));
      for (int j = 0; j < puts; j++) {
        const std::string batch_key = "key" + std::to_string(rnd.Uniform(500));
        const std::string value(100 + rnd.Uniform(300), static_cast<char>('A' + rnd.Uniform(26)));
        batch.Put(batch_key, value);
        batch_model[batch_key] = value;  // a later put of the same key wins
      }
      if (db != nullptr && !db->Write(wo, &batch).ok()) return false;
      for (const auto& [k, v] : batch_model) (*model)[k] = v;
    } else if (rnd.OneIn(8)) {
      if (db != nullptr && !db->Delete(wo, key).ok()) return false;
      model->erase(key);
    } else {
      const std::string value(100 + rnd.Uniform(300), static_cast<char>('a' + rnd.Uniform(26)));
      if (db != nullptr && !db->Put(wo, key, value).ok()) return false;
      (*model)[key] = value;
    }
  }
  return true;
}

// The longest run of zero bytes in the file.
size_t LongestZeroRun(const std::string& fname) {
  std::string data;
  REQUIRE(ReadFileToString(Env::Default(), fname, &data).ok());
  size_t longest = 0, run = 0;
  for (char c : data) {
    run = (c == 0) ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

std::vector<std::string> LogFiles(const std::string& dir) {
  std::vector<std::string> children, logs;
  REQUIRE(Env::Default()->GetChildren(dir, &children).ok());
  for (const std::string& c : children) {
    if (c.size() > 4 && c.compare(c.size() - 4, 4, ".log") == 0) logs.push_back(dir + "/" + c);
  }
  return logs;
}

struct WalCase {
  const char* name;
  WalWriteMode mode;
  MappedLogFaults faults;
};

}  // namespace

TEST_CASE("DB: every wal_write_mode keeps acknowledged writes through a process crash",
          "[db][walmode]") {
  const WalCase wal_case = GENERATE(
      WalCase{"auto", WalWriteMode::kAuto, {}},
      WalCase{"mapped", WalWriteMode::kMapped, {}},
      WalCase{"write", WalWriteMode::kWrite, {}},
      WalCase{"auto, fallocate unsupported", WalWriteMode::kAuto, {EOPNOTSUPP, 0, 0}},
      WalCase{"auto, mmap refused", WalWriteMode::kAuto, {0, ENODEV, 0}},
      WalCase{"auto, mmap refused from region 2", WalWriteMode::kAuto, {0, ENODEV, 2}},
      WalCase{"auto, fallocate EINVAL from region 2", WalWriteMode::kAuto, {EINVAL, 0, 2}});
  // One WAL for the whole run, or a WAL switch (and a flush) every ~64 KiB.
  const size_t write_buffer_size = GENERATE(size_t{4} << 20, size_t{64} << 10);
  const uint64_t seed = test::TestSeed(1313);
  INFO("case: " << wal_case.name << ", write_buffer_size " << write_buffer_size << ", seed "
                << seed);
  const std::string dir = test::ScratchDir("db_wal_mode");
  Options options;
  options.create_if_missing = true;
  options.wal_write_mode = wal_case.mode;
  options.write_buffer_size = write_buffer_size;
  ScopedMappedLogFaults scoped(wal_case.faults);
  constexpr int kOps = 2000;

  // The child writes and dies without closing anything (kill -9 leaves the
  // same: the WAL as the OS has it, nothing flushed or cut back).
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::unique_ptr<DB> db;
    if (!DB::Open(options, dir, &db).ok()) _exit(10);
    Model ignored;
    if (!RunWorkload(db.get(), seed, kOps, &ignored)) _exit(11);
    _exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);

  // Written with write(2) from the start, or since the fallback (at the
  // first region, or at region 2 of the one big WAL): no reserved region
  // (64 KiB or more of zeros) anywhere. Records alone never hold 1 KiB of
  // zeros: padding at a block end plus a header are a few bytes.
  const bool faults_on = wal_case.faults.reserve_error != 0 || wal_case.faults.map_error != 0;
  const bool one_wal = write_buffer_size > (1 << 20);
  if (wal_case.mode == WalWriteMode::kWrite ||
      (faults_on && (wal_case.faults.first_region == 0 || one_wal))) {
    const std::vector<std::string> logs = LogFiles(dir);
    REQUIRE(!logs.empty());
    for (const std::string& log : logs) {
      INFO(log);
      REQUIRE(LongestZeroRun(log) < 1024);
    }
  }

  Model model;
  RunWorkload(nullptr, seed, kOps, &model);
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, dir, &db);  // same mode, same refusals
  INFO(s.ToString());
  REQUIRE(s.ok());
  REQUIRE(test::Contents(db.get()) == model);

  // Writes on in the same mode, closes, and reopens in the default one.
  REQUIRE(RunWorkload(db.get(), seed + 1, 500, &model));
  db.reset();
  options.wal_write_mode = WalWriteMode::kAuto;
  TEST_SetMappedLogFaults(MappedLogFaults{});
  s = DB::Open(options, dir, &db);
  REQUIRE(s.ok());
  REQUIRE(test::Contents(db.get()) == model);
  db.reset();
  test::RemoveTree(dir);
}

TEST_CASE("DB: wal_write_mode kMapped where mapping is refused fails writes with IOError",
          "[db][walmode]") {
  const std::string dir = test::ScratchDir("db_wal_mapped_refused");
  Options options;
  options.create_if_missing = true;
  options.wal_write_mode = WalWriteMode::kMapped;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, dir, &db).ok());
  REQUIRE(db->Put(WriteOptions(), "before", "1").ok());
  db.reset();
  {
    MappedLogFaults faults;
    faults.map_error = ENODEV;
    ScopedMappedLogFaults scoped(faults);
    REQUIRE(DB::Open(options, dir, &db).ok());  // the new WAL maps nothing yet
    const Status s = db->Put(WriteOptions(), "refused", "2");
    INFO(s.ToString());
    REQUIRE(s.IsIOError());
    REQUIRE(s.ToString().find(std::strerror(ENODEV)) != std::string::npos);
    REQUIRE(db->Put(WriteOptions(), "later", "3").IsIOError());  // sticky
    db.reset();
  }
  // kAuto on the same refusing file system writes on (with write(2)).
  {
    MappedLogFaults faults;
    faults.map_error = ENODEV;
    ScopedMappedLogFaults scoped(faults);
    options.wal_write_mode = WalWriteMode::kAuto;
    REQUIRE(DB::Open(options, dir, &db).ok());
    REQUIRE(db->Put(WriteOptions(), "auto", "4").ok());
    REQUIRE(test::Contents(db.get()) == Model{{"auto", "4"}, {"before", "1"}});
    db.reset();
  }
  test::RemoveTree(dir);
}

TEST_CASE("DB: an unknown wal_write_mode is rejected at Open", "[db][walmode]") {
  const std::string dir = test::ScratchDir("db_wal_mode_invalid");
  Options options;
  options.create_if_missing = true;
  options.wal_write_mode = static_cast<WalWriteMode>(3);
  std::unique_ptr<DB> db;
  const Status s = DB::Open(options, dir, &db);
  REQUIRE(s.IsInvalidArgument());
  REQUIRE(s.ToString().find("wal_write_mode") != std::string::npos);
  test::RemoveTree(dir);
}

}  // namespace lsmkv
