// LatencyHistogram: bucket arithmetic, percentiles on known inputs, and
// concurrent recording.
#include "util/histogram.h"

#include <catch2/catch.hpp>
#include <atomic>
#include <thread>
#include <vector>

#include "support/test_util.h"
#include "util/random.h"

namespace lsmkv {

TEST_CASE("Histogram: every value falls in the bucket whose bounds hold it", "[histogram]") {
  const uint64_t seed = test::TestSeed(301);
  INFO("seed " << seed);
  Random rnd(seed);
  std::vector<uint64_t> values = {0, 1, 7, 8, 9, 15, 16, 17, 1000, 1023, 1024, 1025,
                                  UINT64_MAX, UINT64_MAX / 2, uint64_t{1} << 63};
  for (int i = 0; i < 10000; i++) {
    const int bits = static_cast<int>(rnd.Uniform(64)) + 1;
    const uint64_t v = rnd.Next64() >> (64 - bits);
    values.push_back(v);
  }
  for (uint64_t v : values) {
    INFO("value " << v);
    const int b = LatencyHistogram::BucketFor(v);
    REQUIRE(b >= 0);
    REQUIRE(b < LatencyHistogram::kNumBuckets);
    REQUIRE(LatencyHistogram::BucketLowerBound(b) <= static_cast<double>(v));
    // Doubles hold integers exactly up to 2^53; above, v may round up to
    // the next bound.
    const double hi = LatencyHistogram::BucketLowerBound(b + 1);
    if (v >> 53 == 0) {
      REQUIRE(static_cast<double>(v) < hi);
    } else {
      REQUIRE(static_cast<double>(v) <= hi);
    }
  }
  // Bounds grow, each bucket at most 1/8 of its lower bound wide.
  for (int b = 1; b < LatencyHistogram::kNumBuckets; b++) {
    const double lo = LatencyHistogram::BucketLowerBound(b);
    const double hi = LatencyHistogram::BucketLowerBound(b + 1);
    REQUIRE(lo > LatencyHistogram::BucketLowerBound(b - 1));
    REQUIRE(hi - lo <= lo / 8 + 1e-9 * lo + (b < 8 ? 1 : 0));
  }
  REQUIRE(LatencyHistogram::BucketFor(UINT64_MAX) == LatencyHistogram::kNumBuckets - 1);
}

TEST_CASE("Histogram: percentiles of known inputs", "[histogram]") {
  LatencyHistogram h;
  SECTION("empty") {
    const auto s = h.Take();
    REQUIRE(s.count == 0);
    REQUIRE(s.Percentile(50) == 0);
    REQUIRE(s.max == 0);
    REQUIRE(s.Mean() == 0);
  }
  SECTION("small values are exact") {
    for (uint64_t v = 1; v <= 7; v++) h.Record(v);
    const auto s = h.Take();
    REQUIRE(s.count == 7);
    REQUIRE(s.sum == 28);
    REQUIRE(s.Percentile(50) == 4);
    REQUIRE(s.Percentile(100) == 7);
    REQUIRE(s.Percentile(1) == 1);
    REQUIRE(s.max == 7);
  }
  SECTION("1..1000 once each") {
    for (uint64_t v = 1; v <= 1000; v++) h.Record(v);
    const auto s = h.Take();
    REQUIRE(s.count == 1000);
    REQUIRE(s.sum == 500500);
    REQUIRE(s.max == 1000);
    REQUIRE(s.Mean() == Approx(500.5));
    // Within a bucket's width (12.5%) of the true value.
    REQUIRE(s.Percentile(50) == Approx(500).epsilon(0.125));
    REQUIRE(s.Percentile(99) == Approx(990).epsilon(0.125));
    REQUIRE(s.Percentile(99.9) == Approx(999).epsilon(0.125));
    REQUIRE(s.Percentile(99.9) <= 1000);
    REQUIRE(s.Percentile(50) < s.Percentile(99));
  }
  SECTION("a slow tail shows at p99.9 and not at p50 or p99") {
    for (int i = 0; i < 9990; i++) h.Record(100);
    for (int i = 0; i < 10; i++) h.Record(100000);
    const auto s = h.Take();
    REQUIRE(s.Percentile(50) == Approx(100).epsilon(0.125));
    REQUIRE(s.Percentile(99) == Approx(100).epsilon(0.125));
    REQUIRE(s.Percentile(99.9) == Approx(100).epsilon(0.125));  // rank 9990 is still 100
    REQUIRE(s.Percentile(99.95) == Approx(100000).epsilon(0.125));
    REQUIRE(s.max == 100000);
    REQUIRE(s.ToString(1000.0).find("count 10000 ") == 0);
  }
  SECTION("one value repeated: every percentile inside its bucket, never above max") {
    for (int i = 0; i < 100; i++) h.Record(1000);
    const auto s = h.Take();
    for (double p : {1.0, 50.0, 99.0, 99.9, 100.0}) {
      REQUIRE(s.Percentile(p) >= LatencyHistogram::BucketLowerBound(LatencyHistogram::BucketFor(1000)));
      REQUIRE(s.Percentile(p) <= 1000);
    }
  }
  SECTION("clear") {
    h.Record(5);
    h.Clear();
    REQUIRE(h.Take().count == 0);
  }
}

TEST_CASE("Histogram: concurrent records are all counted", "[histogram][concurrency]") {
  LatencyHistogram h;
  constexpr int kThreads = 4;
  constexpr uint64_t kPerThread = 500000;
  // All threads start together so their records really overlap.
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&h, &ready, t] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();
      for (uint64_t i = 0; i < kPerThread; i++) h.Record(i % 64 + static_cast<uint64_t>(t));
    });
  }
  for (auto& th : threads) th.join();
  const auto s = h.Take();
  REQUIRE(s.count == kThreads * kPerThread);
  uint64_t want_sum = 0;
  for (int t = 0; t < kThreads; t++) {
    for (uint64_t i = 0; i < kPerThread; i++) want_sum += i % 64 + static_cast<uint64_t>(t);
  }
  REQUIRE(s.sum == want_sum);
  REQUIRE(s.max == 63 + kThreads - 1);
}

TEST_CASE("Histogram: ScopedLatency records one value per scope", "[histogram]") {
  LatencyHistogram h;
  for (int i = 0; i < 3; i++) ScopedLatency timer(&h);
  { ScopedLatency ignored(nullptr); }
  REQUIRE(h.Take().count == 3);
}

}  // namespace lsmkv
