// RecentJobs: the last few finished background jobs (flushes and
// compactions) of a DB, for the property "lsmkv.recent-background-jobs"
// (docs/statistics.md) and the server's status page. A bounded ring: the
// oldest record is dropped when a new one would exceed the capacity, so
// its memory is fixed however long the DB runs.
//
// Thread safety: none of its own; DBImpl guards its instance with mutex_.
#ifndef LSMKV_DB_RECENT_JOBS_H_
#define LSMKV_DB_RECENT_JOBS_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace lsmkv {

struct BackgroundJobRecord {
  enum class Kind { kFlush, kRecoveryFlush, kCompaction, kTrivialMove };
  Kind kind = Kind::kFlush;
  int input_level = -1;   // -1 for a flush (its input is a memtable)
  int output_level = 0;   // where the output tables went
  uint64_t input_files = 0;  // tables read (0 for a flush)
  uint64_t output_files = 0;
  uint64_t bytes_read = 0;   // table bytes read (memtable bytes for a flush)
  uint64_t bytes_written = 0;
  uint64_t micros = 0;                 // how long it ran
  uint64_t finished_at_micros = 0;     // Env::NowMicros() when it ended
  std::string error;                   // empty when it succeeded
};

const char* JobKindName(BackgroundJobRecord::Kind kind);

class RecentJobs {
 public:
  static constexpr size_t kDefaultCapacity = 32;

  explicit RecentJobs(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // Keeps the record, dropping the oldest beyond the capacity.
  void Add(BackgroundJobRecord record);
  // Newest first.
  std::vector<BackgroundJobRecord> NewestFirst() const;
  size_t capacity() const { return capacity_; }

 private:
  const size_t capacity_;
  std::deque<BackgroundJobRecord> jobs_;  // oldest at the front; size <= capacity_
};

// The records as a JSON array (newest first), each an object with "kind",
// "input_level", "output_level", "input_files", "output_files",
// "bytes_read", "bytes_written", "micros", "seconds_ago" (from now_micros,
// on the same clock as finished_at_micros) and "error" (null on success).
std::string FormatRecentJobsJson(const std::vector<BackgroundJobRecord>& jobs, uint64_t now_micros);

}  // namespace lsmkv

#endif  // LSMKV_DB_RECENT_JOBS_H_
