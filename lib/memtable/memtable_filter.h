// MemTableFilter: a blocked bloom filter over the user keys added to one
// memtable, so that a point lookup for a key the memtable does not hold
// (most lookups: a memtable holds a few tens of thousands of a DB's keys)
// skips the skiplist search, whose ~15 node visits are cache misses once the
// memtable outgrows the CPU caches.
//
// Each key sets kProbes bits inside one 64-byte line chosen by its hash, so
// a query reads one cache line. The filter never forgets a key (bits are
// only set), so it has no false negatives; false positives just cost the
// skiplist search that would have run anyway.
//
// Thread safety: Add is externally synchronized (one writer at a time, as
// MemTable::Add is: the DB's write group leader); MayContain may run
// concurrently with it and with other MayContains. Bits are relaxed
// atomics, and Add writes each word with a plain load and store (no locked
// read-modify-write, which cost ~6 % of a batched fill's CPU): with one
// writer, no bit is lost. A reader that may see an entry (its sequence was
// published after the Add, through the DB's mutex) also sees the bits that
// Add set before inserting the entry.
#ifndef LSMKV_MEMTABLE_MEMTABLE_FILTER_H_
#define LSMKV_MEMTABLE_MEMTABLE_FILTER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "lsmkv/slice.h"

namespace lsmkv {

class MemTableFilter {
 public:
  // About `bits` bits (rounded up to whole 512-bit lines, at least one).
  explicit MemTableFilter(size_t bits);
  MemTableFilter(const MemTableFilter&) = delete;
  MemTableFilter& operator=(const MemTableFilter&) = delete;

  // REQUIRES: no concurrent Add (external synchronization).
  void Add(const Slice& user_key);
  // False: user_key was never added.
  bool MayContain(const Slice& user_key) const;

  size_t bytes() const { return num_lines_ * kLineBytes; }

 private:
  static constexpr size_t kLineBytes = 64;
  static constexpr size_t kWordsPerLine = kLineBytes / 8;
  static constexpr int kProbes = 6;

  // The first word of the line the hash selects.
  std::atomic<uint64_t>* LineFor(uint64_t hash) const;

  const size_t num_lines_;
  const std::unique_ptr<std::atomic<uint64_t>[]> words_;  // num_lines_ * kWordsPerLine
};

}  // namespace lsmkv

#endif  // LSMKV_MEMTABLE_MEMTABLE_FILTER_H_
