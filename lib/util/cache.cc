#include "util/cache.h"

namespace lsmkv {

size_t ShardedLRUCache::KeyHash::operator()(const CacheKey& k) const {
  // Mix both halves (Murmur3's 64-bit finaliser); the top bits pick a shard.
  uint64_t h = k.id * 0x9e3779b97f4a7c15ull ^ k.offset;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return static_cast<size_t>(h);
}

ShardedLRUCache::ShardedLRUCache(size_t capacity)
    : capacity_(capacity), per_shard_((capacity + kShards - 1) / kShards) {}

std::shared_ptr<void> ShardedLRUCache::Lookup(const CacheKey& key) {
  Shard& shard = ShardFor(key);
  std::lock_guard<std::mutex> l(shard.mu);
  auto it = shard.index.find(key);
  if (it == shard.index.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second);  // now most recent
  return it->second->value;
}

void ShardedLRUCache::Insert(const CacheKey& key, std::shared_ptr<void> value, size_t charge) {
  Shard& shard = ShardFor(key);
  std::shared_ptr<void> dropped;  // released outside the lock
  std::lock_guard<std::mutex> l(shard.mu);
  auto it = shard.index.find(key);
  if (it != shard.index.end()) {
    shard.usage -= it->second->charge;
    dropped = std::move(it->second->value);
    shard.lru.erase(it->second);
    shard.index.erase(it);
  }
  if (charge > per_shard_) return;  // would evict everything and still not fit
  shard.lru.push_front(Entry{key, std::move(value), charge});
  shard.index.emplace(key, shard.lru.begin());
  shard.usage += charge;
  EvictOverflow(&shard, per_shard_);
}

void ShardedLRUCache::EvictOverflow(Shard* shard, size_t limit) {
  while (shard->usage > limit && !shard->lru.empty()) {
    Entry& victim = shard->lru.back();
    shard->usage -= victim.charge;
    shard->index.erase(victim.key);
    shard->lru.pop_back();
  }
}

void ShardedLRUCache::Erase(const CacheKey& key) {
  Shard& shard = ShardFor(key);
  std::lock_guard<std::mutex> l(shard.mu);
  auto it = shard.index.find(key);
  if (it == shard.index.end()) return;
  shard.usage -= it->second->charge;
  shard.lru.erase(it->second);
  shard.index.erase(it);
}

size_t ShardedLRUCache::TotalCharge() const {
  size_t total = 0;
  for (const Shard& s : shards_) {
    std::lock_guard<std::mutex> l(const_cast<Shard&>(s).mu);
    total += s.usage;
  }
  return total;
}

}  // namespace lsmkv
