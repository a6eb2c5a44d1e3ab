#include "util/bloom.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "util/coding.h"
#include "util/hash.h"

namespace lsmkv {

namespace {

std::string Key(uint64_t i) {
  std::string k;
  PutFixed64(&k, i);
  return k;
}

}  // namespace

TEST_CASE("Bloom: no false negatives, false positives within 2% at 10 bits/key", "[bloom]") {
  BloomFilterBuilder builder(10);
  constexpr uint64_t kKeys = 100000;
  for (uint64_t i = 0; i < kKeys; i++) builder.AddKey(Key(i));
  const std::string filter = builder.Finish();
  REQUIRE(filter.size() <= kKeys * 10 / 8 + 64 + 6);
  for (uint64_t i = 0; i < kKeys; i++) REQUIRE(BloomFilterMayMatch(filter, Key(i)));
  uint64_t false_positives = 0;
  for (uint64_t i = 0; i < kKeys; i++) {
    if (BloomFilterMayMatch(filter, Key(i + 1000000000))) false_positives++;
  }
  const double rate = static_cast<double>(false_positives) / kKeys;
  INFO("false-positive rate " << rate);
  REQUIRE(rate <= 0.02);
}

TEST_CASE("Bloom: small and empty filters, and unknown formats match everything", "[bloom]") {
  BloomFilterBuilder builder(10);
  const std::string empty = builder.Finish();
  REQUIRE_FALSE(BloomFilterMayMatch(empty, "hello"));
  builder.AddKey("hello");
  builder.AddKey("world");
  const std::string two = builder.Finish();
  REQUIRE(BloomFilterMayMatch(two, "hello"));
  REQUIRE(BloomFilterMayMatch(two, "world"));
  int hits = 0;
  for (int i = 0; i < 1000; i++) hits += BloomFilterMayMatch(two, "x" + std::to_string(i));
  REQUIRE(hits < 100);

  std::string unknown = two;
  unknown[unknown.size() - 6] = 99;  // format byte
  REQUIRE(BloomFilterMayMatch(unknown, "anything"));
  REQUIRE(BloomFilterMayMatch(Slice("abc"), "anything"));  // too short
  std::string bad_lines = two;
  bad_lines[bad_lines.size() - 1] = 0x7f;  // line count does not match the size
  REQUIRE(BloomFilterMayMatch(bad_lines, "anything"));
}

TEST_CASE("Bloom: a view parsed once answers as the filter does, malformed filters included",
          "[bloom]") {
  BloomFilterBuilder builder(10);
  for (uint64_t i = 0; i < 5000; i += 2) builder.AddKey(Key(i));
  const std::string filter = builder.Finish();
  std::string unknown = filter;
  unknown[unknown.size() - 6] = 99;  // format byte
  std::string bad_lines = filter;
  bad_lines[bad_lines.size() - 1] = 0x7f;
  std::string no_probes = filter;
  no_probes[no_probes.size() - 5] = 0;
  for (const std::string& f : {filter, unknown, bad_lines, no_probes, std::string("abc")}) {
    const BloomFilterView view(f);
    int excluded = 0;
    for (uint64_t i = 0; i < 5000; i++) {
      REQUIRE(view.MayMatch(Key(i)) == BloomFilterMayMatch(f, Key(i)));
      excluded += view.MayMatch(Key(i)) ? 0 : 1;
    }
    // Only the well-formed filter excludes anything (about half the keys).
    REQUIRE((excluded > 2000) == (f == filter));
  }
  REQUIRE(BloomFilterView().MayMatch("anything"));
}

// The filter's bytes are an on-disk format (docs/format.md, "Filter
// block"): a builder change that sets other bits would make old tables'
// filters wrongly exclude keys. Pinned: a hash of the filters the original
// byte-by-byte builder produced, at probe counts below and above the
// 7-probe remix (bits per key 3, 10, 20: 2, 7, 14 probes).
TEST_CASE("Bloom: the builder's bytes are pinned", "[bloom]") {
  const std::vector<std::pair<int, uint64_t>> pinned = {
      {3, 0xd60fe0d17cdf5d9cull}, {10, 0xb97fa169b4fc66f8ull}, {20, 0xbbb3d840a17c2404ull}};
  for (const auto& [bits_per_key, expected] : pinned) {
    BloomFilterBuilder builder(bits_per_key);
    for (uint64_t i = 0; i < 5000; i++) builder.AddKey(Key(i * 7919));
    const std::string filter = builder.Finish();
    INFO("bits per key " << bits_per_key << ", " << filter.size() << " bytes");
    CHECK(Hash64(filter) == expected);
  }
}

}  // namespace lsmkv
