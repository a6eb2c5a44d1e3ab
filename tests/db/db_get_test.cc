// DB::Get through the memtables' bloom filters: every write a reader may
// see is found, while memtables fill, switch and flush.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cctype>
#include <string>
#include <thread>
#include <vector>

#include "lsmkv/comparator.h"
#include "lsmkv/db.h"
#include "support/mem_env.h"
#include "support/test_util.h"
#include "util/random.h"

namespace lsmkv {

// The writer puts key i (value "v<i>") and then publishes i; readers Get
// keys <= the published count, which must be found with their value, and
// keys never written, which must not. Small write buffers make the keys
// pass through the active memtable, immutable ones and tables while read.
TEST_CASE("DB Get: concurrent readers find every write that returned", "[db][concurrency][filter]") {
  const uint64_t seed = test::TestSeed(1403);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  MemEnv env;
  Options options;
  options.env = &env;
  options.create_if_missing = true;
  options.write_buffer_size = 64 << 10;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());

  constexpr int kKeys = 20000;
  std::atomic<int> published{0};
  std::atomic<int> failures{0};
  std::string first_failure;  // written by the first failing reader only
  std::thread writer([&] {
    for (int i = 1; i <= kKeys; i++) {
      if (!db->Put(WriteOptions(), "key" + std::to_string(i), "v" + std::to_string(i)).ok()) {
        failures++;
      }
      published.store(i, std::memory_order_release);
    }
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; r++) {
    readers.emplace_back([&, r] {
      Random rnd(seed + static_cast<uint64_t>(r));
      while (published.load(std::memory_order_acquire) < kKeys && failures.load() == 0) {
        const int upto = published.load(std::memory_order_acquire);
        if (upto == 0) continue;
        const int i = 1 + static_cast<int>(rnd.Uniform(static_cast<uint64_t>(upto)));
        std::string value;
        const Status found = db->Get(ReadOptions(), "key" + std::to_string(i), &value);
        const Status absent = db->Get(ReadOptions(), "nokey" + std::to_string(i), &value);
        if (!found.ok() || !absent.IsNotFound()) {
          if (failures++ == 0) first_failure = "key" + std::to_string(i) + ": " + found.ToString();
        }
      }
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  INFO(first_failure);
  REQUIRE(failures.load() == 0);
  // And after the writes, every key from every layer.
  for (int i = 1; i <= kKeys; i++) {
    std::string value;
    REQUIRE(db->Get(ReadOptions(), "key" + std::to_string(i), &value).ok());
    REQUIRE(value == "v" + std::to_string(i));
  }
}

}  // namespace lsmkv

namespace lsmkv {
namespace {

// An order under which "Key" and "key" are one key.
class CaseInsensitiveComparator final : public Comparator {
 public:
  int Compare(const Slice& a, const Slice& b) const override {
    const size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; i++) {
      const int x = std::tolower(static_cast<unsigned char>(a[i]));
      const int y = std::tolower(static_cast<unsigned char>(b[i]));
      if (x != y) return x < y ? -1 : 1;
    }
    return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
  }
  const char* Name() const override { return "test.CaseInsensitive"; }
};

}  // namespace

// The memtable's filter hashes key bytes; with a comparator that calls
// different bytes equal it must not rule a key out, or a Get would answer
// differently before and after a flush.
TEST_CASE("DB Get: a comparator calling different bytes equal finds the key in the memtable too",
          "[db][filter]") {
  CaseInsensitiveComparator comparator;
  MemEnv env;
  Options options;
  options.env = &env;
  options.create_if_missing = true;
  options.comparator = &comparator;
  options.bloom_bits_per_key = 0;  // tables compare keys only (comparator.h)
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE(db->Put(WriteOptions(), "Key", "v").ok());
  std::string value;
  Status s = db->Get(ReadOptions(), "key", &value);
  REQUIRE(s.ok());
  CHECK(value == "v");
  REQUIRE(db->Flush().ok());
  value.clear();
  REQUIRE(db->Get(ReadOptions(), "KEY", &value).ok());
  CHECK(value == "v");
}

}  // namespace lsmkv
