#include "util/bloom.h"

#include <algorithm>
#include <cmath>

#include "util/coding.h"
#include "util/hash.h"

namespace lsmkv {

namespace {

constexpr uint8_t kFormatCacheLocalXxh3 = 1;  // on disk, never renumber
constexpr size_t kLineBytes = 64;
constexpr uint32_t kLineBits = kLineBytes * 8;  // 512: 9 bits per probe
constexpr size_t kTrailerBytes = 1 + 1 + 4;     // format, probes, lines
constexpr int kMaxProbes = 30;

// The line for a hash: the high 32 bits scaled onto [0, num_lines).
inline uint32_t LineOf(uint64_t h, uint32_t num_lines) {
  return static_cast<uint32_t>(((h >> 32) * num_lines) >> 32);
}

// Calls probe(bit) for each of num_probes bit positions within a line. The
// positions come 9 bits at a time from a remix of h, highest bits first
// (probe j of a group is bits 55-9j..63-9j), remixed again every 7 probes.
template <typename Fn>
inline void ForEachProbe(uint64_t h, int num_probes, Fn&& probe) {
  uint64_t bits = h * 0x9e3779b97f4a7c15ull;
  for (int done = 0;;) {
    const int n = std::min(num_probes - done, 7);
    uint64_t window = bits;
    for (int j = 0; j < n; j++) {
      probe(static_cast<uint32_t>(window >> (64 - 9)));  // the top 9 bits
      window <<= 9;
    }
    done += n;
    if (done >= num_probes) return;
    bits = (bits ^ (bits >> 29)) * 0xbf58476d1ce4e5b9ull;
  }
}

}  // namespace

BloomFilterBuilder::BloomFilterBuilder(int bits_per_key) : bits_per_key_(bits_per_key) {}

void BloomFilterBuilder::AddKey(const Slice& key) {
  const uint64_t h = Hash64(key);
  // Consecutive duplicates (many versions of one key) add nothing.
  if (hashes_.empty() || hashes_.back() != h) hashes_.push_back(h);
}

std::string BloomFilterBuilder::Finish() {
  const size_t n = std::max<size_t>(hashes_.size(), 1);
  const size_t total_bits = n * static_cast<size_t>(bits_per_key_);
  const uint32_t num_lines = static_cast<uint32_t>(std::max<size_t>(1, (total_bits + kLineBits - 1) / kLineBits));
  // k = bits_per_key × ln 2 minimises the false-positive rate.
  const int num_probes = std::clamp(static_cast<int>(std::lround(bits_per_key_ * 0.69)), 1, kMaxProbes);

  std::string filter(static_cast<size_t>(num_lines) * kLineBytes, '\0');
  for (uint64_t h : hashes_) {
    char* line = &filter[static_cast<size_t>(LineOf(h, num_lines)) * kLineBytes];
    ForEachProbe(h, num_probes, [line](uint32_t bit) { line[bit >> 3] |= static_cast<char>(1 << (bit & 7)); });
  }
  filter.push_back(static_cast<char>(kFormatCacheLocalXxh3));
  filter.push_back(static_cast<char>(num_probes));
  PutFixed32(&filter, num_lines);
  hashes_.clear();
  return filter;
}

BloomFilterView::BloomFilterView(const Slice& filter) {
  if (filter.size() < kTrailerBytes) return;
  const char* trailer = filter.data() + filter.size() - kTrailerBytes;
  const uint8_t format = static_cast<uint8_t>(trailer[0]);
  const int num_probes = static_cast<uint8_t>(trailer[1]);
  const uint32_t num_lines = DecodeFixed32(trailer + 2);
  if (format != kFormatCacheLocalXxh3 || num_probes < 1 || num_probes > kMaxProbes ||
      num_lines == 0 || static_cast<uint64_t>(num_lines) * kLineBytes != filter.size() - kTrailerBytes) {
    return;  // unknown or malformed: never wrongly exclude
  }
  lines_ = filter.data();
  num_lines_ = num_lines;
  num_probes_ = num_probes;
}

bool BloomFilterView::MayMatch(const Slice& key) const {
  if (lines_ == nullptr) return true;
  const uint64_t h = Hash64(key);
  const char* line = lines_ + static_cast<size_t>(LineOf(h, num_lines_)) * kLineBytes;
  bool match = true;
  ForEachProbe(h, num_probes_, [&](uint32_t bit) {
    if ((line[bit >> 3] & (1 << (bit & 7))) == 0) match = false;
  });
  return match;
}

bool BloomFilterMayMatch(const Slice& filter, const Slice& key) {
  return BloomFilterView(filter).MayMatch(key);
}

}  // namespace lsmkv
