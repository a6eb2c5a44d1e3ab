#include "db/db_impl.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <vector>

#include "db/db_iter.h"
#include "db/write_batch_internal.h"
#include "format/filename.h"
#include "version/manifest.h"
#include "version/version_edit.h"
#include "wal/log_reader.h"

namespace lsmkv {

// A caller of Write waiting in writers_. Lives on the caller's stack.
struct DBImpl::Writer {
  explicit Writer(Mutex* mu) : cv(mu) {}

  WriteBatch* batch = nullptr;
  bool sync = false;
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

Status CheckRange(bool ok, const char* what) {
  return ok ? Status::OK() : Status::InvalidArgument("Options", what);
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
  check(o.compression == kNoCompression || o.compression == kZstdCompression,
        "compression must be kNoCompression or kZstdCompression");
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
      env_(options.env) {}

DBImpl::~DBImpl() {
  MutexLock l(&mutex_);
  // Every WAL record is already handed to the OS by its writer; closing
  // loses nothing. (No background work exists yet to wait for.)
  if (logfile_ != nullptr) (void)logfile_->Close();
  log_.reset();
  logfile_.reset();
  mem_.reset();
  db_lock_.reset();
}

Status DBImpl::NewDB() {
  VersionEdit state;
  state.SetComparatorName(options_.comparator->Name());
  state.SetLogNumber(0);
  state.SetNextFileNumber(2);
  state.SetLastSequence(0);
  return InstallManifest(env_, dbname_, 1, state);
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

  if (!env_->FileExists(CurrentFileName(dbname_))) {
    if (!options_.create_if_missing) {
      return Status::InvalidArgument(dbname_, "is not a database (create_if_missing is false)");
    }
    s = NewDB();
    if (!s.ok()) return s;
  } else if (options_.error_if_exists) {
    return Status::InvalidArgument(dbname_, "exists (error_if_exists is true)");
  }

  VersionEdit state;
  uint64_t manifest_number = 0;
  s = ReadCurrentManifest(env_, dbname_, &state, &manifest_number);
  if (!s.ok()) return s;
  if (*state.comparator() != options_.comparator->Name()) {
    return Status::InvalidArgument(
        dbname_, "comparator " + std::string(options_.comparator->Name()) +
                     " does not match the DB's comparator " + *state.comparator());
  }
  next_file_number_ = std::max(*state.next_file_number(), manifest_number + 1);
  const uint64_t min_log_number = *state.log_number();

  // Every WAL at or above the MANIFEST's log number holds writes not yet in
  // any table. Numbers of all files found are marked used.
  std::vector<uint64_t> logs;
  for (const std::string* dir : {&dbname_, &wal_dir_}) {
    std::vector<std::string> children;
    s = env_->GetChildren(*dir, &children);
    if (!s.ok()) return s;
    for (const std::string& child : children) {
      uint64_t number;
      FileType type;
      if (!ParseFileName(child, &number, &type)) continue;
      next_file_number_ = std::max(next_file_number_, number + 1);
      if (dir == &wal_dir_ && type == FileType::kLogFile && number >= min_log_number) {
        logs.push_back(number);
      }
    }
  }
  std::sort(logs.begin(), logs.end());
  logs.erase(std::unique(logs.begin(), logs.end()), logs.end());

  mem_ = std::make_shared<MemTable>(&internal_comparator_);
  SequenceNumber max_sequence = *state.last_sequence();
  for (uint64_t number : logs) {
    s = ReplayLog(number, &max_sequence);
    if (!s.ok()) return s;
  }
  last_sequence_ = max_sequence;

  // What was replayed may sit only in the page cache (the previous process
  // died before syncing). Make it durable before any new write can be
  // acknowledged, so a power loss cannot keep a later synced write while
  // losing an earlier one.
  for (uint64_t number : logs) {
    std::unique_ptr<WritableFile> file;
    s = env_->NewAppendableFile(LogFileName(wal_dir_, number), &file);
    if (s.ok()) s = file->Sync();
    if (s.ok()) s = file->Close();
    if (!s.ok()) return s;
  }

  // A fresh WAL for new writes; its directory entry is made durable before
  // the first write lands in it.
  log_number_ = next_file_number_++;
  s = env_->NewWritableFile(LogFileName(wal_dir_, log_number_), &logfile_);
  if (s.ok()) s = env_->SyncDir(wal_dir_);
  if (!s.ok()) return s;
  log_ = std::make_unique<log::Writer>(logfile_.get(), log_number_);

  // Record the state in a new MANIFEST. The old logs are still needed (no
  // table holds their writes yet), so the log number does not advance.
  const uint64_t new_manifest = next_file_number_++;
  VersionEdit edit;
  edit.SetComparatorName(options_.comparator->Name());
  edit.SetLogNumber(min_log_number);
  edit.SetNextFileNumber(next_file_number_);
  edit.SetLastSequence(last_sequence_);
  s = InstallManifest(env_, dbname_, new_manifest, edit);
  if (!s.ok()) return s;
  RemoveObsoleteFiles(new_manifest, min_log_number);
  return Status::OK();
}

Status DBImpl::ReplayLog(uint64_t number, SequenceNumber* max_sequence) {
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

  // Validates a batch before any of it reaches the memtable, so a malformed
  // batch is skipped whole, never applied in part.
  struct Validator final : WriteBatch::Handler {
    void Put(const Slice&, const Slice&) override {}
    void Delete(const Slice&) override {}
  } validator;

  Slice record;
  std::string scratch;
  WriteBatch batch;
  while (reporter.first_error.ok() && reader.ReadRecord(&record, &scratch)) {
    if (record.size() < WriteBatchInternal::kHeader) {
      reporter.Corruption(record.size(), Status::Corruption(fname, "log record too small"));
      continue;
    }
    WriteBatchInternal::SetContents(&batch, record);
    s = batch.Iterate(&validator);
    if (!s.ok()) {
      reporter.Corruption(record.size(), Status::Corruption(fname, s.ToString()));
      continue;
    }
    s = WriteBatchInternal::InsertInto(&batch, mem_.get());
    if (!s.ok()) return s;  // validated above; cannot happen
    const uint32_t count = WriteBatchInternal::Count(&batch);
    if (count > 0) {
      *max_sequence =
          std::max(*max_sequence, WriteBatchInternal::Sequence(&batch) + count - 1);
    }
  }
  wal_corrupted_records_ += reporter.records;
  wal_corrupted_bytes_ += reporter.bytes;
  if (!reporter.first_error.ok()) return reporter.first_error;
  return reader.status();
}

void DBImpl::RemoveObsoleteFiles(uint64_t manifest_number, uint64_t min_log_number) {
  // Failures here leave garbage, never damage: ignore them.
  for (const std::string* dir : {&dbname_, &wal_dir_}) {
    std::vector<std::string> children;
    if (!env_->GetChildren(*dir, &children).ok()) continue;
    for (const std::string& child : children) {
      uint64_t number;
      FileType type;
      if (!ParseFileName(child, &number, &type)) continue;
      bool keep = true;
      switch (type) {
        case FileType::kLogFile: keep = number >= min_log_number; break;
        case FileType::kDescriptorFile: keep = dir != &dbname_ || number >= manifest_number; break;
        case FileType::kCurrentTempFile:
        case FileType::kTableTempFile: keep = false; break;
        default: break;
      }
      if (!keep) (void)env_->RemoveFile(*dir + "/" + child);
    }
  }
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
  Writer w(&mutex_);
  w.batch = updates;
  w.sync = options.sync;

  MutexLock l(&mutex_);
  writers_.push_back(&w);
  while (!w.done && &w != writers_.front()) w.cv.Wait();
  if (w.done) return w.status;  // a leader committed it for us

  // This writer leads a group.
  Status status = bg_error_;
  Writer* last_writer = &w;
  if (status.ok()) {
    bool sync = false;
    WriteBatch* group = BuildBatchGroup(&last_writer, &sync);
    const SequenceNumber first = last_sequence_ + 1;
    WriteBatchInternal::SetSequence(group, first);
    const uint32_t count = WriteBatchInternal::Count(group);
    user_bytes_written_ += WriteBatchInternal::ByteSize(group);
    write_groups_++;
    if (sync) synced_groups_++;
    MemTable* const mem = mem_.get();

    // Followers wait on their condition variables; only the leader touches
    // the WAL and inserts into the memtable, so the lock can be dropped.
    mutex_.Unlock();
    status = log_->AddRecord(WriteBatchInternal::Contents(group));
    if (status.ok() && sync) status = logfile_->Sync();
    if (status.ok()) status = WriteBatchInternal::InsertInto(group, mem);
    mutex_.Lock();

    if (status.ok()) {
      last_sequence_ = first + count - 1;  // publish the whole group at once
    } else {
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

Status DBImpl::Get(const ReadOptions& options, const Slice& key, std::string* value) {
  if (value == nullptr) return Status::InvalidArgument("Get", "value must not be null");
  std::shared_ptr<MemTable> mem;
  SequenceNumber sequence;
  {
    MutexLock l(&mutex_);
    sequence = options.snapshot != nullptr
                   ? static_cast<const SnapshotImpl*>(options.snapshot)->sequence
                   : last_sequence_;
    mem = mem_;
  }
  const LookupKey lkey(key, sequence);
  Status s;
  if (mem->Get(lkey, value, &s)) return s;
  return Status::NotFound(Slice());
}

std::unique_ptr<Iterator> DBImpl::NewIterator(const ReadOptions& options) {
  std::shared_ptr<MemTable> mem;
  SequenceNumber sequence;
  {
    MutexLock l(&mutex_);
    sequence = options.snapshot != nullptr
                   ? static_cast<const SnapshotImpl*>(options.snapshot)->sequence
                   : last_sequence_;
    mem = mem_;
  }
  std::unique_ptr<Iterator> internal = mem->NewIterator();
  return NewDBIterator(options_.comparator, std::move(internal), sequence, std::move(mem));
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

bool DBImpl::GetProperty(const Slice& property, std::string* value) {
  value->clear();
  Slice in = property;
  const Slice prefix("lsmkv.");
  if (!in.starts_with(prefix)) return false;
  in.remove_prefix(prefix.size());

  MutexLock l(&mutex_);
  const Slice level_prefix("num-files-at-level");
  if (in.starts_with(level_prefix)) {
    in.remove_prefix(level_prefix.size());
    const std::string level = in.ToString();
    if (level.size() != 1 || level[0] < '0' || level[0] > '6') return false;
    *value = "0";  // no tables exist before the SSTable milestone
    return true;
  }
  if (in == "approximate-memory-usage") {
    *value = std::to_string(mem_->ApproximateMemoryUsage());
    return true;
  }
  if (in == "sstables") {
    return true;  // no tables yet: an empty listing
  }
  if (in == "wal-corrupted-records") {
    *value = std::to_string(wal_corrupted_records_);
    return true;
  }
  if (in == "stats") {
    char buf[512];
    std::snprintf(buf, sizeof(buf),
                  "memtable: %" PRIu64 " entries, %zu bytes\n"
                  "last sequence: %" PRIu64 "\n"
                  "wal: %06" PRIu64 ".log, %" PRIu64 " bytes\n"
                  "user bytes written: %" PRIu64 "\n"
                  "write groups: %" PRIu64 " (%" PRIu64 " synced)\n"
                  "wal corrupted records skipped at open: %" PRIu64 " (%" PRIu64 " bytes)\n"
                  "tables: none (tables arrive with the SSTable milestone)\n",
                  mem_->num_entries(), mem_->ApproximateMemoryUsage(), last_sequence_,
                  log_number_, log_->size(), user_bytes_written_, write_groups_, synced_groups_,
                  wal_corrupted_records_, wal_corrupted_bytes_);
    *value = buf;
    return true;
  }
  return false;
}

Status DBImpl::Flush() {
  return Status::NotSupported("Flush", "tables arrive with the SSTable milestone");
}

Status DBImpl::CompactRange(const Slice*, const Slice*) {
  return Status::NotSupported("CompactRange", "compaction arrives with a later milestone");
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

Status RepairDB(const std::string&, const Options&) {
  return Status::NotSupported("RepairDB", "arrives with the reliability milestone");
}

}  // namespace lsmkv
