// TableBuilder: writes a table file from keys added in sorted order.
//
//   [data block]* [filter block] [properties block] [index block] [footer]
//
// Each block is followed by its trailer (format.h). Layout in
// docs/format.md ("Table files").
//
// Thread safety: externally synchronized.
#ifndef LSMKV_TABLE_TABLE_BUILDER_H_
#define LSMKV_TABLE_TABLE_BUILDER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "lsmkv/env.h"
#include "lsmkv/status.h"
#include "table/block_builder.h"
#include "table/format.h"
#include "table/table_options.h"
#include "table/table_properties.h"
#include "util/bloom.h"

namespace lsmkv {

class TableBuilder {
 public:
  // file must outlive the builder; the builder neither syncs nor closes it.
  TableBuilder(const TableOptions& options, WritableFile* file, uint64_t creation_time);
  TableBuilder(const TableBuilder&) = delete;
  TableBuilder& operator=(const TableBuilder&) = delete;

  // REQUIRES: key > every key added before (options.comparator).
  void Add(const Slice& key, const Slice& value);

  // Properties the caller knows better than the table layer (user key
  // range, sequence range, tombstones); set them before Finish.
  TableProperties* mutable_properties() { return &props_; }

  // Writes the remaining blocks and the footer.
  Status Finish();

  // The last key added. REQUIRES: before Finish (which may shorten it).
  Slice last_key() const { return Slice(last_key_); }

  Status status() const { return status_; }
  uint64_t NumEntries() const { return props_.num_entries; }
  // Bytes written so far (the final file size after Finish).
  uint64_t FileSize() const { return offset_; }

 private:
  void FlushDataBlock();
  // Compresses (if worthwhile) and writes a block with its trailer.
  BlockHandle WriteBlock(const Slice& raw, bool compressible);

  const TableOptions options_;
  WritableFile* const file_;
  Status status_;
  uint64_t offset_ = 0;
  BlockBuilder data_block_;
  // Every index entry is a restart point: an index seek (every Get and
  // iterator seek makes one per table) is a binary search with no scan.
  BlockBuilder index_block_{1};
  std::unique_ptr<BloomFilterBuilder> filter_;
  std::string last_key_;
  // After a data block is written, its index entry waits for the next key
  // so the separator can be short.
  bool pending_index_entry_ = false;
  BlockHandle pending_handle_;
  std::string compressed_;  // scratch
  TableProperties props_;
  bool finished_ = false;
};

}  // namespace lsmkv

#endif  // LSMKV_TABLE_TABLE_BUILDER_H_
