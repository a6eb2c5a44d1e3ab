#include "wal/log_writer.h"

#include <cassert>

#include "util/coding.h"
#include "util/crc32c.h"

namespace lsmkv::log {

Writer::Writer(WritableFile* dest, uint64_t log_number, uint64_t dest_length)
    : dest_(dest),
      log_number_(static_cast<uint32_t>(log_number)),
      block_offset_(dest_length % kBlockSize),
      size_(dest_length) {}

Status Writer::AddRecord(const Slice& payload) {
  const char* ptr = payload.data();
  size_t left = payload.size();
  // An empty payload still emits one (empty) FULL record.
  bool begin = true;
  Status s;
  do {
    s = PadBlockIfNeeded(kHeaderSize);
    if (!s.ok()) return s;
    const size_t avail = kBlockSize - block_offset_ - kHeaderSize;
    const size_t fragment = left < avail ? left : avail;
    const bool end = (left == fragment);
    RecordType type;
    if (begin && end) type = kFullType;
    else if (begin) type = kFirstType;
    else if (end) type = kLastType;
    else type = kMiddleType;
    s = EmitPhysicalRecord(type, ptr, fragment);
    ptr += fragment;
    left -= fragment;
    begin = false;
  } while (s.ok() && left > 0);
  if (s.ok()) s = dest_->Flush();
  return s;
}

Status Writer::AddSyncMark(uint64_t synced_offset) {
  assert(SyncMarkFits());
  char payload[kSyncMarkPayloadSize];
  EncodeFixed64(payload, synced_offset);
  Status s = EmitPhysicalRecord(kSyncMarkType, payload, sizeof(payload));
  if (s.ok()) s = dest_->Flush();
  return s;
}

Status Writer::PadBlockIfNeeded(size_t min_bytes) {
  const size_t leftover = kBlockSize - block_offset_;
  if (leftover >= min_bytes) return Status::OK();
  // Too small for a header: zero-fill and start a new block (readers skip
  // fewer than kHeaderSize bytes at a block's end).
  static constexpr char kZeros[kHeaderSize] = {};
  if (leftover > 0) {
    Status s = dest_->Append(Slice(kZeros, leftover));
    if (!s.ok()) return s;
    size_ += leftover;
  }
  block_offset_ = 0;
  return Status::OK();
}

Status Writer::EmitPhysicalRecord(RecordType type, const char* ptr, size_t length) {
  assert(length <= 0xffff);
  assert(block_offset_ + kHeaderSize + length <= kBlockSize);
  char header[kHeaderSize];
  header[4] = static_cast<char>(length & 0xff);
  header[5] = static_cast<char>(length >> 8);
  header[6] = static_cast<char>(type);
  EncodeFixed32(header + 7, log_number_);
  uint32_t crc = crc32c::Value(header + 4, kHeaderSize - 4);
  crc = crc32c::Extend(crc, ptr, length);
  EncodeFixed32(header, crc32c::Mask(crc));

  Status s = dest_->Append(Slice(header, kHeaderSize));
  if (s.ok()) s = dest_->Append(Slice(ptr, length));
  block_offset_ += kHeaderSize + length;
  size_ += kHeaderSize + length;
  return s;
}

}  // namespace lsmkv::log
