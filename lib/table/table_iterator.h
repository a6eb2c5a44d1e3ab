// TableIterator: the iterator over one table's entries: a two-level
// iterator whose index is the table's pinned index block and whose inner
// iterator is one BlockIter re-pointed at each data block it reaches
// (read through the block cache). A level iterator keeps one TableIterator
// for all the tables of its level and re-points it too (ResetTableIterator).
//
// Thread safety: externally synchronized.
#ifndef LSMKV_TABLE_TABLE_ITERATOR_H_
#define LSMKV_TABLE_TABLE_ITERATOR_H_

#include <memory>

#include "lsmkv/options.h"
#include "table/block_iter.h"
#include "table/table.h"
#include "table/two_level_iterator.h"

namespace lsmkv {

// Opens the data blocks of the table the iterator is on.
struct DataBlockOpener {
  std::shared_ptr<const Table> table;  // nullptr until ResetTableIterator
  ReadOptions options;
  // Where the data blocks are read from: nullptr for the table's own file
  // (see ResetTableIterator).
  const RandomAccessFile* data_file = nullptr;

  Status Open(const Slice& encoded_handle, BlockIter* inner) const {
    std::shared_ptr<const Block> block;
    Status s = table->ReadDataBlock(options, encoded_handle, &block, data_file);
    if (s.ok()) inner->Reset(std::move(block));
    return s;
  }
};

using TableIterator = TwoLevelIterator<BlockIter, BlockIter, DataBlockOpener>;

// What a TableIterator is built from (see TwoLevelIterator): the
// comparator of the tables it will read, for the index and the data block
// iterators.
struct TableIteratorArgs {
  const Comparator* index;
  const Comparator* inner;
  DataBlockOpener opener;
};

// A TableIterator on no table yet (not valid, status OK) for tables
// ordered by `comparator`, reading with `options`.
inline TableIteratorArgs EmptyTableIteratorArgs(const Comparator* comparator,
                                                const ReadOptions& options) {
  return TableIteratorArgs{comparator, comparator, DataBlockOpener{nullptr, options}};
}

// Points *it at table (not positioned: not valid until the next seek),
// forgetting the previous table's position and status. The iterator keeps
// the table alive until it is pointed elsewhere or destroyed. data_file:
// read the data blocks (those not in the block cache) from it instead of
// the table's own file; it must be a reader of the same file, used by
// this iterator only, and must outlive the iterator's use of the table.
// REQUIRES: table orders its keys with the comparator *it was built for.
inline void ResetTableIterator(TableIterator* it, std::shared_ptr<const Table> table,
                               const RandomAccessFile* data_file = nullptr) {
  it->index().Reset(table->index_block());
  it->opener().table = std::move(table);
  it->opener().data_file = data_file;
  it->Restart();
}

}  // namespace lsmkv

#endif  // LSMKV_TABLE_TABLE_ITERATOR_H_
