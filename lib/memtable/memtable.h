// MemTable: the in-memory sorted buffer of recent writes, a skiplist of
// internal keys. Each entry is one arena allocation:
//
//   varint32 internal_key_size ‖ user key ‖ fixed64 (seq << 8 | type)
//   ‖ varint32 value_size ‖ value
//
// Thread safety: Add is externally synchronized (one writer: the DB's write
// group leader); Get, NewIterator and ApproximateMemoryUsage may run
// concurrently with it and with each other. Lifetime is shared
// (std::shared_ptr): the DB and every iterator over it hold a reference.
#ifndef LSMKV_MEMTABLE_MEMTABLE_H_
#define LSMKV_MEMTABLE_MEMTABLE_H_

#include <memory>
#include <string>

#include "format/dbformat.h"
#include "lsmkv/iterator.h"
#include "lsmkv/status.h"
#include "memtable/skiplist.h"
#include "util/arena.h"

namespace lsmkv {

class MemTable {
 public:
  // comparator must outlive the memtable.
  explicit MemTable(const InternalKeyComparator* comparator);
  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;

  void Add(SequenceNumber seq, ValueType type, const Slice& key, const Slice& value);

  // Looks up the newest version of key.user_key() with sequence <= the
  // key's sequence. Returns true if found: then *s is OK with *value set
  // (a put), or NotFound (a tombstone). Returns false if this memtable holds
  // no visible version.
  bool Get(const LookupKey& key, std::string* value, Status* s) const;

  // An iterator over internal keys (key() is an internal key). The caller
  // keeps the memtable alive while using it.
  std::unique_ptr<Iterator> NewIterator() const;

  size_t ApproximateMemoryUsage() const { return arena_.MemoryUsage(); }
  // Number of entries added.
  uint64_t num_entries() const { return num_entries_.load(std::memory_order_relaxed); }

 private:
  friend class MemTableIterator;

  struct KeyComparator {
    const InternalKeyComparator* comparator;
    // Compares length-prefixed internal keys.
    int operator()(const char* a, const char* b) const;
  };
  using Table = SkipList<const char*, KeyComparator>;

  const InternalKeyComparator* const comparator_;
  Arena arena_;
  Table table_;
  // Relaxed: a statistic.
  std::atomic<uint64_t> num_entries_{0};
};

}  // namespace lsmkv

#endif  // LSMKV_MEMTABLE_MEMTABLE_H_
