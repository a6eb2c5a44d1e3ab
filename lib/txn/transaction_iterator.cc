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

  void SeekToFirst() override {
    db_->SeekToFirst();
    pos_ = 0;
    Forward();
    StartRange(/*forward=*/true, lower_);
  }

  void Seek(const Slice& target) override {
    db_->Seek(target);
    PendingSeek(target);
    Forward();
    KeyBound start{KeyBound::kInclusive, target.ToString()};
    if (lower_.kind != KeyBound::kUnbounded && comparator_->Compare(target, lower_.key) < 0) {
      start = lower_;
    }
    StartRange(/*forward=*/true, start);
  }

  void SeekToLast() override {
    db_->SeekToLast();
    pos_ = static_cast<long>(pending_.size()) - 1;
    Reverse();
    StartRange(/*forward=*/false, upper_);
  }

  void SeekForPrev(const Slice& target) override {
    db_->SeekForPrev(target);
    PendingSeekForPrev(target);
    Reverse();
    KeyBound start{KeyBound::kInclusive, target.ToString()};
    if (upper_.kind != KeyBound::kUnbounded && comparator_->Compare(target, upper_.key) >= 0) {
      start = upper_;
    }
    StartRange(/*forward=*/false, start);
  }

  void Next() override {
    if (forward_) {
      if (current_ == Source::kPending) {
        if (db_->Valid() && comparator_->Compare(db_->key(), pending_[pos_].first) == 0) db_->Next();
        pos_++;
      } else {
        db_->Next();
      }
    } else {
      // Both children to the first key after the current one.
      const std::string current = key().ToString();
      db_->Seek(current);
      if (db_->Valid() && comparator_->Compare(db_->key(), current) == 0) db_->Next();
      PendingSeek(current);
      if (PendingValid() && comparator_->Compare(pending_[pos_].first, current) == 0) pos_++;
    }
    Forward();
    ExtendRange(/*forward=*/true);
  }

  void Prev() override {
    if (!forward_) {
      if (current_ == Source::kPending) {
        if (db_->Valid() && comparator_->Compare(db_->key(), pending_[pos_].first) == 0) db_->Prev();
        pos_--;
      } else {
        db_->Prev();
      }
    } else {
      // Both children to the last key before the current one.
      const std::string current = key().ToString();
      db_->SeekForPrev(current);
      if (db_->Valid() && comparator_->Compare(db_->key(), current) == 0) db_->Prev();
      PendingSeekForPrev(current);
      if (PendingValid() && comparator_->Compare(pending_[pos_].first, current) == 0) pos_--;
    }
    Reverse();
    ExtendRange(/*forward=*/false);
  }

 private:
  enum class Source { kNone, kDb, kPending };

  bool PendingValid() const { return pos_ >= 0 && pos_ < static_cast<long>(pending_.size()); }
  // First pending write at or after target / last at or before it.
  void PendingSeek(const Slice& target) {
    auto it = std::lower_bound(pending_.begin(), pending_.end(), target,
                               [this](const auto& entry, const Slice& t) {
                                 return comparator_->Compare(entry.first, t) < 0;
                               });
    pos_ = it - pending_.begin();
  }
  void PendingSeekForPrev(const Slice& target) {
    auto it = std::upper_bound(pending_.begin(), pending_.end(), target,
                               [this](const Slice& t, const auto& entry) {
                                 return comparator_->Compare(t, entry.first) < 0;
                               });
    pos_ = (it - pending_.begin()) - 1;
  }

  // Settles on the smaller child (moving forward) or the larger (moving
  // backward); on a tie the pending write wins. Pending deletions are
  // skipped together with the DB's version of their key.
  void Forward() {
    forward_ = true;
    while (true) {
      const bool db_valid = db_->Valid();
      const bool pending_valid = PendingValid();
      if (!db_valid && !pending_valid) {
        current_ = Source::kNone;
        return;
      }
      const int c = !db_valid ? +1 : !pending_valid ? -1 : comparator_->Compare(db_->key(), pending_[pos_].first);
      if (c < 0) {
        current_ = Source::kDb;
        return;
      }
      if (!pending_[pos_].second.deleted) {
        current_ = Source::kPending;
        return;
      }
      if (c == 0) db_->Next();
      pos_++;
    }
  }
  void Reverse() {
    forward_ = false;
    while (true) {
      const bool db_valid = db_->Valid();
      const bool pending_valid = PendingValid();
      if (!db_valid && !pending_valid) {
        current_ = Source::kNone;
        return;
      }
      const int c = !db_valid ? -1 : !pending_valid ? +1 : comparator_->Compare(db_->key(), pending_[pos_].first);
      if (c > 0) {
        current_ = Source::kDb;
        return;
      }
      if (!pending_[pos_].second.deleted) {
        current_ = Source::kPending;
        return;
      }
      if (c == 0) db_->Prev();
      pos_--;
    }
  }

  // Where a move in this direction stopped: the key it is at, or (it ran
  // out) the bound or the end of the key space.
  KeyBound Reached(bool forward) const {
    if (Valid()) return KeyBound{KeyBound::kInclusive, key().ToString()};
    return forward ? upper_ : lower_;
  }

  // A positioning call starts a new covered range at `start`.
  void StartRange(bool forward, const KeyBound& start) {
    range_ = txn_->AddRange();
    if (range_ < 0) return;
    KeyRange* r = txn_->range(range_);
    if (forward) {
      r->lo = start;
      r->hi = Reached(true);
    } else {
      r->hi = start;
      r->lo = Reached(false);
    }
  }

  // Next/Prev widen the current range to where the move stopped.
  void ExtendRange(bool forward) {
    if (range_ < 0) return;
    KeyRange* r = txn_->range(range_);
    if (r == nullptr) return;  // the transaction has finished
    const KeyBound reached = Reached(forward);
    if (forward) {
      if (r->hi.kind == KeyBound::kUnbounded) return;
      if (reached.kind == KeyBound::kUnbounded) {
        r->hi = reached;
        return;
      }
      const int c = comparator_->Compare(reached.key, r->hi.key);
      if (c > 0 || (c == 0 && reached.kind == KeyBound::kInclusive)) r->hi = reached;
    } else {
      if (r->lo.kind == KeyBound::kUnbounded) return;
      if (reached.kind == KeyBound::kUnbounded) {
        r->lo = reached;
        return;
      }
      const int c = comparator_->Compare(reached.key, r->lo.key);
      if (c < 0 || (c == 0 && reached.kind == KeyBound::kInclusive)) r->lo = reached;
    }
  }

  OptimisticTransaction* const txn_;
  const Comparator* const comparator_;
  const std::unique_ptr<Iterator> db_;
  KeyBound lower_;  // kInclusive or kUnbounded
  KeyBound upper_;  // kExclusive or kUnbounded
  std::vector<std::pair<std::string, PendingWrite>> pending_;  // inside the bounds, sorted
  long pos_ = 0;                                               // in pending_; valid in [0, size)
  bool forward_ = true;
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
