// SkipList: a sorted set with one writer and any number of lock-free readers.
//
// Invariants that make concurrent reads safe:
//  - Nodes are allocated from an Arena and never freed while the list lives.
//  - A node's key never changes after it is linked.
//  - A node is fully initialised (key, and its own next pointers stored
//    with relaxed order) before the release-store that links it into level 0
//    and above; readers load next pointers with acquire, so a reader that sees
//    a node also sees its contents.
//  - max_height_ may be read stale by a reader: a reader seeing a new height
//    before the head's new pointers sees nullptr there, which just means "go
//    down a level".
//
// Appends are O(height) with one comparison: the writer keeps, per level,
// the last node of that level (tail_), so a key larger than the current
// last key links straight after them without a search (sequential loads:
// fillseq, batches of ascending keys).
//
// Thread safety: Insert is externally synchronized (one writer at a time,
// which also guards tail_); Contains and Iterator need no locking, provided
// the list outlives them.
#ifndef LSMKV_MEMTABLE_SKIPLIST_H_
#define LSMKV_MEMTABLE_SKIPLIST_H_

#include <atomic>
#include <cassert>
#include <cstdint>
#include <new>

#include "util/arena.h"
#include "util/random.h"

namespace lsmkv {

// Key must be trivially copyable; Comparator is a callable object
// int(const Key&, const Key&).
template <typename Key, class Comparator>
class SkipList {
 private:
  struct Node;

 public:
  // compare is copied; arena must outlive the list.
  SkipList(Comparator compare, Arena* arena);
  SkipList(const SkipList&) = delete;
  SkipList& operator=(const SkipList&) = delete;

  // REQUIRES: nothing equal to key is in the list; external synchronization.
  void Insert(const Key& key);

  bool Contains(const Key& key) const;

  class Iterator {
   public:
    // list must outlive the iterator. Starts not valid.
    explicit Iterator(const SkipList* list) : list_(list), node_(nullptr) {}

    bool Valid() const { return node_ != nullptr; }
    // REQUIRES: Valid()
    const Key& key() const {
      assert(Valid());
      return node_->key;
    }
    void Next() {
      assert(Valid());
      node_ = node_->Next(0);
    }
    // O(log n): the list has no back pointers.
    void Prev() {
      assert(Valid());
      node_ = list_->FindLessThan(node_->key);
      if (node_ == list_->head_) node_ = nullptr;
    }
    // First entry >= target.
    void Seek(const Key& target) { node_ = list_->FindGreaterOrEqual(target, nullptr); }
    // Last entry <= target.
    void SeekForPrev(const Key& target) {
      Seek(target);
      if (!Valid()) {
        SeekToLast();
      } else if (list_->compare_(node_->key, target) > 0) {
        Prev();
      }
    }
    void SeekToFirst() { node_ = list_->head_->Next(0); }
    void SeekToLast() {
      node_ = list_->FindLast();
      if (node_ == list_->head_) node_ = nullptr;
    }

   private:
    const SkipList* list_;
    Node* node_;
  };

 private:
  static constexpr int kMaxHeight = 12;
  static constexpr unsigned kBranching = 4;

  int GetMaxHeight() const { return max_height_.load(std::memory_order_relaxed); }
  Node* NewNode(const Key& key, int height);
  int RandomHeight();
  bool Equal(const Key& a, const Key& b) const { return compare_(a, b) == 0; }
  bool KeyIsAfterNode(const Key& key, Node* n) const {
    return n != nullptr && compare_(n->key, key) < 0;
  }
  // First node >= key, or nullptr. Fills prev[level] with the last node
  // before it on each level, when prev is not nullptr.
  Node* FindGreaterOrEqual(const Key& key, Node** prev) const;
  // Last node < key, or head_.
  Node* FindLessThan(const Key& key) const;
  // Last node, or head_ if empty.
  Node* FindLast() const;

  Comparator const compare_;
  Arena* const arena_;
  Node* const head_;
  // Height of the tallest node. Written only by the writer; readers may see a
  // stale value (see the file comment), hence relaxed.
  std::atomic<int> max_height_;
  Random rnd_;  // writer only
  // Writer only. tail_[i]: the last node on level i (head_ if none).
  Node* tail_[kMaxHeight];
};

template <typename Key, class Comparator>
struct SkipList<Key, Comparator>::Node {
  explicit Node(const Key& k) : key(k) {}

  Key const key;

  Node* Next(int n) { return next_[n].load(std::memory_order_acquire); }
  void SetNext(int n, Node* x) { next_[n].store(x, std::memory_order_release); }
  // For pointers that are published later by a release store.
  Node* NoBarrierNext(int n) { return next_[n].load(std::memory_order_relaxed); }
  void NoBarrierSetNext(int n, Node* x) { next_[n].store(x, std::memory_order_relaxed); }

 private:
  // Length is the node's height; only next_[0] is declared, the rest is
  // allocated past the end of the struct.
  std::atomic<Node*> next_[1];
};

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::NewNode(const Key& key,
                                                                               int height) {
  char* mem = arena_->AllocateAligned(sizeof(Node) +
                                      sizeof(std::atomic<Node*>) * (height - 1));
  return new (mem) Node(key);
}

template <typename Key, class Comparator>
int SkipList<Key, Comparator>::RandomHeight() {
  int height = 1;
  while (height < kMaxHeight && rnd_.OneIn(kBranching)) height++;
  return height;
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindGreaterOrEqual(
    const Key& key, Node** prev) const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (KeyIsAfterNode(key, next)) {
      x = next;
    } else {
      if (prev != nullptr) prev[level] = x;
      if (level == 0) return next;
      level--;
    }
  }
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindLessThan(
    const Key& key) const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next == nullptr || compare_(next->key, key) >= 0) {
      if (level == 0) return x;
      level--;
    } else {
      x = next;
    }
  }
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindLast() const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next == nullptr) {
      if (level == 0) return x;
      level--;
    } else {
      x = next;
    }
  }
}

template <typename Key, class Comparator>
SkipList<Key, Comparator>::SkipList(Comparator compare, Arena* arena)
    : compare_(compare),
      arena_(arena),
      head_(NewNode(Key(), kMaxHeight)),
      max_height_(1),
      rnd_(0xdecafbad) {
  for (int i = 0; i < kMaxHeight; i++) {
    head_->SetNext(i, nullptr);
    tail_[i] = head_;
  }
}

template <typename Key, class Comparator>
void SkipList<Key, Comparator>::Insert(const Key& key) {
  Node* prev[kMaxHeight];
  // An append: key follows the last node, so on every level the node before
  // it is that level's last node (levels above the list's height: head_).
  if (tail_[0] == head_ || compare_(tail_[0]->key, key) < 0) {
    for (int i = 0; i < kMaxHeight; i++) prev[i] = tail_[i];
  } else {
    Node* next = FindGreaterOrEqual(key, prev);
    assert(next == nullptr || !Equal(key, next->key));
    (void)next;
  }

  const int height = RandomHeight();
  if (height > GetMaxHeight()) {
    for (int i = GetMaxHeight(); i < height; i++) prev[i] = head_;
    max_height_.store(height, std::memory_order_relaxed);
  }

  Node* x = NewNode(key, height);
  for (int i = 0; i < height; i++) {
    // x is not yet visible, so its own pointers need no barrier; the
    // release store into prev[i] publishes x with them.
    x->NoBarrierSetNext(i, prev[i]->NoBarrierNext(i));
    prev[i]->SetNext(i, x);
    if (prev[i] == tail_[i]) tail_[i] = x;  // x is now the last on level i
  }
}

template <typename Key, class Comparator>
bool SkipList<Key, Comparator>::Contains(const Key& key) const {
  Node* x = FindGreaterOrEqual(key, nullptr);
  return x != nullptr && Equal(key, x->key);
}

}  // namespace lsmkv

#endif  // LSMKV_MEMTABLE_SKIPLIST_H_
