// ReadaheadFile: a RandomAccessFile for one reader going front to back (a
// compaction reading an input table). A read the window it holds does not
// cover fetches `readahead` bytes from the read's offset in one call on the
// file below, so a table read block by block costs one system call per
// `readahead` bytes instead of one per block; the window lives in a buffer
// of the file's own, reused, not in the process's mapped pages.
//
// The slice a Read returns points into that window (or wherever the file
// below put the bytes) and stays valid only until the next Read: the
// caller must copy or decode it first (Block::Read does).
//
// Thread safety: NOT safe for concurrent use, unlike other
// RandomAccessFiles: one reader at a time.
#ifndef LSMKV_ENV_READAHEAD_FILE_H_
#define LSMKV_ENV_READAHEAD_FILE_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>

#include "lsmkv/env.h"

namespace lsmkv {

class ReadaheadFile final : public RandomAccessFile {
 public:
  // readahead > 0: bytes fetched per refill (and the buffer's size).
  // limit: where the part the reader goes through ends (a table's data
  // blocks; the index and filter after them are read elsewhere). A refill
  // that starts before it stops there, unless the read itself goes further.
  ReadaheadFile(std::unique_ptr<RandomAccessFile> file, size_t readahead,
                uint64_t limit = std::numeric_limits<uint64_t>::max());

  // From the window when it holds [offset, offset + n); otherwise refills
  // the window at offset (a read longer than the window goes straight to
  // the file below, into scratch). Errors are the file below's.
  Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override;

  void DropResidentPages() const override { file_->DropResidentPages(); }

  // Calls on the file below so far (refills and long reads), and the bytes
  // they asked for, for tests.
  uint64_t reads_below() const { return reads_below_; }
  uint64_t bytes_asked_below() const { return bytes_asked_below_; }

 private:
  const std::unique_ptr<RandomAccessFile> file_;
  const size_t readahead_;
  const uint64_t limit_;
  // The window: bytes [window_offset_, window_offset_ + window_.size()) of
  // the file, in buffer_ or where the file below returned them. Mutable:
  // Read is const in the interface, and this file has one reader.
  const std::unique_ptr<char[]> buffer_;
  mutable uint64_t window_offset_ = 0;
  mutable Slice window_;
  mutable uint64_t reads_below_ = 0;
  mutable uint64_t bytes_asked_below_ = 0;
};

}  // namespace lsmkv

#endif  // LSMKV_ENV_READAHEAD_FILE_H_
