// Latency histogram for lsmkv_bench: log-spaced buckets (about 4% wide)
// from 0.1 µs to ~1e9 µs; percentiles interpolate inside a bucket.
#ifndef LSMKV_BENCH_HISTOGRAM_H_
#define LSMKV_BENCH_HISTOGRAM_H_

#include <cmath>
#include <cstdint>
#include <vector>

namespace lsmkv_bench {

class Histogram {
 public:
  Histogram() : buckets_(kBuckets, 0) {}

  void Add(double micros) {
    buckets_[BucketOf(micros)]++;
    count_++;
  }
  void Merge(const Histogram& other) {
    for (int i = 0; i < kBuckets; i++) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
  }
  uint64_t count() const { return count_; }

  // p in [0, 100].
  double Percentile(double p) const {
    if (count_ == 0) return 0;
    const double threshold = count_ * p / 100.0;
    double seen = 0;
    for (int i = 0; i < kBuckets; i++) {
      if (seen + buckets_[i] >= threshold && buckets_[i] > 0) {
        const double lo = Lower(i), hi = Lower(i + 1);
        return lo + (hi - lo) * (threshold - seen) / buckets_[i];
      }
      seen += buckets_[i];
    }
    return Lower(kBuckets);
  }

 private:
  static constexpr int kBuckets = 600;
  static constexpr double kBase = 1.04;
  static constexpr double kMin = 0.1;

  static int BucketOf(double micros) {
    if (micros <= kMin) return 0;
    const int b = 1 + static_cast<int>(std::log(micros / kMin) / std::log(kBase));
    return b >= kBuckets ? kBuckets - 1 : b;
  }
  static double Lower(int b) { return b == 0 ? 0 : kMin * std::pow(kBase, b - 1); }

  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
};

}  // namespace lsmkv_bench

#endif  // LSMKV_BENCH_HISTOGRAM_H_
