// DBImpl::Open: locks the directory, creates or recovers the DB (MANIFEST,
// then WAL replay into level-0 tables) and starts a new WAL.
#include "db/db_impl.h"

#include <algorithm>
#include <cinttypes>
#include <vector>

#include "db/files_without_current.h"
#include "db/wal_replay.h"
#include "db/write_batch_internal.h"
#include "format/filename.h"
#include "util/logging.h"
#include "version/version_edit.h"

namespace lsmkv {

namespace {

// Creates dir if it is missing and makes its entry durable in its parent,
// so a power cut after Open cannot take the new directory (and every file
// synced into it) away.
Status CreateDirDurably(Env* env, const std::string& dir) {
  if (env->FileExists(dir)) return Status::OK();
  Status s = env->CreateDir(dir);
  if (!s.ok()) return s;
  std::string parent = dir;
  while (parent.size() > 1 && parent.back() == '/') parent.pop_back();
  const size_t slash = parent.rfind('/');
  parent = slash == std::string::npos ? "." : slash == 0 ? "/" : parent.substr(0, slash);
  return env->SyncDir(parent);
}

}  // namespace

Status DBImpl::Open() {
  MutexLock l(&mutex_);
  // Old files without CURRENT are refused before anything is created (LOCK,
  // wal_dir), so a refused Open changes nothing; checked again under the lock.
  Status s = CheckFilesHaveCurrent(env_, dbname_, wal_dir_);
  if (!s.ok()) return s;
  if (options_.create_if_missing) {
    s = CreateDirDurably(env_, dbname_);
    if (s.ok() && wal_dir_ != dbname_) s = CreateDirDurably(env_, wal_dir_);
    if (!s.ok()) return s;
  } else if (!env_->FileExists(dbname_)) {
    return Status::InvalidArgument(dbname_, "does not exist (create_if_missing is false)");
  }
  s = env_->LockFile(LockFileName(dbname_), &db_lock_);
  if (!s.ok()) return s;
  // The info log is opened only once the lock is held, so a second Open of
  // a DB in use never rotates the LOG of the one using it.
  const uint64_t open_start = env_->NowMicros();
  info_log_ = options_.info_log;
  if (info_log_ == nullptr) {
    s = NewFileLogger(env_, InfoLogFileName(dbname_), options_.max_log_file_size, &info_log_);
    if (!s.ok()) return s;
  }
  Log(info_log_.get(), "open: %s (wal_dir %s), write_buffer_size %zu, compression %d, block cache %zu bytes",
      dbname_.c_str(), wal_dir_.c_str(), options_.write_buffer_size, static_cast<int>(options_.compression),
      options_.block_cache_capacity);

  const std::string comparator_name = options_.comparator->Name();
  if (!env_->FileExists(CurrentFileName(dbname_))) {
    s = CheckFilesHaveCurrent(env_, dbname_, wal_dir_);  // never a fresh start over old files
    if (!s.ok()) return s;
    if (!options_.create_if_missing) {
      return Status::InvalidArgument(dbname_, "is not a database (create_if_missing is false)");
    }
    s = versions_->CreateNew(comparator_name);
    if (!s.ok()) return s;
  } else if (options_.error_if_exists) {
    return Status::InvalidArgument(dbname_, "exists (error_if_exists is true)");
  }
  s = versions_->Recover(comparator_name);
  if (!s.ok()) return s;
  if (!versions_->dropped_torn_edit().ok()) {
    Log(info_log_.get(), "recovery: the MANIFEST's last edit was torn and is not applied: %s",
        versions_->dropped_torn_edit().ToString().c_str());
  }

  // Every table the MANIFEST names must exist.
  for (const auto& level : versions_->current()->files) {
    for (const auto& f : level) {
      if (!env_->FileExists(TableFileName(dbname_, f->number))) {
        return Status::Corruption(TableFileName(dbname_, f->number),
                                  "named by the MANIFEST but missing");
      }
    }
  }

  // Every WAL at or above the MANIFEST's log number holds writes not yet in
  // a table. Numbers of all files found are marked used.
  const uint64_t min_log_number = versions_->log_number();
  std::vector<uint64_t> logs;
  for (const std::string* dir : {&dbname_, &wal_dir_}) {
    std::vector<std::string> children;
    s = env_->GetChildren(*dir, &children);
    if (!s.ok()) return s;
    for (const std::string& child : children) {
      uint64_t number;
      FileType type;
      if (!ParseFileName(child, &number, &type)) continue;
      versions_->MarkFileNumberUsed(number);
      if (dir == &wal_dir_ && type == FileType::kLogFile && number >= min_log_number) {
        logs.push_back(number);
      }
    }
  }
  std::sort(logs.begin(), logs.end());
  logs.erase(std::unique(logs.begin(), logs.end()), logs.end());

  // Replay into level-0 tables, so the replayed WALs become obsolete and no
  // data depends on what the previous process left unsynced.
  // paranoid_checks selects absolute consistency.
  const WalRecoveryMode mode =
      options_.paranoid_checks ? WalRecoveryMode::kAbsoluteConsistency : options_.wal_recovery_mode;
  WalReplayer replayer(env_, wal_dir_, mode, versions_->last_sequence());
  VersionEdit edit;
  // The recovery flushes, recorded once the MANIFEST below holds them.
  std::vector<BackgroundJobRecord> flush_jobs;
  auto mem = std::make_shared<MemTable>(&internal_comparator_);
  s = replayer.Replay(
      logs,
      [&](WriteBatch* batch) {
        mutex_.AssertHeld();  // Open holds it throughout
        Status r = WriteBatchInternal::InsertInto(batch, mem.get());
        if (r.ok() && mem->ApproximateMemoryUsage() > options_.write_buffer_size) {
          flush_jobs.emplace_back();
          r = WriteFlushTable(mem.get(), &edit, FlushPlacement::kLevel0, &flush_jobs.back());
          mem = std::make_shared<MemTable>(&internal_comparator_);
        }
        return r;
      },
      &wal_recovery_);
  if (!s.ok()) return s;
  if (!logs.empty()) {
    std::string report = wal_recovery_.ToString();  // lines joined with "; "
    while (!report.empty() && report.back() == '\n') report.pop_back();
    for (size_t p = report.find('\n'); p != std::string::npos; p = report.find('\n', p)) report.replace(p, 1, "; ");
    Log(info_log_.get(), "recovery: %s", report.c_str());
  }
  wal_corrupted_records_ = wal_recovery_.damaged_records;
  wal_corrupted_bytes_ = wal_recovery_.damaged_bytes;
  const SequenceNumber max_sequence = std::max(versions_->last_sequence(), wal_recovery_.last_replayed);
  if (mem->num_entries() > 0) {
    flush_jobs.emplace_back();
    s = WriteFlushTable(mem.get(), &edit, FlushPlacement::kLevel0, &flush_jobs.back());
    if (!s.ok()) return s;
  }
  // WALs with bytes not replayed are kept in lost/ before the MANIFEST
  // below makes them obsolete (and RemoveObsoleteFiles deletes them).
  for (uint64_t number : wal_recovery_.logs_to_keep) {
    s = CopyLogToLost(env_, wal_dir_, number);
    if (!s.ok()) return s;
    never_archive_.insert(number);
  }

  // A fresh WAL for new writes; its directory entry is made durable before
  // the first write lands in it.
  log_number_ = versions_->NewFileNumber();
  std::unique_ptr<WritableFile> first_log;
  s = env_->NewLogFile(LogFileName(wal_dir_, log_number_), options_.wal_write_mode, &first_log);
  logfile_ = std::move(first_log);
  if (s.ok()) s = env_->SyncDir(wal_dir_);
  if (!s.ok()) return s;
  log_ = std::make_unique<log::Writer>(logfile_.get(), log_number_);
  mem_ = NewActiveMemTable();
  mem_log_number_ = log_number_;

  // One MANIFEST with the whole state; the older WALs become obsolete.
  edit.SetLogNumber(log_number_);
  edit.SetLastSequence(max_sequence);
  s = versions_->WriteSnapshot(edit);
  for (BackgroundJobRecord& job : flush_jobs) RecordFlush(std::move(job), s);
  if (!s.ok()) return s;
  last_sequence_ = max_sequence;
  RemoveObsoleteFiles();
  opened_ = true;
  int table_files = 0;
  for (int level = 0; level < kNumLevels; level++) table_files += versions_->current()->NumFiles(level);
  Log(info_log_.get(),
      "open: done: MANIFEST-%06" PRIu64 ", %zu WAL(s) replayed into %zu table(s), %" PRIu64
      " corrupted WAL records skipped (%" PRIu64 " bytes), last sequence %" PRIu64
      ", %d table files, new WAL %06" PRIu64 ", %.3f s",
      versions_->manifest_number(), logs.size(), edit.new_files().size(), wal_corrupted_records_,
      wal_corrupted_bytes_, last_sequence_, table_files, log_number_,
      (env_->NowMicros() - open_start) / 1e6);
  MaybeScheduleCompaction();
  return Status::OK();
}

}  // namespace lsmkv
