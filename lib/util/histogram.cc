#include "util/histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lsmkv {

double LatencyHistogram::BucketLowerBound(int b) {
  if (b < kSubBuckets) return b;
  const int e = b / kSubBuckets + kSubBucketBits - 1;  // inverse of BucketFor
  const int sub = b % kSubBuckets;
  return std::ldexp(1.0, e) + sub * std::ldexp(1.0, e - kSubBucketBits);
}

void LatencyHistogram::Clear() {
  for (auto& b : buckets_) b.store(0, std::memory_order_relaxed);
  sum_.store(0, std::memory_order_relaxed);
  max_.store(0, std::memory_order_relaxed);
}

LatencyHistogram::Snapshot LatencyHistogram::Take() const {
  Snapshot s;
  s.buckets.resize(kNumBuckets);
  for (int b = 0; b < kNumBuckets; b++) {
    s.buckets[b] = buckets_[b].load(std::memory_order_relaxed);
    s.count += s.buckets[b];
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  s.max = max_.load(std::memory_order_relaxed);
  return s;
}

double LatencyHistogram::Snapshot::Percentile(double p) const {
  if (count == 0) return 0.0;
  // The rank of the wanted value among the recorded ones, 1-based.
  const double rank = std::max(1.0, std::ceil(count * p / 100.0));
  uint64_t below = 0;
  for (int b = 0; b < kNumBuckets; b++) {
    if (buckets[b] == 0) continue;
    if (below + buckets[b] >= rank) {
      const double lo = BucketLowerBound(b);
      const double hi = BucketLowerBound(b + 1);
      // Values of a bucket are taken as evenly spread over [lo, hi); the
      // buckets below 8 hold one value each, so they are exact.
      const double v = b < kSubBuckets ? lo : lo + (hi - lo) * (rank - below) / buckets[b];
      return std::min(v, static_cast<double>(max));
    }
    below += buckets[b];
  }
  return static_cast<double>(max);
}

std::string LatencyHistogram::Snapshot::ToString(double divisor) const {
  char buf[200];
  std::snprintf(buf, sizeof(buf), "count %llu mean %.3f p50 %.3f p99 %.3f p99.9 %.3f max %.3f",
                static_cast<unsigned long long>(count), Mean() / divisor, Percentile(50) / divisor,
                Percentile(99) / divisor, Percentile(99.9) / divisor, max / divisor);
  return buf;
}

}  // namespace lsmkv
