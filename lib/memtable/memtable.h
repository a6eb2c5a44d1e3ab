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
#include "memtable/memtable_filter.h"
#include "memtable/skiplist.h"
#include "util/arena.h"

namespace lsmkv {

class MemTable {
 public:
  // comparator must outlive the memtable. filter_bits > 0: keep a bloom
  // filter of about that many bits over the user keys added, so that Get
  // skips the skiplist for keys never added (see MemTableFilter). It relies
  // on user keys that compare equal being equal bytes, as the tables'
  // bloom filters do. 0: no filter.
  explicit MemTable(const InternalKeyComparator* comparator, size_t filter_bits = 0);
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

  // The arena's bytes (what the flush trigger compares with the write
  // buffer size); the filter's fixed size is not included.
  size_t ApproximateMemoryUsage() const { return arena_.MemoryUsage(); }
  // Bytes of the bloom filter (0 without one).
  size_t FilterBytes() const { return filter_ ? filter_->bytes() : 0; }
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
  // Add sets the key's bits before inserting the entry into table_. A Get
  // may only rely on entries whose sequence the DB published after their
  // Add returned (through its mutex), so it sees their bits. nullptr: no
  // filter.
  const std::unique_ptr<MemTableFilter> filter_;
  Arena arena_;
  Table table_;
  // Relaxed: a statistic.
  std::atomic<uint64_t> num_entries_{0};
};

}  // namespace lsmkv

#endif  // LSMKV_MEMTABLE_MEMTABLE_H_
