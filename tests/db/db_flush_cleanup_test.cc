// The files a flush makes obsolete (the flushed memtable's WAL) are removed
// after the flush job lets the next flush start (DBImpl::BackgroundFlush):
// a slow removal (an unlink that discards blocks) must not hold up the next
// flush, and DB::Flush still returns only once the WAL is gone.
#include <catch2/catch.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
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
    std::unique_lock<std::mutex> l(mu_);
    in_flight_++;
    blocked_removals_++;
    cv_.notify_all();
    cv_.wait(l, [this] { return !closed_; });
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

  std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
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

}  // namespace lsmkv
