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

void ShardedLRUCache::Unlink(Entry* e) {
  e->prev->next = e->next;
  e->next->prev = e->prev;
}

void ShardedLRUCache::PushFront(Shard* shard, Entry* e) {
  e->prev = &shard->lru;
  e->next = shard->lru.next;
  e->next->prev = e;
  shard->lru.next = e;
}

void ShardedLRUCache::Remove(Shard* shard, std::unordered_map<CacheKey, Entry, KeyHash>::iterator it,
                             std::shared_ptr<void>* dropped) {
  Entry& e = it->second;
  shard->usage -= e.charge;
  Unlink(&e);
  *dropped = std::move(e.value);
  shard->index.erase(it);
}

std::shared_ptr<void> ShardedLRUCache::Lookup(const CacheKey& key) {
  Shard& shard = ShardFor(key);
  std::lock_guard<std::mutex> l(shard.mu);
  auto it = shard.index.find(key);
  if (it == shard.index.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  Entry* e = &it->second;
  Unlink(e);
  PushFront(&shard, e);  // now most recent
  return e->value;
}

void ShardedLRUCache::Insert(const CacheKey& key, std::shared_ptr<void> value, size_t charge) {
  Shard& shard = ShardFor(key);
  std::shared_ptr<void> replaced;  // released outside the lock (declared first)
  std::lock_guard<std::mutex> l(shard.mu);
  auto it = shard.index.find(key);
  if (it != shard.index.end()) Remove(&shard, it, &replaced);
  if (charge > per_shard_) return;  // would evict everything and still not fit
  auto [pos, inserted] = shard.index.try_emplace(key);
  Entry* e = &pos->second;
  e->value = std::move(value);
  e->charge = charge;
  e->key = &pos->first;
  PushFront(&shard, e);
  shard.usage += charge;
  EvictOverflow(&shard, per_shard_);
}

void ShardedLRUCache::EvictOverflow(Shard* shard, size_t limit) {
  while (shard->usage > limit && shard->lru.prev != &shard->lru) {
    std::shared_ptr<void> victim;  // the last holder may free it here, under the lock
    Remove(shard, shard->index.find(*shard->lru.prev->key), &victim);
  }
}

void ShardedLRUCache::Erase(const CacheKey& key) {
  Shard& shard = ShardFor(key);
  std::shared_ptr<void> dropped;  // released outside the lock (declared first)
  std::lock_guard<std::mutex> l(shard.mu);
  auto it = shard.index.find(key);
  if (it != shard.index.end()) Remove(&shard, it, &dropped);
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
