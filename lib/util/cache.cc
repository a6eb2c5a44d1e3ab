#include "util/cache.h"

namespace lsmkv {

uint64_t ShardedLRUCache::HashOf(const CacheKey& k) {
  // Mix both halves (Murmur3's 64-bit finaliser). The top bits pick a
  // shard, the low bits a slot within it.
  uint64_t h = k.id * 0x9e3779b97f4a7c15ull ^ k.offset;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

ShardedLRUCache::ShardedLRUCache(size_t capacity) : capacity_(capacity) {
  // The first capacity % kShards shards take one unit more than the rest.
  for (size_t i = 0; i < kShards; i++) {
    shards_[i].capacity = capacity / kShards + (i < capacity % kShards ? 1 : 0);
  }
}

ShardedLRUCache::~ShardedLRUCache() {
  for (Shard& shard : shards_) {
    for (Entry* e = shard.lru.next; e != &shard.lru;) {
      Entry* next = e->next;
      delete e;
      e = next;
    }
  }
}

size_t ShardedLRUCache::FindSlot(const Shard& shard, uint64_t hash, const CacheKey& key) {
  const size_t n = shard.slots.size();
  if (n == 0) return 0;
  const size_t mask = n - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = shard.slots[i];
    if (slot.entry == nullptr) return n;  // the table is never full
    if (slot.hash == hash && slot.entry->key == key) return i;
  }
}

void ShardedLRUCache::AddSlot(Shard* shard, Entry* e) {
  if (2 * (shard->count + 1) > shard->slots.size()) {
    // Grow to keep the load at most 1/2, re-placing every entry.
    std::vector<Slot> old = std::move(shard->slots);
    shard->slots.assign(old.empty() ? 16 : 2 * old.size(), Slot{});
    shard->count = 0;
    for (const Slot& s : old) {
      if (s.entry != nullptr) AddSlot(shard, s.entry);
    }
  }
  const size_t mask = shard->slots.size() - 1;
  size_t i = e->hash & mask;
  while (shard->slots[i].entry != nullptr) i = (i + 1) & mask;
  shard->slots[i] = Slot{e->hash, e};
  shard->count++;
}

void ShardedLRUCache::RemoveSlot(Shard* shard, const Entry* e) {
  const size_t mask = shard->slots.size() - 1;
  size_t hole = e->hash & mask;
  while (shard->slots[hole].entry != e) hole = (hole + 1) & mask;
  // Backward-shift deletion: move later entries of the probe run into the
  // hole when their home slot allows it, so no run is ever broken and no
  // tombstones are needed.
  for (size_t j = (hole + 1) & mask; shard->slots[j].entry != nullptr; j = (j + 1) & mask) {
    const size_t home = shard->slots[j].hash & mask;
    // May slot j's entry move to `hole`? Only if its home is not in
    // (hole, j] (cyclically).
    const bool home_in_between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
    if (!home_in_between) {
      shard->slots[hole] = shard->slots[j];
      hole = j;
    }
  }
  shard->slots[hole] = Slot{};
  shard->count--;
}

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

ShardedLRUCache::Entry* ShardedLRUCache::Detach(Shard* shard, Entry* e,
                                                 std::shared_ptr<void>* dropped) {
  shard->usage -= e->charge;
  Unlink(e);
  RemoveSlot(shard, e);
  *dropped = std::move(e->value);
  return e;
}

void ShardedLRUCache::Remove(Shard* shard, Entry* e, std::shared_ptr<void>* dropped) {
  delete Detach(shard, e, dropped);
}

std::shared_ptr<void> ShardedLRUCache::Lookup(const CacheKey& key) {
  const uint64_t hash = HashOf(key);
  Shard& shard = ShardFor(hash);
  std::lock_guard<std::mutex> l(shard.mu);
  const size_t i = FindSlot(shard, hash, key);
  if (i == shard.slots.size()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  Entry* e = shard.slots[i].entry;
  Unlink(e);
  PushFront(&shard, e);  // now most recent
  return e->value;
}

void ShardedLRUCache::Insert(const CacheKey& key, std::shared_ptr<void> value, size_t charge) {
  const uint64_t hash = HashOf(key);
  Shard& shard = ShardFor(hash);
  std::shared_ptr<void> replaced;  // released outside the lock (declared first)
  std::lock_guard<std::mutex> l(shard.mu);
  const size_t i = FindSlot(shard, hash, key);
  Entry* spare = nullptr;  // an entry's allocation to reuse
  if (i != shard.slots.size()) spare = Detach(&shard, shard.slots[i].entry, &replaced);
  if (charge > shard.capacity) {  // would evict everything and still not fit
    delete spare;
    return;
  }
  // Room is made before the entry goes in, so that a full cache (the
  // steady state of a cache smaller than what is read) reuses an evicted
  // entry's allocation. The entries evicted are the ones that evicting
  // after the insertion would drop: the new entry, the most recent, is
  // never among them since it fits.
  EvictOverflow(&shard, shard.capacity - charge, &spare);
  Entry* e = spare != nullptr ? spare : new Entry;
  e->key = key;
  e->hash = hash;
  e->value = std::move(value);
  e->charge = charge;
  AddSlot(&shard, e);
  PushFront(&shard, e);
  shard.usage += charge;
}

void ShardedLRUCache::EvictOverflow(Shard* shard, size_t limit, Entry** spare) {
  while (shard->usage > limit && shard->lru.prev != &shard->lru) {
    std::shared_ptr<void> victim;  // the last holder may free it here, under the lock
    Entry* e = Detach(shard, shard->lru.prev, &victim);
    if (*spare == nullptr) {
      *spare = e;
    } else {
      delete e;
    }
  }
}

void ShardedLRUCache::Erase(const CacheKey& key) {
  const uint64_t hash = HashOf(key);
  Shard& shard = ShardFor(hash);
  std::shared_ptr<void> dropped;  // released outside the lock (declared first)
  std::lock_guard<std::mutex> l(shard.mu);
  const size_t i = FindSlot(shard, hash, key);
  if (i != shard.slots.size()) Remove(&shard, shard.slots[i].entry, &dropped);
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
