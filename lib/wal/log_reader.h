// log::Reader reads the logical records of one log file (see log_format.h).
//
// What counts as damage:
//  - A torn tail, the remains of a write cut short by a crash at the end of
//    the file (a partial header, a record running past the end, a record
//    whose checksum fails with nothing but zeros after it, zero-filled space,
//    or a fragmented record missing its end): a clean end of the log. Its
//    size is available as torn_tail_bytes().
//  - SYNC_MARK records (see log_format.h) are not returned; they raise
//    synced_offset().
//  - Anything else (checksum mismatch with data after it, a bad type, a
//    length past the block, a record naming another log, fragments out of
//    order): reported to the Reporter with the file offset and the number of
//    bytes dropped; reading continues with the next block.
//
// Thread safety: externally synchronized.
#ifndef LSMKV_WAL_LOG_READER_H_
#define LSMKV_WAL_LOG_READER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "lsmkv/env.h"
#include "lsmkv/slice.h"
#include "lsmkv/status.h"
#include "wal/log_format.h"

namespace lsmkv::log {

// Whether a physical record of log `log_number` that starts a logical
// record lies intact (header, log number and checksum all right) in `data`,
// whose first byte is at file offset `offset`, at a place the writer could
// have put one: a FULL record inside its block, a FIRST fragment ending
// exactly at its block's end. For deciding whether damage in a log sits in
// its last record only: orphaned MIDDLE and LAST fragments, which a torn
// record can leave, do not count.
bool ContainsIntactRecordStart(const Slice& data, uint64_t offset, uint64_t log_number);

class Reader {
 public:
  class Reporter {
   public:
    virtual ~Reporter();
    // `bytes` bytes were dropped; status says where and why.
    virtual void Corruption(size_t bytes, const Status& status) = 0;
    // The same, with the file offset where the dropped bytes start. The
    // reader calls this one; by default it forwards to Corruption.
    virtual void CorruptionAt(uint64_t offset, size_t bytes, const Status& status);
  };

  // file and reporter (may be nullptr) must outlive the Reader. fname is used
  // in messages only. Records must carry log_number.
  Reader(SequentialFile* file, std::string fname, Reporter* reporter, uint64_t log_number);
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Reads the next logical record into *record, which may point into
  // *scratch or the Reader's buffer and stays valid until the next call.
  // False at the end of the log (or after a read error, then status()).
  bool ReadRecord(Slice* record, std::string* scratch);

  // For logs that sync every record before writing the next (the
  // MANIFEST): at most the last record can be torn, so a record that runs
  // past the end of the file with an intact record inside the bytes it
  // would cover had its length damaged: reported as corruption instead of
  // read as a torn tail. (Not for the WAL: after a power loss, unsynced
  // later pages may survive where earlier ones did not.)
  void set_records_synced_one_by_one() { records_synced_one_by_one_ = true; }

  // Starts reading at `offset`, which must be where a logical record (or
  // the zero padding at a block's end) starts, e.g. a NextRecordOffset()
  // of an earlier Reader of the same file. Call before the first read.
  Status StartAt(uint64_t offset);

  // File offset where the last returned record started.
  uint64_t LastRecordOffset() const { return last_record_offset_; }
  // File offset just past the last returned record: where the next one
  // starts (once it is written).
  uint64_t NextRecordOffset() const { return end_of_buffer_offset_ - buffer_.size(); }
  // Bytes at the end of the file recognised as a torn tail.
  uint64_t torn_tail_bytes() const { return torn_tail_bytes_; }
  // The highest offset a SYNC_MARK record read so far vouches for (every
  // byte of the log before it was durable); 0 if none was read.
  uint64_t synced_offset() const { return synced_offset_; }
  // An I/O error met while reading, if any.
  Status status() const { return read_status_; }

 private:
  // Physical record outcomes beyond RecordType.
  enum : int { kEof = kMaxRecordType + 1, kBadRecord = kMaxRecordType + 2 };

  int ReadPhysicalRecord(Slice* result, uint64_t* record_offset);
  // Reads the next block into buffer_; sets eof_ on a short read.
  void ReadBlock();
  void ReportCorruption(uint64_t offset, size_t bytes, const char* reason);
  // REQUIRES: buffer_ is all zeros. Consumes it and every following block
  // that is all zeros. True if that reached the end of the file; otherwise
  // buffer_ holds the first block with a non-zero byte and *zeros counts
  // the zero bytes consumed.
  bool ConsumeZerosToEnd(size_t* zeros);
  // Whether an intact record of this log (header, log number and checksum
  // all right) starts anywhere in [p, p + n).
  bool ContainsIntactRecord(const char* p, size_t n) const;
  // Marks everything left in the buffer as torn tail and ends the log.
  int EndWithTornTail(size_t bytes);

  SequentialFile* const file_;
  const std::string fname_;
  Reporter* const reporter_;
  const uint32_t log_number_;
  std::unique_ptr<char[]> backing_store_;
  Slice buffer_;  // unread part of the current block
  bool eof_ = false;  // the last read returned less than a block
  bool records_synced_one_by_one_ = false;
  uint64_t end_of_buffer_offset_ = 0;  // file offset just past buffer_
  uint64_t last_record_offset_ = 0;
  uint64_t torn_tail_bytes_ = 0;
  uint64_t synced_offset_ = 0;
  Status read_status_;
};

}  // namespace lsmkv::log

#endif  // LSMKV_WAL_LOG_READER_H_
