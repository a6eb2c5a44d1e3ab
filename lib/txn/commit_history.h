// CommitHistory: which keys recent writes touched, and at which sequence.
// Holds, for every write sequenced after floor(), its keys; validation asks
// whether a key (or a key in a range) was written after a sequence.
//
// Thread safety: externally synchronized (TransactionManager::mu_).
#ifndef LSMKV_TXN_COMMIT_HISTORY_H_
#define LSMKV_TXN_COMMIT_HISTORY_H_

#include <cstddef>
#include <deque>
#include <map>
#include <string>
#include <utility>

#include "format/dbformat.h"
#include "lsmkv/comparator.h"
#include "lsmkv/write_batch.h"
#include "txn/key_range.h"

namespace lsmkv {

class CommitHistory {
 public:
  // Keys of this many recent writes are kept while transactions are live
  // (~100 bytes each plus the key); a transaction older than that is
  // checked against the DB instead.
  static constexpr size_t kDefaultCapacity = size_t{1} << 18;

  explicit CommitHistory(const Comparator* comparator)
      : comparator_(comparator), newest_(UserKeyLess{comparator}) {}

  CommitHistory(const CommitHistory&) = delete;
  CommitHistory& operator=(const CommitHistory&) = delete;

  // Every write with a sequence above floor() is recorded; what a write at
  // or below it touched is unknown here.
  SequenceNumber floor() const { return floor_; }
  size_t size() const { return order_.size(); }

  // Forgets everything; writes above `floor` will be recorded.
  void Reset(SequenceNumber floor);
  // The oldest entries go (and floor() rises) once more than `entries` are
  // held. 0 keeps nothing.
  void SetCapacity(size_t entries);

  // Records batch's keys; its first update has sequence `first`.
  void Record(const WriteBatch& batch, SequenceNumber first);
  // Drops what no transaction with a snapshot >= seq can need.
  void TrimThrough(SequenceNumber seq);
  // Writes up to seq go unrecorded: the floor rises to seq (everything
  // recorded is older, so the history is emptied).
  void SkipThrough(SequenceNumber seq) { TrimThrough(seq); }

  // REQUIRES: after >= floor(). Whether a write sequenced after `after`
  // touched key / a key inside range.
  bool WrittenAfter(const Slice& key, SequenceNumber after) const;
  bool RangeWrittenAfter(const KeyRange& range, SequenceNumber after) const;

 private:
  struct UserKeyLess {
    const Comparator* comparator;
    bool operator()(const std::string& a, const std::string& b) const {
      return comparator->Compare(a, b) < 0;
    }
    bool operator()(const std::string& a, const Slice& b) const {
      return comparator->Compare(a, b) < 0;
    }
    bool operator()(const Slice& a, const std::string& b) const {
      return comparator->Compare(a, b) < 0;
    }
    using is_transparent = void;
  };
  using KeyMap = std::map<std::string, SequenceNumber, UserKeyLess>;

  void DropOldest();

  const Comparator* const comparator_;
  SequenceNumber floor_ = 0;
  size_t capacity_ = kDefaultCapacity;
  // Newest recorded sequence of each key.
  KeyMap newest_;
  // Every recorded write in sequence order: (sequence, its key's entry).
  // An entry of newest_ is erased with the last write pointing at it.
  std::deque<std::pair<SequenceNumber, KeyMap::iterator>> order_;
};

}  // namespace lsmkv

#endif  // LSMKV_TXN_COMMIT_HISTORY_H_
