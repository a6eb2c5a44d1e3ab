#include "lsmkv/db.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <thread>
#include <vector>

#include "support/db_contents.h"
#include "support/test_util.h"
#include "util/random.h"

namespace lsmkv {

namespace {

// Opens (and reopens) one DB in a scratch directory on the POSIX Env.
class DBFixture {
 public:
  explicit DBFixture(const std::string& name) : dir(test::ScratchDir(name)) {
    options.create_if_missing = true;
    Reopen();
  }
  ~DBFixture() {
    db.reset();
    test::RemoveTree(dir);
  }

  void Reopen() {
    db.reset();
    const Status s = DB::Open(options, dir, &db);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }

  std::string Get(const Slice& key, const Snapshot* snapshot = nullptr) {
    ReadOptions ro;
    ro.snapshot = snapshot;
    std::string value;
    const Status s = db->Get(ro, key, &value);
    if (s.IsNotFound()) return "NOT_FOUND";
    if (!s.ok()) return s.ToString();
    return value;
  }

  // Every key/value through an iterator, as a map.
  std::map<std::string, std::string> Contents() { return test::Contents(db.get()); }

  std::string dir;
  Options options;
  std::unique_ptr<DB> db;
};

// Reverse bytewise order, under a name of its own.
struct ReverseComparator final : Comparator {
  int Compare(const Slice& a, const Slice& b) const override { return b.compare(a); }
  const char* Name() const override { return "test.Reverse"; }
  void FindShortestSeparator(std::string*, const Slice&) const override {}
  void FindShortSuccessor(std::string*) const override {}
};

}  // namespace

TEST_CASE("DB: put, get, overwrite, delete", "[db]") {
  DBFixture f("db_basic");
  WriteOptions wo;
  REQUIRE(f.Get("foo") == "NOT_FOUND");
  REQUIRE(f.db->Put(wo, "foo", "v1").ok());
  REQUIRE(f.Get("foo") == "v1");
  REQUIRE(f.db->Put(wo, "foo", "v2").ok());
  REQUIRE(f.Get("foo") == "v2");
  REQUIRE(f.db->Delete(wo, "foo").ok());
  REQUIRE(f.Get("foo") == "NOT_FOUND");
  REQUIRE(f.db->Delete(wo, "never-there").ok());
  REQUIRE(f.db->Put(wo, "foo", "v3").ok());
  f.Reopen();
  REQUIRE(f.Get("foo") == "v3");
}

TEST_CASE("DB: binary keys and values, empty values, a 4 MiB value", "[db]") {
  DBFixture f("db_binary");
  WriteOptions wo;
  const std::string k1("\0", 1), k2("a\0b", 3), k3("a\0c", 3);
  const std::string v1("\0\0\0", 3);
  const std::string big(4 << 20, 'x');
  std::string patterned = big;
  for (size_t i = 0; i < patterned.size(); i += 4097) patterned[i] = static_cast<char>(i % 251);
  REQUIRE(f.db->Put(wo, k1, v1).ok());
  REQUIRE(f.db->Put(wo, k2, "").ok());
  REQUIRE(f.db->Put(wo, k3, patterned).ok());
  REQUIRE(f.db->Put(wo, "", "empty key").ok());
  for (int round = 0; round < 2; round++) {
    REQUIRE(f.Get(k1) == v1);
    REQUIRE(f.Get(k2).empty());
    REQUIRE(f.Get(k3) == patterned);
    REQUIRE(f.Get("") == "empty key");
    REQUIRE(f.Get("a") == "NOT_FOUND");
    f.Reopen();
  }
  REQUIRE(f.Contents().size() == 4);
}

TEST_CASE("DB: 100k random ops match std::map, reopening every 10k", "[db][model]") {
  const uint64_t seed = test::TestSeed(20261126);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  DBFixture f("db_model");
  std::map<std::string, std::string> model;
  WriteOptions wo;
  const auto random_key = [&] { return "key" + std::to_string(rnd.Uniform(5000)); };
  for (int op = 1; op <= 100000; op++) {
    const uint64_t choice = rnd.Uniform(100);
    if (choice < 55) {
      const std::string k = random_key();
      const std::string v = rnd.Bytes(rnd.Uniform(40));
      REQUIRE(f.db->Put(wo, k, v).ok());
      model[k] = v;
    } else if (choice < 75) {
      const std::string k = random_key();
      REQUIRE(f.db->Delete(wo, k).ok());
      model.erase(k);
    } else if (choice < 80) {
      WriteBatch batch;
      for (int i = 0; i < 5; i++) {
        const std::string k = random_key();
        if (rnd.OneIn(3)) {
          batch.Delete(k);
          model.erase(k);
        } else {
          const std::string v = rnd.Bytes(rnd.Uniform(20));
          batch.Put(k, v);
          model[k] = v;
        }
      }
      REQUIRE(f.db->Write(wo, &batch).ok());
    } else {
      const std::string k = random_key();
      auto it = model.find(k);
      REQUIRE(f.Get(k) == (it == model.end() ? "NOT_FOUND" : it->second));
    }
    if (op % 10000 == 0) {
      INFO("op " << op);
      f.Reopen();
      REQUIRE(f.Contents() == model);
    }
  }
}

TEST_CASE("DB: tables of every codec, written across reopens, read and compact together", "[db][options]") {
  DBFixture f("db_codecs");
  std::map<std::string, std::string> model;
  Random rnd(test::TestSeed(12));
  int round = 0;
  for (CompressionType codec : {kZstdCompression, kNoCompression, kLz4Compression, kZstdCompression}) {
    INFO("codec " << int(codec));
    f.options.compression = codec;
    f.options.write_buffer_size = 64 << 10;  // several tables per round
    f.Reopen();
    for (int i = 0; i < 3000; i++) {
      const std::string key = "k" + std::to_string(rnd.Uniform(5000));
      const std::string value = std::to_string(round) + std::string(40 + rnd.Uniform(60), 'v') + rnd.Bytes(6);
      REQUIRE(f.db->Put(WriteOptions(), key, value).ok());
      model[key] = value;
    }
    round++;
  }
  f.Reopen();
  REQUIRE(f.Contents() == model);
  REQUIRE(f.db->VerifyChecksums().ok());
  REQUIRE(f.db->CompactRange(nullptr, nullptr).ok());
  REQUIRE(f.Contents() == model);
  for (const auto& [k, v] : model) REQUIRE(f.Get(k) == v);
}

TEST_CASE("DB: snapshots see exactly the writes before them", "[db][snapshot]") {
  DBFixture f("db_snapshot");
  WriteOptions wo;
  REQUIRE(f.db->Put(wo, "a", "a1").ok());
  REQUIRE(f.db->Put(wo, "b", "b1").ok());
  const Snapshot* s1 = f.db->GetSnapshot();
  REQUIRE(f.db->Put(wo, "a", "a2").ok());
  REQUIRE(f.db->Delete(wo, "b").ok());
  REQUIRE(f.db->Put(wo, "c", "c2").ok());
  const Snapshot* s2 = f.db->GetSnapshot();
  REQUIRE(f.db->Put(wo, "c", "c3").ok());

  REQUIRE(f.Get("a", s1) == "a1");
  REQUIRE(f.Get("b", s1) == "b1");
  REQUIRE(f.Get("c", s1) == "NOT_FOUND");
  REQUIRE(f.Get("a", s2) == "a2");
  REQUIRE(f.Get("b", s2) == "NOT_FOUND");
  REQUIRE(f.Get("c", s2) == "c2");
  REQUIRE(f.Get("c") == "c3");

  ReadOptions ro;
  ro.snapshot = s1;
  auto it = f.db->NewIterator(ro);
  std::string seen;
  for (it->SeekToFirst(); it->Valid(); it->Next()) seen += it->key().ToString() + it->value().ToString();
  REQUIRE(seen == "aa1bb1");
  it.reset();
  f.db->ReleaseSnapshot(s1);
  f.db->ReleaseSnapshot(s2);
  f.db->ReleaseSnapshot(nullptr);  // harmless
}

TEST_CASE("DB: an iterator is a point-in-time view", "[db][iterator]") {
  DBFixture f("db_iter_pit");
  WriteOptions wo;
  REQUIRE(f.db->Put(wo, "a", "1").ok());
  REQUIRE(f.db->Put(wo, "c", "3").ok());
  auto it = f.db->NewIterator(ReadOptions());
  REQUIRE(f.db->Put(wo, "b", "2").ok());
  REQUIRE(f.db->Delete(wo, "c").ok());
  std::string seen;
  for (it->SeekToFirst(); it->Valid(); it->Next()) seen += it->key().ToString();
  REQUIRE(seen == "ac");
  it->SeekForPrev("bz");
  REQUIRE(it->Valid());
  REQUIRE(it->key() == Slice("a"));
}

TEST_CASE("DB: a second Open of an open directory fails cleanly", "[db]") {
  DBFixture f("db_lock");
  REQUIRE(f.db->Put(WriteOptions(), "k", "v").ok());
  std::unique_ptr<DB> second;
  const Status s = DB::Open(f.options, f.dir, &second);
  REQUIRE(s.IsBusy());
  REQUIRE(second == nullptr);
  REQUIRE(f.Get("k") == "v");
  REQUIRE(f.db->Put(WriteOptions(), "k2", "v2").ok());
  f.db.reset();
  REQUIRE(DB::Open(f.options, f.dir, &second).ok());
  second.reset();
  f.Reopen();
  REQUIRE(f.Get("k2") == "v2");
}

TEST_CASE("DB: create_if_missing, error_if_exists and bad options", "[db][options]") {
  const std::string dir = test::ScratchDir("db_open_opts");
  std::unique_ptr<DB> db;
  Options options;
  Status s = DB::Open(options, dir + "/missing", &db);
  REQUIRE(s.IsInvalidArgument());
  REQUIRE(s.ToString().find("does not exist") != std::string::npos);
  s = DB::Open(options, dir, &db);  // exists but is not a DB
  REQUIRE(s.IsInvalidArgument());

  options.create_if_missing = true;
  REQUIRE(DB::Open(options, dir + "/db", &db).ok());
  db.reset();
  options.error_if_exists = true;
  REQUIRE(DB::Open(options, dir + "/db", &db).IsInvalidArgument());
  options.error_if_exists = false;

  SECTION("out-of-range options are rejected, not clamped") {
    Options bad = options;
    SECTION("write buffer") { bad.write_buffer_size = 10; }
    SECTION("buffers") { bad.max_write_buffer_number = 1; }
    SECTION("jobs") { bad.max_background_jobs = 0; }
    SECTION("bloom") { bad.bloom_bits_per_key = -1; }
    SECTION("compression") { bad.compression = static_cast<CompressionType>(9); }
    SECTION("zstd level") { bad.zstd_level = 99; }
    SECTION("triggers") { bad.level0_stop_writes_trigger = 1; }
    SECTION("env") { bad.env = nullptr; }
    SECTION("comparator") { bad.comparator = nullptr; }
    const Status r = DB::Open(bad, dir + "/db", &db);
    REQUIRE(r.IsInvalidArgument());
    REQUIRE(db == nullptr);
  }
  SECTION("a different comparator is refused") {
    ReverseComparator reverse;
    Options other = options;
    other.comparator = &reverse;
    const Status r = DB::Open(other, dir + "/db", &db);
    REQUIRE(r.IsInvalidArgument());
    REQUIRE(r.ToString().find("test.Reverse") != std::string::npos);
  }
  test::RemoveTree(dir);
}

TEST_CASE("DB: a custom comparator orders keys", "[db][options]") {
  ReverseComparator reverse;
  const std::string dir = test::ScratchDir("db_comparator");
  Options options;
  options.create_if_missing = true;
  options.comparator = &reverse;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, dir, &db).ok());
  for (const char* k : {"a", "c", "b"}) REQUIRE(db->Put(WriteOptions(), k, k).ok());
  db.reset();
  REQUIRE(DB::Open(options, dir, &db).ok());
  auto it = db->NewIterator(ReadOptions());
  std::string order;
  for (it->SeekToFirst(); it->Valid(); it->Next()) order += it->key().ToString();
  REQUIRE(order == "cba");
  it.reset();
  db.reset();
  test::RemoveTree(dir);
}

TEST_CASE("DB: the WAL may live in its own directory", "[db][wal]") {
  const std::string dir = test::ScratchDir("db_waldir");
  Options options;
  options.create_if_missing = true;
  options.wal_dir = dir + "/wal";
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, dir + "/db", &db).ok());
  REQUIRE(db->Put(WriteOptions(), "k", "v").ok());
  db.reset();
  std::vector<std::string> wal_files, db_files;
  REQUIRE(options.env->GetChildren(dir + "/wal", &wal_files).ok());
  REQUIRE(options.env->GetChildren(dir + "/db", &db_files).ok());
  REQUIRE(std::count_if(wal_files.begin(), wal_files.end(),
                        [](const std::string& n) { return n.size() > 4 && n.substr(n.size() - 4) == ".log"; }) >= 1);
  REQUIRE(std::none_of(db_files.begin(), db_files.end(),
                       [](const std::string& n) { return n.size() > 4 && n.substr(n.size() - 4) == ".log"; }));
  REQUIRE(DB::Open(options, dir + "/db", &db).ok());
  std::string v;
  REQUIRE(db->Get(ReadOptions(), "k", &v).ok());
  REQUIRE(v == "v");
  db.reset();
  REQUIRE(DestroyDB(dir + "/db", options).ok());
  REQUIRE_FALSE(options.env->FileExists(dir + "/db"));
  REQUIRE_FALSE(options.env->FileExists(dir + "/wal"));
  test::RemoveTree(dir);
}

TEST_CASE("DB: properties and argument checks", "[db]") {
  DBFixture f("db_props");
  REQUIRE(f.db->Put(WriteOptions(), "k", std::string(1000, 'v')).ok());
  std::string value;
  REQUIRE(f.db->GetProperty("lsmkv.approximate-memory-usage", &value));
  REQUIRE(std::stoull(value) >= 1000);
  REQUIRE(f.db->GetProperty("lsmkv.num-files-at-level0", &value));
  REQUIRE(value == "0");
  REQUIRE_FALSE(f.db->GetProperty("lsmkv.num-files-at-level9", &value));
  REQUIRE(f.db->GetProperty("lsmkv.stats", &value));
  REQUIRE(value.find("memtables: active 1 entries") != std::string::npos);
  REQUIRE(f.db->GetProperty("lsmkv.sstables", &value));
  REQUIRE(f.db->GetProperty("lsmkv.wal-corrupted-records", &value));
  REQUIRE(value == "0");
  REQUIRE_FALSE(f.db->GetProperty("leveldb.stats", &value));
  REQUIRE_FALSE(f.db->GetProperty("lsmkv.nonsense", &value));
  REQUIRE(f.db->CompactRange(nullptr, nullptr).ok());
  REQUIRE(f.db->Write(WriteOptions(), nullptr).IsInvalidArgument());
  REQUIRE_FALSE(f.db->GetProperty("lsmkv.stats", nullptr));
  // Oversized keys are refused with the whole batch; nothing is written.
  const std::string huge_key(WriteBatch::kMaxKeySize + 1, 'k');
  REQUIRE(f.db->Put(WriteOptions(), huge_key, "v").IsInvalidArgument());
  REQUIRE(f.db->Delete(WriteOptions(), huge_key).IsInvalidArgument());
  WriteBatch mixed;
  mixed.Put("fine", "v");
  mixed.Put(huge_key, "v");
  REQUIRE(f.db->Write(WriteOptions(), &mixed).IsInvalidArgument());
  REQUIRE(f.Get("fine") == "NOT_FOUND");
  mixed.Clear();
  mixed.Put("fine", "v");
  REQUIRE(f.db->Write(WriteOptions(), &mixed).ok());
  REQUIRE(f.db->Get(ReadOptions(), "k", nullptr).IsInvalidArgument());
}

TEST_CASE("DB: 8 concurrent writers, each key's last value wins after reopen",
          "[db][concurrency]") {
  DBFixture f("db_concurrent");
  constexpr int kThreads = 8;
  constexpr int kKeysPerThread = 100;
  constexpr int kRounds = 20;
  std::vector<std::thread> threads;
  std::atomic<bool> failed{false};
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      WriteOptions wo;
      wo.sync = (t == 0);  // mix synced and unsynced writers in groups
      for (int round = 0; round < kRounds; round++) {
        for (int k = 0; k < kKeysPerThread; k++) {
          const std::string key = "t" + std::to_string(t) + "-k" + std::to_string(k);
          if (!f.db->Put(wo, key, std::to_string(round)).ok()) failed = true;
          // Shared keys, written by everyone; any thread's last value is fine.
          if (k % 10 == 0 && !f.db->Put(wo, "shared" + std::to_string(k), key).ok()) failed = true;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  REQUIRE_FALSE(failed.load());
  f.Reopen();
  for (int t = 0; t < kThreads; t++) {
    for (int k = 0; k < kKeysPerThread; k++) {
      REQUIRE(f.Get("t" + std::to_string(t) + "-k" + std::to_string(k)) ==
              std::to_string(kRounds - 1));
    }
  }
  for (int k = 0; k < kKeysPerThread; k += 10) {
    const std::string v = f.Get("shared" + std::to_string(k));
    REQUIRE(v.find("-k" + std::to_string(k)) != std::string::npos);
  }
  std::string stats;
  REQUIRE(f.db->GetProperty("lsmkv.stats", &stats));
}

// Synced writers on several threads: leaders wait briefly for recent peers
// (WaitForSyncPeers). Then the peers stop one by one, so leaders wait for
// threads that never come: the wait is bounded, so everyone finishes, and
// every acknowledged write is there after a reopen.
TEST_CASE("DB: synced writers on several threads, some stopping early, all land", "[db][concurrency]") {
  DBFixture f("db_sync_peers");
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  std::atomic<bool> failed{false};
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      WriteOptions wo;
      wo.sync = true;
      // Thread t writes 50 × (t + 1) keys: the others drop out in turn.
      for (int i = 0; i < 50 * (t + 1); i++) {
        if (!f.db->Put(wo, "t" + std::to_string(t) + "-" + std::to_string(i), "v").ok()) failed = true;
      }
    });
  }
  for (auto& th : threads) th.join();
  REQUIRE_FALSE(failed.load());
  std::string stats;
  REQUIRE(f.db->GetProperty("lsmkv.stats", &stats));
  INFO(stats);
  const size_t groups = stats.find("write groups: ");
  REQUIRE(groups != std::string::npos);
  const int synced = std::stoi(stats.substr(stats.find('(', groups) + 1));
  REQUIRE(synced >= 1);
  REQUIRE(synced <= 50 * (1 + 2 + 3 + 4));
  f.Reopen();
  for (int t = 0; t < kThreads; t++) {
    for (int i = 0; i < 50 * (t + 1); i++) REQUIRE(f.Get("t" + std::to_string(t) + "-" + std::to_string(i)) == "v");
  }
}

TEST_CASE("DB: readers run concurrently with writers", "[db][concurrency]") {
  DBFixture f("db_readers");
  std::atomic<bool> done{false};
  std::atomic<bool> failed{false};
  std::thread writer([&] {
    for (int i = 0; i < 20000; i++) {
      // Values are always "v<i>" for key k<i % 500>, so a reader can check them.
      const std::string key = "k" + std::to_string(i % 500);
      if (!f.db->Put(WriteOptions(), key, "v" + std::to_string(i)).ok()) failed = true;
    }
    done = true;
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; r++) {
    readers.emplace_back([&] {
      while (!done.load()) {
        for (int k = 0; k < 500; k += 37) {
          std::string v;
          const Status s = f.db->Get(ReadOptions(), "k" + std::to_string(k), &v);
          if (s.IsNotFound()) continue;
          if (!s.ok() || v.empty() || v[0] != 'v' || std::stoi(v.substr(1)) % 500 != k) failed = true;
        }
        auto it = f.db->NewIterator(ReadOptions());
        std::string prev;
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
          if (!prev.empty() && it->key().ToString() <= prev) failed = true;
          prev = it->key().ToString();
        }
      }
    });
  }
  writer.join();
  for (auto& r : readers) r.join();
  REQUIRE_FALSE(failed.load());
}

}  // namespace lsmkv
