// Block: an immutable, decoded block (see block_builder.h for the layout)
// and an iterator over it. Blocks are shared (block cache, iterators) through
// std::shared_ptr.
//
// Thread safety: a Block is immutable; iterators are externally
// synchronized.
#ifndef LSMKV_TABLE_BLOCK_H_
#define LSMKV_TABLE_BLOCK_H_

#include <memory>
#include <string>

#include "lsmkv/comparator.h"
#include "lsmkv/iterator.h"
#include "table/format.h"

namespace lsmkv {

class Block {
 public:
  // Takes the block's bytes. A malformed restart array makes every iterator
  // report Corruption.
  explicit Block(BlockContents contents);
  // Copies the bytes (for small blocks built in memory).
  explicit Block(const std::string& contents);
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  // Reads the block at handle (checksum verified, then decoded) into a
  // Block that shares one heap allocation with its bytes and its
  // shared_ptr's count: one allocation per block read, where a Block built
  // from BlockContents takes three (bytes, Block with count, and for a
  // compressed block read through pread the stored bytes). Errors as
  // ReadBlock reports them.
  static Status Read(const RandomAccessFile* file, const std::string& fname,
                     const BlockHandle& handle, std::shared_ptr<const Block>* block);

  size_t size() const { return size_; }

  // The iterator keeps `block` alive. comparator must outlive it.
  static std::unique_ptr<Iterator> NewIterator(std::shared_ptr<const Block> block,
                                               const Comparator* comparator);

  // A point lookup without an iterator on the heap: finds the first entry
  // >= target and calls found(arg, key, value) with it (key is valid during
  // the call only; value points into the block). OK when there is none;
  // Corruption on damage.
  using EntryFn = void (*)(void* arg, const Slice& key, const Slice& value);
  static Status SeekFirstAtOrAfter(const Block& block, const Comparator* comparator,
                                   const Slice& target, void* arg, EntryFn found);

 private:
  friend class BlockIter;
  template <typename T>
  friend class TrailingBytesAllocator;  // builds Read's blocks
  // Read's blocks: `size` bytes at *bytes (set by the allocation, before
  // construction), in the same allocation, filled in after construction
  // (then ParseRestarts).
  Block(char* const* bytes, size_t size);
  void ParseRestarts();

  const std::unique_ptr<char[]> owned_;  // nullptr when the bytes share our allocation
  const char* const data_;  // owned_.get(), or the bytes after this object
  const size_t size_;
  uint32_t restart_offset_ = 0;  // offset of the restart array
  uint32_t num_restarts_ = 0;
  bool malformed_ = false;
};

}  // namespace lsmkv

#endif  // LSMKV_TABLE_BLOCK_H_
