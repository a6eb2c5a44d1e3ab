#include "memtable/memtable_filter.h"

#include "util/hash.h"

namespace lsmkv {

MemTableFilter::MemTableFilter(size_t bits)
    : num_lines_(bits > kLineBytes * 8 ? (bits + kLineBytes * 8 - 1) / (kLineBytes * 8) : 1),
      words_(new std::atomic<uint64_t>[num_lines_ * kWordsPerLine]) {
  for (size_t i = 0; i < num_lines_ * kWordsPerLine; i++) {
    words_[i].store(0, std::memory_order_relaxed);
  }
}

std::atomic<uint64_t>* MemTableFilter::LineFor(uint64_t hash) const {
  // The high 32 bits pick the line (multiply-shift instead of a modulo);
  // the low 32 bits drive the probes within it.
  const uint64_t line = ((hash >> 32) * num_lines_) >> 32;
  return &words_[line * kWordsPerLine];
}

// Probe i uses 9 bits (a position in the 512-bit line) of a sequence made
// by double hashing the low half of the hash.
void MemTableFilter::Add(const Slice& user_key) {
  const uint64_t hash = Hash64(user_key);
  std::atomic<uint64_t>* line = LineFor(hash);
  uint32_t h = static_cast<uint32_t>(hash);
  const uint32_t delta = (h >> 17) | (h << 15);
  for (int i = 0; i < kProbes; i++) {
    const uint32_t bit = h & (kLineBytes * 8 - 1);
    std::atomic<uint64_t>& word = line[bit / 64];
    // A plain load and store, not a locked read-modify-write (fetch_or):
    // Adds never run concurrently (one writer, see the class comment), so
    // no other Add's bits can land in between. Readers see the old or the
    // new word; both hold every bit of the Adds that returned before.
    word.store(word.load(std::memory_order_relaxed) | (uint64_t{1} << (bit % 64)),
               std::memory_order_relaxed);
    h += delta;
  }
}

bool MemTableFilter::MayContain(const Slice& user_key) const {
  const uint64_t hash = Hash64(user_key);
  const std::atomic<uint64_t>* line = LineFor(hash);
  uint32_t h = static_cast<uint32_t>(hash);
  const uint32_t delta = (h >> 17) | (h << 15);
  for (int i = 0; i < kProbes; i++) {
    const uint32_t bit = h & (kLineBytes * 8 - 1);
    if ((line[bit / 64].load(std::memory_order_relaxed) & (uint64_t{1} << (bit % 64))) == 0) {
      return false;
    }
    h += delta;
  }
  return true;
}

}  // namespace lsmkv
