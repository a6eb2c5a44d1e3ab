// Flushes: immutable memtables become tables (placed at level 0, or deeper
// when they overlap nothing), recorded in the MANIFEST; DB::Flush.
#include "db/db_impl.h"

#include <algorithm>
#include <cinttypes>
#include <functional>
#include <utility>
#include <vector>

#include "db/builder.h"
#include "format/filename.h"
#include "util/logging.h"
#include "version/version_edit.h"

namespace lsmkv {

int DBImpl::LevelForFlushedTable(const Slice& smallest, const Slice& largest) {
  // Like LevelDB's PickLevelForMemTableOutput. A lookup stops at the first
  // level holding its key, so newer data must sit above older data; a
  // flushed table is newer than everything on disk, and when no table in
  // levels 0..L shares a key range with it, none is above it there, so it
  // may sit at L directly (at most kMaxFlushLevel). Sequential loads then
  // skip level 0 and the moves out of it, and seeks position fewer tables.
  constexpr int kMaxFlushLevel = 2;
  const Version* v = versions_->current().get();
  const Comparator* ucmp = options_.comparator;
  if (v->OverlapInLevel(0, smallest, largest, ucmp)) return 0;
  int level = 0;
  while (level < kMaxFlushLevel) {
    const int next = level + 1;
    // A compaction writing into `next` may emit a table spanning the gap
    // this one would fill (outputs cover their inputs' whole range).
    if (compactions_into_[next] > 0 || in_place_level_ == next) break;
    if (v->OverlapInLevel(next, smallest, largest, ucmp)) break;
    if (next + 1 < kNumLevels) {
      // Stop where compacting this table later would rewrite too much.
      std::vector<FilePtr> grandparents;
      v->GetOverlappingInputs(next + 1, &smallest, &largest, ucmp, &grandparents);
      if (TotalFileSize(grandparents) > versions_->level_options().MaxGrandparentOverlapBytes()) break;
    }
    level = next;
  }
  return level;
}

Status DBImpl::WriteFlushTable(MemTable* mem, VersionEdit* edit, FlushPlacement placement,
                               BackgroundJobRecord* job, bool* abandoned) {
  const uint64_t start = env_->NowMicros();
  FileMetaData meta;
  meta.number = versions_->NewFileNumber();
  pending_outputs_.insert(meta.number);
  auto iter = mem->NewIterator();
  Status s;
  {
    // The memtable is immutable now; building the table needs no lock.
    mutex_.Unlock();
    std::function<void()> on_written;
    if (abandoned != nullptr) {
      on_written = [this, mem] {
        MutexLock l(&mutex_);
        EndFlushBuild(mem, FlushState::kBuilt);
      };
    }
    s = BuildTable(dbname_, env_, flush_table_options_, table_cache_.get(), iter.get(), &meta, on_written);
    mutex_.Lock();
  }
  const uint64_t built = env_->NowMicros();
  // The build is over (on_written came already unless the memtable was
  // empty and wrote no bytes); a failure is ended by the caller.
  if (s.ok() && abandoned != nullptr) EndFlushBuild(mem, FlushState::kBuilt);
  if (s.ok() && abandoned != nullptr && !WaitForFlushTurn(mem)) {
    // (Still in pending_outputs_ while it waited: no RemoveObsoleteFiles took it.)
    *abandoned = true;
    s = Status::Busy("flush", "abandoned: an older flush failed or the DB is closing");
    if (meta.file_size > 0) {
      table_cache_->Evict(meta.number);
      (void)env_->RemoveFile(TableFileName(dbname_, meta.number));
    }
  }
  pending_outputs_.erase(meta.number);
  int level = 0;
  if (s.ok() && meta.file_size > 0) {
    level = placement == FlushPlacement::kLevel0
                ? 0
                : LevelForFlushedTable(ExtractUserKey(meta.smallest), ExtractUserKey(meta.largest));
    edit->AddFile(level, meta);
  }
  const uint64_t now = env_->NowMicros();
  const uint64_t micros = built - start;  // not the wait for an older flush
  flush_micros_ += micros;
  flush_latency_.Record(micros * 1000);
  *job = BackgroundJobRecord();
  job->kind = placement == FlushPlacement::kLevel0 ? BackgroundJobRecord::Kind::kRecoveryFlush
                                                   : BackgroundJobRecord::Kind::kFlush;
  job->output_level = level;
  job->output_files = s.ok() && meta.file_size > 0 ? 1 : 0;
  job->bytes_read = mem->ApproximateMemoryUsage();
  job->bytes_written = s.ok() ? meta.file_size : 0;
  job->micros = micros;
  job->finished_at_micros = now;
  if (!s.ok()) job->error = s.ToString();
  Log(info_log_.get(),
      "%s: memtable %zu bytes, %" PRIu64 " entries -> table %06" PRIu64 " level %d, %" PRIu64
      " bytes, %.3f s%s%s",
      placement == FlushPlacement::kLevel0 ? "recovery flush" : "flush", mem->ApproximateMemoryUsage(),
      mem->num_entries(), meta.number, level, meta.file_size, micros / 1e6, s.ok() ? "" : ", failed: ",
      s.ok() ? "" : s.ToString().c_str());
  return s;
}

void DBImpl::RecordFlush(BackgroundJobRecord job, const Status& installed) {
  if (!installed.ok()) {
    if (job.error.empty()) {
      // The table was built but its edit was not written: it is not part
      // of the DB (it is removed as an obsolete file), the flush failed.
      job.error = installed.ToString();
      Log(info_log_.get(), "%s failed: its MANIFEST edit was not written: %s", JobKindName(job.kind),
          job.error.c_str());
    }
    job.output_files = 0;
  } else if (job.output_files > 0) {
    if (job.output_level > 0) flushes_below_level0_++;
    flushes_++;
    flush_bytes_ += job.bytes_written;
  }
  recent_jobs_.Add(std::move(job));
}

bool DBImpl::FlushesInFlight() const {
  return std::any_of(imms_.begin(), imms_.end(),
                     [](const Immutable& imm) { return imm.flush_state != FlushState::kWaiting; });
}

int DBImpl::UnbuiltImmutables() const {
  return static_cast<int>(std::count_if(imms_.begin(), imms_.end(),
                                        [](const Immutable& imm) { return imm.flush_state != FlushState::kBuilt; }));
}

void DBImpl::MaybeScheduleFlush() {
  if (flush_building_ || shutting_down_ || !bg_error_.ok()) return;
  const bool waiting = std::any_of(imms_.begin(), imms_.end(),
                                   [](const Immutable& imm) { return imm.flush_state == FlushState::kWaiting; });
  if (!waiting) return;
  flush_building_ = true;
  flush_jobs_++;
  pool_->Schedule([this] { BackgroundFlush(); }, ThreadPool::Priority::kHigh);
}

void DBImpl::EndFlushBuild(const MemTable* mem, FlushState next) {
  for (Immutable& imm : imms_) {
    if (imm.mem.get() != mem) continue;
    if (imm.flush_state == FlushState::kBuilding) flush_building_ = false;  // this job was the builder
    imm.flush_state = next;
  }
  if (next != FlushState::kBuilt) return;  // a failure: the caller reports it
  MaybeScheduleFlush();
  bg_cv_.SignalAll();  // a writer waiting for room may switch memtables now
}

void DBImpl::BackgroundFlush() {
  MutexLock l(&mutex_);
  bool flushed = false;
  // The oldest memtable no job has taken (MaybeScheduleFlush saw one; only
  // this job takes it, and only installs remove memtables, oldest first).
  auto it = std::find_if(imms_.begin(), imms_.end(),
                         [](const Immutable& imm) { return imm.flush_state == FlushState::kWaiting; });
  if (!shutting_down_ && bg_error_.ok() && it != imms_.end()) {
    it->flush_state = FlushState::kBuilding;
    const std::shared_ptr<MemTable> mem = it->mem;
    Status s = FlushImmutable(mem, &flushed);
    SetBackgroundError(s, ErrorSource::kBackground);
    if (flushed) resume_backoff_micros_ = 0;  // space is back, if it was short
  } else {
    flush_building_ = false;
  }
  flush_jobs_--;
  MaybeScheduleFlush();
  MaybeScheduleCompaction();
  bg_cv_.SignalAll();
  if (!flushed) return;
  // The flushed memtable's WAL is obsolete now. Removing it is left until
  // here, after the next flush is scheduled and stopped writers are woken:
  // an unlink discards the file's blocks synchronously where the file
  // system is mounted with `discard` (~15 ms per 4 MiB WAL measured on a
  // loaded VM, docs/performance/2026-12-01-fillbatch.md), and the next
  // flush need not wait for that.
  flush_cleanup_pending_ = true;
  if (flush_cleanup_running_) return;  // that job removes these files too
  flush_cleanup_running_ = true;
  while (flush_cleanup_pending_) {
    flush_cleanup_pending_ = false;
    const uint64_t covers = versions_->log_number();
    RemoveObsoleteFiles();  // unlocks mutex_ while it removes files
    flush_cleanup_covered_log_ = covers;
    bg_cv_.SignalAll();  // a Flush waiting for this round returns now
  }
  flush_cleanup_running_ = false;
  bg_cv_.SignalAll();
}

bool DBImpl::FlushCleanupCovers(uint64_t log_number) {
  // The flush that raised versions_->log_number() to log_number set
  // flush_cleanup_pending_ under the same hold of mutex_ that installed it,
  // so either a round begun after it has finished (covered), or no round is
  // pending or running at all (that flush's round finished too).
  return flush_cleanup_covered_log_ >= log_number || (!flush_cleanup_running_ && !flush_cleanup_pending_);
}

void DBImpl::TEST_WaitForBackgroundWork() {
  MutexLock l(&mutex_);
  MaybeScheduleCompaction();
  while ((flush_jobs_ > 0 || flush_cleanup_running_ || compactions_running_ > 0) && bg_error_.ok()) {
    bg_cv_.Wait();
  }
}

bool DBImpl::WaitForFlushTurn(const MemTable* mem) {
  // Installed oldest first: the MANIFEST's log number and last sequence
  // move forward memtable by memtable, and the level is picked against a
  // Version that holds every older flushed table (a newer table placed
  // below an older overlapping one would hide its newer values).
  while (imms_.front().mem.get() != mem) {
    if (shutting_down_ || !bg_error_.ok()) return false;
    bg_cv_.Wait();
  }
  return true;
}

Status DBImpl::FlushImmutable(const std::shared_ptr<MemTable>& mem, bool* installed) {
  *installed = false;
  // Reads keep using the memtable until the edit is installed.
  bool abandoned = false;
  VersionEdit edit;
  BackgroundJobRecord job;
  // On success the build ended in WriteFlushTable (kBuilt) before it
  // waited for its turn; any failure is handled once, below.
  Status s = WriteFlushTable(mem.get(), &edit, FlushPlacement::kPickLevel, &job, &abandoned);
  if (s.ok()) {
    // WALs before the next memtable's first WAL are now obsolete.
    edit.SetLogNumber(imms_.size() > 1 ? imms_[1].log_number : mem_log_number_);
    // Only this memtable's writes are in tables now (see Immutable).
    edit.SetLastSequence(imms_.front().last_sequence);
    s = versions_->LogAndApply(&edit);
  }
  // Recorded only now: a flush whose MANIFEST edit failed did not happen.
  if (!abandoned) RecordFlush(std::move(job), s);
  if (!s.ok()) {
    // A failed build (no on_written), an abandoned wait or a failed edit:
    // the memtable waits for Resume to flush it again.
    EndFlushBuild(mem.get(), FlushState::kWaiting);
    if (abandoned) return Status::OK();  // nothing new: the DB closes, or the older flush's error stands
    return s;
  }
  NoteReadShareAtFlush(mem->num_entries());
  imms_.pop_front();
  *installed = true;
  // The flushed memtable's WALs hold nothing that is not durable now.
  const uint64_t durable_below = versions_->log_number();
  unsynced_logs_.erase(std::remove_if(unsynced_logs_.begin(), unsynced_logs_.end(),
                                      [&](const UnsyncedLog& u) { return u.number < durable_below; }),
                       unsynced_logs_.end());
  // The caller (BackgroundFlush) removes the files this made obsolete.
  return Status::OK();
}

Status DBImpl::Flush() {
  Status s = CheckNotClosed();
  if (!s.ok()) return s;
  uint64_t active_log = 0;  // the WAL of the memtable active at the call
  {
    MutexLock l(&mutex_);
    active_log = mem_log_number_;
  }
  s = WriteInternal(WriteOptions(), nullptr);  // switches a non-empty memtable
  if (!s.ok()) return s;
  MutexLock l(&mutex_);
  // Done once the memtables with a WAL below flushed_log are flushed --
  // that one if it was switched (a later WAL is active), else the older
  // ones -- and the cleanup round that removes the WALs those flushes made
  // obsolete (BackgroundFlush) has run, as callers may count on. A flush
  // sets the log number to the next memtable's WAL, so it is then at least
  // flushed_log. Memtables switched after this call, and their cleanup
  // rounds, are not waited for: under sustained writes there may always be
  // another.
  const uint64_t flushed_log = mem_log_number_ != active_log ? active_log + 1 : active_log;
  while (bg_error_.ok() && ((!imms_.empty() && imms_.front().log_number < flushed_log) ||
                            !FlushCleanupCovers(flushed_log))) {
    // Close (which signals bg_cv_) ends the wait: a closing DB flushes no
    // further memtable; their writes stay in the WALs Close syncs.
    if (shutting_down_) return Status::Busy("Flush", "the DB is closing");
    bg_cv_.Wait();
  }
  return bg_error_;
}

}  // namespace lsmkv
