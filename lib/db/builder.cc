#include "db/builder.h"

#include "format/dbformat.h"
#include "format/filename.h"
#include "table/table_builder.h"

namespace lsmkv {

Status BuildTable(const std::string& dbname, Env* env, const TableOptions& options,
                  TableCache* table_cache, Iterator* iter, FileMetaData* meta) {
  meta->file_size = 0;
  meta->num_entries = 0;
  iter->SeekToFirst();
  if (!iter->Valid()) return iter->status();

  const std::string tmp = TableTempFileName(dbname, meta->number);
  const std::string fname = TableFileName(dbname, meta->number);
  std::unique_ptr<WritableFile> file;
  Status s = env->NewWritableFile(tmp, &file);
  if (!s.ok()) return s;

  TableBuilder builder(options, file.get(), env->NowUnixSeconds());
  TableProperties* props = builder.mutable_properties();
  meta->smallest = iter->key().ToString();
  SequenceNumber min_seq = kMaxSequenceNumber, max_seq = 0;
  for (; iter->Valid(); iter->Next()) {
    const Slice key = iter->key();
    ParsedInternalKey ikey;
    if (!ParseInternalKey(key, &ikey)) {
      s = Status::Corruption(fname, "malformed internal key in memtable");
      break;
    }
    min_seq = std::min(min_seq, ikey.sequence);
    max_seq = std::max(max_seq, ikey.sequence);
    if (ikey.type == kTypeDeletion) props->num_tombstones++;
    meta->largest.assign(key.data(), key.size());
    builder.Add(key, iter->value());
  }
  if (s.ok()) s = iter->status();
  if (s.ok()) {
    props->smallest_user_key = ExtractUserKey(meta->smallest).ToString();
    props->largest_user_key = ExtractUserKey(meta->largest).ToString();
    props->smallest_sequence = min_seq;
    props->largest_sequence = max_seq;
    s = builder.Finish();
  }
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = file->Close();
  file.reset();
  if (s.ok()) s = env->RenameFile(tmp, fname);
  if (s.ok()) s = env->SyncDir(dbname);
  if (s.ok()) {
    meta->file_size = builder.FileSize();
    meta->num_entries = builder.NumEntries();
    // Read it back once: a table that does not open must not be recorded.
    std::shared_ptr<Table> table;
    s = table_cache->FindTable(meta->number, meta->file_size, &table);
  }
  if (!s.ok()) {
    (void)env->RemoveFile(tmp);
    (void)env->RemoveFile(fname);
    meta->file_size = 0;
  }
  return s;
}

}  // namespace lsmkv
