#include "db/builder.h"

#include "format/filename.h"

namespace lsmkv {

TableFileWriter::TableFileWriter(const std::string& dbname, Env* env, const TableOptions& options,
                                 TableCache* table_cache)
    : dbname_(dbname), env_(env), options_(options), table_cache_(table_cache) {}

TableFileWriter::~TableFileWriter() {
  if (builder_ != nullptr) Abandon();
}

Status TableFileWriter::Open(uint64_t number) {
  number_ = number;
  smallest_.clear();
  largest_.clear();
  min_seq_ = kMaxSequenceNumber;
  max_seq_ = 0;
  status_ = env_->NewWritableFile(TableTempFileName(dbname_, number), &file_);
  if (!status_.ok()) return status_;
  builder_ = std::make_unique<TableBuilder>(options_, file_.get(), env_->NowUnixSeconds());
  return status_;
}

void TableFileWriter::Add(const Slice& internal_key, const Slice& value) {
  ParsedInternalKey ikey;
  if (!ParseInternalKey(internal_key, &ikey)) {
    if (status_.ok()) status_ = Status::Corruption(TableFileName(dbname_, number_), "malformed internal key");
    return;
  }
  // The largest key is the builder's last key, taken at Finish (a copy
  // per entry here was ~2 % of a flush).
  if (smallest_.empty()) smallest_.assign(internal_key.data(), internal_key.size());
  min_seq_ = std::min(min_seq_, ikey.sequence);
  max_seq_ = std::max(max_seq_, ikey.sequence);
  if (ikey.type == kTypeDeletion) builder_->mutable_properties()->num_tombstones++;
  builder_->Add(internal_key, value);
}

Status TableFileWriter::Finish(FileMetaData* meta, const std::function<void()>& on_written) {
  Status s = status_;
  if (!smallest_.empty()) largest_ = builder_->last_key().ToString();
  TableProperties* props = builder_->mutable_properties();
  props->smallest_user_key = smallest_.empty() ? "" : ExtractUserKey(smallest_).ToString();
  props->largest_user_key = largest_.empty() ? "" : ExtractUserKey(largest_).ToString();
  props->smallest_sequence = min_seq_ == kMaxSequenceNumber ? 0 : min_seq_;
  props->largest_sequence = max_seq_;
  if (s.ok()) s = builder_->Finish();
  if (s.ok() && on_written) on_written();
  if (s.ok()) s = file_->Sync();
  if (s.ok()) s = file_->Close();
  const std::string tmp = TableTempFileName(dbname_, number_);
  const std::string fname = TableFileName(dbname_, number_);
  if (s.ok()) s = env_->RenameFile(tmp, fname);
  if (s.ok()) s = env_->SyncDir(dbname_);
  if (s.ok()) {
    meta->number = number_;
    meta->file_size = builder_->FileSize();
    meta->num_entries = builder_->NumEntries();
    meta->smallest = smallest_;
    meta->largest = largest_;
    // Read it back once: a table that does not open must not be recorded.
    std::shared_ptr<Table> table;
    s = table_cache_->FindTable(number_, meta->file_size, &table);
  }
  builder_.reset();
  file_.reset();
  if (!s.ok()) {
    (void)env_->RemoveFile(tmp);
    (void)env_->RemoveFile(fname);
  }
  return s;
}

void TableFileWriter::Abandon() {
  builder_.reset();
  if (file_ != nullptr) (void)file_->Close();
  file_.reset();
  (void)env_->RemoveFile(TableTempFileName(dbname_, number_));
}

Status BuildTable(const std::string& dbname, Env* env, const TableOptions& options,
                  TableCache* table_cache, Iterator* iter, FileMetaData* meta,
                  const std::function<void()>& on_written) {
  meta->file_size = 0;
  meta->num_entries = 0;
  iter->SeekToFirst();
  if (!iter->Valid()) return iter->status();
  TableFileWriter writer(dbname, env, options, table_cache);
  Status s = writer.Open(meta->number);
  if (!s.ok()) return s;
  for (; iter->Valid(); iter->Next()) writer.Add(iter->key(), iter->value());
  s = iter->status();
  if (!s.ok()) return s;  // the writer abandons the file
  const uint64_t number = meta->number;
  s = writer.Finish(meta, on_written);
  if (!s.ok()) {
    meta->number = number;
    meta->file_size = 0;
  }
  return s;
}

}  // namespace lsmkv
