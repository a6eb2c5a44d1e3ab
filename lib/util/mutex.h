// Mutex and CondVar with Clang thread-safety annotations, so GUARDED_BY and
// REQUIRES in the headers are checked when building with Clang
// (-Wthread-safety) and read as documentation elsewhere.
#ifndef LSMKV_UTIL_MUTEX_H_
#define LSMKV_UTIL_MUTEX_H_

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define LSMKV_TSA(x) __attribute__((x))
#else
#define LSMKV_TSA(x)
#endif

#define CAPABILITY(x) LSMKV_TSA(capability(x))
#define SCOPED_CAPABILITY LSMKV_TSA(scoped_lockable)
#define GUARDED_BY(x) LSMKV_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) LSMKV_TSA(pt_guarded_by(x))
#define REQUIRES(...) LSMKV_TSA(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) LSMKV_TSA(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) LSMKV_TSA(acquire_capability(__VA_ARGS__))
#define RELEASE(...) LSMKV_TSA(release_capability(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS LSMKV_TSA(no_thread_safety_analysis)

namespace lsmkv {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // Tells the analysis the caller holds this mutex (e.g. in a lambda run
  // under it); checks nothing at run time.
  void AssertHeld() LSMKV_TSA(assert_capability(this)) {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds a Mutex for the scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A condition variable bound to one Mutex.
class CondVar {
 public:
  explicit CondVar(Mutex* mu) : mu_(mu) {}
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // REQUIRES: mu_ held. Releases it while waiting.
  void Wait() NO_THREAD_SAFETY_ANALYSIS {
    std::unique_lock<std::mutex> lock(mu_->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }
  // As Wait, for at most `micros`. True if it timed out.
  bool WaitFor(int64_t micros) NO_THREAD_SAFETY_ANALYSIS {
    std::unique_lock<std::mutex> lock(mu_->mu_, std::adopt_lock);
    const bool timed_out =
        cv_.wait_for(lock, std::chrono::microseconds(micros)) == std::cv_status::timeout;
    lock.release();
    return timed_out;
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  Mutex* const mu_;
  std::condition_variable cv_;
};

}  // namespace lsmkv

#endif  // LSMKV_UTIL_MUTEX_H_
