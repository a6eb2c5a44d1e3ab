#include "env/thread_pool.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace lsmkv {

TEST_CASE("ThreadPool: runs every job, high priority first", "[thread_pool]") {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::vector<int> order;
  int finished = 0;
  {
    ThreadPool pool(1);
    // Block the only thread so the queue fills up before anything runs.
    pool.Schedule([&] {
      std::unique_lock<std::mutex> l(mu);
      cv.wait(l, [&] { return release; });
    });
    for (int i = 0; i < 3; i++) {
      pool.Schedule([&, i] {
        std::lock_guard<std::mutex> l(mu);
        order.push_back(100 + i);
        finished++;
        cv.notify_all();
      });
    }
    pool.Schedule(
        [&] {
          std::lock_guard<std::mutex> l(mu);
          order.push_back(1);
          finished++;
          cv.notify_all();
        },
        ThreadPool::Priority::kHigh);
    {
      std::unique_lock<std::mutex> l(mu);
      release = true;
      cv.notify_all();
      cv.wait(l, [&] { return finished == 4; });
    }
  }
  REQUIRE(order == std::vector<int>{1, 100, 101, 102});
}

TEST_CASE("ThreadPool: jobs run concurrently on several threads", "[thread_pool]") {
  std::atomic<int> done{0};
  {
    ThreadPool pool(4);
    std::mutex mu;
    std::condition_variable cv;
    int arrived = 0;
    // Four jobs that each wait for all four to have started: only possible
    // with four threads.
    for (int i = 0; i < 4; i++) {
      pool.Schedule([&] {
        std::unique_lock<std::mutex> l(mu);
        arrived++;
        cv.notify_all();
        cv.wait(l, [&] { return arrived == 4; });
        done++;
      });
    }
    while (done.load() < 4) std::this_thread::yield();
  }
  REQUIRE(done.load() == 4);
}

}  // namespace lsmkv
