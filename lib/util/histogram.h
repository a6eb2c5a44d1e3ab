// LatencyHistogram: counts of non-negative values (nanoseconds, for the
// DB's latencies) in log-linear buckets, recorded without a lock.
//
// Buckets: values 0..7 have one bucket each; above that, every power of
// two [2^e, 2^(e+1)) is split into 8 equal sub-buckets, so a bucket is at
// most 1/8 (12.5%) of its lower bound wide and 496 buckets cover all of
// uint64_t. The bucket of v is found with one count-leading-zeros and two
// shifts (no table, no floating point).
//
// Record costs two relaxed atomic adds (bucket, sum) and a relaxed load
// of the maximum (plus a compare-and-swap when v is a new maximum). The
// count is the sum of the buckets, computed by readers.
//
// Thread safety: Record, Snapshot and Clear are safe to call concurrently.
// A Snapshot taken during Records may miss some of them in some fields
// (e.g. a value in its bucket but not yet in sum), never sees torn values.
#ifndef LSMKV_UTIL_HISTOGRAM_H_
#define LSMKV_UTIL_HISTOGRAM_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace lsmkv {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 3;
  static constexpr int kSubBuckets = 1 << kSubBucketBits;
  static constexpr int kNumBuckets = kSubBuckets * (64 - kSubBucketBits + 1);  // 496

  LatencyHistogram() = default;
  LatencyHistogram(const LatencyHistogram&) = delete;
  LatencyHistogram& operator=(const LatencyHistogram&) = delete;

  static int BucketFor(uint64_t v) {
    if (v < kSubBuckets) return static_cast<int>(v);
    const int e = 63 - __builtin_clzll(v);  // floor(log2 v) >= kSubBucketBits
    const int sub = static_cast<int>((v >> (e - kSubBucketBits)) & (kSubBuckets - 1));
    return kSubBuckets * (e - kSubBucketBits + 1) + sub;
  }
  // Smallest value in bucket b; BucketLowerBound(kNumBuckets) is 2^64
  // (as a double, since it does not fit).
  static double BucketLowerBound(int b);

  void Record(uint64_t v) {
    // Relaxed: independent counters; readers want totals, not an order.
    buckets_[BucketFor(v)].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(v, std::memory_order_relaxed);
    uint64_t max = max_.load(std::memory_order_relaxed);
    while (v > max && !max_.compare_exchange_weak(max, v, std::memory_order_relaxed)) {
    }
  }

  void Clear();

  // A copy of the counts with the figures readers want.
  struct Snapshot {
    std::vector<uint64_t> buckets;  // kNumBuckets counts
    uint64_t count = 0;
    uint64_t sum = 0;
    uint64_t max = 0;

    double Mean() const { return count == 0 ? 0.0 : static_cast<double>(sum) / count; }
    // The value below which p percent (0 < p <= 100) of the recorded values
    // lie, interpolated linearly inside its bucket and never above max.
    // 0 when empty.
    double Percentile(double p) const;
    // "count 12 mean 3.5 p50 3.0 p99 7.9 p99.9 8.0 max 8", values divided
    // by `divisor` (1000 for nanoseconds shown as microseconds).
    std::string ToString(double divisor) const;
  };
  Snapshot Take() const;

 private:
  std::atomic<uint64_t> buckets_[kNumBuckets] = {};
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> max_{0};
};

// Nanoseconds on the steady clock (for latencies: not routed through Env,
// whose clock has microsecond resolution and may be simulated).
inline int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Records the nanoseconds from construction to destruction into a
// histogram (nothing if `histogram` is null).
class ScopedLatency {
 public:
  explicit ScopedLatency(LatencyHistogram* histogram)
      : histogram_(histogram), start_nanos_(SteadyNanos()) {}
  ~ScopedLatency() {
    const int64_t elapsed = SteadyNanos() - start_nanos_;
    if (histogram_ != nullptr) histogram_->Record(elapsed > 0 ? static_cast<uint64_t>(elapsed) : 0);
  }
  ScopedLatency(const ScopedLatency&) = delete;
  ScopedLatency& operator=(const ScopedLatency&) = delete;

 private:
  LatencyHistogram* const histogram_;
  const int64_t start_nanos_;
};

}  // namespace lsmkv

#endif  // LSMKV_UTIL_HISTOGRAM_H_
