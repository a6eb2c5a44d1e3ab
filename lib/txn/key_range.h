// Key ranges a transaction's iterators covered, and what a commit hands to
// validation (its point keys and ranges).
#ifndef LSMKV_TXN_KEY_RANGE_H_
#define LSMKV_TXN_KEY_RANGE_H_

#include <string>
#include <vector>

#include "format/dbformat.h"
#include "lsmkv/comparator.h"
#include "lsmkv/slice.h"
#include "lsmkv/transaction.h"

namespace lsmkv {

// One end of a key range.
struct KeyBound {
  enum Kind : unsigned char { kUnbounded, kInclusive, kExclusive };
  Kind kind = kUnbounded;
  std::string key;
};

// The keys between lo and hi (either may be unbounded).
struct KeyRange {
  KeyBound lo;
  KeyBound hi;

  bool AboveLow(const Comparator* cmp, const Slice& key) const {
    if (lo.kind == KeyBound::kUnbounded) return true;
    const int r = cmp->Compare(key, lo.key);
    return lo.kind == KeyBound::kInclusive ? r >= 0 : r > 0;
  }
  bool BelowHigh(const Comparator* cmp, const Slice& key) const {
    if (hi.kind == KeyBound::kUnbounded) return true;
    const int r = cmp->Compare(key, hi.key);
    return hi.kind == KeyBound::kInclusive ? r <= 0 : r < 0;
  }
  bool Contains(const Comparator* cmp, const Slice& key) const {
    return AboveLow(cmp, key) && BelowHigh(cmp, key);
  }
};

// What a commit asks validation to prove: no write with a sequence above
// validated_through touched point_keys or a key inside ranges. Built by
// the transaction, passed through DBImpl::WriteValidated to the leader.
struct CommitCheck {
  // The keys the transaction writes, plus (kSerializable) the keys it read.
  // Point into the transaction's own containers, which outlive the commit.
  std::vector<Slice> point_keys;
  const std::vector<KeyRange>* ranges = nullptr;  // kSerializable only; may be null
  // Starts at the transaction's snapshot; raised when the DB itself was
  // checked up to a newer sequence (the history fallback).
  SequenceNumber validated_through = 0;
  // Set by the leader when the history no longer reaches back to
  // validated_through: the commit checks the DB again and retries.
  bool stale = false;
};

}  // namespace lsmkv

#endif  // LSMKV_TXN_KEY_RANGE_H_
