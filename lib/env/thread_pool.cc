#include "env/thread_pool.h"

#include <cassert>

namespace lsmkv {

ThreadPool::ThreadPool(int num_threads) {
  assert(num_threads >= 1);
  threads_.reserve(num_threads);
  for (int i = 0; i < num_threads; i++) threads_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> l(mu_);
    shutting_down_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadPool::Schedule(std::function<void()> job, Priority priority) {
  {
    std::lock_guard<std::mutex> l(mu_);
    (priority == Priority::kHigh ? high_ : low_).push_back(std::move(job));
  }
  work_cv_.notify_one();
}

size_t ThreadPool::QueueLength() {
  std::lock_guard<std::mutex> l(mu_);
  return high_.size() + low_.size();
}

void ThreadPool::WorkerLoop() {
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> l(mu_);
      work_cv_.wait(l, [this] { return shutting_down_ || !high_.empty() || !low_.empty(); });
      if (shutting_down_) return;
      auto& queue = high_.empty() ? low_ : high_;
      job = std::move(queue.front());
      queue.pop_front();
    }
    job();
  }
}

}  // namespace lsmkv
