// DBImpl construction and teardown, option checks, obsolete-file removal
// and DestroyDB. Open and recovery: db_open.cc; writes: db_write.cc;
// flushes: db_flush.cc; compactions: db_compaction.cc; reads: db_read.cc;
// properties: db_properties.cc.
#include "db/db_impl.h"

#include <algorithm>
#include <vector>

#include "format/filename.h"
#include "replication/wal_archive.h"
#include "version/version_edit.h"
#include "util/logging.h"

namespace lsmkv {

namespace {

// Table-cache entries kept free for other files (WALs, MANIFEST), as in
// LevelDB.
constexpr int kReservedOpenFiles = 10;

Status CheckRange(bool ok, const char* what) {
  return ok ? Status::OK() : Status::InvalidArgument("Options", what);
}

Slice FilterKey(const Slice& internal_key) { return ExtractUserKey(internal_key); }

LevelOptions MakeLevelOptions(const Options& o) {
  LevelOptions l;
  l.level0_file_num_compaction_trigger = o.level0_file_num_compaction_trigger;
  l.max_bytes_for_level_base = o.max_bytes_for_level_base;
  l.target_file_size = o.target_file_size;
  if (!o.read_triggered_compaction) l.bytes_per_seek = 0;
  return l;
}

TableOptions MakeTableOptions(const Options& o, const InternalKeyComparator* icmp,
                              ShardedLRUCache* block_cache) {
  TableOptions t;
  t.comparator = icmp;
  t.block_size = o.block_size;
  t.compression = o.compression;
  t.zstd_level = o.zstd_level;
  t.bloom_bits_per_key = o.bloom_bits_per_key;
  t.filter_key = &FilterKey;  // bloom filters cover user keys
  t.block_cache = block_cache;
  t.allow_mmap_reads = o.allow_mmap_reads;
  return t;
}

TableOptions FlushTableOptions(TableOptions t) {
  t.lz4_acceleration = kLz4FlushAcceleration;
  return t;
}

}  // namespace

Status ValidateOptions(const Options& o) {
  Status s;
  const auto check = [&s](bool ok, const char* what) {
    if (s.ok()) s = CheckRange(ok, what);
  };
  check(o.env != nullptr, "env must not be null");
  check(o.comparator != nullptr, "comparator must not be null");
  check(o.write_buffer_size >= (16 << 10) && o.write_buffer_size <= (size_t{1} << 32),
        "write_buffer_size must be in [16 KiB, 4 GiB]");
  check(o.max_write_buffer_number >= 2 && o.max_write_buffer_number <= 64,
        "max_write_buffer_number must be in [2, 64]");
  check(o.max_background_jobs >= 1 && o.max_background_jobs <= 64,
        "max_background_jobs must be in [1, 64]");
  check(o.max_subcompactions >= 1 && o.max_subcompactions <= 64, "max_subcompactions must be in [1, 64]");
  check(o.block_size >= 256 && o.block_size <= (64 << 20),
        "block_size must be in [256 B, 64 MiB]");
  check(o.bloom_bits_per_key >= 0 && o.bloom_bits_per_key <= 64,
        "bloom_bits_per_key must be in [0, 64]");
  check(o.compression == kNoCompression || o.compression == kZstdCompression ||
            o.compression == kLz4Compression,
        "compression must be kNoCompression, kZstdCompression or kLz4Compression");
  check(o.wal_write_mode == WalWriteMode::kAuto || o.wal_write_mode == WalWriteMode::kMapped ||
            o.wal_write_mode == WalWriteMode::kWrite,
        "wal_write_mode must be kAuto, kMapped or kWrite");
  check(o.wal_recovery_mode == WalRecoveryMode::kPointInTime ||
            o.wal_recovery_mode == WalRecoveryMode::kAbsoluteConsistency ||
            o.wal_recovery_mode == WalRecoveryMode::kTolerateCorruptedTailRecords ||
            o.wal_recovery_mode == WalRecoveryMode::kSkipAnyCorruptedRecords,
        "wal_recovery_mode must be one of the WalRecoveryMode values");
  check(o.zstd_level >= -7 && o.zstd_level <= 22, "zstd_level must be in [-7, 22]");
  check(o.max_open_files >= 16, "max_open_files must be at least 16");
  check(o.target_file_size >= 4096, "target_file_size must be at least 4096");
  check(o.max_bytes_for_level_base >= 4096, "max_bytes_for_level_base must be at least 4096");
  check(o.max_log_file_size >= 4096, "max_log_file_size must be at least 4096");
  check(o.level0_file_num_compaction_trigger >= 1 &&
            o.level0_file_num_compaction_trigger <= o.level0_slowdown_writes_trigger &&
            o.level0_slowdown_writes_trigger <= o.level0_stop_writes_trigger,
        "need 1 <= level0_file_num_compaction_trigger <= level0_slowdown_writes_trigger"
        " <= level0_stop_writes_trigger");
  return s;
}

DB::~DB() = default;
Status DB::Resume() { return Status::NotSupported("Resume", "not implemented by this DB"); }
Status DB::GetUpdatesSince(uint64_t, std::unique_ptr<UpdateIterator>*) {
  return Status::NotSupported("GetUpdatesSince", "not implemented by this DB");
}
Status DB::WaitForSequence(uint64_t, uint64_t) {
  return Status::NotSupported("WaitForSequence", "not implemented by this DB");
}
Status DB::WriteReplicated(const WriteOptions&, uint64_t, WriteBatch*) {
  return Status::NotSupported("WriteReplicated", "not implemented by this DB");
}
UpdateIterator::~UpdateIterator() = default;
// New virtual methods get a default, so users' subclasses and mocks keep
// compiling; DBImpl overrides them all.
Status DB::Close() { return Status::NotSupported("DB::Close"); }
uint64_t DB::GetLatestSequenceNumber() { return 0; }
Status DB::CreateCheckpoint(const std::string&, uint64_t*) {
  return Status::NotSupported("DB::CreateCheckpoint");
}
Snapshot::~Snapshot() = default;

Status DB::Open(const Options& options, const std::string& name, std::unique_ptr<DB>* db) {
  db->reset();
  Status s = ValidateOptions(options);
  if (!s.ok()) return s;
  if (name.empty()) return Status::InvalidArgument("DB name must not be empty");
  auto impl = std::make_unique<DBImpl>(options, name);
  s = impl->Open();
  if (s.ok()) {
    *db = std::move(impl);
  } else {
    // Null when Open failed before it held the lock (and so opened no log).
    Log(impl->info_log(), "open: failed: %s", s.ToString().c_str());
  }
  return s;
}

DBImpl::DBImpl(const Options& options, const std::string& dbname)
    : options_(options),
      internal_comparator_(options.comparator),
      dbname_(dbname),
      wal_dir_(options.wal_dir.empty() ? dbname : options.wal_dir),
      env_(options.env),
      block_cache_(options.block_cache_capacity > 0
                       ? std::make_unique<ShardedLRUCache>(options.block_cache_capacity)
                       : nullptr),
      table_options_(MakeTableOptions(options, &internal_comparator_, block_cache_.get())),
      flush_table_options_(FlushTableOptions(table_options_)),
      table_cache_(std::make_unique<TableCache>(dbname, env_, table_options_,
                                                options.max_open_files - kReservedOpenFiles)),
      versions_(std::make_unique<VersionSet>(dbname, env_, &internal_comparator_,
                                             MakeLevelOptions(options))),
      subcompaction_pool_(options.max_subcompactions > 1
                              ? std::make_unique<ThreadPool>(options.max_subcompactions - 1)
                              : nullptr),
      pool_(std::make_unique<ThreadPool>(options.max_background_jobs)) {}

DBImpl::~DBImpl() {
  if (!closed_.load()) (void)Close();  // the caller chose not to hear how it went
  MutexLock l(&mutex_);
  mem_.reset();
  imms_.clear();
  versions_.reset();
}

Status DBImpl::CheckNotClosed() const {
  return closed_.load() ? Status::InvalidArgument("DB is closed") : Status::OK();
}

uint64_t DBImpl::GetLatestSequenceNumber() {
  MutexLock l(&mutex_);
  return last_sequence_;
}

Status DBImpl::Close() {
  {
    MutexLock l(&mutex_);
    if (closed_.load()) return Status::InvalidArgument("DB is closed", "Close was called before");
    closed_.store(true);
    shutting_down_ = true;
    shutdown_requested_.store(true, std::memory_order_relaxed);
    bg_cv_.SignalAll();  // an automatic resume waiting out its back-off
    sequence_cv_.SignalAll();  // WaitForSequence callers return Busy
    while (flush_jobs_ > 0 || flush_cleanup_running_ || compactions_running_ > 0 ||
           auto_resume_running_) {
      bg_cv_.Wait();
    }
  }
  pool_.reset();  // joins the threads; no job is running or queued, none can be scheduled
  MutexLock l(&mutex_);
  // The first failure is reported; every later step still runs, so the
  // files are closed and the lock is released whatever happened.
  Status result = bg_error_;
  const auto note = [&result](const Status& s) {
    if (result.ok() && !s.ok()) result = s;
  };
  // Not after a failed Open: its state may not match what CURRENT names.
  if (opened_) {
    // Every acknowledged write is in a table or a WAL: make the WALs
    // durable (earlier ones first, then their directory, then the active
    // one), so a closed DB loses nothing even to a power loss.
    if (bg_error_.ok()) {
      for (const UnsyncedLog& u : unsynced_logs_) note(u.file->Sync());
      if (wal_dir_unsynced_) note(env_->SyncDir(wal_dir_));
      if (logfile_ != nullptr) note(logfile_->Sync());
    }
    // An empty edit confirms the last one, so the files it made obsolete go
    // too and a cleanly closed DB leaves only live files.
    if (bg_error_.ok() && versions_->last_edit_unconfirmed()) {
      VersionEdit confirm;
      note(versions_->LogAndApply(&confirm));
    }
    RemoveObsoleteFiles();
  }
  if (logfile_ != nullptr) note(logfile_->Close());
  for (UnsyncedLog& u : unsynced_logs_) note(u.file->Close());
  unsynced_logs_.clear();
  log_.reset();
  logfile_.reset();
  db_lock_.reset();
  return result;
}

void DBImpl::EndSlowdownEpisode() {
  Log(info_log_.get(), "stall: write slowdown ended: %llu writes delayed, %.3f s in all",
      static_cast<unsigned long long>(episode_slowdowns_), episode_slowdown_micros_ / 1e6);
  episode_slowdowns_ = 0;
  episode_slowdown_micros_ = 0;
}

void DBImpl::RemoveObsoleteFiles() {
  // A failed MANIFEST write is checked directly too: a compaction removes
  // files right after its edit failed, before its error is recorded.
  if (!bg_error_.ok() || !versions_->manifest_error().ok()) return;
  std::set<uint64_t> live = pending_outputs_;
  versions_->LiveFiles(&live);
  uint64_t min_log = versions_->min_log_to_keep();
  if (!pinned_log_numbers_.empty()) min_log = std::min(min_log, *pinned_log_numbers_.begin());
  const uint64_t manifest = versions_->manifest_number();
  std::vector<std::string> doomed;
  std::vector<uint64_t> to_archive;  // obsolete WALs kept for the change feed
  const bool retain_wals = options_.wal_retention_bytes > 0;
  for (const std::string* dir : {&dbname_, &wal_dir_}) {
    std::vector<std::string> children;
    if (!env_->GetChildren(*dir, &children).ok()) continue;
    for (const std::string& child : children) {
      uint64_t number;
      FileType type;
      if (!ParseFileName(child, &number, &type)) continue;
      bool keep = true;
      switch (type) {
        case FileType::kLogFile: keep = number >= min_log || dir != &wal_dir_; break;
        case FileType::kDescriptorFile: keep = dir != &dbname_ || number >= manifest; break;
        case FileType::kTableFile: keep = dir != &dbname_ || live.count(number) > 0; break;
        case FileType::kTableTempFile: keep = dir != &dbname_ || pending_outputs_.count(number) > 0; break;
        case FileType::kCurrentTempFile: keep = false; break;
        default: break;
      }
      if (keep) continue;
      if (type == FileType::kTableFile) table_cache_->Evict(number);
      if (type == FileType::kLogFile && retain_wals && never_archive_.count(number) == 0) {
        to_archive.push_back(number);
      } else {
        doomed.push_back(*dir + "/" + child);
      }
    }
  }
  // Failures leave garbage, never damage: ignore them. Unlinking needs no
  // lock (nothing will recreate these numbers).
  mutex_.Unlock();
  for (const std::string& f : doomed) (void)env_->RemoveFile(f);
  if (retain_wals) {
    // A WAL that cannot be moved is deleted: the feed then ends before it,
    // never skips it (feed iterators check sequence continuity).
    for (uint64_t n : to_archive) {
      if (!ArchiveWal(env_, wal_dir_, n).ok()) (void)env_->RemoveFile(LogFileName(wal_dir_, n));
    }
    TrimWalArchive(env_, wal_dir_, options_.wal_retention_bytes);
  }
  mutex_.Lock();
}

Status DestroyDB(const std::string& name, const Options& options) {
  Env* env = options.env;
  const std::string wal_dir = options.wal_dir.empty() ? name : options.wal_dir;
  std::vector<std::string> children;
  Status s = env->GetChildren(name, &children);
  if (!s.ok()) return s.IsNotFound() ? Status::OK() : s;  // nothing to destroy

  std::unique_ptr<FileLock> lock;
  const std::string lockname = LockFileName(name);
  s = env->LockFile(lockname, &lock);
  if (!s.ok()) return s;
  Status result;
  const auto remove_ours = [&](const std::string& dir) {
    std::vector<std::string> files;
    if (!env->GetChildren(dir, &files).ok()) return;
    for (const std::string& f : files) {
      uint64_t number;
      FileType type;
      if (ParseFileName(f, &number, &type) && type != FileType::kLockFile) {
        Status del = env->RemoveFile(dir + "/" + f);
        if (result.ok() && !del.ok()) result = del;
      }
    }
  };
  remove_ours(name);
  Status archive = RemoveWalArchive(env, wal_dir);
  if (result.ok() && !archive.ok()) result = archive;
  if (wal_dir != name) {
    remove_ours(wal_dir);
    (void)env->RemoveDir(wal_dir);  // fails harmlessly if the user keeps other files there
  }
  lock.reset();
  (void)env->RemoveFile(lockname);
  (void)env->RemoveDir(name);
  return result;
}

}  // namespace lsmkv
