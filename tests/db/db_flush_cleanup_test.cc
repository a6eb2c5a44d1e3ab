// The files a flush makes obsolete (the flushed memtable's WAL) are removed
// after the flush job lets the next flush start (DBImpl::BackgroundFlush):
// a slow removal (an unlink that discards blocks) must not hold up the next
// flush, and DB::Flush still returns only once the WAL is gone -- once
// the cleanup round of its own flush ran, not the rounds of later flushes.
#include <catch2/catch.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "format/filename.h"
#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/db_files.h"
#include "support/mem_env.h"
#include "support/test_util.h"

namespace lsmkv {

namespace {

// Removing a WAL (a name ending in ".log") waits while the gate is closed,
// or sleeps for delay_micros before it proceeds.
class SlowWalRemovalEnv final : public EnvWrapper {
 public:
  explicit SlowWalRemovalEnv(Env* base) : EnvWrapper(base) {}

  Status RemoveFile(const std::string& f) override {
    if (!IsWal(f)) return target()->RemoveFile(f);
    const uint64_t number = WalNumber(f);
    std::unique_lock<std::mutex> l(mu_);
    in_flight_++;
    blocked_removals_++;
    cv_.notify_all();
    cv_.wait(l, [&] { return !closed_ || number < passing_below_; });
    blocked_removals_--;
    const int delay = delay_micros_;
    l.unlock();
    if (delay > 0) SleepForMicroseconds(delay);
    const Status s = target()->RemoveFile(f);
    l.lock();
    in_flight_--;
    removed_++;
    return s;
  }

  void CloseGate() {
    std::lock_guard<std::mutex> l(mu_);
    closed_ = true;
  }
  void OpenGate() {
    std::lock_guard<std::mutex> l(mu_);
    closed_ = false;
    cv_.notify_all();
  }
  // While the gate is closed, removals of WALs numbered below `number` pass.
  void LetThroughBelow(uint64_t number) {
    std::lock_guard<std::mutex> l(mu_);
    passing_below_ = number;
    cv_.notify_all();
  }
  void SetDelay(int micros) {
    std::lock_guard<std::mutex> l(mu_);
    delay_micros_ = micros;
  }
  // WAL removals begun and not finished, and finished.
  int in_flight() {
    std::lock_guard<std::mutex> l(mu_);
    return in_flight_;
  }
  int removed() {
    std::lock_guard<std::mutex> l(mu_);
    return removed_;
  }
  // Waits until a removal is held at the closed gate; false after timeout.
  bool WaitForBlockedRemoval(std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, timeout, [this] { return blocked_removals_ > 0; });
  }

 private:
  static bool IsWal(const std::string& f) { return f.size() > 4 && f.compare(f.size() - 4, 4, ".log") == 0; }
  // Runs on the DB's threads (no REQUIRE there): a name that does not
  // parse never passes the gate early.
  static uint64_t WalNumber(const std::string& f) {
    uint64_t number = 0;
    FileType type;
    const size_t slash = f.rfind('/');
    if (!ParseFileName(slash == std::string::npos ? f : f.substr(slash + 1), &number, &type)) return UINT64_MAX;
    return number;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  uint64_t passing_below_ = 0;
  int blocked_removals_ = 0;
  int delay_micros_ = 0;
  int in_flight_ = 0;
  int removed_ = 0;
};

int TableCount(DB* db) {
  int n = 0;
  for (int level = 0; level < 7; level++) {
    std::string v;
    REQUIRE(db->GetProperty("lsmkv.num-files-at-level" + std::to_string(level), &v));
    n += std::stoi(v);
  }
  return n;
}

}  // namespace

TEST_CASE("Flush cleanup: the next flush runs while a flushed WAL's removal is stuck",
          "[db][flush]") {
  MemEnv mem;
  SlowWalRemovalEnv env(&mem);
  Options options = test::NewDBOptions(&env);
  options.write_buffer_size = 16 << 10;
  options.max_write_buffer_number = 2;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  env.CloseGate();

  // A writer fills memtable after memtable (~6 flushes' worth). The first
  // flush's WAL removal is held at the gate; the writer can only finish if
  // later flushes run meanwhile (one immutable memtable at most).
  std::atomic<bool> writer_done{false};
  std::atomic<bool> write_failed{false};
  std::thread writer([&] {
    for (int i = 0; i < 1000 && !write_failed.load(); i++) {
      if (!db->Put(WriteOptions(), "k" + std::to_string(100000 + i), std::string(100, 'v')).ok()) {
        write_failed.store(true);
      }
    }
    writer_done.store(true);
  });
  REQUIRE(env.WaitForBlockedRemoval(std::chrono::seconds(20)));
  // Not a timing assertion: the deadline only keeps a broken build from
  // hanging; a correct one finishes in milliseconds.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!writer_done.load() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const bool finished_while_blocked = writer_done.load();
  const int tables_while_blocked = TableCount(db.get());
  env.OpenGate();
  writer.join();
  INFO("tables while the first WAL removal was blocked: " << tables_while_blocked);
  REQUIRE(finished_while_blocked);
  REQUIRE(tables_while_blocked >= 3);
  REQUIRE_FALSE(write_failed.load());

  REQUIRE(db->Flush().ok());
  // The flushed memtables' WALs are gone but the newest of them (kept
  // until the next MANIFEST edit is durable, see VersionSet::previous_)
  // and the active one.
  REQUIRE(env.in_flight() == 0);
  REQUIRE(test::FilesOfType(&env, "/db", FileType::kLogFile).size() <= 2);
  const auto contents = test::Contents(db.get());
  REQUIRE(contents.size() == 1000);
}

TEST_CASE("Flush cleanup: DB::Flush returns after the flushed WAL is removed", "[db][flush]") {
  MemEnv mem;
  SlowWalRemovalEnv env(&mem);
  Options options = test::NewDBOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  // Each WAL removal takes 100 ms: a Flush that returned before its job's
  // removals finished would find one in flight.
  env.SetDelay(100000);
  for (int round = 0; round < 4; round++) {
    for (int i = 0; i < 100; i++) {
      REQUIRE(db->Put(WriteOptions(), "k" + std::to_string(round * 100 + i), "v").ok());
    }
    REQUIRE(db->Flush().ok());
    INFO("round " << round);
    REQUIRE(env.in_flight() == 0);
  }
  // The rounds did remove WALs (a WAL is removed one flush after its own).
  REQUIRE(env.removed() >= 2);
  env.SetDelay(0);
  REQUIRE(db->Close().ok());
}

TEST_CASE("Flush cleanup: DB::Flush waits for its own flush's cleanup round, not a later flush's",
          "[db][flush]") {
  MemEnv mem;
  SlowWalRemovalEnv env(&mem);
  Options options = test::NewDBOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  // A WAL is removed one flush after its own: these rounds leave one
  // obsolete WAL below the active one for the next cleanup round.
  for (int round = 0; round < 3; round++) {
    REQUIRE(db->Put(WriteOptions(), "r" + std::to_string(round), "v").ok());
    REQUIRE(db->Flush().ok());
  }
  const std::set<uint64_t> wals = test::FilesOfType(&env, "/db", FileType::kLogFile);
  REQUIRE(wals.size() >= 2);
  const uint64_t active = *wals.rbegin();
  env.CloseGate();

  // The first Flush's cleanup round (removing the WALs below `active`) is
  // held at the gate...
  std::atomic<bool> first_done{false};
  std::atomic<bool> second_done{false};
  Status first_status;
  Status second_status;
  REQUIRE(db->Put(WriteOptions(), "a", "1").ok());
  std::thread first([&] {
    first_status = db->Flush();
    first_done.store(true);
  });
  REQUIRE(env.WaitForBlockedRemoval(std::chrono::seconds(20)));
  // ... while a second Flush's flush is installed (its table listed); its
  // cleanup is then pending behind the first round.
  REQUIRE(db->Put(WriteOptions(), "b", "2").ok());
  std::thread second([&] {
    second_status = db->Flush();
    second_done.store(true);
  });
  // Not timing assertions: the deadlines only keep a broken build from
  // hanging; a correct one gets there in milliseconds.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string tables;
  while (std::chrono::steady_clock::now() < deadline) {
    REQUIRE(db->GetProperty("lsmkv.sstables", &tables));
    if (tables.find("smallest='b'") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  INFO("tables: " << tables);
  REQUIRE(tables.find("smallest='b'") != std::string::npos);
  REQUIRE_FALSE(first_done.load());  // its own round is still held

  // The first round finishes; the next one, for the second flush, gets
  // stuck removing `active` (the WAL the first Flush's flush made obsolete).
  env.LetThroughBelow(active);
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!first_done.load() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const bool first_returned_while_next_round_stuck = first_done.load();
  const bool second_returned_while_its_round_stuck = second_done.load();
  const std::set<uint64_t> wals_then = test::FilesOfType(&env, "/db", FileType::kLogFile);
  env.OpenGate();
  first.join();
  second.join();
  REQUIRE(first_returned_while_next_round_stuck);
  REQUIRE_FALSE(second_returned_while_its_round_stuck);
  REQUIRE(first_status.ok());
  REQUIRE(second_status.ok());
  // The first round did its job before the first Flush returned.
  REQUIRE(*wals_then.begin() >= active);
  REQUIRE(env.in_flight() == 0);
  REQUIRE(test::Contents(db.get()).size() == 5);
  REQUIRE(db->Close().ok());
}

}  // namespace lsmkv
