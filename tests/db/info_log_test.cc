// The info log: the default LOG file (created, rotated to LOG.old at open
// and at its size cap, timestamped lines), a user-supplied Logger that gets
// every event instead, the lines written for open, recovery, flushes,
// compactions, stalls and background errors, and LOG/LOG.old against
// DestroyDB and RepairDB.
#include <catch2/catch.hpp>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "db/db_impl.h"
#include "format/filename.h"
#include "lsmkv/db.h"
#include "support/fault_env.h"
#include "support/mem_env.h"
#include "support/slow_tables_env.h"
#include "support/test_util.h"
#include "util/logging.h"

namespace lsmkv {

namespace {

// Keeps every line, for exact checks.
class CapturingLogger final : public Logger {
 public:
  void LogLine(const Slice& line) override {
    std::lock_guard<std::mutex> l(mu_);
    lines_.push_back(line.ToString());
  }
  std::vector<std::string> Lines() {
    std::lock_guard<std::mutex> l(mu_);
    return lines_;
  }
  // Lines starting with prefix.
  std::vector<std::string> With(const std::string& prefix) {
    std::vector<std::string> out;
    for (const auto& line : Lines()) {
      if (line.compare(0, prefix.size(), prefix) == 0) out.push_back(line);
    }
    return out;
  }
  std::string All() {
    std::string out;
    for (const auto& line : Lines()) out += line + "\n";
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

std::string ReadOrEmpty(Env* env, const std::string& f) {
  std::string data;
  if (env->FileExists(f)) REQUIRE(ReadFileToString(env, f, &data).ok());
  return data;
}

// One session of the DB at `name`: open (which rotates LOG to LOG.old),
// put key -> value, flush if asked, close.
void OpenPutClose(const Options& options, const std::string& name, const std::string& key,
                  const std::string& value, bool flush) {
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, name, &db).ok());
  REQUIRE(db->Put(WriteOptions(), key, value).ok());
  if (flush) REQUIRE(db->Flush().ok());
}

// "2026/11/30-16:12:52.123456 4242 message"
const std::regex kStampedLine(R"(^\d{4}/\d{2}/\d{2}-\d{2}:\d{2}:\d{2}\.\d{6} \d+ \S.*$)");

}  // namespace

TEST_CASE("InfoLog: a user Logger gets open, flush and compaction lines and no LOG file is made",
          "[infolog]") {
  MemEnv env;
  auto logger = std::make_shared<CapturingLogger>();
  const Options options = test::NewDBOptions(&env, logger);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  for (int i = 0; i < 100; i++) REQUIRE(db->Put(WriteOptions(), "k" + std::to_string(i), "v").ok());
  REQUIRE(db->Flush().ok());
  for (int i = 0; i < 100; i += 2) REQUIRE(db->Put(WriteOptions(), "k" + std::to_string(i), "w").ok());
  REQUIRE(db->Flush().ok());
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  INFO(logger->All());

  const auto opened = logger->With("open: done:");
  REQUIRE(opened.size() == 1);
  REQUIRE(opened[0].find("0 WAL(s) replayed into 0 table(s)") != std::string::npos);
  REQUIRE(opened[0].find("last sequence 0") != std::string::npos);
  const auto flushes = logger->With("flush: ");
  REQUIRE(flushes.size() == 2);
  REQUIRE(flushes[0].find(" 100 entries -> table ") != std::string::npos);
  REQUIRE(flushes[1].find(" 50 entries -> table ") != std::string::npos);
  // The second table overlaps the first; compacting merges them into one,
  // dropping the 50 overwritten versions.
  // (CompactRange then rewrites the bottom level in place.)
  const auto compactions = logger->With("compaction: L");
  REQUIRE(compactions.size() == 2);
  REQUIRE(std::regex_match(compactions[0], std::regex(R"(compaction: L(\d) 1 files \+ L\d 1 files \(\d+ bytes\) -> L\d 1 files \(\d+ bytes\), 50 entries dropped, [0-9.]+ s$)")));
  REQUIRE(std::regex_match(compactions[1], std::regex(R"(compaction: L(\d) 1 files in place \(\d+ bytes\) -> L\1 1 files \(\d+ bytes\), 0 entries dropped, [0-9.]+ s$)")));
  REQUIRE(logger->With("background error").empty());
  REQUIRE_FALSE(env.FileExists("/db/LOG"));
  REQUIRE_FALSE(env.FileExists("/db/LOG.old"));

  // Reopen with writes in the WAL: a recovery line per WAL and the summary.
  for (int i = 0; i < 7; i++) REQUIRE(db->Put(WriteOptions(), "r" + std::to_string(i), "v").ok());
  db.reset();
  REQUIRE(DB::Open(options, "/db", &db).ok());
  const auto recovered = logger->With("recovery: mode: ");
  REQUIRE(recovered.size() == 1);
  REQUIRE(recovered[0].find("; wals read: 1, batches replayed: 7, ") != std::string::npos);
  REQUIRE(recovered[0].find("; damaged records: 0 (0 bytes); stopped: no") != std::string::npos);
  REQUIRE(logger->With("recovery flush: ").size() == 1);
  const auto reopened = logger->With("open: done:");
  REQUIRE(reopened.size() == 2);
  REQUIRE(reopened[1].find("1 WAL(s) replayed into 1 table(s)") != std::string::npos);
  REQUIRE(reopened[1].find("last sequence 157") != std::string::npos);
  REQUIRE_FALSE(env.FileExists("/db/LOG"));
}

TEST_CASE("InfoLog: LOG is created, stamped, and rotated to LOG.old at each open", "[infolog]") {
  MemEnv env;
  const Options options = test::NewDBOptions(&env);
  OpenPutClose(options, "/db", "a", "1", /*flush=*/true);
  const std::string first = ReadOrEmpty(&env, "/db/LOG");
  INFO(first);
  REQUIRE(first.find(" open: done:") != std::string::npos);
  REQUIRE(first.find(" flush: memtable ") != std::string::npos);
  for (const auto& line : SplitLines(first)) {
    INFO(line);
    REQUIRE(std::regex_match(line, kStampedLine));
  }
  REQUIRE_FALSE(env.FileExists("/db/LOG.old"));

  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  db.reset();
  REQUIRE(ReadOrEmpty(&env, "/db/LOG.old") == first);
  const std::string second = ReadOrEmpty(&env, "/db/LOG");
  REQUIRE(second.find(" open: done:") != std::string::npos);
  REQUIRE(second.find(" flush: memtable ") == std::string::npos);

  // A second Open of a DB in use fails on the lock and leaves its LOG alone.
  REQUIRE(DB::Open(options, "/db", &db).ok());
  const std::string live = ReadOrEmpty(&env, "/db/LOG");
  std::unique_ptr<DB> second_db;
  REQUIRE_FALSE(DB::Open(options, "/db", &second_db).ok());
  REQUIRE(ReadOrEmpty(&env, "/db/LOG") == live);
  REQUIRE(ReadOrEmpty(&env, "/db/LOG.old") == second);
}

TEST_CASE("InfoLog: the LOG is rotated whenever it passes max_log_file_size", "[infolog]") {
  MemEnv env;
  Options options = test::NewDBOptions(&env);
  options.max_log_file_size = 4096;
  options.write_buffer_size = 16 << 10;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  // Each flush and compaction logs a line of ~150 bytes: well past 2 x 4 KiB.
  for (int round = 0; round < 150; round++) {
    REQUIRE(db->Put(WriteOptions(), "k" + std::to_string(round), std::string(100, 'x')).ok());
    REQUIRE(db->Flush().ok());
  }
  db.reset();
  uint64_t log_size = 0, old_size = 0;
  REQUIRE(env.GetFileSize("/db/LOG", &log_size).ok());
  REQUIRE(env.GetFileSize("/db/LOG.old", &old_size).ok());
  // A line starts while the file is under the cap and may finish past it.
  constexpr uint64_t kLongestLine = 400;
  REQUIRE(log_size > 0);
  REQUIRE(log_size < 4096 + kLongestLine);
  REQUIRE(old_size >= 4096);
  REQUIRE(old_size < 4096 + kLongestLine);
  // Rotated several times since the open: its line is gone from both.
  const std::string all = ReadOrEmpty(&env, "/db/LOG.old") + ReadOrEmpty(&env, "/db/LOG");
  REQUIRE(all.find(" open: done:") == std::string::npos);
  REQUIRE(all.find(" flush: ") != std::string::npos);
  for (const auto& line : SplitLines(all)) {
    INFO(line);
    REQUIRE(std::regex_match(line, kStampedLine));
  }

  options.max_log_file_size = 4095;
  REQUIRE(DB::Open(options, "/db", &db).IsInvalidArgument());
}

// On the POSIX Env, whose files buffer appends and are not safe for
// concurrent use: the logger's mutex is what keeps lines whole, and keeps
// rotations (every few lines with a 4 KiB cap) from racing with appends.
TEST_CASE("InfoLog: lines from many threads are never interleaved", "[infolog][concurrency]") {
  const std::string dir = test::ScratchDir("infolog_threads");
  Env* env = Env::Default();
  for (const size_t cap : {size_t{1} << 30, size_t{4096}}) {
    INFO("cap " << cap);
    (void)env->RemoveFile(dir + "/LOG");
    (void)env->RemoveFile(dir + "/LOG.old");
    std::shared_ptr<Logger> logger;
    REQUIRE(NewFileLogger(env, dir + "/LOG", cap, &logger).ok());
    constexpr int kThreads = 4;
    constexpr int kLines = 500;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++) {
      threads.emplace_back([&logger, t] {
        for (int i = 0; i < kLines; i++) {
          Log(logger.get(), "thread %d line %d %s", t, i, std::string(60, static_cast<char>('a' + t)).c_str());
        }
      });
    }
    for (auto& th : threads) th.join();
    logger.reset();
    const auto lines = SplitLines(ReadOrEmpty(env, dir + "/LOG.old") + ReadOrEmpty(env, dir + "/LOG"));
    if (cap > (1 << 20)) REQUIRE(lines.size() == kThreads * kLines);  // else rotations dropped the oldest
    REQUIRE(lines.size() >= 2);
    const std::regex shape(R"(^\d{4}/\d{2}/\d{2}-\d{2}:\d{2}:\d{2}\.\d{6} \d+ thread (\d) line \d+ ([a-d])\2{59}$)");
    std::vector<int> per_thread(kThreads, 0);
    for (const auto& line : lines) {
      INFO(line);
      std::smatch m;
      REQUIRE(std::regex_match(line, m, shape));
      const int t = std::stoi(m[1]);
      REQUIRE(m[2].str()[0] == 'a' + t);
      per_thread[t]++;
    }
    if (cap > (1 << 20)) {
      for (int t = 0; t < kThreads; t++) REQUIRE(per_thread[t] == kLines);
    }
  }
  test::RemoveTree(dir);
}

TEST_CASE("InfoLog: Log formats long lines and keeps one call on one line", "[infolog]") {
  CapturingLogger logger;
  const std::string long_text(2000, 'z');
  Log(&logger, "x=%d %s", 42, long_text.c_str());
  Log(&logger, "two\nlines");
  Log(nullptr, "ignored %d", 1);
  const auto lines = logger.Lines();
  REQUIRE(lines.size() == 2);
  REQUIRE(lines[0] == "x=42 " + long_text);
  REQUIRE(lines[1] == "two lines");
  std::shared_ptr<Logger> none;
  REQUIRE(NewFileLogger(nullptr, "/LOG", 1 << 20, &none).IsInvalidArgument());
  MemEnv env;
  REQUIRE(NewFileLogger(&env, "/LOG", 100, &none).IsInvalidArgument());
  REQUIRE(none == nullptr);
}

TEST_CASE("InfoLog: write stalls are logged with how long they lasted", "[infolog]") {
  // Table files take 20 ms to create: the memtables fill faster than they
  // flush and writers stop.
  MemEnv mem;
  SlowTablesEnv env(&mem, 20000);
  auto logger = std::make_shared<CapturingLogger>();
  Options options = test::NewDBOptions(&env, logger);
  options.write_buffer_size = 16 << 10;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  for (int i = 0; i < 3000; i++) {
    REQUIRE(db->Put(WriteOptions(), "k" + std::to_string(i), std::string(100, 'x')).ok());
  }
  INFO(logger->All());
  const auto stops = logger->With("stall: writes stopped ");
  REQUIRE_FALSE(stops.empty());
  REQUIRE(stops[0].find(" ms: memtables full (") != std::string::npos);
  uint64_t stop_count = 0;
  REQUIRE(db->GetIntProperty("lsmkv.write-stops", &stop_count));
  REQUIRE(stop_count == stops.size());
}

TEST_CASE("InfoLog: a background error is logged once, with where it happened", "[infolog]") {
  MemEnv mem;
  FaultEnv env(&mem);
  auto logger = std::make_shared<CapturingLogger>();
  const Options options = test::NewDBOptions(&env, logger);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE(db->Put(WriteOptions(), "a", "1").ok());
  env.FailNth(FaultEnv::Op::kSync, 1, /*sticky=*/true);  // the flush's table sync fails
  REQUIRE_FALSE(db->Flush().ok());
  REQUIRE_FALSE(db->Put(WriteOptions(), "b", "2").ok());
  INFO(logger->All());
  const auto errors = logger->With("background error (flush, compaction or MANIFEST write): IO error");
  REQUIRE(errors.size() == 1);
  REQUIRE(logger->With("flush: ")[0].find(", failed: ") != std::string::npos);
  uint64_t flagged = 0;
  REQUIRE(db->GetIntProperty("lsmkv.background-error", &flagged));
  REQUIRE(flagged == 1);
  env.ClearFailures();
}

TEST_CASE("InfoLog: DestroyDB removes LOG and LOG.old and leaves nothing", "[infolog]") {
  const std::string dir = test::ScratchDir("infolog_destroy");
  Env* env = Env::Default();
  Options options = test::NewDBOptions(env);
  options.wal_dir = dir + "/wal";
  for (int i = 0; i < 2; i++) {  // the second open rotates LOG to LOG.old
    OpenPutClose(options, dir + "/db", "k", "v", /*flush=*/false);
  }
  REQUIRE(env->FileExists(dir + "/db/LOG"));
  REQUIRE(env->FileExists(dir + "/db/LOG.old"));
  REQUIRE(DestroyDB(dir + "/db", options).ok());
  REQUIRE_FALSE(env->FileExists(dir + "/db"));
  REQUIRE_FALSE(env->FileExists(dir + "/wal"));
  test::RemoveTree(dir);
}

TEST_CASE("InfoLog: RepairDB leaves LOG.old alone and takes neither for a DB file", "[infolog][repair]") {
  MemEnv env;
  Options options = test::NewDBOptions(&env);
  for (int i = 0; i < 2; i++) OpenPutClose(options, "/db", "k" + std::to_string(i), "v", /*flush=*/true);
  const std::string old_log = ReadOrEmpty(&env, "/db/LOG.old");
  REQUIRE_FALSE(old_log.empty());
  REQUIRE(env.RemoveFile("/db/CURRENT").ok());
  REQUIRE(RepairDB("/db", options).ok());
  REQUIRE(ReadOrEmpty(&env, "/db/LOG.old") == old_log);
  REQUIRE(ReadOrEmpty(&env, "/db/LOG").find("repair: done") != std::string::npos);
  REQUIRE_FALSE(env.FileExists("/db/lost"));
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  std::string value;
  REQUIRE(db->Get(ReadOptions(), "k0", &value).ok());
  REQUIRE(db->Get(ReadOptions(), "k1", &value).ok());

  // With Options::info_log, the repair report goes there.
  db.reset();
  auto logger = std::make_shared<CapturingLogger>();
  options.info_log = logger;
  REQUIRE(env.RemoveFile("/db/CURRENT").ok());
  REQUIRE(RepairDB("/db", options).ok());
  REQUIRE(logger->With("repair: done").size() == 1);
}

}  // namespace lsmkv

#include "lsmkv/backup.h"

namespace lsmkv {

TEST_CASE("Info log: checkpoints and backups are logged", "[infolog]") {
  MemEnv env;
  auto logger = std::make_shared<CapturingLogger>();
  const Options options = test::NewDBOptions(&env, logger);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE(db->Put(WriteOptions(), "k", "v").ok());
  REQUIRE(env.CreateDir("/out").ok());
  REQUIRE(db->CreateCheckpoint("/out/cp").ok());
  std::unique_ptr<BackupEngine> backups;
  REQUIRE(BackupEngine::Open("/backups", &backups, &env).ok());
  REQUIRE(backups->CreateBackup(db.get()).ok());
  INFO(logger->All());
  REQUIRE(logger->All().find("checkpoint /out/cp at sequence 1: ") != std::string::npos);
  REQUIRE(logger->All().find("backup 1 to /backups at sequence 1: ") != std::string::npos);
}

}  // namespace lsmkv
