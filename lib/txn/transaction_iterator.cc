#include "txn/transaction_iterator.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace lsmkv {

namespace {

class TransactionIterator final : public Iterator {
 public:
  TransactionIterator(OptimisticTransaction* txn, const Comparator* comparator,
                      std::unique_ptr<Iterator> db_iter,
                      const OptimisticTransaction::PendingMap* pending, const Slice* lower,
                      const Slice* upper)
      : txn_(txn), comparator_(comparator), db_(std::move(db_iter)) {
    if (lower != nullptr) {
      lower_.kind = KeyBound::kInclusive;
      lower_.key = lower->ToString();
    }
    if (upper != nullptr) {
      upper_.kind = KeyBound::kExclusive;
      upper_.key = upper->ToString();
    }
    KeyRange bounds{lower_, upper_};
    for (const auto& entry : *pending) {
      if (bounds.Contains(comparator_, entry.first)) pending_.push_back(entry);
    }
  }

  bool Valid() const override { return current_ != Source::kNone; }
  Slice key() const override {
    return current_ == Source::kDb ? db_->key() : Slice(pending_[pos_].first);
  }
  Slice value() const override {
    return current_ == Source::kDb ? db_->value() : Slice(pending_[pos_].second.value);
  }
  Status status() const override { return db_->status(); }

  void SeekToFirst() override { SeekToEnd(kForward); }
  void SeekToLast() override { SeekToEnd(kBackward); }
  void Seek(const Slice& target) override { SeekTowards(kForward, target); }
  void SeekForPrev(const Slice& target) override { SeekTowards(kBackward, target); }
  void Next() override { Step(kForward); }
  void Prev() override { Step(kBackward); }

 private:
  enum class Source { kNone, kDb, kPending };
  // Every move is written once, for kForward; kBackward is its mirror image
  // (Next <-> Prev, Seek <-> SeekForPrev, lower <-> upper, smaller <->
  // larger). Sign() turns "ahead of" into a comparison: key a is ahead of
  // key b in direction d when Sign(d) * Compare(a, b) > 0.
  enum Direction { kForward, kBackward };
  static int Sign(Direction d) { return d == kForward ? +1 : -1; }

  // The first (forward) or last (backward) entry.
  void SeekToEnd(Direction d) {
    if (d == kForward) {
      db_->SeekToFirst();
      pos_ = 0;
    } else {
      db_->SeekToLast();
      pos_ = static_cast<long>(pending_.size()) - 1;
    }
    Settle(d);
    StartRange(d, d == kForward ? lower_ : upper_);
  }

  // Seek (forward: the first entry at or after target) or SeekForPrev
  // (backward: the last at or before it).
  void SeekTowards(Direction d, const Slice& target) {
    DbSeek(d, target);
    PendingSeek(d, target);
    Settle(d);
    // The covered range starts at target, or at the bound behind it when
    // target lies outside: before the lower bound, or at or past the
    // (exclusive) upper bound.
    const KeyBound& behind = d == kForward ? lower_ : upper_;
    KeyBound start{KeyBound::kInclusive, target.ToString()};
    if (behind.kind != KeyBound::kUnbounded) {
      const int c = Sign(d) * comparator_->Compare(target, behind.key);
      if (c < 0 || (c == 0 && behind.kind == KeyBound::kExclusive)) start = behind;
    }
    StartRange(d, start);
  }

  // Next (forward) or Prev (backward).
  void Step(Direction d) {
    if (forward_ == (d == kForward)) {
      if (current_ == Source::kPending) {
        if (db_->Valid() && comparator_->Compare(db_->key(), pending_[pos_].first) == 0) DbStep(d);
        pos_ += Sign(d);
      } else {
        DbStep(d);
      }
    } else {
      // Turning round: both children to the first key past the current one
      // in the new direction.
      const std::string current = key().ToString();
      DbSeek(d, current);
      if (db_->Valid() && comparator_->Compare(db_->key(), current) == 0) DbStep(d);
      PendingSeek(d, current);
      if (PendingValid() && comparator_->Compare(pending_[pos_].first, current) == 0) pos_ += Sign(d);
    }
    Settle(d);
    ExtendRange(d);
  }

  void DbStep(Direction d) { d == kForward ? db_->Next() : db_->Prev(); }
  void DbSeek(Direction d, const Slice& target) {
    d == kForward ? db_->Seek(target) : db_->SeekForPrev(target);
  }

  bool PendingValid() const { return pos_ >= 0 && pos_ < static_cast<long>(pending_.size()); }
  // First pending write at or after target (forward) / last at or before it
  // (backward); pos_ may end up one past either end.
  void PendingSeek(Direction d, const Slice& target) {
    if (d == kForward) {
      auto it = std::lower_bound(pending_.begin(), pending_.end(), target,
                                 [this](const auto& entry, const Slice& t) {
                                   return comparator_->Compare(entry.first, t) < 0;
                                 });
      pos_ = it - pending_.begin();
    } else {
      auto it = std::upper_bound(pending_.begin(), pending_.end(), target,
                                 [this](const Slice& t, const auto& entry) {
                                   return comparator_->Compare(t, entry.first) < 0;
                                 });
      pos_ = (it - pending_.begin()) - 1;
    }
  }

  // Settles on the nearer child in direction d (the smaller key moving
  // forward, the larger moving backward); on a tie the pending write wins.
  // Pending deletions are skipped together with the DB's version of their
  // key.
  void Settle(Direction d) {
    forward_ = d == kForward;
    while (true) {
      const bool db_valid = db_->Valid();
      const bool pending_valid = PendingValid();
      if (!db_valid && !pending_valid) {
        current_ = Source::kNone;
        return;
      }
      int ahead;  // > 0: the DB's key lies ahead of the pending one (or the DB ran out)
      if (!db_valid) {
        ahead = +1;
      } else if (!pending_valid) {
        ahead = -1;
      } else {
        ahead = Sign(d) * comparator_->Compare(db_->key(), pending_[pos_].first);
      }
      if (ahead < 0) {
        current_ = Source::kDb;
        return;
      }
      if (!pending_[pos_].second.deleted) {
        current_ = Source::kPending;
        return;
      }
      if (ahead == 0) DbStep(d);
      pos_ += Sign(d);
    }
  }

  // Where a move in direction d stopped: the key it is at, or (it ran out)
  // the bound ahead or the end of the key space.
  KeyBound Reached(Direction d) const {
    if (Valid()) return KeyBound{KeyBound::kInclusive, key().ToString()};
    return d == kForward ? upper_ : lower_;
  }

  // A positioning call starts a new covered range: from `start`, behind
  // the move, to where it stopped.
  void StartRange(Direction d, const KeyBound& start) {
    range_ = txn_->AddRange();
    if (range_ < 0) return;
    KeyRange* r = txn_->range(range_);
    (d == kForward ? r->lo : r->hi) = start;
    (d == kForward ? r->hi : r->lo) = Reached(d);
  }

  // Next/Prev widen the current range's end ahead to where the move
  // stopped.
  void ExtendRange(Direction d) {
    if (range_ < 0) return;
    KeyRange* r = txn_->range(range_);
    if (r == nullptr) return;  // the transaction has finished
    KeyBound& ahead = d == kForward ? r->hi : r->lo;
    if (ahead.kind == KeyBound::kUnbounded) return;
    const KeyBound reached = Reached(d);
    if (reached.kind == KeyBound::kUnbounded) {
      ahead = reached;
      return;
    }
    const int c = Sign(d) * comparator_->Compare(reached.key, ahead.key);
    if (c > 0 || (c == 0 && reached.kind == KeyBound::kInclusive)) ahead = reached;
  }

  OptimisticTransaction* const txn_;
  const Comparator* const comparator_;
  const std::unique_ptr<Iterator> db_;
  KeyBound lower_;  // kInclusive or kUnbounded
  KeyBound upper_;  // kExclusive or kUnbounded
  std::vector<std::pair<std::string, PendingWrite>> pending_;  // inside the bounds, sorted
  long pos_ = 0;                                               // in pending_; valid in [0, size)
  bool forward_ = true;  // the direction of the last move
  Source current_ = Source::kNone;
  int range_ = -1;  // this positioning's range in txn_, -1: not tracked
};

}  // namespace

std::unique_ptr<Iterator> NewTransactionIterator(OptimisticTransaction* txn,
                                                 const Comparator* comparator,
                                                 std::unique_ptr<Iterator> db_iter,
                                                 const OptimisticTransaction::PendingMap* pending,
                                                 const Slice* lower, const Slice* upper) {
  return std::make_unique<TransactionIterator>(txn, comparator, std::move(db_iter), pending, lower,
                                               upper);
}

}  // namespace lsmkv
