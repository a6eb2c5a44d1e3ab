// What a workload costs beyond time, for lsmkv_bench's "resources" line:
// which keys are live (for space amplification), the bytes a DB directory
// takes on disk, and the process's resident memory.
#ifndef LSMKV_BENCH_RESOURCES_H_
#define LSMKV_BENCH_RESOURCES_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace lsmkv_bench {

// The set of keys (numbers below --num) an engine's DB holds, kept by the
// bench as it writes and deletes: live user bytes = Count() * (key + value
// size). One bit per key; Set/Clear are relaxed atomic ORs/ANDs, so
// writer threads may update it concurrently.
class LiveKeys {
 public:
  // Empty, for keys 0..n-1.
  void Reset(uint64_t n);
  void Set(uint64_t key) { Word(key).fetch_or(Bit(key), std::memory_order_relaxed); }
  void Clear(uint64_t key) { Word(key).fetch_and(~Bit(key), std::memory_order_relaxed); }
  // Call with no writer running.
  uint64_t Count() const;

 private:
  std::atomic<uint64_t>& Word(uint64_t key) { return words_[key / 64]; }
  static uint64_t Bit(uint64_t key) { return uint64_t{1} << (key % 64); }

  std::unique_ptr<std::atomic<uint64_t>[]> words_;
  uint64_t num_words_ = 0;
};

// Bytes the files under `dir` occupy on disk (allocated blocks, as du(1)
// counts them: a preallocated WAL counts whole); -1 if it cannot be read.
int64_t DiskBytes(const std::string& dir);

// Resident memory of this process. With /proc/self/clear_refs writable
// (Linux >= 4.0) the peak (VmHWM) is reset at the start of every timed run,
// so PeakMiB() is the peak during that run; otherwise it is getrusage's
// ru_maxrss, the peak since the process started.
class RssMeter {
 public:
  RssMeter();
  // "VmHWM reset per run" or "ru_maxrss (process lifetime)".
  const char* Method() const;
  // Resets the peak (when possible) and records the current RSS.
  void StartRun();
  double StartMiB() const { return start_mib_; }
  double PeakMiB() const;
  // The RSS now, split as the kernel counts it: anonymous (heap, stacks)
  // and file-backed (mapped table files and a mapped WAL: page cache the
  // kernel can drop, not private memory); -1 where /proc does not say.
  static double AnonMiB();
  static double FileMiB();

 private:
  bool can_reset_ = false;
  double start_mib_ = 0;
};

}  // namespace lsmkv_bench

#endif  // LSMKV_BENCH_RESOURCES_H_
