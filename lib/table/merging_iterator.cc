#include "table/merging_iterator.h"

#include <string>

#include "format/dbformat.h"
#include "table/iterator_util.h"
#include "util/key_buffer.h"

namespace lsmkv {

namespace {

// A binary heap over the valid children: smallest key on top going forward,
// largest on top going backward. Switching direction re-positions every
// other child on the far side of the current key (internal keys are unique
// across children, so "past" is unambiguous).
//
// Each heap entry caches its child's key (valid until that child moves), so
// ordering the heap makes no virtual calls down the child's iterator chain.
// A step compares the top's new key with the runner-up only (the better of
// the top's two heap children, remembered while the top stays on top):
// one comparison per step during a run of keys from one child (long runs
// from one level are the common case), a full sift when the top changes.
//
// Lazy entries (forward direction only, made by Seek when a child's probe
// rules out the target's user key): the entry's key is lazy_bound_, a lower
// bound of the child's first key >= seek_target_, and the child has not
// been sought yet. Invariant after every public call: the top entry is not
// lazy, so key()/value() read a positioned child; a lazy entry that rises to
// the top is sought then (PositionTop). Switching to reverse re-seeks every
// child, lazy or not, and rebuilds the heap without lazy entries.
//
// With children ordered newest first (ChildOrder::kNewestFirst), Seek also
// makes lazy every child after the first one whose first key >= target is a
// version (u, s) of the target's user key u, with version_bound_ = (u, s)
// as its bound: by that order each of its entries of u is older, so past
// (u, s). Such a child is neither probed nor sought until (u, s) has left
// the top (a seek followed only by key()/value() never seeks it).
class MergingIterator final : public Iterator {
 public:
  MergingIterator(const Comparator* cmp, std::vector<std::unique_ptr<Iterator>> children,
                  std::vector<UserKeyProbe> probes, ChildOrder order)
      : cmp_(cmp),
        icmp_(dynamic_cast<const InternalKeyComparator*>(cmp)),
        bytewise_internal_(icmp_ != nullptr && icmp_->user_is_bytewise()),
        newest_first_(icmp_ != nullptr && order == ChildOrder::kNewestFirst),
        children_(std::move(children)),
        probes_(std::move(probes)) {
    heap_.reserve(children_.size());
    bool any_probe = false;
    for (const auto& p : probes_) any_probe = any_probe || static_cast<bool>(p);
    // Lazy seeks need internal keys (a user key and a trailer).
    if (!any_probe || icmp_ == nullptr || probes_.size() != children_.size()) probes_.clear();
    lazy_seeks_ = !probes_.empty() || newest_first_;
  }

  bool Valid() const override { return !heap_.empty(); }
  Slice key() const override { return heap_.front().key; }
  Slice value() const override { return heap_.front().iter->value(); }
  Status status() const override {
    for (const auto& c : children_) {
      if (!c->status().ok()) return c->status();
    }
    return Status::OK();
  }

  void SeekToFirst() override {
    for (auto& c : children_) c->SeekToFirst();
    Rebuild(kForward);
  }
  void SeekToLast() override {
    for (auto& c : children_) c->SeekToLast();
    Rebuild(kReverse);
  }
  void Seek(const Slice& target) override {
    if (!lazy_seeks_ || target.size() < kInternalKeyTrailerBytes) {
      for (auto& c : children_) c->Seek(target);
      Rebuild(kForward);
      return;
    }
    seek_target_.Assign(target);
    // (user key of target, 0, kTypeDeletion): the user key, then a zero
    // trailer.
    static constexpr char kZeroTrailer[kInternalKeyTrailerBytes] = {};
    static_assert(kTypeDeletion == 0, "the lazy bound's trailer is all zero");
    lazy_bound_.Assign(ExtractUserKey(target));
    lazy_bound_.Append(kZeroTrailer, sizeof(kZeroTrailer));
    direction_ = kForward;
    heap_.clear();
    runner_up_ = 0;
    const Slice user_key = ExtractUserKey(target);
    bool version_found = false;  // version_bound_ is set (newest_first_ only)
    for (size_t i = 0; i < children_.size(); i++) {
      Iterator* c = children_[i].get();
      if (version_found) {
        heap_.push_back(Entry{c, version_bound_.slice(), true});
        continue;
      }
      // Under newest_first_ the last child is not probed: if no child
      // before it holds a version of u, it is sought within this Seek
      // anyway (its bound (u, 0, 0) would be the smallest key in the heap).
      const bool probe_useful = !(newest_first_ && i + 1 == children_.size());
      if (!probes_.empty() && probes_[i] && probe_useful && !probes_[i](target)) {
        heap_.push_back(Entry{c, lazy_bound_.slice(), true});
        continue;
      }
      c->Seek(target);
      if (!c->Valid()) continue;
      const Slice found = c->key();
      heap_.push_back(Entry{c, found, false});
      if (newest_first_ && found.size() >= kInternalKeyTrailerBytes &&
          SameUserKey(ExtractUserKey(found), user_key)) {
        version_bound_.Assign(found);
        version_found = true;
      }
    }
    Heapify();
    PositionTop();
  }
  void SeekForPrev(const Slice& target) override {
    for (auto& c : children_) c->SeekForPrev(target);
    Rebuild(kReverse);
  }

  void Next() override {
    if (direction_ != kForward) {
      // Put every other child at its first key after key().
      Iterator* current = heap_.front().iter;
      const std::string k = current->key().ToString();
      for (auto& c : children_) {
        if (c.get() == current) continue;
        c->Seek(k);
        if (c->Valid() && Compare(k, c->key()) == 0) c->Next();
      }
      current->Next();
      Rebuild(kForward);
      return;
    }
    heap_.front().iter->Next();
    TopMoved();
    PositionTop();
  }

  void Prev() override {
    if (direction_ != kReverse) {
      // Put every other child at its last key before key().
      Iterator* current = heap_.front().iter;
      const std::string k = current->key().ToString();
      for (auto& c : children_) {
        if (c.get() == current) continue;
        c->SeekForPrev(k);
        if (c->Valid() && Compare(k, c->key()) == 0) c->Prev();
      }
      current->Prev();
      Rebuild(kReverse);
      return;
    }
    heap_.front().iter->Prev();
    TopMoved();
  }

 private:
  enum Direction { kForward, kReverse };

  struct Entry {
    Iterator* iter;
    Slice key;          // iter->key(), cached; lazy_bound_ when lazy
    bool lazy = false;  // iter not sought yet (see the class comment)
  };

  // Devirtualized for the DB's internal key comparator (the hot case).
  int Compare(const Slice& a, const Slice& b) const {
    if (bytewise_internal_) return CompareInternalKeysBytewise(a, b);
    return icmp_ != nullptr ? icmp_->Compare(a, b) : cmp_->Compare(a, b);
  }

  bool SameUserKey(const Slice& a, const Slice& b) const {
    if (bytewise_internal_) return a == b;
    return icmp_->user_comparator()->Compare(a, b) == 0;
  }

  // Whether a belongs above b: smaller going forward, larger going back.
  // On a tie (a key equal to a lazy bound: the deletion (u, 0)) the
  // positioned entry goes above, so a lazy child is not sought for nothing.
  bool Above(const Entry& a, const Entry& b) const {
    const int r = Compare(a.key, b.key);
    if (r == 0) return b.lazy && !a.lazy;
    return direction_ == kForward ? r < 0 : r > 0;
  }

  // Moves heap_[i] down until neither child belongs above it. Forgets the
  // runner-up when the top may have changed.
  void SiftDown(size_t i) {
    if (i == 0) runner_up_ = 0;
    const size_t n = heap_.size();
    const Entry e = heap_[i];
    while (true) {
      size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && Above(heap_[child + 1], heap_[child])) child++;
      if (!Above(heap_[child], e)) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = e;
  }

  void Rebuild(Direction direction) {
    direction_ = direction;
    heap_.clear();
    runner_up_ = 0;
    for (auto& c : children_) {
      if (c->Valid()) heap_.push_back(Entry{c.get(), c->key(), false});
    }
    Heapify();
  }

  void Heapify() {
    for (size_t i = heap_.size() / 2; i-- > 0;) SiftDown(i);
  }

  // Seeks lazy children as they reach the top, until the top is positioned
  // (or the heap is empty). A lazy child's first key >= seek_target_ is
  // >= its bound, so every key it yields belongs where the sift puts it.
  void PositionTop() {
    while (!heap_.empty() && heap_.front().lazy) {
      Entry& top = heap_.front();
      top.lazy = false;
      top.iter->Seek(seek_target_.slice());
      TopMoved();
    }
  }

  // The top child stepped: refresh its key and restore the heap.
  void TopMoved() {
    Entry& top = heap_.front();
    if (top.iter->Valid()) {
      top.key = top.iter->key();
      const size_t n = heap_.size();
      if (n == 1) return;
      // The entries below the top did not move, so the runner-up is still
      // the best of them: if the top stays above it, the heap holds.
      if (runner_up_ == 0) runner_up_ = (n > 2 && Above(heap_[2], heap_[1])) ? 2 : 1;
      if (!Above(heap_[runner_up_], top)) return;
    } else {
      top = heap_.back();
      heap_.pop_back();
      if (heap_.empty()) return;
    }
    SiftDown(0);
  }

  const Comparator* const cmp_;
  const InternalKeyComparator* const icmp_;  // cmp_, if it is one; else nullptr
  const bool bytewise_internal_;             // icmp_ over the bytewise comparator
  const bool newest_first_;                  // ChildOrder::kNewestFirst, over internal keys
  std::vector<std::unique_ptr<Iterator>> children_;
  std::vector<UserKeyProbe> probes_;  // parallel to children_; empty: none
  bool lazy_seeks_ = false;           // Seek may leave children lazy (probes or newest_first_)
  std::vector<Entry> heap_;  // valid (or lazy) children; heap_.front() is current
  // Index (1 or 2) of the top's better heap child, or 0 when not known.
  // Kept only while the top stays put: every sift from the root, rebuild
  // and seek resets it.
  size_t runner_up_ = 0;
  KeyBuffer seek_target_;  // the last Seek's target, for lazy children
  KeyBuffer lazy_bound_;   // (user key of seek_target_, 0, kTypeDeletion)
  KeyBuffer version_bound_;  // the newest version found by the last Seek (see the class comment)
  Direction direction_ = kForward;
};

}  // namespace

std::unique_ptr<Iterator> NewMergingIterator(const Comparator* comparator,
                                             std::vector<std::unique_ptr<Iterator>> children) {
  if (children.empty()) return NewEmptyIterator();
  if (children.size() == 1) return std::move(children[0]);
  return std::make_unique<MergingIterator>(comparator, std::move(children),
                                           std::vector<UserKeyProbe>(), ChildOrder::kAny);
}

std::unique_ptr<Iterator> NewMergingIterator(const InternalKeyComparator* comparator,
                                             std::vector<std::unique_ptr<Iterator>> children,
                                             std::vector<UserKeyProbe> probes, ChildOrder order) {
  if (children.empty()) return NewEmptyIterator();
  if (children.size() == 1) return std::move(children[0]);
  return std::make_unique<MergingIterator>(comparator, std::move(children), std::move(probes),
                                           order);
}

}  // namespace lsmkv
