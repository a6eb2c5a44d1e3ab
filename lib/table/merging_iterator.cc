#include "table/merging_iterator.h"

#include <string>

#include "format/dbformat.h"
#include "table/iterator_util.h"

namespace lsmkv {

namespace {

// A binary heap over the valid children: smallest key on top going forward,
// largest on top going backward. Switching direction re-positions every
// other child on the far side of the current key (internal keys are unique
// across children, so "past" is unambiguous).
//
// Each heap entry caches its child's key (valid until that child moves), so
// ordering the heap makes no virtual calls down the child's iterator chain;
// a step sifts only the top entry down, which costs two comparisons when
// the same child stays on top (long runs of keys from one level).
class MergingIterator final : public Iterator {
 public:
  MergingIterator(const Comparator* cmp, std::vector<std::unique_ptr<Iterator>> children)
      : cmp_(cmp),
        icmp_(dynamic_cast<const InternalKeyComparator*>(cmp)),
        children_(std::move(children)) {
    heap_.reserve(children_.size());
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
    for (auto& c : children_) c->Seek(target);
    Rebuild(kForward);
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
    Slice key;  // iter->key(), cached
  };

  // Devirtualized for the DB's internal key comparator (the hot case).
  int Compare(const Slice& a, const Slice& b) const {
    return icmp_ != nullptr ? icmp_->Compare(a, b) : cmp_->Compare(a, b);
  }

  // Whether a belongs above b: smaller going forward, larger going back.
  bool Above(const Slice& a, const Slice& b) const {
    const int r = Compare(a, b);
    return direction_ == kForward ? r < 0 : r > 0;
  }

  // Moves heap_[i] down until neither child belongs above it.
  void SiftDown(size_t i) {
    const size_t n = heap_.size();
    const Entry e = heap_[i];
    while (true) {
      size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && Above(heap_[child + 1].key, heap_[child].key)) child++;
      if (!Above(heap_[child].key, e.key)) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = e;
  }

  void Rebuild(Direction direction) {
    direction_ = direction;
    heap_.clear();
    for (auto& c : children_) {
      if (c->Valid()) heap_.push_back(Entry{c.get(), c->key()});
    }
    for (size_t i = heap_.size() / 2; i-- > 0;) SiftDown(i);
  }

  // The top child stepped: refresh its key and restore the heap.
  void TopMoved() {
    Entry& top = heap_.front();
    if (top.iter->Valid()) {
      top.key = top.iter->key();
    } else {
      top = heap_.back();
      heap_.pop_back();
      if (heap_.empty()) return;
    }
    SiftDown(0);
  }

  const Comparator* const cmp_;
  const InternalKeyComparator* const icmp_;  // cmp_, if it is one; else nullptr
  std::vector<std::unique_ptr<Iterator>> children_;
  std::vector<Entry> heap_;  // valid children; heap_.front() is current
  Direction direction_ = kForward;
};

}  // namespace

std::unique_ptr<Iterator> NewMergingIterator(const Comparator* comparator,
                                             std::vector<std::unique_ptr<Iterator>> children) {
  if (children.empty()) return NewEmptyIterator();
  if (children.size() == 1) return std::move(children[0]);
  return std::make_unique<MergingIterator>(comparator, std::move(children));
}

}  // namespace lsmkv
