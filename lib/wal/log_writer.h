// log::Writer appends records to a log file (see log_format.h).
//
// Thread safety: externally synchronized (in the DB, only the write-group
// leader appends to the WAL).
#ifndef LSMKV_WAL_LOG_WRITER_H_
#define LSMKV_WAL_LOG_WRITER_H_

#include <cstdint>

#include "lsmkv/env.h"
#include "lsmkv/slice.h"
#include "lsmkv/status.h"
#include "wal/log_format.h"

namespace lsmkv::log {

class Writer {
 public:
  // dest must outlive the Writer and be empty, or hold dest_length bytes
  // written by an earlier Writer for the same log_number.
  Writer(WritableFile* dest, uint64_t log_number, uint64_t dest_length = 0);
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Appends one logical record and flushes it to the OS (one write(2) for
  // the whole record), so it survives a process crash. Durability against
  // power loss needs dest->Sync() afterwards.
  Status AddRecord(const Slice& payload);

  // Appends a kSyncMarkType record saying that the first `synced_offset`
  // bytes of this log (and every earlier WAL) are durable. Flushed to the
  // OS like a record; not synced. REQUIRES: SyncMarkFits() (a mark is never
  // split or preceded by padding; the caller tries again later).
  Status AddSyncMark(uint64_t synced_offset);
  bool SyncMarkFits() const { return kBlockSize - block_offset_ >= kHeaderSize + kSyncMarkPayloadSize; }

  // Bytes written so far.
  uint64_t size() const { return size_; }

 private:
  // Zero-fills the rest of the block when fewer than min_bytes are left.
  Status PadBlockIfNeeded(size_t min_bytes);
  Status EmitPhysicalRecord(RecordType type, const char* ptr, size_t length);

  WritableFile* const dest_;
  const uint32_t log_number_;  // low 32 bits of the file number
  size_t block_offset_;        // position inside the current block
  uint64_t size_;
};

}  // namespace lsmkv::log

#endif  // LSMKV_WAL_LOG_WRITER_H_
