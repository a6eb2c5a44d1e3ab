// The public API can grow without breaking users (docs/compatibility.md):
// a DB subclass overriding only the core methods, a comparator with only
// Compare and Name, a write batch handler with only Put and Delete; plus
// ManagedSnapshot and the version macros.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/mock_db.h"
#include "lsmkv/db.h"
#include "lsmkv/version.h"
#include "support/test_util.h"

namespace lsmkv {

namespace {

// A user's wrapper: forwards the core methods to a real DB and counts the
// snapshots it holds.
class CountingSnapshotsDB : public DB {
 public:
  explicit CountingSnapshotsDB(DB* target) : target_(target) {}
  int live_snapshots = 0;

  Status Put(const WriteOptions& o, const Slice& k, const Slice& v) override {
    return target_->Put(o, k, v);
  }
  Status Delete(const WriteOptions& o, const Slice& k) override { return target_->Delete(o, k); }
  Status Write(const WriteOptions& o, WriteBatch* b) override { return target_->Write(o, b); }
  Status Get(const ReadOptions& o, const Slice& k, std::string* v) override {
    return target_->Get(o, k, v);
  }
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& o) override {
    return target_->NewIterator(o);
  }
  const Snapshot* GetSnapshot() override {
    live_snapshots++;
    return target_->GetSnapshot();
  }
  void ReleaseSnapshot(const Snapshot* s) override {
    live_snapshots--;
    target_->ReleaseSnapshot(s);
  }
  bool GetProperty(const Slice& p, std::string* v) override { return target_->GetProperty(p, v); }
  Status Flush() override { return target_->Flush(); }
  Status CompactRange(const Slice* b, const Slice* e) override {
    return target_->CompactRange(b, e);
  }

 private:
  DB* const target_;
};

std::unique_ptr<DB> OpenScratch(const std::string& dir, Options options = Options()) {
  options.create_if_missing = true;
  std::unique_ptr<DB> db;
  const Status s = DB::Open(options, dir, &db);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return db;
}

}  // namespace

TEST_CASE("A DB subclass overriding only the core methods gets NotSupported for the rest",
          "[api]") {
  mock::MockDB db;
  REQUIRE(db.Put(WriteOptions(), "k", "v").ok());
  WriteBatch batch;
  batch.Put("a", "1");
  batch.Delete("k");
  REQUIRE(db.Write(WriteOptions(), &batch).ok());
  std::string value;
  REQUIRE(db.Get(ReadOptions(), "a", &value).ok());
  REQUIRE(value == "1");
  REQUIRE(db.Get(ReadOptions(), "k", &value).IsNotFound());
  // Through the base class, as the library's users call it.
  DB* base = &db;
  REQUIRE(base->VerifyChecksums().IsNotSupported());
}

TEST_CASE("A comparator with only Compare and Name orders a DB", "[api]") {
  const std::string dir = test::ScratchDir("api-reverse-comparator");
  mock::ReverseComparator reverse;
  std::string unchanged = "abc";
  reverse.FindShortestSeparator(&unchanged, "abz");
  reverse.FindShortSuccessor(&unchanged);
  REQUIRE(unchanged == "abc");  // the defaults leave keys as they are

  Options options;
  options.comparator = &reverse;
  options.write_buffer_size = 64 << 10;  // several tables, so index blocks are built
  {
    auto db = OpenScratch(dir, options);
    for (int i = 0; i < 2000; i++) {
      char key[16];
      std::snprintf(key, sizeof key, "key%05d", i);
      REQUIRE(db->Put(WriteOptions(), key, std::string(100, 'v')).ok());
    }
    REQUIRE(db->Flush().ok());
    REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  }
  auto db = OpenScratch(dir, options);
  REQUIRE(db->VerifyChecksums().ok());
  auto it = db->NewIterator(ReadOptions());
  int expected = 1999;
  for (it->SeekToFirst(); it->Valid(); it->Next(), expected--) {
    char key[16];
    std::snprintf(key, sizeof key, "key%05d", expected);
    REQUIRE(it->key() == Slice(key));
  }
  REQUIRE(it->status().ok());
  REQUIRE(expected == -1);
  it.reset();
  db.reset();
  test::RemoveTree(dir);
}

TEST_CASE("WriteBatch::Handler: Continue defaults to true and can stop Iterate", "[api]") {
  WriteBatch batch;
  batch.Put("a", "1");
  batch.Delete("b");
  batch.Put("c", "3");
  struct Recorder : WriteBatch::Handler {
    std::vector<std::string> seen;
    size_t stop_after = SIZE_MAX;
    void Put(const Slice& k, const Slice& v) override {
      seen.push_back("put " + k.ToString() + "=" + v.ToString());
    }
    void Delete(const Slice& k) override { seen.push_back("delete " + k.ToString()); }
    bool Continue() override {
      return stop_after == SIZE_MAX ? WriteBatch::Handler::Continue() : seen.size() < stop_after;
    }
  };
  Recorder all;
  REQUIRE(batch.Iterate(&all).ok());
  REQUIRE(all.seen == std::vector<std::string>{"put a=1", "delete b", "put c=3"});
  Recorder first_two;
  first_two.stop_after = 2;
  REQUIRE(batch.Iterate(&first_two).ok());
  REQUIRE(first_two.seen == std::vector<std::string>{"put a=1", "delete b"});
}

TEST_CASE("ManagedSnapshot reads as of its creation and releases on scope exit", "[api]") {
  const std::string dir = test::ScratchDir("api-managed-snapshot");
  auto real = OpenScratch(dir);
  CountingSnapshotsDB db(real.get());
  REQUIRE(db.Put(WriteOptions(), "k", "old").ok());
  {
    ManagedSnapshot snap(&db);
    REQUIRE(db.live_snapshots == 1);
    REQUIRE(db.Put(WriteOptions(), "k", "new").ok());
    ReadOptions at_snapshot;
    at_snapshot.snapshot = snap.snapshot();
    std::string value;
    REQUIRE(db.Get(at_snapshot, "k", &value).ok());
    REQUIRE(value == "old");

    ManagedSnapshot moved(std::move(snap));  // ownership moves; still one snapshot
    REQUIRE(snap.snapshot() == nullptr);
    REQUIRE(moved.snapshot() == at_snapshot.snapshot);
    REQUIRE(db.live_snapshots == 1);
    ManagedSnapshot other(&db);
    REQUIRE(db.live_snapshots == 2);
    other = std::move(moved);  // releases other's own snapshot
    REQUIRE(db.live_snapshots == 1);
    REQUIRE(other.snapshot() == at_snapshot.snapshot);
  }
  REQUIRE(db.live_snapshots == 0);
  std::string value;
  REQUIRE(db.Get(ReadOptions(), "k", &value).ok());
  REQUIRE(value == "new");
  real.reset();
  test::RemoveTree(dir);
}

TEST_CASE("Version macros match the build's project version and lsmkv::Version()", "[api]") {
  char expected[32];
  std::snprintf(expected, sizeof expected, "%d.%d.%d", LSMKV_VERSION_MAJOR, LSMKV_VERSION_MINOR,
                LSMKV_VERSION_PATCH);
  REQUIRE(std::string(Version()) == expected);
  REQUIRE(std::string(Version()) == LSMKV_TEST_PROJECT_VERSION);  // CMake's PROJECT_VERSION
  REQUIRE(LSMKV_VERSION ==
          LSMKV_MAKE_VERSION(LSMKV_VERSION_MAJOR, LSMKV_VERSION_MINOR, LSMKV_VERSION_PATCH));
  REQUIRE(LSMKV_MAKE_VERSION(0, 2, 0) > LSMKV_MAKE_VERSION(0, 1, 9));
}

}  // namespace lsmkv
