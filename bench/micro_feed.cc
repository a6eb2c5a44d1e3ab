// Microbenchmark of the change feed's wake-up: a follower thread blocked in
// DB::WaitForSequence, a writer that puts one key at a time; the time from
// just before Put to the follower running again. Reported as p50/p99/max
// counters (microseconds). Also: one feed read of the new batch after the
// wake-up (a new UpdateIterator from the next sequence).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "lsmkv/db.h"

namespace lsmkv {
namespace {

using Clock = std::chrono::steady_clock;

void BM_FeedWakeup(benchmark::State& state) {
  char dir[] = "/tmp/lsmkv-micro-feed-XXXXXX";
  if (mkdtemp(dir) == nullptr) {
    state.SkipWithError("no temp dir");
    return;
  }
  Options options;
  options.create_if_missing = true;
  std::unique_ptr<DB> db;
  if (!DB::Open(options, std::string(dir) + "/db", &db).ok()) {
    state.SkipWithError("open failed");
    return;
  }
  const bool read_feed = state.range(0) != 0;
  std::atomic<uint64_t> sent_at{0};  // nanoseconds since the clock's epoch
  std::atomic<bool> stop{false};
  std::vector<double> micros;
  uint64_t waited_for = 1;
  std::atomic<uint64_t> woken{0};
  std::thread follower([&] {
    while (!stop) {
      if (!db->WaitForSequence(waited_for, 100000).ok()) continue;
      if (read_feed) {
        std::unique_ptr<UpdateIterator> it;
        if (!db->GetUpdatesSince(waited_for, &it).ok() || !it->Valid()) std::abort();
      }
      const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch());
      micros.push_back((static_cast<double>(now.count()) - static_cast<double>(sent_at.load())) / 1000.0);
      waited_for++;
      woken = waited_for - 1;
    }
  });
  uint64_t seq = 0;
  for (auto _ : state) {
    sent_at = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count());
    if (!db->Put(WriteOptions(), "key" + std::to_string(seq), "value").ok()) std::abort();
    seq++;
    while (woken.load() < seq) std::this_thread::yield();  // one write in flight at a time
  }
  stop = true;
  follower.join();
  std::sort(micros.begin(), micros.end());
  if (!micros.empty()) {
    state.counters["p50_us"] = micros[micros.size() / 2];
    state.counters["p99_us"] = micros[micros.size() * 99 / 100];
    state.counters["max_us"] = micros.back();
  }
  db.reset();
  (void)DestroyDB(std::string(dir) + "/db", options);
  rmdir(dir);
}
BENCHMARK(BM_FeedWakeup)->Arg(0)->Arg(1)->Iterations(20000)->UseRealTime();

}  // namespace
}  // namespace lsmkv
