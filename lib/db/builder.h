// Writing table files durably.
//
// TableFileWriter writes one table from internal keys added in order:
//   NNNNNN.sst.tmp → fsync → close → rename to NNNNNN.sst → fsync the dir,
// then reopens it through the table cache to check it reads back. It fills
// the properties that need internal keys (user-key range, sequence range,
// tombstones) and the FileMetaData the MANIFEST records.
//
// BuildTable writes a whole iterator (a memtable) as one level-0 table.
#ifndef LSMKV_DB_BUILDER_H_
#define LSMKV_DB_BUILDER_H_

#include <functional>
#include <memory>
#include <string>

#include "db/table_cache.h"
#include "format/dbformat.h"
#include "lsmkv/env.h"
#include "lsmkv/iterator.h"
#include "table/table_builder.h"
#include "table/table_options.h"
#include "version/version_edit.h"

namespace lsmkv {

class TableFileWriter {
 public:
  // Everything borrowed must outlive the writer.
  TableFileWriter(const std::string& dbname, Env* env, const TableOptions& options,
                  TableCache* table_cache);
  TableFileWriter(const TableFileWriter&) = delete;
  TableFileWriter& operator=(const TableFileWriter&) = delete;
  ~TableFileWriter();  // abandons an unfinished file

  Status Open(uint64_t number);
  // REQUIRES: Open succeeded; keys ascending.
  void Add(const Slice& internal_key, const Slice& value);
  uint64_t FileSize() const { return builder_ == nullptr ? 0 : builder_->FileSize(); }
  uint64_t NumEntries() const { return builder_ == nullptr ? 0 : builder_->NumEntries(); }
  bool is_open() const { return builder_ != nullptr; }
  // Finishes, syncs, renames and verifies the file; *meta describes it.
  // on_written (if set) is called once the table's bytes are all handed
  // to the file, before the sync: the CPU part of the job is done.
  Status Finish(FileMetaData* meta, const std::function<void()>& on_written = {});
  // Removes the unfinished file.
  void Abandon();

 private:
  const std::string dbname_;
  Env* const env_;
  const TableOptions options_;
  TableCache* const table_cache_;
  uint64_t number_ = 0;
  std::unique_ptr<WritableFile> file_;
  std::unique_ptr<TableBuilder> builder_;
  std::string smallest_, largest_;
  SequenceNumber min_seq_ = kMaxSequenceNumber, max_seq_ = 0;
  Status status_;
};

// meta->number must be set. On success meta describes the file; an empty
// iterator produces no file (meta->file_size == 0). On failure nothing is
// left behind but possibly the .tmp file (deleted at the next Open).
// on_written: as TableFileWriter::Finish's (not called for an empty
// iterator, nor when building failed before the bytes were written).
Status BuildTable(const std::string& dbname, Env* env, const TableOptions& options,
                  TableCache* table_cache, Iterator* iter, FileMetaData* meta,
                  const std::function<void()>& on_written = {});

}  // namespace lsmkv

#endif  // LSMKV_DB_BUILDER_H_
