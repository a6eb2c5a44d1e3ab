// ThreadPool: a fixed number of threads running queued jobs. High-priority
// jobs (flushes) run before low-priority ones (compactions).
//
// Thread safety: thread-safe. The destructor waits for running jobs and drops
// jobs that have not started; owners that must not lose a job wait for it
// themselves before destroying the pool.
#ifndef LSMKV_ENV_THREAD_POOL_H_
#define LSMKV_ENV_THREAD_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lsmkv {

class ThreadPool {
 public:
  enum class Priority { kHigh, kLow };

  // REQUIRES: num_threads >= 1
  explicit ThreadPool(int num_threads);
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool();

  void Schedule(std::function<void()> job, Priority priority = Priority::kLow);

  // Jobs queued and not yet started.
  size_t QueueLength();

 private:
  void WorkerLoop();

  std::mutex mu_;
  std::condition_variable work_cv_;
  // Guarded by mu_.
  std::deque<std::function<void()>> high_;
  std::deque<std::function<void()>> low_;
  bool shutting_down_ = false;
  // Written only by the constructor and destructor.
  std::vector<std::thread> threads_;
};

}  // namespace lsmkv

#endif  // LSMKV_ENV_THREAD_POOL_H_
