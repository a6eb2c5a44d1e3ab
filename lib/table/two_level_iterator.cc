#include "table/two_level_iterator.h"

#include <string>

namespace lsmkv {

namespace {

// Every move ends with the inner iterator's validity and key cached (in the
// fast path of Next/Prev, or in SkipEmpty*): Valid() and key() (asked after
// every step by the merging iterator, and by an outer two-level iterator
// over this one) are then plain reads, not calls down the chain.
class TwoLevelIterator final : public Iterator {
 public:
  TwoLevelIterator(std::unique_ptr<Iterator> index, InnerIteratorFactory open_inner)
      : index_(std::move(index)), open_inner_(std::move(open_inner)) {}

  bool Valid() const override { return valid_; }
  Slice key() const override { return key_; }
  Slice value() const override { return inner_->value(); }
  Status status() const override {
    if (!index_->status().ok()) return index_->status();
    if (inner_ != nullptr && !inner_->status().ok()) return inner_->status();
    return status_;
  }

  void Seek(const Slice& target) override {
    index_->Seek(target);
    InitInner();
    if (inner_ != nullptr) inner_->Seek(target);
    SkipEmptyForward();
  }

  void SeekForPrev(const Slice& target) override {
    // The first block whose last key >= target holds the answer, or the
    // blocks before it do.
    index_->Seek(target);
    if (!index_->Valid()) index_->SeekToLast();
    InitInner();
    if (inner_ != nullptr) inner_->SeekForPrev(target);
    SkipEmptyBackward();
  }

  void SeekToFirst() override {
    index_->SeekToFirst();
    InitInner();
    if (inner_ != nullptr) inner_->SeekToFirst();
    SkipEmptyForward();
  }

  void SeekToLast() override {
    index_->SeekToLast();
    InitInner();
    if (inner_ != nullptr) inner_->SeekToLast();
    SkipEmptyBackward();
  }

  // A step inside the current block or table is the fast path; moving to
  // the next one (SkipEmpty*) is kept out of line.
  void Next() override {
    inner_->Next();
    if (inner_->Valid()) {
      key_ = inner_->key();
      return;
    }
    SkipEmptyForward();
  }

  void Prev() override {
    inner_->Prev();
    if (inner_->Valid()) {
      key_ = inner_->key();
      return;
    }
    SkipEmptyBackward();
  }

 private:
  // An inner iterator that ended with an error stops the whole iteration.
  bool InnerFailed() {
    if (inner_ != nullptr && !inner_->status().ok()) {
      status_ = inner_->status();
      return true;
    }
    return false;
  }

  __attribute__((noinline)) void SkipEmptyForward() {
    while (inner_ == nullptr || !inner_->Valid()) {
      if (InnerFailed() || !index_->Valid()) {
        SetInner(nullptr);
        return;
      }
      index_->Next();
      InitInner();
      if (inner_ != nullptr) inner_->SeekToFirst();
    }
    CacheInnerKey();
  }

  __attribute__((noinline)) void SkipEmptyBackward() {
    while (inner_ == nullptr || !inner_->Valid()) {
      if (InnerFailed() || !index_->Valid()) {
        SetInner(nullptr);
        return;
      }
      index_->Prev();
      InitInner();
      if (inner_ != nullptr) inner_->SeekToLast();
    }
    CacheInnerKey();
  }

  // REQUIRES: inner_ is valid.
  void CacheInnerKey() {
    valid_ = true;
    key_ = inner_->key();
  }

  void SetInner(std::unique_ptr<Iterator> inner) {
    valid_ = false;
    if (inner_ != nullptr && !inner_->status().ok() && status_.ok()) status_ = inner_->status();
    inner_ = std::move(inner);
  }

  // Opens the inner iterator for the index's current entry (reusing the
  // open one when it is the same).
  void InitInner() {
    if (!index_->Valid()) {
      SetInner(nullptr);
      return;
    }
    const Slice handle = index_->value();
    if (inner_ != nullptr && handle == Slice(inner_handle_)) return;
    inner_handle_.assign(handle.data(), handle.size());
    SetInner(open_inner_(handle));
  }

  std::unique_ptr<Iterator> index_;
  InnerIteratorFactory open_inner_;
  std::unique_ptr<Iterator> inner_;
  std::string inner_handle_;  // index value inner_ was opened for
  // inner_->Valid() and inner_->key() as of the last move (see the class
  // comment); key_ is valid while valid_.
  bool valid_ = false;
  Slice key_;
  Status status_;             // first error of an inner iterator already closed
};

}  // namespace

std::unique_ptr<Iterator> NewTwoLevelIterator(std::unique_ptr<Iterator> index,
                                              InnerIteratorFactory open_inner) {
  return std::make_unique<TwoLevelIterator>(std::move(index), std::move(open_inner));
}

}  // namespace lsmkv
