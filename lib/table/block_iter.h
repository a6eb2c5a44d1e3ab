// BlockIter: the iterator over one Block (block.h). Declared here so that
// the table and level iterators can hold one by value, call it without
// virtual dispatch, and point it at another block (Reset) instead of
// allocating a new one per block.
//
// Thread safety: externally synchronized.
#ifndef LSMKV_TABLE_BLOCK_ITER_H_
#define LSMKV_TABLE_BLOCK_ITER_H_

#include <cstring>
#include <memory>
#include <string>
#include <typeinfo>
#include <vector>

#include "format/dbformat.h"
#include "lsmkv/comparator.h"
#include "lsmkv/iterator.h"
#include "table/block.h"
#include "util/coding.h"
#include "util/key_buffer.h"

namespace lsmkv {

namespace block_internal {

// Decodes the entry header at p (bounded by limit). Returns the key delta's
// start, or nullptr when malformed. Inlined: it runs once per entry passed.
__attribute__((always_inline)) inline const char* DecodeEntry(const char* p, const char* limit,
                                                               uint32_t* shared,
                                                               uint32_t* non_shared,
                                                               uint32_t* value_length) {
  if (limit - p < 3) return nullptr;
  *shared = static_cast<uint8_t>(p[0]);
  *non_shared = static_cast<uint8_t>(p[1]);
  *value_length = static_cast<uint8_t>(p[2]);
  if ((*shared | *non_shared | *value_length) < 128) {
    p += 3;  // fast path: all three fit in one byte
  } else {
    if ((p = GetVarint32Ptr(p, limit, shared)) == nullptr) return nullptr;
    if ((p = GetVarint32Ptr(p, limit, non_shared)) == nullptr) return nullptr;
    if ((p = GetVarint32Ptr(p, limit, value_length)) == nullptr) return nullptr;
  }
  if (static_cast<uint64_t>(limit - p) < uint64_t{*non_shared} + *value_length) return nullptr;
  return p;
}

}  // namespace block_internal

class BlockIter final : public Iterator {
 public:
  // Over no block yet: not valid, status OK, every move a no-op until Reset.
  explicit BlockIter(const Comparator* cmp)
      : cmp_(cmp),
        // Tables of a DB order internal keys: compare them without a
        // virtual call (typeid, not dynamic_cast: the class is final).
        icmp_(typeid(*cmp) == typeid(InternalKeyComparator)
                  ? static_cast<const InternalKeyComparator*>(cmp)
                  : nullptr),
        bytewise_internal_(icmp_ != nullptr && icmp_->user_is_bytewise()) {}

  // owner (may be empty) keeps block alive for the iterator's lifetime.
  BlockIter(const Block* block, std::shared_ptr<const Block> owner, const Comparator* cmp)
      : BlockIter(cmp) {
    Reset(block, std::move(owner));
  }

  // Points the iterator at another block (not positioned: not valid), with
  // a clean status. owner (may be empty) keeps block alive until the next
  // Reset or the iterator's end; the previous owner is let go.
  void Reset(const Block* block, std::shared_ptr<const Block> owner) {
    owner_ = std::move(owner);
    data_ = block->data_;
    restarts_ = block->restart_offset_;
    num_restarts_ = block->num_restarts_;
    current_ = restarts_;
    restart_index_ = num_restarts_;
    next_restart_ = 0;
    key_.Truncate(0);
    value_ = Slice(data_, 0);
    status_ = Status::OK();
    prev_entries_.clear();
    prev_keys_.clear();
    prev_pos_ = 0;
    if (block->malformed_) CorruptionError();
  }
  void Reset(std::shared_ptr<const Block> block) {
    const Block* raw = block.get();
    Reset(raw, std::move(block));
  }

  bool Valid() const override { return current_ < restarts_; }
  Status status() const override { return status_; }
  Slice key() const override { return key_.slice(); }
  Slice value() const override { return value_; }

  void Next() override { ParseNextKey(); }

  void Prev() override {
    // Within the interval decoded by the last scan: step back in the cache.
    if (prev_pos_ > 0 && prev_pos_ < prev_entries_.size() &&
        prev_entries_[prev_pos_].offset == current_) {
      prev_pos_--;
      const PrevEntry& e = prev_entries_[prev_pos_];
      current_ = e.offset;
      key_.Assign(prev_keys_.data() + e.key_offset, e.key_size);
      value_ = e.value;
      return;
    }
    // Back up to the restart point before current_, then scan forward to the
    // entry just before it, keeping the entries passed for the next Prevs.
    const uint32_t original = current_;
    while (GetRestartPoint(restart_index_) >= original) {
      if (restart_index_ == 0) {
        current_ = restarts_;  // no entry before the first
        restart_index_ = num_restarts_;
        return;
      }
      restart_index_--;
    }
    ScanInterval(restart_index_, original);
  }

  void Seek(const Slice& target) override {
    if (!status_.ok() || num_restarts_ == 0) return;  // damaged, or no block yet
    // Binary search for the last restart point whose key is < target.
    uint32_t left = 0;
    uint32_t right = num_restarts_ - 1;
    bool left_below_target = false;  // the key at restart `left` was compared < target
    while (left < right) {
      const uint32_t mid = (left + right + 1) / 2;
      const uint32_t offset = GetRestartPoint(mid);
      uint32_t shared, non_shared, value_length;
      const char* key_ptr = block_internal::DecodeEntry(data_ + offset, data_ + restarts_, &shared, &non_shared, &value_length);
      if (key_ptr == nullptr || shared != 0) {
        CorruptionError();
        return;
      }
      if (Compare(Slice(key_ptr, non_shared), target) < 0) {
        left = mid;
        left_below_target = true;
      } else {
        right = mid - 1;
      }
    }
    // Linear scan within the restart interval for the first key >= target
    // (the restart key itself needs no second comparison).
    SeekToRestartPoint(left);
    if (left_below_target && !ParseNextKey()) return;
    while (ParseNextKey()) {
      if (Compare(key_.slice(), target) >= 0) return;
    }
  }

  void SeekForPrev(const Slice& target) override {
    if (!status_.ok() || num_restarts_ == 0) return;
    Seek(target);
    if (!status_.ok()) return;
    if (!Valid()) {
      SeekToLast();
    } else if (Compare(key_.slice(), target) > 0) {
      Prev();
    }
  }

  void SeekToFirst() override {
    if (!status_.ok() || num_restarts_ == 0) return;
    SeekToRestartPoint(0);
    ParseNextKey();
  }

  void SeekToLast() override {
    if (!status_.ok() || num_restarts_ == 0) return;
    ScanInterval(num_restarts_ - 1, restarts_);
  }

 private:
  __attribute__((always_inline)) int Compare(const Slice& a, const Slice& b) const {
    if (bytewise_internal_) return CompareInternalKeysBytewise(a, b);
    return icmp_ != nullptr ? icmp_->Compare(a, b) : cmp_->Compare(a, b);
  }
  uint32_t NextEntryOffset() const {
    return static_cast<uint32_t>((value_.data() + value_.size()) - data_);
  }
  uint32_t GetRestartPoint(uint32_t index) const {
    return DecodeFixed32(data_ + restarts_ + index * sizeof(uint32_t));
  }
  // The offset of restart point index + 1, or restarts_ (past every entry)
  // when index is the last.
  uint32_t RestartAfter(uint32_t index) const {
    return index + 1 < num_restarts_ ? GetRestartPoint(index + 1) : restarts_;
  }
  void SeekToRestartPoint(uint32_t index) {
    key_.Truncate(0);
    restart_index_ = index;
    next_restart_ = RestartAfter(index);
    // ParseNextKey starts at the end of value_.
    value_ = Slice(data_ + GetRestartPoint(index), 0);
  }

  // Parses the entries of restart interval `index` that start before
  // `limit`, leaving the iterator on the last of them, and keeps them (keys
  // rebuilt) so that Prev steps back through them without re-parsing the
  // interval from its restart point each time.
  void ScanInterval(uint32_t index, uint32_t limit) {
    prev_entries_.clear();
    prev_keys_.clear();
    SeekToRestartPoint(index);
    while (ParseNextKey()) {
      prev_entries_.push_back(PrevEntry{current_, static_cast<uint32_t>(prev_keys_.size()),
                                        static_cast<uint32_t>(key_.size()), value_});
      prev_keys_.append(key_.data(), key_.size());
      if (NextEntryOffset() >= limit) break;
    }
    prev_pos_ = prev_entries_.empty() ? 0 : prev_entries_.size() - 1;
  }

  void CorruptionError() {
    current_ = restarts_;
    restart_index_ = num_restarts_;
    status_ = Status::Corruption("bad entry in block");
    key_.Truncate(0);
    value_.clear();
  }

  // Moves to the entry after value_. False at the end (or on damage).
  // Inlined: the scan of a seek and every step run it.
  __attribute__((always_inline)) bool ParseNextKey() {
    current_ = NextEntryOffset();
    const char* p = data_ + current_;
    const char* limit = data_ + restarts_;
    if (p >= limit) {
      current_ = restarts_;
      restart_index_ = num_restarts_;
      return false;
    }
    uint32_t shared, non_shared, value_length;
    p = block_internal::DecodeEntry(p, limit, &shared, &non_shared, &value_length);
    if (p == nullptr || key_.size() < shared) {
      CorruptionError();
      return false;
    }
    key_.Truncate(shared);
    key_.Append(p, non_shared);
    value_ = Slice(p + non_shared, value_length);
    while (next_restart_ < current_) {  // passed the next restart point
      restart_index_++;
      next_restart_ = RestartAfter(restart_index_);
    }
    return true;
  }

  // The block and its layout: set by Reset (all zero before the first).
  std::shared_ptr<const Block> owner_;
  const Comparator* const cmp_;
  const InternalKeyComparator* const icmp_;  // cmp_, if it is one; else nullptr
  const bool bytewise_internal_;             // icmp_ over the bytewise comparator
  const char* data_ = nullptr;
  uint32_t restarts_ = 0;        // offset of the restart array (end of entries)
  uint32_t num_restarts_ = 0;    // 0: no block (or a malformed one)
  uint32_t current_ = 0;         // offset of the current entry; restarts_ if !Valid
  uint32_t restart_index_ = 0;   // restart block holding current_
  // RestartAfter(restart_index_) while the iterator is valid, so that a
  // step checks for a restart boundary with one comparison.
  uint32_t next_restart_ = 0;
  KeyBuffer key_;  // the current key, rebuilt from each entry's shared prefix and delta
  Slice value_;
  Status status_;

  // The entries the last ScanInterval passed, all in one restart interval
  // (so restart_index_ holds for each), in block order; their keys are
  // concatenated in prev_keys_. prev_pos_ is the cached entry the iterator
  // is on, if current_ still equals its offset (any other move leaves
  // current_ elsewhere, and the next Prev scans again).
  struct PrevEntry {
    uint32_t offset;
    uint32_t key_offset;
    uint32_t key_size;
    Slice value;
  };
  std::vector<PrevEntry> prev_entries_;
  std::string prev_keys_;
  size_t prev_pos_ = 0;
};

}  // namespace lsmkv

#endif  // LSMKV_TABLE_BLOCK_ITER_H_
