// Arena: bump allocator for memtable nodes. Memory is freed all at once when
// the arena is destroyed.
//
// Thread safety: Allocate* is externally synchronized (the memtable's single
// writer); MemoryUsage() may be called from any thread.
#ifndef LSMKV_UTIL_ARENA_H_
#define LSMKV_UTIL_ARENA_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

namespace lsmkv {

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // REQUIRES: bytes > 0. Unaligned.
  char* Allocate(size_t bytes) {
    if (bytes <= remaining_) {
      char* result = ptr_;
      ptr_ += bytes;
      remaining_ -= bytes;
      return result;
    }
    return AllocateFallback(bytes);
  }

  // Aligned to alignof(std::max_align_t) (16 on x86-64).
  char* AllocateAligned(size_t bytes);

  // Bytes reserved from the system, including bookkeeping.
  size_t MemoryUsage() const { return memory_usage_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kBlockSize = 4096;

  char* AllocateFallback(size_t bytes);
  char* AllocateNewBlock(size_t block_bytes);

  char* ptr_ = nullptr;
  size_t remaining_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  // Relaxed: a statistic, read by other threads without ordering needs.
  std::atomic<size_t> memory_usage_{0};
};

}  // namespace lsmkv

#endif  // LSMKV_UTIL_ARENA_H_
