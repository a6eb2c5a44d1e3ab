// TwoLevelIterator: iterates an index whose values name inner iterators (a
// table's index block over its data blocks; a level's file list over its
// tables), one inner iterator open at a time.
//
// A template over the concrete index and inner iterator types (both final
// classes), so that its calls down the chain are direct, not virtual, and
// the inner iterator is one object re-pointed at each new block or table
// (Opener::Open resets it) rather than a new heap object per switch.
//
// Thread safety: externally synchronized.
#ifndef LSMKV_TABLE_TWO_LEVEL_ITERATOR_H_
#define LSMKV_TABLE_TWO_LEVEL_ITERATOR_H_

#include "lsmkv/iterator.h"
#include "util/key_buffer.h"

namespace lsmkv {

// Index and Inner: final Iterator classes. Opener: a class with
//   Status Open(const Slice& index_value, Inner* inner);
// that points *inner at what index_value names (on failure the inner is
// left alone and the error stops the iteration).
//
// Every move ends with the inner iterator's validity and key cached (in
// the fast path of Next/Prev, or in SkipEmpty*): Valid() and key(), asked
// after every step by the merging iterator and by an outer two-level
// iterator over this one, are plain reads.
//
// Built in place from one argument (iterators are not movable): any
// `args` with members `index` and `inner` (each the one argument of Index's
// and Inner's constructor) and `opener` (an Opener, copied).
template <typename Index, typename Inner, typename Opener>
class TwoLevelIterator final : public Iterator {
 public:
  template <typename Args>
  explicit TwoLevelIterator(const Args& args)
      : index_(args.index), inner_(args.inner), opener_(args.opener) {}

  Index& index() { return index_; }
  Opener& opener() { return opener_; }

  // Forgets the open inner iterator (it stays allocated, and keeps what it
  // points at until the next Open) and any error: for an owner that
  // re-points the index (a level iterator moving this table iterator to
  // another table).
  void Restart() {
    inner_open_ = false;
    open_failed_ = false;
    valid_ = false;
    status_ = Status::OK();
  }

  bool Valid() const override { return valid_; }
  Slice key() const override { return key_; }
  Slice value() const override { return inner_.value(); }
  Status status() const override {
    Status s = index_.status();
    if (!s.ok()) return s;
    if (inner_open_) {
      s = inner_.status();
      if (!s.ok()) return s;
    }
    return status_;
  }

  void Seek(const Slice& target) override {
    index_.Seek(target);
    if (InitInner()) inner_.Seek(target);
    SkipEmptyForward();
  }

  void SeekForPrev(const Slice& target) override {
    // The first entry whose bound (a block's or table's last key) >= target
    // holds the answer, or the ones before it do.
    index_.Seek(target);
    if (!index_.Valid()) index_.SeekToLast();
    if (InitInner()) inner_.SeekForPrev(target);
    SkipEmptyBackward();
  }

  void SeekToFirst() override {
    index_.SeekToFirst();
    if (InitInner()) inner_.SeekToFirst();
    SkipEmptyForward();
  }

  void SeekToLast() override {
    index_.SeekToLast();
    if (InitInner()) inner_.SeekToLast();
    SkipEmptyBackward();
  }

  // A step inside the current block or table is the fast path; moving to
  // the next one (SkipEmpty*) is kept out of line.
  void Next() override {
    inner_.Next();
    if (inner_.Valid()) {
      key_ = inner_.key();
      return;
    }
    SkipEmptyForward();
  }

  void Prev() override {
    inner_.Prev();
    if (inner_.Valid()) {
      key_ = inner_.key();
      return;
    }
    SkipEmptyBackward();
  }

 private:
  // An inner iterator that ended with an error stops the whole iteration.
  bool InnerFailed() {
    if (inner_open_ && !inner_.status().ok()) {
      if (status_.ok()) status_ = inner_.status();
      return true;
    }
    return false;
  }

  __attribute__((noinline)) void SkipEmptyForward() {
    while (!inner_open_ || !inner_.Valid()) {
      if (InnerFailed() || open_failed_ || !index_.Valid()) {
        Close();
        return;
      }
      index_.Next();
      if (InitInner()) inner_.SeekToFirst();
    }
    CacheInnerKey();
  }

  __attribute__((noinline)) void SkipEmptyBackward() {
    while (!inner_open_ || !inner_.Valid()) {
      if (InnerFailed() || open_failed_ || !index_.Valid()) {
        Close();
        return;
      }
      index_.Prev();
      if (InitInner()) inner_.SeekToLast();
    }
    CacheInnerKey();
  }

  // REQUIRES: inner_ is open and valid.
  void CacheInnerKey() {
    valid_ = true;
    key_ = inner_.key();
  }

  // No entry: the iteration ended (or stopped on an error, in status_).
  void Close() {
    if (inner_open_ && !inner_.status().ok() && status_.ok()) status_ = inner_.status();
    inner_open_ = false;
    valid_ = false;
  }

  // Opens the inner iterator for the index's current entry, keeping the
  // open one when the entry is the same. True when the inner is open; false
  // at the index's end or when opening failed (open_failed_; the error, if
  // it is the first, goes to status_, and SkipEmpty* stops on it).
  bool InitInner() {
    valid_ = false;
    open_failed_ = false;
    if (!index_.Valid()) {
      Close();
      return false;
    }
    const Slice handle = index_.value();
    if (inner_open_ && handle == inner_handle_.slice()) return true;
    Close();
    Status s = opener_.Open(handle, &inner_);
    if (!s.ok()) {
      if (status_.ok()) status_ = s;
      open_failed_ = true;
      return false;
    }
    inner_handle_.Assign(handle);
    inner_open_ = true;
    return true;
  }

  Index index_;
  Inner inner_;
  Opener opener_;
  bool inner_open_ = false;  // inner_ is pointed at index value inner_handle_
  bool open_failed_ = false;  // the last InitInner's Open failed
  KeyBuffer inner_handle_;
  // inner_.Valid() and inner_.key() as of the last move (see the class
  // comment); key_ is valid while valid_.
  bool valid_ = false;
  Slice key_;
  Status status_;  // the first error met (an inner one, or an Open's)
};

}  // namespace lsmkv

#endif  // LSMKV_TABLE_TWO_LEVEL_ITERATOR_H_
