#include "table/block.h"

#include <catch2/catch.hpp>
#include <map>

#include "support/test_util.h"
#include "table/block_builder.h"
#include "util/random.h"

namespace lsmkv {

namespace {

std::shared_ptr<const Block> Build(const std::map<std::string, std::string>& entries) {
  BlockBuilder builder;
  for (const auto& [k, v] : entries) builder.Add(k, v);
  return std::make_shared<const Block>(builder.Finish().ToString());
}

}  // namespace

TEST_CASE("Block: random entries, every seek and direction", "[block]") {
  const uint64_t seed = test::TestSeed(55);
  INFO("seed " << seed);
  Random rnd(seed);
  for (int n : {0, 1, 2, 15, 16, 17, 100, 1000}) {
    INFO("entries " << n);
    std::map<std::string, std::string> model;
    while (static_cast<int>(model.size()) < n) {
      // Shared prefixes exercise the key compression.
      model["prefix" + rnd.Bytes(rnd.Uniform(6))] = rnd.Bytes(rnd.Skewed(8));
    }
    auto block = Build(model);
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
