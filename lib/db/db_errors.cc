// Background errors: which ones stick until reopen, and Resume, which
// clears the others once the cause is gone (by hand, or automatically with
// back-off after a full disk).
//
// Why a WAL error is never resumed: after a failed append or fsync, whether
// the record (or part of it) is on disk is unknown, and a later record
// reusing its sequence numbers would make recovery stop there (or apply the
// failed write after all). Reopening replays the WAL and settles it. An
// fsync that failed is never retried and trusted.
//
// Why the others can be: a failed flush or compaction leaves the in-memory
// state as it was (its outputs are unreferenced); a failed MANIFEST write
// leaves the edit's fate on disk unknown, so Resume first writes a whole new
// MANIFEST from the in-memory state and makes CURRENT name it durably
// (VersionSet::RewriteManifest): from then on the failed edit can be
// ignored. Until then no file is deleted (RemoveObsoleteFiles).
#include <algorithm>

#include "db/db_impl.h"
#include "util/logging.h"

namespace lsmkv {

namespace {

constexpr int64_t kFirstBackoffMicros = 50 * 1000;
constexpr int64_t kMaxBackoffMicros = 1000 * 1000;

}  // namespace

void DBImpl::SetBackgroundError(const Status& s, ErrorSource source) {
  if (s.ok()) return;
  if (!bg_error_.ok()) {
    Log(info_log_.get(), "error after the first background error: %s", s.ToString().c_str());
    return;
  }
  bg_error_ = s;
  bg_error_resumable_ = source == ErrorSource::kBackground;
  Log(info_log_.get(), "background error (%s): %s; writes are refused until %s",
      source == ErrorSource::kWal ? "WAL write" : "flush, compaction or MANIFEST write", s.ToString().c_str(),
      bg_error_resumable_ ? (s.IsNoSpace() ? "space is back (automatic resume)" : "Resume or reopen") : "reopen");
  if (bg_error_resumable_ && s.IsNoSpace() && !auto_resume_running_ && !shutting_down_) {
    auto_resume_running_ = true;
    pool_->Schedule([this] { AutoResume(); }, ThreadPool::Priority::kLow);
  }
  bg_cv_.SignalAll();
}

Status DBImpl::Resume() {
  if (Status closed = CheckNotClosed(); !closed.ok()) return closed;
  MutexLock l(&mutex_);
  return ResumeLocked();
}

Status DBImpl::ResumeLocked() {
  if (bg_error_.ok()) return Status::OK();
  if (!bg_error_resumable_) return bg_error_;
  // Flushes that had taken a memtable when the error came end first: each
  // installs its table (it is the oldest) or sees the error and gives it
  // up. Otherwise a younger memtable's table, built beside the failed one,
  // could be installed after the failed memtable is flushed again under a
  // newer file number, and level 0, ordered by file number, would put the
  // older data above the newer (docs/architecture.md, "Flush").
  while (!shutting_down_ && FlushesInFlight()) bg_cv_.Wait();
  if (bg_error_.ok()) return Status::OK();  // resumed by another caller meanwhile
  if (shutting_down_) return Status::IOError("Resume", "the DB is closing");
  if (!versions_->manifest_error().ok()) {
    Status s = versions_->RewriteManifest();
    if (!s.ok()) return s;
  }
  Log(info_log_.get(), "resume: cleared background error %s", bg_error_.ToString().c_str());
  bg_error_ = Status::OK();
  bg_error_resumable_ = false;
  resumes_++;
  RemoveObsoleteFiles();  // a failed job's outputs: frees space too
  MaybeScheduleFlush();
  MaybeScheduleCompaction();
  bg_cv_.SignalAll();
  return Status::OK();
}

void DBImpl::AutoResume() {
  MutexLock l(&mutex_);
  // The back-off carries over from the last automatic resume until a flush
  // succeeds: a disk still full fails the retried flush at once, and the
  // retries must not go back to 50 ms each time.
  int64_t& backoff = resume_backoff_micros_;
  if (backoff == 0) backoff = kFirstBackoffMicros;
  while (!shutting_down_ && !bg_error_.ok() && bg_error_resumable_ && bg_error_.IsNoSpace()) {
    const uint64_t deadline = env_->NowMicros() + static_cast<uint64_t>(backoff);
    for (uint64_t now = env_->NowMicros(); now < deadline && !shutting_down_; now = env_->NowMicros()) {
      bg_cv_.WaitFor(static_cast<int64_t>(deadline - now));  // the destructor wakes it
    }
    if (shutting_down_) break;
    const Status s = ResumeLocked();
    backoff = std::min(backoff * 2, kMaxBackoffMicros);
    if (s.ok() || !s.IsNoSpace()) break;
  }
  auto_resume_running_ = false;
  bg_cv_.SignalAll();
}

}  // namespace lsmkv
