#include "memtable/memtable_filter.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "memtable/memtable.h"
#include "support/test_util.h"
#include "util/random.h"

namespace lsmkv {
namespace {

std::string RandomKey(Random* rnd) {
  // Lengths 0..40, bytes of every value (including 0 and 0xff).
  std::string key(rnd->Uniform(41), '\0');
  for (char& c : key) c = static_cast<char>(rnd->Uniform(256));
  return key;
}

}  // namespace

TEST_CASE("MemTableFilter: every added key may match, others rarely do", "[memtable][filter]") {
  const uint64_t seed = test::TestSeed(1401);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  constexpr size_t kKeys = 20000;
  // 19 bits per key: what a 4 MiB write buffer of ~150-byte entries gets.
  MemTableFilter filter(kKeys * 19);
  REQUIRE(filter.bytes() >= kKeys * 19 / 8);
  REQUIRE(filter.bytes() % 64 == 0);
  std::map<std::string, bool> added;
  for (size_t i = 0; i < kKeys; i++) {
    std::string key = RandomKey(&rnd);
    filter.Add(key);
    added[key] = true;
  }
  for (const auto& [key, unused] : added) REQUIRE(filter.MayContain(key));
  size_t false_positives = 0, probed = 0;
  for (size_t i = 0; i < 100000; i++) {
    const std::string key = RandomKey(&rnd) + "#absent";  // never added
    probed++;
    if (filter.MayContain(key)) false_positives++;
  }
  // Expected about 0.3%; 2% would mean the probes are not independent.
  INFO("false positives " << false_positives << " of " << probed);
  REQUIRE(false_positives < probed / 50);
}

TEST_CASE("MemTableFilter: a tiny saturated filter has no false negatives", "[memtable][filter]") {
  for (size_t bits : {size_t{0}, size_t{1}, size_t{512}, size_t{513}}) {
    MemTableFilter filter(bits);
    REQUIRE(filter.bytes() == (bits > 512 ? 128u : 64u));
    REQUIRE_FALSE(filter.MayContain("never added"));
    for (int i = 0; i < 5000; i++) filter.Add(std::to_string(i));
    for (int i = 0; i < 5000; i++) REQUIRE(filter.MayContain(std::to_string(i)));
  }
}

// The memtable with a filter against a std::map model: puts, deletes and
// lookups of present and absent keys at several sequences, with a filter
// far too small (most bits set) and with the usual size.
TEST_CASE("MemTable with a filter: lookups match a model", "[memtable][filter]") {
  const uint64_t seed = test::TestSeed(1402);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  for (size_t filter_bits : {size_t{512}, size_t{1} << 16}) {
    INFO("filter bits " << filter_bits);
    Random rnd(seed + filter_bits);
    InternalKeyComparator cmp(BytewiseComparator());
    MemTable mem(&cmp, filter_bits);
    REQUIRE(mem.FilterBytes() == filter_bits / 8);
    // model[key][sequence] = value, or nullopt-like "<deleted>".
    std::map<std::string, std::map<SequenceNumber, std::string>> model;
    SequenceNumber seq = 0;
    for (int i = 0; i < 3000; i++) {
      const std::string key = "k" + std::to_string(rnd.Uniform(2000));
      seq++;
      if (rnd.OneIn(5)) {
        mem.Add(seq, kTypeDeletion, key, "");
        model[key][seq] = "<deleted>";
      } else {
        const std::string value = "v" + std::to_string(seq);
        mem.Add(seq, kTypeValue, key, value);
        model[key][seq] = value;
      }
    }
    for (int i = 0; i < 6000; i++) {
      const std::string key = "k" + std::to_string(rnd.Uniform(4000));  // half never added
      const SequenceNumber at = rnd.Uniform(seq + 2);
      std::string expected = "<absent>";
      auto versions = model.find(key);
      if (versions != model.end()) {
        auto it = versions->second.upper_bound(at);
        if (it != versions->second.begin()) expected = std::prev(it)->second;
      }
      std::string value;
      Status s;
      std::string got = "<absent>";
      if (mem.Get(LookupKey(key, at), &value, &s)) got = s.IsNotFound() ? "<deleted>" : value;
      INFO("key " << key << " at " << at);
      REQUIRE(got == expected);
    }
  }
}

// A reader that learns (through a release/acquire counter, as Get learns
// the last sequence through the DB's mutex) that entry i was added must
// find it, while the writer keeps adding.
TEST_CASE("MemTable with a filter: concurrent readers find every published entry",
          "[memtable][filter]") {
  InternalKeyComparator cmp(BytewiseComparator());
  MemTable mem(&cmp, 1 << 16);
  constexpr int kEntries = 20000;
  std::atomic<int> published{0};
  std::atomic<bool> failed{false};
  std::thread writer([&] {
    for (int i = 1; i <= kEntries; i++) {
      mem.Add(static_cast<SequenceNumber>(i), kTypeValue, "key" + std::to_string(i), "v");
      published.store(i, std::memory_order_release);
    }
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; r++) {
    readers.emplace_back([&, r] {
      Random rnd(r + 1);
      while (published.load(std::memory_order_acquire) < kEntries && !failed.load()) {
        const int upto = published.load(std::memory_order_acquire);
        if (upto == 0) continue;
        const int i = 1 + static_cast<int>(rnd.Uniform(static_cast<uint64_t>(upto)));
        std::string value;
        Status s;
        if (!mem.Get(LookupKey("key" + std::to_string(i), static_cast<SequenceNumber>(upto)), &value,
                     &s)) {
          failed.store(true);
        }
      }
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  REQUIRE_FALSE(failed.load());
}

}  // namespace lsmkv
