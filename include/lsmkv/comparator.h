// Comparator: the total order of user keys. The DB remembers the comparator's
// Name() and refuses to open with a different one.
//
// Thread safety: implementations must be safe to call concurrently (they are
// normally stateless).
#ifndef LSMKV_COMPARATOR_H_
#define LSMKV_COMPARATOR_H_

#include <string>

#include "lsmkv/export.h"
#include "lsmkv/slice.h"

namespace lsmkv {

class LSMKV_EXPORT Comparator {
 public:
  virtual ~Comparator();

  // <0 if a < b, 0 if equal, >0 if a > b. Keys that compare equal may
  // differ in bytes (a case-insensitive order) only with
  // Options::bloom_bits_per_key = 0: a table's bloom filter hashes the
  // bytes of each key. (The memtable's filter is used with the bytewise
  // comparator only.)
  virtual int Compare(const Slice& a, const Slice& b) const = 0;

  // Persisted in the MANIFEST; change it whenever the order changes.
  virtual const char* Name() const = 0;

  // Optional space savers for index blocks; the default bodies leave their
  // argument unchanged, which is always correct (only index blocks are
  // larger). A comparator needs only Compare and Name.
  // If *start < limit, may change *start to a short string in [*start, limit).
  virtual void FindShortestSeparator(std::string* start, const Slice& limit) const;
  // May change *key to a short string >= *key.
  virtual void FindShortSuccessor(std::string* key) const;
};

// Lexicographic unsigned-byte order. The result is a singleton; do not delete.
LSMKV_EXPORT const Comparator* BytewiseComparator();

}  // namespace lsmkv

#endif  // LSMKV_COMPARATOR_H_
