#include "util/cache.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <thread>
#include <vector>

#include "support/test_util.h"
#include "util/random.h"

namespace lsmkv {

namespace {

std::shared_ptr<void> Value(int v) { return std::make_shared<int>(v); }
int Get(const std::shared_ptr<void>& p) { return p == nullptr ? -1 : *static_cast<int*>(p.get()); }

}  // namespace

TEST_CASE("Cache: hit, miss, replace, erase", "[cache]") {
  ShardedLRUCache cache(1000);
  REQUIRE(cache.Lookup({1, 2}) == nullptr);
  cache.Insert({1, 2}, Value(12), 1);
  cache.Insert({2, 1}, Value(21), 1);
  REQUIRE(Get(cache.Lookup({1, 2})) == 12);
  REQUIRE(Get(cache.Lookup({2, 1})) == 21);
  cache.Insert({1, 2}, Value(99), 1);
  REQUIRE(Get(cache.Lookup({1, 2})) == 99);
  REQUIRE(cache.TotalCharge() == 2);
  cache.Erase({1, 2});
  REQUIRE(cache.Lookup({1, 2}) == nullptr);
  REQUIRE(cache.TotalCharge() == 1);
  REQUIRE(cache.hits() == 3);
  REQUIRE(cache.misses() == 2);
}

TEST_CASE("Cache: keeps within capacity and evicts the least recently used", "[cache]") {
  ShardedLRUCache cache(16 * 100);  // 100 per shard
  for (uint64_t i = 0; i < 10000; i++) cache.Insert({i, 0}, Value(static_cast<int>(i)), 10);
  REQUIRE(cache.TotalCharge() <= cache.capacity());
  REQUIRE(cache.TotalCharge() >= cache.capacity() / 2);
  // Recently inserted entries are there; the oldest are gone.
  int recent = 0, old = 0;
  for (uint64_t i = 9900; i < 10000; i++) recent += cache.Lookup({i, 0}) != nullptr;
  for (uint64_t i = 0; i < 100; i++) old += cache.Lookup({i, 0}) != nullptr;
  REQUIRE(recent > 90);
  REQUIRE(old == 0);

  // A looked-up entry survives a flood of newer ones in its shard.
  ShardedLRUCache small(16 * 3);
  small.Insert({7, 7}, Value(77), 1);
  for (uint64_t i = 0; i < 1000; i++) {
    REQUIRE(Get(small.Lookup({7, 7})) == 77);
    small.Insert({i + 100, 0}, Value(0), 1);
  }
}

TEST_CASE("Cache: a capacity that is no multiple of the shard count is never exceeded", "[cache]") {
  // The table cache's capacity bounds the table files kept open
  // (max_open_files - 10): the shards' shares must add up to it, not round
  // up to 16 of a kind.
  for (size_t capacity : {size_t{1}, size_t{6}, size_t{17}, size_t{990}}) {
    INFO("capacity " << capacity);
    ShardedLRUCache cache(capacity);
    size_t most = 0;
    for (uint64_t i = 0; i < 20000; i++) {
      cache.Insert({i, 0}, Value(1), 1);
      most = std::max(most, cache.TotalCharge());
    }
    REQUIRE(most == capacity);  // full, and never past it
  }
}

TEST_CASE("Cache: evicted values live on while held, oversize entries are not kept", "[cache]") {
  ShardedLRUCache cache(16);
  cache.Insert({1, 1}, Value(5), 1);
  std::shared_ptr<void> held = cache.Lookup({1, 1});
  cache.Erase({1, 1});
  REQUIRE(Get(held) == 5);
  cache.Insert({2, 2}, Value(6), 1000);
  REQUIRE(cache.Lookup({2, 2}) == nullptr);
  ShardedLRUCache disabled(0);
  disabled.Insert({3, 3}, Value(7), 1);
  REQUIRE(disabled.Lookup({3, 3}) == nullptr);
}

TEST_CASE("Cache: concurrent use", "[cache][concurrency]") {
  ShardedLRUCache cache(1 << 12);
  std::vector<std::thread> threads;
  std::atomic<bool> wrong{false};  // Catch2 assertions are not thread-safe
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&cache, &wrong, t] {
      for (uint64_t i = 0; i < 20000; i++) {
        const CacheKey k{i % 500, static_cast<uint64_t>(t)};
        if (auto v = cache.Lookup(k)) {
          if (Get(v) != static_cast<int>(i % 500)) wrong = true;
        } else {
          cache.Insert(k, Value(static_cast<int>(i % 500)), 3);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  REQUIRE_FALSE(wrong.load());
  REQUIRE(cache.TotalCharge() <= cache.capacity());
}

TEST_CASE("Cache: random inserts, erases and lookups match a model", "[cache][model]") {
  const uint64_t seed = test::TestSeed(77);
  INFO("seed " << seed);
  Random rnd(seed);
  // Room for everything: the cache must answer exactly like a map (this
  // exercises table growth, probe runs and deletion from their middle).
  {
    ShardedLRUCache cache(1 << 30);
    std::map<std::pair<uint64_t, uint64_t>, int> model;
    for (int op = 0; op < 200000; op++) {
      const CacheKey key{rnd.Uniform(50), rnd.Uniform(400) * 4096};
      const auto k = std::make_pair(key.id, key.offset);
      switch (rnd.Uniform(3)) {
        case 0: {
          const int v = static_cast<int>(rnd.Uniform(1000000));
          cache.Insert(key, std::make_shared<int>(v), 1);
          model[k] = v;
          break;
        }
        case 1:
          cache.Erase(key);
          model.erase(k);
          break;
        default: {
          auto got = cache.Lookup(key);
          auto it = model.find(k);
          REQUIRE((got != nullptr) == (it != model.end()));
          if (got != nullptr) REQUIRE(*std::static_pointer_cast<int>(got) == it->second);
        }
      }
    }
    REQUIRE(cache.TotalCharge() == model.size());
    for (const auto& [k, v] : model) {
      auto got = cache.Lookup({k.first, k.second});
      REQUIRE(got != nullptr);
      REQUIRE(*std::static_pointer_cast<int>(got) == v);
    }
  }
  // Evicting: a hit always returns the newest value, and usage stays bounded.
  {
    ShardedLRUCache cache(16 * 20);
    std::map<std::pair<uint64_t, uint64_t>, int> newest;
    for (int op = 0; op < 100000; op++) {
      const CacheKey key{rnd.Uniform(8), rnd.Uniform(200)};
      const auto k = std::make_pair(key.id, key.offset);
      if (rnd.OneIn(2)) {
        const int v = op;
        cache.Insert(key, std::make_shared<int>(v), 1 + rnd.Uniform(3));
        newest[k] = v;
      } else if (auto got = cache.Lookup(key)) {
        REQUIRE(*std::static_pointer_cast<int>(got) == newest.at(k));
      }
      REQUIRE(cache.TotalCharge() <= 16 * 20);
    }
  }
}

TEST_CASE("Cache: evicting, each shard is exactly an LRU bounded by its share", "[cache][model]") {
  // A model of every shard: entries most recent first, with charges. An
  // insertion replaces the key's entry, goes in front, then the least
  // recent entries go until the shard is within its share; an entry larger
  // than the share is not kept. (The cache makes room before inserting so
  // that it can reuse an evicted entry; the result must be the same.)
  const uint64_t seed = test::TestSeed(91);
  INFO("seed " << seed);
  Random rnd(seed);
  struct ModelEntry {
    CacheKey key;
    int value;
    size_t charge;
  };
  for (size_t share : {size_t{1}, size_t{7}, size_t{40}}) {
    INFO("share " << share);
    ShardedLRUCache cache(16 * share);
    std::vector<std::vector<ModelEntry>> shards(16);
    const auto find = [](std::vector<ModelEntry>& shard, const CacheKey& key) {
      return std::find_if(shard.begin(), shard.end(),
                          [&key](const ModelEntry& e) { return e.key == key; });
    };
    size_t model_usage = 0;
    for (int op = 0; op < 60000; op++) {
      const CacheKey key{rnd.Uniform(4), rnd.Uniform(300)};
      std::vector<ModelEntry>& shard = shards[ShardedLRUCache::ShardIndexOf(key)];
      auto it = find(shard, key);
      const int kind = static_cast<int>(rnd.Uniform(10));
      if (kind < 5) {
        const int v = op;
        const size_t charge = 1 + rnd.Uniform(share + 2);  // sometimes more than the share
        cache.Insert(key, Value(v), charge);
        if (it != shard.end()) {
          model_usage -= it->charge;
          shard.erase(it);
        }
        if (charge <= share) {
          shard.insert(shard.begin(), ModelEntry{key, v, charge});
          size_t usage = 0;
          for (const ModelEntry& e : shard) usage += e.charge;
          model_usage += charge;
          while (usage > share) {
            usage -= shard.back().charge;
            model_usage -= shard.back().charge;
            shard.pop_back();
          }
        }
      } else if (kind < 6) {
        cache.Erase(key);
        if (it != shard.end()) {
          model_usage -= it->charge;
          shard.erase(it);
        }
      } else {
        const int got = Get(cache.Lookup(key));
        REQUIRE(got == (it == shard.end() ? -1 : it->value));
        if (it != shard.end()) std::rotate(shard.begin(), it, it + 1);  // now most recent
      }
      REQUIRE(cache.TotalCharge() == model_usage);
    }
  }
}

}  // namespace lsmkv
