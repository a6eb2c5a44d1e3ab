// DB::Get through the memtables' bloom filters: every write a reader may
// see is found, while memtables fill, switch and flush.
#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

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
