// Record format shared by the write-ahead log and the MANIFEST. The file is a
// sequence of 32 KiB blocks; each block holds whole physical records:
//
//   masked crc32c (4) ‖ length (2, LE) ‖ type (1) ‖ log number (4, LE) ‖ payload
//
// The CRC covers length, type, log number and payload, so a damaged length is
// caught directly and bytes left over from another log never replay. A
// logical record too big for the rest of a block is split into FIRST,
// MIDDLE..., LAST fragments. SYNC_MARK records (WAL only) sit between
// logical records. Fewer than kHeaderSize bytes left at the end of a
// block are zero-filled. Full description: docs/format.md ("Log files").
#ifndef LSMKV_WAL_LOG_FORMAT_H_
#define LSMKV_WAL_LOG_FORMAT_H_

#include <cstddef>
#include <cstdint>

namespace lsmkv::log {

// On disk, never renumber.
enum RecordType : uint8_t {
  kZeroType = 0,  // never written; zero-filled space reads as this
  kFullType = 1,
  kFirstType = 2,
  kMiddleType = 3,
  kLastType = 4,
  // Not part of any logical record. Payload: fixed64 offset; every byte of
  // this log before that offset was durable (fsynced) when the mark was
  // written, and so was every earlier WAL of the DB. Lets recovery tell
  // media damage from the losses of a power cut. Since DB format 3.
  kSyncMarkType = 5,
};
constexpr uint8_t kMaxRecordType = kSyncMarkType;
constexpr size_t kSyncMarkPayloadSize = 8;

constexpr size_t kBlockSize = 32768;
constexpr size_t kHeaderSize = 4 + 2 + 1 + 4;

}  // namespace lsmkv::log

#endif  // LSMKV_WAL_LOG_FORMAT_H_
