// The change feed (GetUpdatesSince over live and retained WALs) and the
// replica side (WriteReplicated): a follower that tails a leader under a
// random writer, is closed, reopened and crashed mid-apply, ends equal to
// the leader with the same sequence; gaps and repeats are refused; a feed
// from before the retention boundary is NotFound; a blocked reader wakes.
#include <catch2/catch.hpp>
#include <atomic>
#include <functional>
#include <map>
#include <thread>
#include <vector>

#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/fault_env.h"
#include "format/filename.h"
#include "support/mem_env.h"
#include "util/random.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;

Options LeaderOptions(Env* env, uint64_t retention) {
  Options options;
  options.env = env;
  options.create_if_missing = true;
  options.write_buffer_size = 32 << 10;  // WAL switches, flushes, compactions
  options.max_bytes_for_level_base = 128 << 10;
  options.target_file_size = 32 << 10;
  options.wal_retention_bytes = retention;
  return options;
}

uint64_t LastSequence(DB* db) {
  std::string stats;
  REQUIRE(db->GetProperty("lsmkv.stats", &stats));
  const size_t at = stats.find("last sequence: ");
  REQUIRE(at != std::string::npos);
  return std::stoull(stats.substr(at + 15));
}

// Random puts, deletes and multi-key batches; some flushes and compactions.
void RandomWrites(DB* db, Random* rnd, int n) {
  for (int i = 0; i < n; i++) {
    WriteBatch batch;
    const int updates = rnd->OneIn(4) ? 1 + static_cast<int>(rnd->Uniform(5)) : 1;
    for (int u = 0; u < updates; u++) {
      const std::string key = "key" + std::to_string(rnd->Uniform(300));
      if (rnd->OneIn(5)) batch.Delete(key);
      else batch.Put(key, std::string(50 + rnd->Uniform(150), static_cast<char>('a' + rnd->Uniform(26))));
    }
    REQUIRE(db->Write(WriteOptions(), &batch).ok());
    if (rnd->OneIn(400)) REQUIRE(db->Flush().ok());
  }
}

// Applies the leader's feed to the follower until it has caught up with
// `upto` (or `max_batches` batches were applied). Returns batches applied.
int Apply(DB* leader, DB* follower, uint64_t upto, int max_batches = 1 << 30) {
  int applied = 0;
  while (LastSequence(follower) < upto && applied < max_batches) {
    std::unique_ptr<UpdateIterator> it;
    const Status s = leader->GetUpdatesSince(LastSequence(follower) + 1, &it);
    INFO(s.ToString());
    REQUIRE(s.ok());
    for (; it->Valid() && applied < max_batches; it->Next()) {
      WriteBatch batch = it->batch();
      REQUIRE(it->sequence() == LastSequence(follower) + 1);
      const Status w = follower->WriteReplicated(WriteOptions(), it->sequence(), &batch);
      INFO(w.ToString());
      REQUIRE(w.ok());
      applied++;
    }
    REQUIRE(it->status().ok());
  }
  return applied;
}

// Counts the directory listings made by the thread that built it (the
// test's, which reads the feed), not by the DB's background work.
class ListingCounter final : public EnvWrapper {
 public:
  explicit ListingCounter(Env* base) : EnvWrapper(base), reader_(std::this_thread::get_id()) {}
  Status GetChildren(const std::string& dir, std::vector<std::string>* r) override {
    if (std::this_thread::get_id() == reader_) listings++;
    return EnvWrapper::GetChildren(dir, r);
  }
  std::atomic<int> listings{0};

 private:
  const std::thread::id reader_;
};

// WAL files in /db and /db/archive.
int WalFiles(Env* env) {
  int n = 0;
  for (const char* dir : {"/db", "/db/archive"}) {
    std::vector<std::string> children;
    if (!env->GetChildren(dir, &children).ok()) continue;
    for (const auto& c : children) {
      uint64_t number;
      FileType type;
      if (ParseFileName(c, &number, &type) && type == FileType::kLogFile) n++;
    }
  }
  return n;
}

// Reads up to max_batches batches from `it` (each then passed with Next),
// requiring each to start where the previous one ended (*expected);
// returns how many it read.
int ReadOn(UpdateIterator* it, uint64_t* expected, int max_batches = 1 << 30) {
  int n = 0;
  for (; n < max_batches && it->Valid(); it->Next(), n++) {
    REQUIRE(it->sequence() == *expected);
    *expected += it->batch().Count();
  }
  return n;
}

}  // namespace

TEST_CASE("Change feed: a follower tails a leader through reopens and crashes", "[replication]") {
  const uint64_t seed = test::TestSeed(1601);
  INFO("seed " << seed);
  Random rnd(seed);
  MemEnv leader_env;
  std::unique_ptr<DB> leader;
  REQUIRE(DB::Open(LeaderOptions(&leader_env, 64 << 20), "/leader", &leader).ok());
  MemEnv follower_mem;
  FaultEnv follower_env(&follower_mem);
  Options follower_options = LeaderOptions(&follower_env, 0);
  std::unique_ptr<DB> follower;
  REQUIRE(DB::Open(follower_options, "/follower", &follower).ok());

  for (int round = 0; round < 6; round++) {
    INFO("round " << round);
    RandomWrites(leader.get(), &rnd, 600);
    const uint64_t target = LastSequence(leader.get());
    switch (round % 3) {
      case 0:  // apply everything, then close and reopen the follower
        Apply(leader.get(), follower.get(), target);
        follower.reset();
        REQUIRE(DB::Open(follower_options, "/follower", &follower).ok());
        break;
      case 1: {  // a process crash in the middle of applying
        Apply(leader.get(), follower.get(), target, 250);
        const uint64_t acknowledged = LastSequence(follower.get());
        follower_env.Freeze();
        follower.reset();
        follower_env.Reset();
        REQUIRE(DB::Open(follower_options, "/follower", &follower).ok());
        REQUIRE(LastSequence(follower.get()) == acknowledged);  // where to resume
        Apply(leader.get(), follower.get(), target);
        break;
      }
      default:
        Apply(leader.get(), follower.get(), target);
        REQUIRE(follower->Flush().ok());
    }
    REQUIRE(LastSequence(follower.get()) == target);
    REQUIRE(test::Contents(follower.get()) == test::Contents(leader.get()));
  }

  SECTION("an empty DB rebuilt from sequence 1 of the retained feed equals the leader") {
    MemEnv env;
    std::unique_ptr<DB> rebuilt;
    REQUIRE(DB::Open(LeaderOptions(&env, 0), "/rebuilt", &rebuilt).ok());
    Apply(leader.get(), rebuilt.get(), LastSequence(leader.get()));
    REQUIRE(test::Contents(rebuilt.get()) == test::Contents(leader.get()));
  }
  SECTION("the leader reopened still serves the whole feed") {
    leader.reset();
    REQUIRE(DB::Open(LeaderOptions(&leader_env, 64 << 20), "/leader", &leader).ok());
    std::unique_ptr<UpdateIterator> it;
    REQUIRE(leader->GetUpdatesSince(1, &it).ok());
    uint64_t expected = 1;
    for (; it->Valid(); it->Next()) {
      REQUIRE(it->sequence() == expected);
      expected += it->batch().Count();
    }
    REQUIRE(it->status().ok());
    REQUIRE(expected == LastSequence(leader.get()) + 1);
  }
}

TEST_CASE("Change feed: a batch is split where the start falls inside it", "[replication]") {
  MemEnv env;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(LeaderOptions(&env, 0), "/db", &db).ok());
  WriteBatch batch;
  batch.Put("a", "1");
  batch.Delete("b");
  batch.Put("c", "3");
  REQUIRE(db->Write(WriteOptions(), &batch).ok());  // sequences 1..3
  std::unique_ptr<UpdateIterator> it;
  REQUIRE(db->GetUpdatesSince(2, &it).ok());
  REQUIRE(it->Valid());
  REQUIRE(it->sequence() == 2);
  REQUIRE(it->batch().Count() == 2);
  it->Next();
  REQUIRE(!it->Valid());
  REQUIRE(it->status().ok());
  // Past the end: empty now, and a new iterator from there continues.
  REQUIRE(db->GetUpdatesSince(4, &it).ok());
  REQUIRE(!it->Valid());
  REQUIRE(db->Put(WriteOptions(), "d", "4").ok());
  REQUIRE(db->GetUpdatesSince(4, &it).ok());
  REQUIRE(it->Valid());
  REQUIRE(it->sequence() == 4);
}

TEST_CASE("Change feed: a follower started from a checkpoint follows, and an ordinary write breaks it",
          "[replication]") {
  MemEnv env;
  REQUIRE(env.CreateDir("/out").ok());
  std::unique_ptr<DB> leader;
  REQUIRE(DB::Open(LeaderOptions(&env, 64 << 20), "/out/leader", &leader).ok());
  Random rnd(23);
  RandomWrites(leader.get(), &rnd, 800);
  uint64_t sequence = 0;
  REQUIRE(leader->CreateCheckpoint("/out/follower", &sequence).ok());
  RandomWrites(leader.get(), &rnd, 800);
  std::unique_ptr<DB> follower;
  REQUIRE(DB::Open(LeaderOptions(&env, 0), "/out/follower", &follower).ok());
  REQUIRE(follower->GetLatestSequenceNumber() == sequence);  // starts at the checkpoint
  Apply(leader.get(), follower.get(), LastSequence(leader.get()));
  REQUIRE(test::Contents(follower.get()) == test::Contents(leader.get()));
  // Mixing: an ordinary write on the follower takes the next sequence, so
  // the leader's next batch is refused as a repeat (documented).
  REQUIRE(leader->Put(WriteOptions(), "next", "1").ok());
  REQUIRE(follower->Put(WriteOptions(), "local", "x").ok());
  std::unique_ptr<UpdateIterator> it;
  REQUIRE(leader->GetUpdatesSince(LastSequence(leader.get()), &it).ok());
  REQUIRE(it->Valid());
  WriteBatch batch = it->batch();
  REQUIRE(follower->WriteReplicated(WriteOptions(), it->sequence(), &batch).IsInvalidArgument());
}

TEST_CASE("Change feed: WriteReplicated refuses a gap and a repeat", "[replication]") {
  MemEnv env;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(LeaderOptions(&env, 0), "/db", &db).ok());
  WriteBatch batch;
  batch.Put("k", "v");
  REQUIRE(db->WriteReplicated(WriteOptions(), 2, &batch).IsInvalidArgument());  // gap
  REQUIRE(db->WriteReplicated(WriteOptions(), 1, &batch).ok());
  REQUIRE(db->WriteReplicated(WriteOptions(), 1, &batch).IsInvalidArgument());  // repeat
  REQUIRE(LastSequence(db.get()) == 1);
  REQUIRE(test::Contents(db.get()) == Model{{"k", "v"}});
  // Durable like Write: reopened, it is still at 1.
  db.reset();
  REQUIRE(DB::Open(LeaderOptions(&env, 0), "/db", &db).ok());
  REQUIRE(LastSequence(db.get()) == 1);
  REQUIRE(db->WriteReplicated(WriteOptions(), 2, &batch).ok());
}

TEST_CASE("Change feed: NotFound before the retention boundary, never a hole", "[replication]") {
  MemEnv env;
  std::unique_ptr<DB> db;
  Options options = LeaderOptions(&env, 64 << 10);  // a few WALs' worth
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Random rnd(7);
  RandomWrites(db.get(), &rnd, 3000);
  REQUIRE(db->Flush().ok());
  std::unique_ptr<UpdateIterator> it;
  const Status s = db->GetUpdatesSince(1, &it);
  INFO(s.ToString());
  REQUIRE(s.IsNotFound());
  // Some later start works and runs without a gap to the end.
  uint64_t start = 0;
  for (uint64_t seq = 2; seq <= LastSequence(db.get()); seq += 50) {
    if (db->GetUpdatesSince(seq, &it).ok()) {
      start = seq;
      break;
    }
  }
  REQUIRE(start > 1);
  uint64_t expected = start;
  for (; it->Valid(); it->Next()) {
    REQUIRE(it->sequence() == expected);
    expected += it->batch().Count();
  }
  REQUIRE(it->status().ok());
  REQUIRE(expected == LastSequence(db.get()) + 1);
  // Without retention, flushed WALs are gone.
  it.reset();  // an iterator must not outlive its DB (its destructor calls back into it)
  db.reset();
  options.wal_retention_bytes = 0;
  REQUIRE(DestroyDB("/db", options).ok());
  REQUIRE(!env.FileExists("/db/archive"));
  REQUIRE(DB::Open(options, "/db", &db).ok());
  RandomWrites(db.get(), &rnd, 1000);
  REQUIRE(db->Flush().ok());
  REQUIRE(db->GetUpdatesSince(1, &it).IsNotFound());
}

TEST_CASE("Change feed: retained WALs are not replayed at Open and DestroyDB removes them",
          "[replication]") {
  MemEnv env;
  Options options = LeaderOptions(&env, 1 << 20);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Random rnd(11);
  RandomWrites(db.get(), &rnd, 2000);
  REQUIRE(db->Put(WriteOptions(), "key1", "final").ok());
  const Model before = test::Contents(db.get());
  db.reset();
  std::vector<std::string> archived;
  REQUIRE(env.GetChildren("/db/archive", &archived).ok());
  REQUIRE(!archived.empty());
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE(test::Contents(db.get()) == before);  // old batches did not come back
  db.reset();
  REQUIRE(RepairDB("/db", options).ok());  // the archive does not confuse it
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE(test::Contents(db.get()) == before);
  db.reset();
  REQUIRE(DestroyDB("/db", options).ok());
  REQUIRE(!env.FileExists("/db/archive"));
}

TEST_CASE("Change feed: a reader blocked in WaitForSequence wakes on a write", "[replication]") {
  MemEnv env;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(LeaderOptions(&env, 0), "/db", &db).ok());
  REQUIRE(db->WaitForSequence(1, 1000).IsBusy());  // nothing yet: times out
  std::atomic<bool> woke{false};
  Status waited;
  std::thread reader([&] {
    waited = db->WaitForSequence(1, 60ull * 1000 * 1000);
    woke = true;
  });
  REQUIRE(db->Put(WriteOptions(), "k", "v").ok());
  reader.join();
  REQUIRE(woke);
  REQUIRE(waited.ok());
  REQUIRE(db->WaitForSequence(1, 0).ok());
}

// Counts NowMicros calls from one thread: WaitForSequence reads the clock
// once before its loop and once more, holding the DB mutex, right before
// each condvar wait -- so after the second call, whoever takes the mutex
// next finds that thread asleep.
class ClockWatch final : public EnvWrapper {
 public:
  explicit ClockWatch(Env* base) : EnvWrapper(base) {}
  uint64_t NowMicros() override {
    if (std::this_thread::get_id() == watched.load()) calls++;
    return EnvWrapper::NowMicros();
  }
  // Runs wait() on a new thread and returns once it sleeps in
  // WaitForSequence's condvar wait (or is past it).
  std::thread StartWaiter(std::function<void()> wait) {
    calls = 0;
    std::thread waiter([this, wait] {
      watched = std::this_thread::get_id();
      wait();
      watched = std::thread::id();
    });
    while (calls < 2) std::this_thread::yield();
    return waiter;
  }
  std::atomic<std::thread::id> watched{};
  std::atomic<int> calls{0};
};

// Timeouts past the clock's range mean "no limit": the deadline saturates
// instead of wrapping into the past (UINT64_MAX - 1 returned Busy at once)
// and each condvar wait is a bounded slice (1e16 us overflowed std::chrono
// and spun on mutex_, starving the writer that would have woken it).
TEST_CASE("Change feed: WaitForSequence with a huge timeout waits for a write", "[replication]") {
  const uint64_t timeout = GENERATE(UINT64_MAX, UINT64_MAX - 1, uint64_t{10000000000000000},
                                    uint64_t{1} << 63);
  CAPTURE(timeout);
  MemEnv mem;
  ClockWatch env(&mem);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(LeaderOptions(&env, 0), "/db", &db).ok());
  Status waited;
  std::thread reader = env.StartWaiter([&] { waited = db->WaitForSequence(1, timeout); });
  REQUIRE(db->Put(WriteOptions(), "k", "v").ok());
  reader.join();
  REQUIRE(waited.ok());
  REQUIRE(db->WaitForSequence(1, UINT64_MAX).ok());  // already there: at once
}

// Close() wakes a waiter (Busy) instead of leaving it asleep for its
// timeout while the DB shuts down.
TEST_CASE("Change feed: Close wakes a reader blocked in WaitForSequence", "[replication]") {
  MemEnv mem;
  ClockWatch env(&mem);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(LeaderOptions(&env, 0), "/db", &db).ok());
  Status waited;
  std::thread reader = env.StartWaiter([&] { waited = db->WaitForSequence(1, UINT64_MAX); });
  REQUIRE(db->Close().ok());  // the reader is asleep: only the signal wakes it
  reader.join();
  REQUIRE(waited.IsBusy());
  REQUIRE(db->WaitForSequence(1, UINT64_MAX).IsBusy());  // after Close: at once
}

// A reader lists the WAL directories when it starts and again only when its
// listing has no later WAL (or names one deleted since) -- not at every WAL
// it moves to -- and still follows WALs made after its listing, and ends
// with "no longer kept" when the WALs ahead of it were deleted.
TEST_CASE("Change feed: a reader reuses its WAL listing and follows WALs made or removed after it",
          "[replication]") {
  MemEnv mem;
  ListingCounter env(&mem);
  Random rnd(23);
  SECTION("catching up over many WALs, then on across new ones") {
    std::unique_ptr<DB> db;
    REQUIRE(DB::Open(LeaderOptions(&env, 64 << 20), "/db", &db).ok());
    RandomWrites(db.get(), &rnd, 3000);
    REQUIRE(db->Flush().ok());
    const int wals = WalFiles(&mem);
    REQUIRE(wals >= 10);
    env.listings = 0;
    std::unique_ptr<UpdateIterator> it;
    REQUIRE(db->GetUpdatesSince(1, &it).ok());
    uint64_t expected = 1;
    ReadOn(it.get(), &expected);
    REQUIRE(it->status().ok());
    REQUIRE(expected == LastSequence(db.get()) + 1);
    INFO(wals << " WALs, " << env.listings << " listings");
    REQUIRE(env.listings <= 4);  // two directories when it starts, two at the newest WAL's end

    // Mid-way through a fresh read, the writer makes more WALs: the
    // reader's listing does not have them; it lists again and reads on.
    it.reset();
    REQUIRE(db->GetUpdatesSince(1, &it).ok());
    expected = 1;
    REQUIRE(ReadOn(it.get(), &expected, 500) == 500);
    RandomWrites(db.get(), &rnd, 2000);
    REQUIRE(WalFiles(&mem) > wals + 3);
    ReadOn(it.get(), &expected);
    REQUIRE(it->status().ok());
    REQUIRE(expected == LastSequence(db.get()) + 1);
    it.reset();
  }
  SECTION("the WALs ahead of it are deleted after its listing") {
    std::unique_ptr<DB> db;
    REQUIRE(DB::Open(LeaderOptions(&env, 128 << 10), "/db", &db).ok());
    RandomWrites(db.get(), &rnd, 400);
    REQUIRE(WalFiles(&mem) >= 3);  // the reader's listing names WALs after its first
    std::unique_ptr<UpdateIterator> it;
    REQUIRE(db->GetUpdatesSince(1, &it).ok());
    uint64_t expected = 1;
    REQUIRE(ReadOn(it.get(), &expected, 10) == 10);
    // Far past the retention limit: the archive drops the WALs after the
    // one being read (the reader keeps that one open).
    RandomWrites(db.get(), &rnd, 5000);
    REQUIRE(db->Flush().ok());
    ReadOn(it.get(), &expected);
    const Status s = it->status();
    INFO(s.ToString());
    REQUIRE(s.IsNotFound());
    REQUIRE(s.ToString().find("no longer kept") != std::string::npos);
    it.reset();
  }
}

}  // namespace lsmkv
