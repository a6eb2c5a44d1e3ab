// Table: a reader of one table file. The index block, the filter block and
// the properties stay in memory (pinned) while the Table lives; data blocks
// go through the block cache.
//
// Thread safety: immutable after Open; safe for concurrent use. Iterators
// keep the Table alive (Tables are owned by std::shared_ptr).
#ifndef LSMKV_TABLE_TABLE_H_
#define LSMKV_TABLE_TABLE_H_

#include <functional>
#include <memory>
#include <string>

#include "lsmkv/env.h"
#include "lsmkv/iterator.h"
#include "lsmkv/options.h"
#include "table/block.h"
#include "table/format.h"
#include "table/table_options.h"
#include "table/table_properties.h"
#include "util/bloom.h"

namespace lsmkv {

class Table : public std::enable_shared_from_this<Table> {
 public:
  // Reads and checks the footer (every handle must lie inside the file),
  // then the index, filter and properties blocks. cache_id keys this
  // table's blocks in the block cache (the file number). Corruption on any
  // damage, naming fname.
  static Status Open(const TableOptions& options, const std::string& fname,
                     std::unique_ptr<RandomAccessFile> file, uint64_t file_size,
                     uint64_t cache_id, std::shared_ptr<Table>* table);

  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) const;

  // The index block: one entry per data block, a key >= every key of the
  // block and <= every key of the next, mapped to the encoded BlockHandle.
  // For inspection tools (lsmkv dump-sst).
  std::unique_ptr<Iterator> NewIndexIterator() const;

  enum class GetResult { kFilteredOut, kNotInTable, kFound };
  // Looks for the first entry with key >= target in the only block that can
  // hold it. kFilteredOut: the bloom filter excluded filter_key(target)
  // without reading a data block. kFound: found(arg, key, value) was called
  // with that entry (the caller checks whether key is the one it wanted;
  // the slices are valid during the call only). No heap allocation beyond
  // reading the data block.
  Status Get(const ReadOptions& options, const Slice& target, GetResult* result, void* arg,
             Block::EntryFn found) const;
  // The same, copying the entry into *key and *value.
  Status Get(const ReadOptions& options, const Slice& target, GetResult* result,
             std::string* key, std::string* value) const;

  // About where in the file the data of internal keys >= key begins: the
  // offset of the data block that would hold key (from the pinned index,
  // no I/O), or the end of the data blocks when key is past the last one.
  uint64_t ApproximateOffsetOf(const Slice& key) const;

  // False when the bloom filter rules out filter_key(target): the table
  // holds no such key. True without a filter. Reads no data block.
  bool MayContain(const Slice& target) const;

  const TableProperties& properties() const { return properties_; }
  bool has_filter() const { return !filter_.empty(); }
  // Bytes kept in memory for this table (index, filter, properties).
  size_t PinnedBytes() const;
  const std::string& fname() const { return fname_; }
  // Where the data blocks end: the offset of the first block after them.
  uint64_t data_end() const { return data_end_; }
  // See RandomAccessFile::DropResidentPages.
  void DropResidentPages() const { file_->DropResidentPages(); }
  const Comparator* comparator() const { return options_.comparator; }
  // The pinned index block (for the table iterator, table_iterator.h).
  const std::shared_ptr<const Block>& index_block() const { return index_block_; }

  // The data block at the encoded handle (a value of the index block),
  // from the block cache or the file: the table's own, or `from` when
  // given (another reader of the same file, e.g. a compaction's
  // ReadaheadFile; it must be used by one thread at a time, this one).
  Status ReadDataBlock(const ReadOptions& options, const Slice& encoded_handle,
                       std::shared_ptr<const Block>* block,
                       const RandomAccessFile* from = nullptr) const;

 private:
  Table(const TableOptions& options, std::string fname, std::unique_ptr<RandomAccessFile> file,
        uint64_t cache_id);

  const TableOptions options_;
  const std::string fname_;
  const std::unique_ptr<RandomAccessFile> file_;
  const uint64_t cache_id_;
  std::shared_ptr<const Block> index_block_;
  std::string filter_;  // empty: no filter
  BloomFilterView filter_view_;  // over filter_ (set once at Open)
  TableProperties properties_;
  uint64_t data_end_ = 0;  // offset of the first block after the data blocks
  // file_->Read copies into the scratch it is given (pread) rather than
  // pointing into a mapping: learnt from the footer read at Open, passed
  // to ReadBlock (see there).
  bool file_copies_ = false;
};

}  // namespace lsmkv

#endif  // LSMKV_TABLE_TABLE_H_
