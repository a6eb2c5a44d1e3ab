#include "db/db_impl.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <vector>

#include "db/builder.h"
#include "db/db_iter.h"
#include "db/level_iterator.h"
#include "db/write_batch_internal.h"
#include "format/filename.h"
#include "table/merging_iterator.h"
#include "util/escape.h"
#include "version/compaction.h"
#include "version/version_edit.h"
#include "wal/log_reader.h"

namespace lsmkv {

namespace {

// A per-thread address: tells writer threads apart without a syscall.
const void* ThreadIdentity() {
  thread_local const char marker = 0;
  return &marker;
}

// How long a synced group's leader may wait for peer writers (see
// WaitForSyncPeers): about a fifth of one fdatasync on the machines we
// measured (120-170 us).
constexpr int64_t kSyncPeerWaitMicros = 30;

}  // namespace

// A caller of Write waiting in writers_. Lives on the caller's stack.
struct DBImpl::Writer {
  explicit Writer(Mutex* mu) : cv(mu) {}

  WriteBatch* batch = nullptr;  // nullptr: force a memtable switch
  bool sync = false;
  const void* thread = ThreadIdentity();  // which thread writes, for WaitForSyncPeers
  bool done = false;  // set by the leader that committed this writer
  Status status;
  CondVar cv;
};

namespace {

// Bytes a write group may grow to. Larger groups amortise the write(2) and
// fdatasync further but delay the leader's own write; a small first batch
// caps the group lower so a lone small write is not held up.
constexpr size_t kMaxGroupBytes = 1 << 20;
constexpr size_t kSmallBatchBytes = 128 << 10;

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
  check(o.block_size >= 256 && o.block_size <= (64 << 20),
        "block_size must be in [256 B, 64 MiB]");
  check(o.bloom_bits_per_key >= 0 && o.bloom_bits_per_key <= 64,
        "bloom_bits_per_key must be in [0, 64]");
  check(o.compression == kNoCompression || o.compression == kZstdCompression ||
            o.compression == kLzCompression,
        "compression must be kNoCompression, kZstdCompression or kLzCompression");
  check(o.zstd_level >= -7 && o.zstd_level <= 22, "zstd_level must be in [-7, 22]");
  check(o.max_open_files >= 16, "max_open_files must be at least 16");
  check(o.target_file_size >= 4096, "target_file_size must be at least 4096");
  check(o.max_bytes_for_level_base >= 4096, "max_bytes_for_level_base must be at least 4096");
  check(o.level0_file_num_compaction_trigger >= 1 &&
            o.level0_file_num_compaction_trigger <= o.level0_slowdown_writes_trigger &&
            o.level0_slowdown_writes_trigger <= o.level0_stop_writes_trigger,
        "need 1 <= level0_file_num_compaction_trigger <= level0_slowdown_writes_trigger"
        " <= level0_stop_writes_trigger");
  return s;
}

DB::~DB() = default;
Snapshot::~Snapshot() = default;

Status DB::Open(const Options& options, const std::string& name, std::unique_ptr<DB>* db) {
  db->reset();
  Status s = ValidateOptions(options);
  if (!s.ok()) return s;
  if (name.empty()) return Status::InvalidArgument("DB name must not be empty");
  auto impl = std::make_unique<DBImpl>(options, name);
  s = impl->Open();
  if (s.ok()) *db = std::move(impl);
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
      table_cache_(std::make_unique<TableCache>(dbname, env_, table_options_,
                                                options.max_open_files - kReservedOpenFiles)),
      versions_(std::make_unique<VersionSet>(dbname, env_, &internal_comparator_,
                                             MakeLevelOptions(options))),
      pool_(std::make_unique<ThreadPool>(options.max_background_jobs)) {}

DBImpl::~DBImpl() {
  {
    MutexLock l(&mutex_);
    shutting_down_ = true;
    shutdown_requested_.store(true, std::memory_order_relaxed);
    while (flush_scheduled_ || compactions_running_ > 0) bg_cv_.Wait();
  }
  pool_.reset();  // joins the threads; no job is running or queued
  MutexLock l(&mutex_);
  // Files that only released iterators or finished jobs still pinned. Not
  // after a failed Open: its state may not match what CURRENT names. An
  // empty edit first confirms the last one, so the files it made obsolete
  // go too and a cleanly closed DB leaves only live files.
  if (opened_) {
    if (bg_error_.ok() && versions_->last_edit_unconfirmed()) {
      VersionEdit confirm;
      (void)versions_->LogAndApply(&confirm);  // on failure the files just stay
    }
    RemoveObsoleteFiles();
  }
  // Every WAL record is already handed to the OS by its writer, and
  // memtables not yet flushed are recovered from their WALs: closing loses
  // nothing.
  if (logfile_ != nullptr) (void)logfile_->Close();
  for (UnsyncedLog& u : unsynced_logs_) (void)u.file->Close();
  unsynced_logs_.clear();
  log_.reset();
  logfile_.reset();
  mem_.reset();
  imms_.clear();
  versions_.reset();
  db_lock_.reset();
}

Status DBImpl::Open() {
  MutexLock l(&mutex_);
  Status s;
  if (options_.create_if_missing) {
    s = env_->CreateDir(dbname_);
    if (s.ok() && wal_dir_ != dbname_) s = env_->CreateDir(wal_dir_);
    if (!s.ok()) return s;
  } else if (!env_->FileExists(dbname_)) {
    return Status::InvalidArgument(dbname_, "does not exist (create_if_missing is false)");
  }
  s = env_->LockFile(LockFileName(dbname_), &db_lock_);
  if (!s.ok()) return s;

  const std::string comparator_name = options_.comparator->Name();
  if (!env_->FileExists(CurrentFileName(dbname_))) {
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
  VersionEdit edit;
  SequenceNumber max_sequence = versions_->last_sequence();
  auto mem = std::make_shared<MemTable>(&internal_comparator_);
  for (uint64_t number : logs) {
    s = ReplayLog(number, &mem, &edit, &max_sequence);
    if (!s.ok()) return s;
  }
  if (mem->num_entries() > 0) {
    s = WriteFlushTable(mem.get(), &edit, FlushPlacement::kLevel0);
    if (!s.ok()) return s;
  }

  // A fresh WAL for new writes; its directory entry is made durable before
  // the first write lands in it.
  log_number_ = versions_->NewFileNumber();
  std::unique_ptr<WritableFile> first_log;
  s = env_->NewWritableFile(LogFileName(wal_dir_, log_number_), &first_log);
  logfile_ = std::move(first_log);
  if (s.ok()) s = env_->SyncDir(wal_dir_);
  if (!s.ok()) return s;
  log_ = std::make_unique<log::Writer>(logfile_.get(), log_number_);
  mem_ = std::make_shared<MemTable>(&internal_comparator_);
  mem_log_number_ = log_number_;

  // One MANIFEST with the whole state; the older WALs become obsolete.
  edit.SetLogNumber(log_number_);
  edit.SetLastSequence(max_sequence);
  s = versions_->WriteSnapshot(edit);
  if (!s.ok()) return s;
  last_sequence_ = max_sequence;
  RemoveObsoleteFiles();
  opened_ = true;
  MaybeScheduleCompaction();
  return Status::OK();
}

Status DBImpl::ReplayLog(uint64_t number, std::shared_ptr<MemTable>* mem, VersionEdit* edit,
                         SequenceNumber* max_sequence) {
  // Counts damage; with paranoid_checks the first damage fails Open.
  struct Reporter final : log::Reader::Reporter {
    bool paranoid = false;
    uint64_t records = 0;
    uint64_t bytes = 0;
    Status first_error;
    void Corruption(size_t n, const Status& s) override {
      records++;
      bytes += n;
      if (paranoid && first_error.ok()) first_error = s;
    }
  };

  const std::string fname = LogFileName(wal_dir_, number);
  std::unique_ptr<SequentialFile> file;
  Status s = env_->NewSequentialFile(fname, &file);
  if (!s.ok()) return s;
  Reporter reporter;
  reporter.paranoid = options_.paranoid_checks;
  log::Reader reader(file.get(), fname, &reporter, number);

  Slice record;
  std::string scratch;
  WriteBatch batch;
  while (reporter.first_error.ok() && reader.ReadRecord(&record, &scratch)) {
    if (record.size() < WriteBatchInternal::kHeader) {
      reporter.Corruption(record.size(), Status::Corruption(fname, "log record too small"));
      continue;
    }
    WriteBatchInternal::SetContents(&batch, record);
    s = WriteBatchInternal::Validate(&batch);  // a malformed batch is skipped whole
    if (!s.ok()) {
      reporter.Corruption(record.size(), Status::Corruption(fname, s.ToString()));
      continue;
    }
    s = WriteBatchInternal::InsertInto(&batch, mem->get());
    if (!s.ok()) return s;  // validated above; cannot happen
    const uint32_t count = WriteBatchInternal::Count(&batch);
    if (count > 0) {
      *max_sequence = std::max(*max_sequence, WriteBatchInternal::Sequence(&batch) + count - 1);
    }
    if ((*mem)->ApproximateMemoryUsage() > options_.write_buffer_size) {
      s = WriteFlushTable(mem->get(), edit, FlushPlacement::kLevel0);
      if (!s.ok()) return s;
      *mem = std::make_shared<MemTable>(&internal_comparator_);
    }
  }
  wal_corrupted_records_ += reporter.records;
  wal_corrupted_bytes_ += reporter.bytes;
  if (!reporter.first_error.ok()) return reporter.first_error;
  return reader.status();
}

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

Status DBImpl::WriteFlushTable(MemTable* mem, VersionEdit* edit, FlushPlacement placement) {
  const uint64_t start = env_->NowMicros();
  FileMetaData meta;
  meta.number = versions_->NewFileNumber();
  pending_outputs_.insert(meta.number);
  auto iter = mem->NewIterator();
  Status s;
  {
    // The memtable is immutable now; building the table needs no lock.
    mutex_.Unlock();
    s = BuildTable(dbname_, env_, table_options_, table_cache_.get(), iter.get(), &meta);
    mutex_.Lock();
  }
  pending_outputs_.erase(meta.number);
  if (s.ok() && meta.file_size > 0) {
    const int level = placement == FlushPlacement::kLevel0
                          ? 0
                          : LevelForFlushedTable(ExtractUserKey(meta.smallest), ExtractUserKey(meta.largest));
    edit->AddFile(level, meta);
    if (level > 0) flushes_below_level0_++;
    flushes_++;
    flush_bytes_ += meta.file_size;
  }
  flush_micros_ += env_->NowMicros() - start;
  return s;
}

Status DBImpl::Put(const WriteOptions& options, const Slice& key, const Slice& value) {
  WriteBatch batch;
  batch.Put(key, value);
  return Write(options, &batch);
}

Status DBImpl::Delete(const WriteOptions& options, const Slice& key) {
  WriteBatch batch;
  batch.Delete(key);
  return Write(options, &batch);
}

Status DBImpl::Write(const WriteOptions& options, WriteBatch* updates) {
  if (updates == nullptr) return Status::InvalidArgument("Write", "updates must not be null");
  Status s = WriteBatchInternal::CheckSizes(updates);
  if (!s.ok()) return s;
  return WriteInternal(options, updates);
}

Status DBImpl::WriteInternal(const WriteOptions& options, WriteBatch* updates) {
  Writer w(&mutex_);
  w.batch = updates;
  w.sync = options.sync;

  MutexLock l(&mutex_);
  writers_.push_back(&w);
  if (sync_leader_waiting_) writers_.front()->cv.Signal();
  while (!w.done && &w != writers_.front()) w.cv.Wait();
  if (w.done) return w.status;  // a leader committed it for us

  // This writer leads a group.
  Status status = MakeRoomForWrite(/*force=*/updates == nullptr);
  Writer* last_writer = &w;
  if (status.ok() && updates != nullptr) {
    if (w.sync) WaitForSyncPeers(&w);
    bool sync = false;
    WriteBatch* group = BuildBatchGroup(&last_writer, &sync);
    const SequenceNumber first = last_sequence_ + 1;
    WriteBatchInternal::SetSequence(group, first);
    const uint32_t count = WriteBatchInternal::Count(group);
    user_bytes_written_ += WriteBatchInternal::ByteSize(group);
    write_groups_++;
    if (sync) synced_groups_++;
    MemTable* const mem = mem_.get();
    const uint64_t wal_before = log_->size();
    // A synced group first makes earlier WALs (and new WAL directory
    // entries) durable; see unsynced_logs_.
    std::vector<UnsyncedLog> earlier_logs;
    bool sync_wal_dir = false;
    if (sync) {
      earlier_logs = unsynced_logs_;
      sync_wal_dir = wal_dir_unsynced_;
    }

    // Followers wait on their condition variables; only the leader touches
    // the WAL and inserts into the memtable, so the lock can be dropped.
    mutex_.Unlock();
    status = log_->AddRecord(WriteBatchInternal::Contents(group));
    for (const UnsyncedLog& u : earlier_logs) {
      if (status.ok()) status = u.file->Sync();
    }
    if (status.ok() && sync_wal_dir) status = env_->SyncDir(wal_dir_);
    if (status.ok() && sync) status = logfile_->Sync();
    if (status.ok()) status = WriteBatchInternal::InsertInto(group, mem);
    mutex_.Lock();

    if (sync) RememberSyncGroup(last_writer);
    if (status.ok() && sync) {
      // Only the leader switches WALs, so nothing was added meanwhile; a
      // flush may have dropped some of these already.
      const auto synced = [&](const UnsyncedLog& u) {
        return std::any_of(earlier_logs.begin(), earlier_logs.end(),
                           [&](const UnsyncedLog& e) { return e.number == u.number; });
      };
      unsynced_logs_.erase(std::remove_if(unsynced_logs_.begin(), unsynced_logs_.end(), synced),
                           unsynced_logs_.end());
      if (sync_wal_dir) wal_dir_unsynced_ = false;
    }

    wal_bytes_written_ += log_->size() - wal_before;
    if (status.ok()) {
      last_sequence_ = first + count - 1;  // publish the whole group at once
    } else if (bg_error_.ok()) {
      // The WAL may now hold a partial or unsynced record: refuse further
      // writes until reopen, whose recovery sorts it out.
      bg_error_ = status;
    }
    if (group == &group_batch_) group_batch_.Clear();
  }

  while (true) {
    Writer* ready = writers_.front();
    writers_.pop_front();
    if (ready != &w) {
      ready->status = status;
      ready->done = true;
      ready->cv.Signal();
    }
    if (ready == last_writer) break;
  }
  if (!writers_.empty()) writers_.front()->cv.Signal();  // the next leader
  return status;
}

void DBImpl::WaitForSyncPeers(Writer* leader) {
  // Threads that each write synchronously in a loop fall into two groups
  // that take turns: the writers that queued during one fdatasync form the
  // next group, and the group just acknowledged comes back a moment after
  // that group's fdatasync started, so it waits a whole fdatasync. Each
  // fdatasync then covers about half of the threads. When the last two
  // synced groups came from several threads, the leader waits (at most
  // kSyncPeerWaitMicros) until as many writers are queued, so one
  // fdatasync covers them all. A lone synced writer never waits.
  if (sync_peers_ <= 1 || writers_.size() >= sync_peers_) return;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(kSyncPeerWaitMicros);
  while (writers_.size() < sync_peers_) {
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    sync_leader_waiting_ = true;
    leader->cv.WaitFor(left.count());
    sync_leader_waiting_ = false;
  }
}

void DBImpl::RememberSyncGroup(const Writer* last_writer) {
  constexpr size_t kMaxRemembered = 16;  // bounds the wait's bookkeeping
  std::vector<const void*> group;
  for (const Writer* w : writers_) {
    if (group.size() < kMaxRemembered && std::find(group.begin(), group.end(), w->thread) == group.end()) {
      group.push_back(w->thread);
    }
    if (w == last_writer) break;
  }
  // Distinct threads of this group and the one before.
  sync_peers_ = group.size();
  for (const void* t : synced_threads_last_) {
    if (std::find(group.begin(), group.end(), t) == group.end()) sync_peers_++;
  }
  synced_threads_last_ = std::move(group);
}

WriteBatch* DBImpl::BuildBatchGroup(Writer** last_writer, bool* sync) {
  Writer* first = writers_.front();
  WriteBatch* result = first->batch;
  *sync = first->sync;
  size_t size = WriteBatchInternal::ByteSize(first->batch);
  const size_t max_size =
      size <= kSmallBatchBytes ? std::min(kMaxGroupBytes, size + kSmallBatchBytes) : kMaxGroupBytes;
  *last_writer = first;
  for (auto it = writers_.begin() + 1; it != writers_.end(); ++it) {
    Writer* w = *it;
    if (w->batch == nullptr) break;  // a forced flush leads its own group
    size += WriteBatchInternal::ByteSize(w->batch);
    if (size > max_size) break;
    if (result == first->batch) {
      // Do not modify the caller's batch: merge into the scratch batch.
      result = &group_batch_;
      group_batch_.Clear();
      WriteBatchInternal::Append(result, first->batch);
    }
    WriteBatchInternal::Append(result, w->batch);
    // One fdatasync covers every writer in the group that asked for sync.
    *sync = *sync || w->sync;
    *last_writer = w;
  }
  return result;
}

Status DBImpl::MakeRoomForWrite(bool force) {
  bool allow_delay = !force;
  while (true) {
    if (!bg_error_.ok()) return bg_error_;
    const int level0_files = versions_->current()->NumFiles(0);
    if (allow_delay && level0_files >= options_.level0_slowdown_writes_trigger) {
      // Level 0 is filling faster than compaction drains it: delay this
      // write by about a millisecond (once) so compaction gets CPU, rather
      // than stopping writes outright later.
      const uint64_t start = env_->NowMicros();
      mutex_.Unlock();
      env_->SleepForMicroseconds(1000);
      mutex_.Lock();
      stall_micros_ += env_->NowMicros() - start;
      allow_delay = false;
      continue;
    }
    if (!force && mem_->ApproximateMemoryUsage() <= options_.write_buffer_size) return Status::OK();
    if (force && mem_->num_entries() == 0) return Status::OK();
    if (static_cast<int>(imms_.size()) >= options_.max_write_buffer_number - 1 ||
        level0_files >= options_.level0_stop_writes_trigger) {
      // Every memtable is full, or level 0 is at the stop trigger: wait
      // (never fail) for a flush or compaction to finish.
      const uint64_t start = env_->NowMicros();
      MaybeScheduleCompaction();
      bg_cv_.Wait();
      stall_micros_ += env_->NowMicros() - start;
      continue;
    }
    Status s = SwitchMemTable();
    if (!s.ok()) {
      bg_error_ = s;
      return s;
    }
    force = false;
  }
}

Status DBImpl::SwitchMemTable() {
  const uint64_t new_log = versions_->NewFileNumber();
  std::unique_ptr<WritableFile> file;
  Status s = env_->NewWritableFile(LogFileName(wal_dir_, new_log), &file);
  if (!s.ok()) {
    file.reset();
    (void)env_->RemoveFile(LogFileName(wal_dir_, new_log));
    return s;
  }
  // Ordering at a log switch: a later sync=true write in the new WAL must
  // never be durable while acknowledged writes of the old one are not. The
  // old WAL is not synced here (on a busy DB that cost a multi-MB fdatasync
  // per switch); the first synced write does it (unsynced_logs_), as does
  // the directory entry of the new WAL.
  unsynced_logs_.push_back(UnsyncedLog{log_number_, std::move(logfile_)});
  wal_dir_unsynced_ = true;
  logfile_ = std::move(file);
  log_ = std::make_unique<log::Writer>(logfile_.get(), new_log);
  log_number_ = new_log;
  imms_.push_back(Immutable{std::move(mem_), mem_log_number_});
  mem_ = std::make_shared<MemTable>(&internal_comparator_);
  mem_log_number_ = new_log;
  MaybeScheduleFlush();
  return Status::OK();
}

void DBImpl::MaybeScheduleFlush() {
  if (flush_scheduled_ || shutting_down_ || imms_.empty() || !bg_error_.ok()) return;
  flush_scheduled_ = true;
  pool_->Schedule([this] { BackgroundFlush(); }, ThreadPool::Priority::kHigh);
}

void DBImpl::BackgroundFlush() {
  MutexLock l(&mutex_);
  if (!shutting_down_ && bg_error_.ok() && !imms_.empty()) {
    Status s = FlushOldestImmutable();
    if (!s.ok() && bg_error_.ok()) bg_error_ = s;
  }
  flush_scheduled_ = false;
  MaybeScheduleFlush();
  MaybeScheduleCompaction();
  bg_cv_.SignalAll();
}

void DBImpl::TEST_WaitForBackgroundWork() {
  MutexLock l(&mutex_);
  MaybeScheduleCompaction();
  while ((flush_scheduled_ || compactions_running_ > 0) && bg_error_.ok()) bg_cv_.Wait();
}

void DBImpl::SetBusy(const Compaction& c, bool busy) {
  for (const auto& files : c.inputs) {
    for (const auto& f : files) {
      if (busy) busy_files_.insert(f->number);
      else busy_files_.erase(f->number);
    }
  }
  if (c.level() == 0) level0_compacting_ = busy;
  compactions_into_[c.output_level()] += busy ? 1 : -1;
}

void DBImpl::MaybeScheduleCompaction() {
  // One thread stays free for flushes when there are two or more.
  const int max_compactions = std::max(1, options_.max_background_jobs - 1);
  while (compactions_running_ < max_compactions && !shutting_down_ && bg_error_.ok()) {
    std::unique_ptr<Compaction> picked =
        versions_->PickCompaction(busy_files_, level0_compacting_, in_place_level_);
    if (picked == nullptr) return;
    std::shared_ptr<Compaction> c = std::move(picked);
    SetBusy(*c, true);
    compactions_running_++;
    max_compactions_running_ = std::max(max_compactions_running_, compactions_running_);
    pool_->Schedule([this, c] { BackgroundCompaction(c); }, ThreadPool::Priority::kLow);
  }
}

void DBImpl::BackgroundCompaction(std::shared_ptr<Compaction> c) {
  MutexLock l(&mutex_);
  if (!shutting_down_ && bg_error_.ok()) {
    Status s = RunCompaction(c.get());
    if (!s.ok() && bg_error_.ok() && !shutting_down_) bg_error_ = s;
  }
  SetBusy(*c, false);
  compactions_running_--;
  MaybeScheduleCompaction();
  bg_cv_.SignalAll();
}

Status DBImpl::RunCompaction(Compaction* c) {
  if (c->IsTrivialMove()) {
    // Nothing to merge with: the file moves down a level untouched.
    const FilePtr& f = c->inputs[0][0];
    VersionEdit edit = c->edit;
    edit.RemoveFile(c->level(), f->number);
    edit.AddFile(c->output_level(), *f);
    Status s = versions_->LogAndApply(&edit);
    if (s.ok()) level_stats_[c->output_level()].compactions++;
    return s;
  }
  Status s = DoCompactionWork(c);
  c->ReleaseInputVersion();  // else its (now obsolete) inputs count as live
  RemoveObsoleteFiles();
  return s;
}

Status DBImpl::DoCompactionWork(Compaction* c) {
  const uint64_t start = env_->NowMicros();
  // Versions no snapshot can see are dropped; with no snapshot, only the
  // newest version of each key survives.
  const SequenceNumber smallest_snapshot = snapshots_.empty() ? last_sequence_ : snapshots_.oldest();

  ReadOptions ro;
  ro.fill_cache = false;  // a compaction must not evict the readers' working set
  std::vector<std::unique_ptr<Iterator>> children;
  for (int which = 0; which < 2; which++) {
    if (c->level() + which == 0) {
      for (const auto& f : c->inputs[which]) {
        children.push_back(table_cache_->NewIterator(ro, f->number, f->file_size));
      }
    } else if (!c->inputs[which].empty()) {
      children.push_back(NewLevelIterator(&internal_comparator_, table_cache_.get(), ro, &c->inputs[which]));
    }
  }
  std::unique_ptr<Iterator> input = NewMergingIterator(&internal_comparator_, std::move(children));

  std::vector<FileMetaData> outputs;
  std::vector<uint64_t> allocated;  // output numbers, in pending_outputs_
  TableFileWriter writer(dbname_, env_, table_options_, table_cache_.get());
  const Comparator* ucmp = options_.comparator;
  Status s;
  mutex_.Unlock();

  const auto finish_output = [&]() {
    FileMetaData meta;
    Status fs = writer.Finish(&meta);
    if (fs.ok()) outputs.push_back(std::move(meta));
    return fs;
  };

  std::string current_user_key;
  bool has_current_user_key = false;
  SequenceNumber last_sequence_for_key = kMaxSequenceNumber;
  // An output table ends only where the user key changes: if one user
  // key's versions were split across two tables, a later compaction could
  // take the table with the newer version down a level and leave the older
  // one above it, where reads would find it first (LevelDB issue 320). So a
  // wish to cut (grandparent overlap, size) waits for the next user key.
  bool cut_wanted = false;
  for (input->SeekToFirst(); input->Valid() && s.ok(); input->Next()) {
    if (shutdown_requested_.load(std::memory_order_relaxed)) {
      s = Status::IOError("compaction", "abandoned: the DB is closing");
      break;
    }
    const Slice key = input->key();
    // Called for every key, in order: it tracks the grandparents passed.
    if (c->ShouldStopBefore(key)) cut_wanted = true;
    ParsedInternalKey ikey;
    if (!ParseInternalKey(key, &ikey)) {
      s = Status::Corruption("compaction", "malformed internal key in an input table");
      break;
    }
    if (!has_current_user_key || ucmp->Compare(ikey.user_key, current_user_key) != 0) {
      if (writer.is_open() && (cut_wanted || writer.FileSize() >= c->max_output_file_size())) {
        s = finish_output();
        if (!s.ok()) break;
      }
      cut_wanted = false;
      current_user_key.assign(ikey.user_key.data(), ikey.user_key.size());
      has_current_user_key = true;
      last_sequence_for_key = kMaxSequenceNumber;
    }
    bool drop = false;
    if (last_sequence_for_key <= smallest_snapshot) {
      drop = true;  // a newer version of this key is visible to every reader
    } else if (ikey.type == kTypeDeletion && ikey.sequence <= smallest_snapshot &&
               c->IsBaseLevelForKey(ikey.user_key)) {
      // No deeper level holds the key and no snapshot needs what the
      // tombstone hides in this compaction (older versions are dropped by
      // the rule above): the tombstone itself can go.
      drop = true;
    }
    last_sequence_for_key = ikey.sequence;
    if (drop) continue;

    if (!writer.is_open()) {
      uint64_t number;
      {
        MutexLock l(&mutex_);
        number = versions_->NewFileNumber();
        pending_outputs_.insert(number);
      }
      allocated.push_back(number);
      s = writer.Open(number);
      if (!s.ok()) break;
    }
    writer.Add(key, input->value());
  }
  if (s.ok()) s = input->status();
  if (s.ok() && writer.is_open()) s = finish_output();
  if (!s.ok() && writer.is_open()) writer.Abandon();
  input.reset();

  mutex_.Lock();
  if (s.ok()) {
    VersionEdit edit = c->edit;
    c->AddInputDeletions(&edit);
    for (const auto& meta : outputs) edit.AddFile(c->output_level(), meta);
    s = versions_->LogAndApply(&edit);
  }
  // Installed outputs are live now; those of a failed compaction are
  // unreferenced and RemoveObsoleteFiles deletes them.
  for (uint64_t number : allocated) pending_outputs_.erase(number);
  CompactionStats& stats = level_stats_[c->output_level()];
  stats.compactions++;
  stats.micros += env_->NowMicros() - start;
  stats.bytes_read += c->InputBytes(0) + c->InputBytes(1);
  for (const auto& meta : outputs) stats.bytes_written += meta.file_size;
  return s;
}

Status DBImpl::FlushOldestImmutable() {
  // Reads keep using the immutable memtable until the edit is installed.
  std::shared_ptr<MemTable> imm = imms_.front().mem;
  VersionEdit edit;
  Status s = WriteFlushTable(imm.get(), &edit, FlushPlacement::kPickLevel);
  if (!s.ok()) return s;
  // WALs before the next memtable's first WAL are now obsolete.
  edit.SetLogNumber(imms_.size() > 1 ? imms_[1].log_number : mem_log_number_);
  edit.SetLastSequence(last_sequence_);
  s = versions_->LogAndApply(&edit);
  if (!s.ok()) return s;
  imms_.pop_front();
  // The flushed memtable's WALs hold nothing that is not durable now.
  const uint64_t durable_below = versions_->log_number();
  unsynced_logs_.erase(std::remove_if(unsynced_logs_.begin(), unsynced_logs_.end(),
                                      [&](const UnsyncedLog& u) { return u.number < durable_below; }),
                       unsynced_logs_.end());
  RemoveObsoleteFiles();
  return Status::OK();
}

void DBImpl::RemoveObsoleteFiles() {
  std::set<uint64_t> live = pending_outputs_;
  versions_->LiveFiles(&live);
  const uint64_t min_log = versions_->min_log_to_keep();
  const uint64_t manifest = versions_->manifest_number();
  std::vector<std::string> doomed;
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
      doomed.push_back(*dir + "/" + child);
    }
  }
  // Failures leave garbage, never damage: ignore them. Unlinking needs no
  // lock (nothing will recreate these numbers).
  mutex_.Unlock();
  for (const std::string& f : doomed) (void)env_->RemoveFile(f);
  mutex_.Lock();
}

DBImpl::ReadView DBImpl::GetReadView(const ReadOptions& options) {
  ReadView view;
  MutexLock l(&mutex_);
  view.sequence = options.snapshot != nullptr
                      ? static_cast<const SnapshotImpl*>(options.snapshot)->sequence
                      : last_sequence_;
  view.mem = mem_;
  for (auto it = imms_.rbegin(); it != imms_.rend(); ++it) view.imms.push_back(it->mem);
  view.version = versions_->current();
  return view;
}

Status DBImpl::Get(const ReadOptions& options, const Slice& key, std::string* value) {
  if (value == nullptr) return Status::InvalidArgument("Get", "value must not be null");
  const ReadView view = GetReadView(options);
  gets_.fetch_add(1, std::memory_order_relaxed);
  const LookupKey lkey(key, view.sequence);
  Status s;
  if (view.mem->Get(lkey, value, &s)) return s;
  for (const auto& imm : view.imms) {
    if (imm->Get(lkey, value, &s)) return s;
  }

  const Comparator* ucmp = options_.comparator;
  // Returns true when the table settled the lookup (*s set).
  const auto probe = [&](const FileMetaData& f) -> bool {
    if (ucmp->Compare(key, ExtractUserKey(f.smallest)) < 0 ||
        ucmp->Compare(key, ExtractUserKey(f.largest)) > 0) {
      return false;  // outside the file's range: not even opened
    }
    std::shared_ptr<Table> table;
    s = table_cache_->FindTable(f.number, f.file_size, &table);
    if (!s.ok()) return true;
    tables_probed_.fetch_add(1, std::memory_order_relaxed);
    // The entry the table found: settles the lookup if it is a version of
    // `key` (the newest visible one: entries sort newest first). The value
    // is copied only then.
    struct Match {
      const Comparator* ucmp;
      Slice user_key;
      std::string* value;
      bool matched = false;
      bool is_value = false;
    } match{ucmp, key, value};
    Table::GetResult result;
    s = table->Get(options, lkey.internal_key(), &result, &match,
                   [](void* arg, const Slice& found_key, const Slice& found_value) {
                     auto* m = static_cast<Match*>(arg);
                     ParsedInternalKey parsed;
                     if (!ParseInternalKey(found_key, &parsed) ||
                         m->ucmp->Compare(parsed.user_key, m->user_key) != 0) {
                       return;
                     }
                     m->matched = true;
                     m->is_value = parsed.type == kTypeValue;
                     if (m->is_value) m->value->assign(found_value.data(), found_value.size());
                   });
    if (!s.ok()) return true;
    if (result == Table::GetResult::kFilteredOut) {
      bloom_useful_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    if (!match.matched) {
      if (table->has_filter()) bloom_useless_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    s = match.is_value ? Status::OK() : Status::NotFound(Slice());
    return true;
  };

  // Level 0 newest first (ranges overlap); deeper levels hold disjoint
  // ranges sorted by key: one binary search per level.
  const auto& level0 = view.version->files[0];
  for (auto it = level0.rbegin(); it != level0.rend(); ++it) {
    if (probe(**it)) return s;
  }
  for (int level = 1; level < kNumLevels; level++) {
    const auto& files = view.version->files[level];
    auto it = std::lower_bound(files.begin(), files.end(), key,
                               [ucmp](const std::shared_ptr<const FileMetaData>& f, const Slice& k) {
                                 return ucmp->Compare(ExtractUserKey(f->largest), k) < 0;
                               });
    if (it != files.end() && probe(**it)) return s;
  }
  return Status::NotFound(Slice());
}

std::unique_ptr<Iterator> DBImpl::NewIterator(const ReadOptions& options) {
  auto view = std::make_shared<ReadView>(GetReadView(options));
  std::vector<std::unique_ptr<Iterator>> children;
  children.push_back(view->mem->NewIterator());
  for (const auto& imm : view->imms) children.push_back(imm->NewIterator());
  // Level-0 tables overlap: one child each. A deeper level is one sorted
  // stream that opens its tables one at a time.
  for (const auto& f : view->version->files[0]) {
    children.push_back(table_cache_->NewIterator(options, f->number, f->file_size));
  }
  for (int level = 1; level < kNumLevels; level++) {
    if (view->version->files[level].empty()) continue;
    children.push_back(NewLevelIterator(&internal_comparator_, table_cache_.get(), options,
                                        &view->version->files[level]));
  }
  auto merged = NewMergingIterator(&internal_comparator_, std::move(children));
  const SequenceNumber sequence = view->sequence;
  // The view pins the memtables and the Version (so its files) for the
  // iterator's lifetime.
  return NewDBIterator(options_.comparator, std::move(merged), sequence, std::move(view),
                       options.iterate_lower_bound, options.iterate_upper_bound);
}

const Snapshot* DBImpl::GetSnapshot() {
  MutexLock l(&mutex_);
  return snapshots_.New(last_sequence_);
}

void DBImpl::ReleaseSnapshot(const Snapshot* snapshot) {
  if (snapshot == nullptr) return;
  MutexLock l(&mutex_);
  snapshots_.Release(static_cast<const SnapshotImpl*>(snapshot));
}

std::string DBImpl::LevelStatsTable() {
  const auto version = versions_->current();
  const LevelOptions& lo = versions_->level_options();
  std::string out =
      "level files  size(MB)  score  compactions  read(MB)  write(MB)  seconds\n";
  for (int level = 0; level < kNumLevels; level++) {
    const CompactionStats& st = level_stats_[level];
    if (version->files[level].empty() && st.compactions == 0) continue;
    const double score =
        level == kNumLevels - 1 ? 0.0
        : level == 0            ? version->NumFiles(0) / static_cast<double>(lo.level0_file_num_compaction_trigger)
                                : static_cast<double>(version->LevelBytes(level)) / lo.MaxBytesForLevel(level);
    char buf[160];
    std::snprintf(buf, sizeof(buf), "L%-4d %5d %9.2f %6.2f %12" PRIu64 " %9.2f %10.2f %8.2f\n", level,
                  version->NumFiles(level), version->LevelBytes(level) / 1048576.0, score,
                  st.compactions, st.bytes_read / 1048576.0, st.bytes_written / 1048576.0,
                  st.micros / 1e6);
    out += buf;
  }
  return out;
}

bool DBImpl::GetProperty(const Slice& property, std::string* value) {
  if (value == nullptr) return false;
  value->clear();
  Slice in = property;
  const Slice prefix("lsmkv.");
  if (!in.starts_with(prefix)) return false;
  in.remove_prefix(prefix.size());

  MutexLock l(&mutex_);
  const auto version = versions_->current();
  const Slice level_prefix("num-files-at-level");
  if (in.starts_with(level_prefix)) {
    in.remove_prefix(level_prefix.size());
    const std::string level = in.ToString();
    if (level.size() != 1 || level[0] < '0' || level[0] >= '0' + kNumLevels) return false;
    *value = std::to_string(version->NumFiles(level[0] - '0'));
    return true;
  }
  if (in == "approximate-memory-usage") {
    size_t total = mem_->ApproximateMemoryUsage();
    for (const auto& imm : imms_) total += imm.mem->ApproximateMemoryUsage();
    if (block_cache_ != nullptr) total += block_cache_->TotalCharge();
    total += table_cache_->PinnedBytes();
    *value = std::to_string(total);
    return true;
  }
  if (in == "sstables") {
    for (int level = 0; level < kNumLevels; level++) {
      for (const auto& f : version->files[level]) {
        char buf[128];
        std::snprintf(buf, sizeof(buf), "level=%d file=%06" PRIu64 ".sst size=%" PRIu64
                      " entries=%" PRIu64 " ",
                      level, f->number, f->file_size, f->num_entries);
        *value += buf;
        *value += "smallest='" + EscapeBytes(ExtractUserKey(f->smallest)) + "' largest='" +
                  EscapeBytes(ExtractUserKey(f->largest)) + "'\n";
      }
    }
    return true;
  }
  if (in == "wal-corrupted-records") {
    *value = std::to_string(wal_corrupted_records_);
    return true;
  }
  if (in == "stats") {
    const uint64_t gets = gets_.load(std::memory_order_relaxed);
    const uint64_t probed = tables_probed_.load(std::memory_order_relaxed);
    const uint64_t useful = bloom_useful_.load(std::memory_order_relaxed);
    const uint64_t useless = bloom_useless_.load(std::memory_order_relaxed);
    uint64_t compaction_bytes = 0;
    for (const CompactionStats& st : level_stats_) compaction_bytes += st.bytes_written;
    const uint64_t disk_bytes = wal_bytes_written_ + flush_bytes_ + compaction_bytes;
    char buf[1400];
    std::snprintf(
        buf, sizeof(buf),
        "memtables: active %" PRIu64 " entries / %zu bytes, %zu immutable\n"
        "last sequence: %" PRIu64 "\n"
        "user bytes written: %" PRIu64 ", WAL bytes: %" PRIu64 ", flushed: %" PRIu64
        ", compacted: %" PRIu64 "\n"
        "write amplification: %.2f (WAL + tables written / user bytes)\n"
        "write groups: %" PRIu64 " (%" PRIu64 " synced)\n"
        "flushes: %" PRIu64 " (%" PRIu64 " placed below level 0) in %.3f s, stall: %.3f s, compactions at once (max): %d\n"
        "gets: %" PRIu64 ", tables probed: %" PRIu64 " (read amplification %.2f per get), "
        "bloom useful: %" PRIu64 ", bloom useless: %" PRIu64 "\n"
        "block cache: %zu bytes, hits %" PRIu64 ", misses %" PRIu64 "\n"
        "wal corrupted records skipped at open: %" PRIu64 " (%" PRIu64 " bytes)\n",
        mem_->num_entries(), mem_->ApproximateMemoryUsage(), imms_.size(), last_sequence_,
        user_bytes_written_, wal_bytes_written_, flush_bytes_, compaction_bytes,
        user_bytes_written_ == 0 ? 0.0 : static_cast<double>(disk_bytes) / user_bytes_written_,
        write_groups_, synced_groups_, flushes_, flushes_below_level0_, flush_micros_ / 1e6, stall_micros_ / 1e6,
        max_compactions_running_, gets,
        probed, gets == 0 ? 0.0 : static_cast<double>(probed) / gets, useful, useless,
        block_cache_ ? block_cache_->TotalCharge() : 0, block_cache_ ? block_cache_->hits() : 0,
        block_cache_ ? block_cache_->misses() : 0, wal_corrupted_records_, wal_corrupted_bytes_);
    *value = buf + LevelStatsTable();
    return true;
  }
  return false;
}

Status DBImpl::Flush() {
  Status s = WriteInternal(WriteOptions(), nullptr);  // switches a non-empty memtable
  if (!s.ok()) return s;
  MutexLock l(&mutex_);
  while (!imms_.empty() && bg_error_.ok()) bg_cv_.Wait();
  return bg_error_;
}

Status DBImpl::ManualCompactLevel(int level, bool in_place, const Slice* begin, const Slice* end) {
  while (true) {
    if (!bg_error_.ok()) return bg_error_;
    if (shutting_down_) return Status::IOError("CompactRange", "the DB is closing");
    bool conflict = false;
    std::unique_ptr<Compaction> c = nullptr;
    if (!in_place || compactions_into_[level] == 0) {
      c = versions_->CompactRange(level, in_place, begin, end, busy_files_, level0_compacting_, &conflict);
    } else {
      conflict = true;
    }
    if (c != nullptr) {
      SetBusy(*c, true);
      compactions_running_++;
      Status s = RunCompaction(c.get());
      SetBusy(*c, false);
      compactions_running_--;
      if (!s.ok() && bg_error_.ok()) bg_error_ = s;
      MaybeScheduleCompaction();
      bg_cv_.SignalAll();
      return s;
    }
    if (!conflict) return Status::OK();  // nothing overlaps the range here
    bg_cv_.Wait();  // a background compaction holds some of the files
  }
}

Status DBImpl::CompactRange(const Slice* begin, const Slice* end) {
  Status s = Flush();  // the memtable's data takes part too
  if (!s.ok()) return s;
  MutexLock l(&mutex_);
  const Comparator* ucmp = options_.comparator;
  // Compact each level into the next, down to the deepest level holding
  // data in the range (re-checked as background compactions move data).
  const int bottom_at_start = versions_->current()->DeepestLevelOverlapping(begin, end, ucmp);
  for (int level = 0;
       level < std::max(1, versions_->current()->DeepestLevelOverlapping(begin, end, ucmp));
       level++) {
    s = ManualCompactLevel(level, /*in_place=*/false, begin, end);
    if (!s.ok()) return s;
  }
  // Data that already sat at the bottom is rewritten in place, so
  // versions no snapshot needs any more are dropped there too.
  const int bottom = versions_->current()->DeepestLevelOverlapping(begin, end, ucmp);
  if (bottom_at_start >= 1 && bottom >= 1) {
    in_place_level_ = bottom;  // nothing new may start writing into it
    s = ManualCompactLevel(bottom, /*in_place=*/true, begin, end);
    in_place_level_ = -1;
    MaybeScheduleCompaction();
  }
  return s;
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
