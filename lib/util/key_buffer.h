// KeyBuffer: a growable byte buffer for a key that an iterator rebuilds or
// remembers at every step. Inline up to kInline bytes, so that saving a
// short key is a memcpy, not std::string's checked resize/assign/append.
//
// Thread safety: externally synchronized.
#ifndef LSMKV_UTIL_KEY_BUFFER_H_
#define LSMKV_UTIL_KEY_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "lsmkv/slice.h"

namespace lsmkv {

class KeyBuffer {
 public:
  KeyBuffer() = default;
  KeyBuffer(const KeyBuffer&) = delete;
  KeyBuffer& operator=(const KeyBuffer&) = delete;

  const char* data() const { return buf_; }
  size_t size() const { return size_; }
  Slice slice() const { return Slice(buf_, size_); }
  // REQUIRES: n <= size()
  void Truncate(size_t n) { size_ = n; }
  // Inlined: iterators append a key delta at every step.
  __attribute__((always_inline)) void Append(const char* p, size_t n) {
    if (n > capacity_ - size_) Grow(size_ + n);
    char* dst = buf_ + size_;
    if (n >= 8 && n <= 16) {
      // The common key delta: two overlapping 8-byte moves, inline, instead
      // of a call to memcpy.
      uint64_t head, tail;
      std::memcpy(&head, p, 8);
      std::memcpy(&tail, p + n - 8, 8);
      std::memcpy(dst, &head, 8);
      std::memcpy(dst + n - 8, &tail, 8);
    } else {
      std::memcpy(dst, p, n);
    }
    size_ += n;
  }
  void Assign(const char* p, size_t n) {
    size_ = 0;
    Append(p, n);
  }
  void Assign(const Slice& s) { Assign(s.data(), s.size()); }

 private:
  static constexpr size_t kInline = 64;

  __attribute__((noinline)) void Grow(size_t needed) {
    size_t capacity = capacity_ * 2;
    if (capacity < needed) capacity = needed;
    std::unique_ptr<char[]> bigger(new char[capacity]);
    std::memcpy(bigger.get(), buf_, size_);
    heap_ = std::move(bigger);
    buf_ = heap_.get();
    capacity_ = capacity;
  }

  char inline_[kInline];
  std::unique_ptr<char[]> heap_;  // when the key outgrew inline_
  char* buf_ = inline_;           // inline_ or heap_
  size_t size_ = 0;
  size_t capacity_ = kInline;
};

}  // namespace lsmkv

#endif  // LSMKV_UTIL_KEY_BUFFER_H_
