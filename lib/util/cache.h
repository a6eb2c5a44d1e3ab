// ShardedLRUCache: a byte-bounded LRU cache of shared objects, keyed by a
// pair of 64-bit numbers (e.g. table number + block offset).
//
// Values are std::shared_ptr, so evicting an entry never frees an object a
// reader still holds: capacity bounds what the cache keeps, not what readers
// pin. The key space is split into 16 shards, each with its own mutex, so
// concurrent readers rarely contend.
//
// Thread safety: thread-safe.
#ifndef LSMKV_UTIL_CACHE_H_
#define LSMKV_UTIL_CACHE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace lsmkv {

struct CacheKey {
  uint64_t id;
  uint64_t offset;
  bool operator==(const CacheKey& o) const { return id == o.id && offset == o.offset; }
};

class ShardedLRUCache {
 public:
  // capacity: total charge kept, in the caller's units (bytes for the block
  // cache, entries for the table cache). 0 keeps nothing. The shards split
  // it exactly (their shares add up to capacity, never more: the table
  // cache's capacity bounds open files), so with a capacity below the
  // shard count (16) some shards keep nothing.
  explicit ShardedLRUCache(size_t capacity);
  ~ShardedLRUCache();
  ShardedLRUCache(const ShardedLRUCache&) = delete;
  ShardedLRUCache& operator=(const ShardedLRUCache&) = delete;

  // nullptr on a miss.
  std::shared_ptr<void> Lookup(const CacheKey& key);
  // Inserts (or replaces) and evicts least recently used entries until the
  // shard is within its share of the capacity. An entry larger than that
  // share is not kept.
  void Insert(const CacheKey& key, std::shared_ptr<void> value, size_t charge);
  void Erase(const CacheKey& key);

  size_t TotalCharge() const;
  // The shard that holds `key` (0..15): each shard is an LRU of its own
  // with capacity/16 of the charge (tests model them one by one).
  static size_t ShardIndexOf(const CacheKey& key) { return HashOf(key) >> (64 - kShardBits); }
  size_t capacity() const { return capacity_; }
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  static constexpr int kShardBits = 4;
  static constexpr int kShards = 1 << kShardBits;

  static uint64_t HashOf(const CacheKey& k);
  // One allocation per entry: it sits on its shard's intrusive LRU list and
  // is found through the shard's slot table.
  struct Entry {
    CacheKey key{};
    uint64_t hash = 0;
    std::shared_ptr<void> value;
    size_t charge = 0;
    Entry* prev = nullptr;
    Entry* next = nullptr;
  };
  // Open addressing with linear probing: a lookup reads a few adjacent
  // slots (the hash is kept in the slot, so only a matching one is
  // followed) instead of chasing list nodes; at most half the slots are
  // used. entry == nullptr: empty.
  struct Slot {
    uint64_t hash = 0;
    Entry* entry = nullptr;
  };
  struct Shard {
    Shard() { lru.prev = lru.next = &lru; }
    std::mutex mu;
    // Guarded by mu. lru is the list's sentinel: lru.next = most recently
    // used, lru.prev = least. slots.size() is 0 or a power of two; the slot
    // of hash h is searched from h & (slots.size() - 1) on.
    Entry lru;
    std::vector<Slot> slots;
    size_t count = 0;
    size_t usage = 0;
    size_t capacity = 0;  // this shard's share; set once at construction
  };

  Shard& ShardFor(uint64_t hash) { return shards_[hash >> (64 - kShardBits)]; }
  // The slot holding `key`, or slots.size() if there is none.
  static size_t FindSlot(const Shard& shard, uint64_t hash, const CacheKey& key);
  static void AddSlot(Shard* shard, Entry* e);
  static void RemoveSlot(Shard* shard, const Entry* e);
  // Evicts least recently used entries until the shard's usage is at most
  // limit. The first entry evicted is handed to *spare (emptied, for
  // reuse) if *spare is nullptr; the others are freed.
  static void EvictOverflow(Shard* shard, size_t limit, Entry** spare);
  static void Unlink(Entry* e);
  static void PushFront(Shard* shard, Entry* e);
  // Takes the entry out of the shard (list, slots, usage) without freeing
  // it; its value is moved to *dropped so the caller decides where it is
  // released.
  static Entry* Detach(Shard* shard, Entry* e, std::shared_ptr<void>* dropped);
  // Detach, then frees the entry.
  static void Remove(Shard* shard, Entry* e, std::shared_ptr<void>* dropped);

  const size_t capacity_;
  Shard shards_[kShards];
  // Relaxed: statistics.
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace lsmkv

#endif  // LSMKV_UTIL_CACHE_H_
