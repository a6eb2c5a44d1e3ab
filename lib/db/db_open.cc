// DBImpl::Open: locks the directory, creates or recovers the DB (MANIFEST,
// then WAL replay into level-0 tables) and starts a new WAL.
#include "db/db_impl.h"

#include <algorithm>
#include <vector>

#include "db/write_batch_internal.h"
#include "format/filename.h"
#include "version/version_edit.h"
#include "wal/log_reader.h"

namespace lsmkv {

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

}  // namespace lsmkv
