#include "table/merging_iterator.h"

#include "table/iterator_util.h"

namespace lsmkv {

namespace {

// A linear scan over the children picks the smallest (or largest) key. With
// the handful of children of this milestone (memtables + level-0 tables)
// that beats a heap; a heap comes with many-level iteration.
class MergingIterator final : public Iterator {
 public:
  MergingIterator(const Comparator* cmp, std::vector<std::unique_ptr<Iterator>> children)
      : cmp_(cmp), children_(std::move(children)) {}

  bool Valid() const override { return current_ != nullptr; }
  Slice key() const override { return current_->key(); }
  Slice value() const override { return current_->value(); }
  Status status() const override {
    for (const auto& c : children_) {
      if (!c->status().ok()) return c->status();
    }
    return Status::OK();
  }

  void SeekToFirst() override {
    for (auto& c : children_) c->SeekToFirst();
    FindSmallest();
    direction_ = kForward;
  }
  void SeekToLast() override {
    for (auto& c : children_) c->SeekToLast();
    FindLargest();
    direction_ = kReverse;
  }
  void Seek(const Slice& target) override {
    for (auto& c : children_) c->Seek(target);
    FindSmallest();
    direction_ = kForward;
  }
  void SeekForPrev(const Slice& target) override {
    for (auto& c : children_) c->SeekForPrev(target);
    FindLargest();
    direction_ = kReverse;
  }

  void Next() override {
    // Every non-current child must be positioned after key(). Going forward
    // that already holds; after a direction change, re-seek them.
    if (direction_ != kForward) {
      const std::string k = key().ToString();
      for (auto& c : children_) {
        if (c.get() == current_) continue;
        c->Seek(k);
        if (c->Valid() && cmp_->Compare(k, c->key()) == 0) c->Next();
      }
      direction_ = kForward;
    }
    current_->Next();
    FindSmallest();
  }

  void Prev() override {
    // Every non-current child must be positioned before key().
    if (direction_ != kReverse) {
      const std::string k = key().ToString();
      for (auto& c : children_) {
        if (c.get() == current_) continue;
        c->SeekForPrev(k);
        if (c->Valid() && cmp_->Compare(k, c->key()) == 0) c->Prev();
      }
      direction_ = kReverse;
    }
    current_->Prev();
    FindLargest();
  }

 private:
  enum Direction { kForward, kReverse };

  void FindSmallest() {
    current_ = nullptr;
    for (auto& c : children_) {
      if (c->Valid() && (current_ == nullptr || cmp_->Compare(c->key(), current_->key()) < 0)) {
        current_ = c.get();
      }
    }
  }
  void FindLargest() {
    current_ = nullptr;
    for (auto it = children_.rbegin(); it != children_.rend(); ++it) {
      Iterator* c = it->get();
      if (c->Valid() && (current_ == nullptr || cmp_->Compare(c->key(), current_->key()) > 0)) {
        current_ = c;
      }
    }
  }

  const Comparator* const cmp_;
  std::vector<std::unique_ptr<Iterator>> children_;
  Iterator* current_ = nullptr;
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
