#include "table/block.h"

#include <catch2/catch.hpp>
#include <map>
#include <vector>

#include "support/test_util.h"
#include "table/block_builder.h"
#include "util/random.h"

namespace lsmkv {

namespace {

std::shared_ptr<const Block> Build(const std::map<std::string, std::string>& entries,
                                   int restart_interval = BlockBuilder::kRestartInterval) {
  BlockBuilder builder(restart_interval);
  for (const auto& [k, v] : entries) builder.Add(k, v);
  return std::make_shared<const Block>(builder.Finish().ToString());
}

}  // namespace

TEST_CASE("Block: random entries, every seek and direction", "[block]") {
  const uint64_t seed = test::TestSeed(55);
  INFO("seed " << seed);
  Random rnd(seed);
  // Index blocks have a restart point at every entry; any interval reads
  // the same.
  std::vector<std::pair<int, int>> cases;  // (restart interval, entries)
  for (int restart_interval : {BlockBuilder::kRestartInterval, 1, 3}) {
    for (int n : {0, 1, 2, 15, 16, 17, 100, 1000}) cases.emplace_back(restart_interval, n);
  }
  for (const auto& [restart_interval, n] : cases) {
    INFO("entries " << n << ", restart interval " << restart_interval);
    std::map<std::string, std::string> model;
    while (static_cast<int>(model.size()) < n) {
      // Shared prefixes exercise the key compression.
      model["prefix" + rnd.Bytes(rnd.Uniform(6))] = rnd.Bytes(rnd.Skewed(8));
    }
    auto block = Build(model, restart_interval);
    auto it = Block::NewIterator(block, BytewiseComparator());
    it->SeekToFirst();
    for (const auto& [k, v] : model) {
      REQUIRE(it->Valid());
      REQUIRE(it->key().ToString() == k);
      REQUIRE(it->value().ToString() == v);
      it->Next();
    }
    REQUIRE_FALSE(it->Valid());
    it->SeekToLast();
    for (auto r = model.rbegin(); r != model.rend(); ++r) {
      REQUIRE(it->Valid());
      REQUIRE(it->key().ToString() == r->first);
      it->Prev();
    }
    REQUIRE_FALSE(it->Valid());
    for (int i = 0; i < 200; i++) {
      const std::string target = "prefix" + rnd.Bytes(rnd.Uniform(6));
      it->Seek(target);
      auto lb = model.lower_bound(target);
      REQUIRE(it->Valid() == (lb != model.end()));
      if (it->Valid()) REQUIRE(it->key().ToString() == lb->first);
      it->SeekForPrev(target);
      auto ub = model.upper_bound(target);
      REQUIRE(it->Valid() == (ub != model.begin()));
      if (it->Valid()) REQUIRE(it->key().ToString() == std::prev(ub)->first);
    }
    REQUIRE(it->status().ok());
  }
}

// Mixed walks: Prev after Next, after Seek and across restart intervals
// (where Prev steps back through the decoded interval), with keys both
// short and longer than the iterator's inline key buffer.
TEST_CASE("Block: random walks mixing Next, Prev and seeks match std::map", "[block][model]") {
  const uint64_t seed = test::TestSeed(56);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  for (int n : {1, 2, 16, 17, 33, 300}) {
    for (size_t key_len : {size_t{4}, size_t{60}, size_t{200}}) {
      INFO("entries " << n << ", key length about " << key_len);
      std::map<std::string, std::string> model;
      const std::string stem = rnd.Bytes(key_len);
      while (static_cast<int>(model.size()) < n) {
        model[stem.substr(0, rnd.Uniform(key_len + 1)) + rnd.Bytes(rnd.Uniform(4))] =
            rnd.Bytes(rnd.Uniform(20));
      }
      auto block = Build(model);
      auto it = Block::NewIterator(block, BytewiseComparator());
      auto pos = model.end();
      for (int step = 0; step < 2000; step++) {
        const uint64_t op = rnd.Uniform(7);
        if (op >= 4 && pos == model.end()) continue;
        const std::string target = stem.substr(0, rnd.Uniform(key_len + 1)) + rnd.Bytes(2);
        switch (op) {
          case 0:
            it->SeekToFirst();
            pos = model.begin();
            break;
          case 1:
            it->SeekToLast();
            pos = std::prev(model.end());
            break;
          case 2:
            it->Seek(target);
            pos = model.lower_bound(target);
            break;
          case 3: {
            it->SeekForPrev(target);
            auto ub = model.upper_bound(target);
            pos = ub == model.begin() ? model.end() : std::prev(ub);
            break;
          }
          case 4:
            it->Next();
            ++pos;
            break;
          default:  // Prev twice as often: runs of Prev cross intervals
            it->Prev();
            pos = pos == model.begin() ? model.end() : std::prev(pos);
            break;
        }
        INFO("step " << step << " op " << op);
        REQUIRE(it->status().ok());
        REQUIRE(it->Valid() == (pos != model.end()));
        if (it->Valid()) {
          REQUIRE(it->key().ToString() == pos->first);
          REQUIRE(it->value().ToString() == pos->second);
        }
      }
    }
  }
}

TEST_CASE("Block: damaged bytes give Corruption or valid entries, never a crash", "[block]") {
  std::map<std::string, std::string> model;
  for (int i = 0; i < 100; i++) model["key" + std::to_string(1000 + i)] = "value" + std::to_string(i);
  BlockBuilder builder;
  for (const auto& [k, v] : model) builder.Add(k, v);
  const std::string good = builder.Finish().ToString();
  Random rnd(3);
  for (int trial = 0; trial < 2000; trial++) {
    std::string bad = good;
    const size_t pos = rnd.Uniform(bad.size());
    bad[pos] = static_cast<char>(bad[pos] ^ (1 << rnd.Uniform(8)));
    if (trial % 10 == 0) bad.resize(rnd.Uniform(bad.size()));
    auto block = std::make_shared<const Block>(bad);
    auto it = Block::NewIterator(block, BytewiseComparator());
    int steps = 0;
    for (it->SeekToFirst(); it->Valid() && steps < 1000; it->Next()) steps++;
    it->Seek("key1050");
    it->SeekToLast();
    if (it->Valid()) it->Prev();
    (void)it->status();  // either OK (damage in a value) or Corruption
  }
  auto empty = std::make_shared<const Block>(std::string());
  auto it = Block::NewIterator(empty, BytewiseComparator());
  it->SeekToFirst();
  REQUIRE_FALSE(it->Valid());
  REQUIRE(it->status().IsCorruption());
}

}  // namespace lsmkv
