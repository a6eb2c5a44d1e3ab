#include "table/merging_iterator.h"

#include <algorithm>
#include <string>

#include "table/iterator_util.h"

namespace lsmkv {

namespace {

// A binary heap over the valid children: smallest key on top going forward,
// largest on top going backward. Switching direction re-positions every
// other child on the far side of the current key (internal keys are unique
// across children, so "past" is unambiguous).
class MergingIterator final : public Iterator {
 public:
  MergingIterator(const Comparator* cmp, std::vector<std::unique_ptr<Iterator>> children)
      : cmp_(cmp), children_(std::move(children)) {
    heap_.reserve(children_.size());
  }

  bool Valid() const override { return !heap_.empty(); }
  Slice key() const override { return heap_.front()->key(); }
  Slice value() const override { return heap_.front()->value(); }
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
      Iterator* current = heap_.front();
      const std::string k = current->key().ToString();
      for (auto& c : children_) {
        if (c.get() == current) continue;
        c->Seek(k);
        if (c->Valid() && cmp_->Compare(k, c->key()) == 0) c->Next();
      }
      current->Next();
      Rebuild(kForward);
      return;
    }
    Advance([](Iterator* it) { it->Next(); });
  }

  void Prev() override {
    if (direction_ != kReverse) {
      // Put every other child at its last key before key().
      Iterator* current = heap_.front();
      const std::string k = current->key().ToString();
      for (auto& c : children_) {
        if (c.get() == current) continue;
        c->SeekForPrev(k);
        if (c->Valid() && cmp_->Compare(k, c->key()) == 0) c->Prev();
      }
      current->Prev();
      Rebuild(kReverse);
      return;
    }
    Advance([](Iterator* it) { it->Prev(); });
  }

 private:
  enum Direction { kForward, kReverse };

  // Heap order: std::*_heap keep the "largest" by this order on top, so
  // forward uses "a after b" to put the smallest key on top.
  bool Below(const Iterator* a, const Iterator* b) const {
    const int r = cmp_->Compare(a->key(), b->key());
    return direction_ == kForward ? r > 0 : r < 0;
  }

  void Rebuild(Direction direction) {
    direction_ = direction;
    heap_.clear();
    for (auto& c : children_) {
      if (c->Valid()) heap_.push_back(c.get());
    }
    std::make_heap(heap_.begin(), heap_.end(), [this](const Iterator* a, const Iterator* b) { return Below(a, b); });
  }

  // Moves the top child one step and restores the heap.
  template <typename Step>
  void Advance(Step step) {
    const auto below = [this](const Iterator* a, const Iterator* b) { return Below(a, b); };
    std::pop_heap(heap_.begin(), heap_.end(), below);
    Iterator* top = heap_.back();
    step(top);
    if (top->Valid()) {
      std::push_heap(heap_.begin(), heap_.end(), below);
    } else {
      heap_.pop_back();
    }
  }

  const Comparator* const cmp_;
  std::vector<std::unique_ptr<Iterator>> children_;
  std::vector<Iterator*> heap_;  // valid children; heap_.front() is current
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
