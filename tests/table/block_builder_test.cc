// BlockBuilder's bytes against a byte-by-byte model of the block format
// (table/block_builder.h): prefix compression, restart points and the
// restart array.
#include "table/block_builder.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "support/test_util.h"
#include "util/coding.h"
#include "util/random.h"

namespace lsmkv {

namespace {

// The block format written the plain way: shared prefix found one byte at a
// time, one varint at a time.
std::string ModelBlock(const std::vector<std::pair<std::string, std::string>>& entries,
                       int restart_interval) {
  std::string block;
  std::vector<uint32_t> restarts;
  std::string last;
  for (size_t i = 0; i < entries.size(); i++) {
    const std::string& key = entries[i].first;
    size_t shared = 0;
    if (i % static_cast<size_t>(restart_interval) == 0) {
      restarts.push_back(static_cast<uint32_t>(block.size()));
    } else {
      while (shared < last.size() && shared < key.size() && last[shared] == key[shared]) shared++;
    }
    PutVarint32(&block, static_cast<uint32_t>(shared));
    PutVarint32(&block, static_cast<uint32_t>(key.size() - shared));
    PutVarint32(&block, static_cast<uint32_t>(entries[i].second.size()));
    block.append(key, shared, std::string::npos);
    block.append(entries[i].second);
    last = key;
  }
  if (restarts.empty()) restarts.push_back(0);
  for (uint32_t r : restarts) PutFixed32(&block, r);
  PutFixed32(&block, static_cast<uint32_t>(restarts.size()));
  return block;
}

}  // namespace

TEST_CASE("BlockBuilder: bytes match the format model for prefixes of every length",
          "[block]") {
  const uint64_t seed = test::TestSeed(77);
  INFO("seed " << seed);
  Random rnd(seed);
  for (int restart_interval : {BlockBuilder::kRestartInterval, 1, 3}) {
    for (int round = 0; round < 20; round++) {
      // Keys share prefixes of 0 to ~40 bytes with their predecessor, so
      // the first difference falls at every position of an 8-byte word,
      // and some keys are prefixes of the next one.
      const std::string base = rnd.Bytes(40);
      std::set<std::string> keys;
      const int n = static_cast<int>(rnd.Uniform(200));
      while (static_cast<int>(keys.size()) < n) {
        const size_t prefix = rnd.Uniform(base.size() + 1);
        keys.insert(base.substr(0, prefix) + rnd.Bytes(rnd.Uniform(12)));
      }
      std::vector<std::pair<std::string, std::string>> entries;
      for (const std::string& k : keys) entries.emplace_back(k, rnd.Bytes(rnd.Uniform(20)));
      INFO("restart interval " << restart_interval << ", round " << round << ", " << n << " keys");
      BlockBuilder builder(restart_interval);
      for (const auto& [k, v] : entries) builder.Add(k, v);
      const std::string expected = ModelBlock(entries, restart_interval);
      REQUIRE(builder.CurrentSizeEstimate() == expected.size());
      REQUIRE(builder.Finish().ToString() == expected);
      builder.Reset();
      REQUIRE(builder.empty());
    }
  }
}

}  // namespace lsmkv
