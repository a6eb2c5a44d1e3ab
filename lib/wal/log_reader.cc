#include "wal/log_reader.h"

#include <algorithm>
#include <cstdio>

#include "util/coding.h"
#include "util/crc32c.h"

namespace lsmkv::log {

namespace {

bool AllZero(const char* p, size_t n) {
  return std::all_of(p, p + n, [](char c) { return c == 0; });
}

// The payload length in a record header.
size_t RecordLength(const char* header) {
  return static_cast<uint8_t>(header[4]) | (static_cast<size_t>(static_cast<uint8_t>(header[5])) << 8);
}

// Whether an intact record of log_number (log number and checksum right,
// payload inside the `room` bytes from header) starts at header.
bool IntactRecordAt(const char* header, size_t room, uint32_t log_number) {
  // Cheap filters first: the log number, then a length that fits.
  if (room < kHeaderSize || DecodeFixed32(header + 7) != log_number) return false;
  const size_t length = RecordLength(header);
  if (kHeaderSize + length > room) return false;
  uint32_t crc = crc32c::Value(header + 4, kHeaderSize - 4);
  crc = crc32c::Extend(crc, header + kHeaderSize, length);
  return crc == crc32c::Unmask(DecodeFixed32(header));
}

}  // namespace

Reader::Reporter::~Reporter() = default;

void Reader::Reporter::CorruptionAt(uint64_t /*offset*/, size_t bytes, const Status& status) {
  Corruption(bytes, status);
}

Reader::Reader(SequentialFile* file, std::string fname, Reporter* reporter, uint64_t log_number)
    : file_(file),
      fname_(std::move(fname)),
      reporter_(reporter),
      log_number_(static_cast<uint32_t>(log_number)),
      backing_store_(new char[kBlockSize]) {}

void Reader::ReportCorruption(uint64_t offset, size_t bytes, const char* reason) {
  if (reporter_ == nullptr) return;
  char buf[160];
  std::snprintf(buf, sizeof(buf), "%s at offset %llu, %zu bytes dropped", reason,
                static_cast<unsigned long long>(offset), bytes);
  reporter_->CorruptionAt(offset, bytes, Status::Corruption(fname_, buf));
}

Status Reader::StartAt(uint64_t offset) {
  const uint64_t block_start = offset - offset % kBlockSize;
  if (block_start > 0) {
    Status s = file_->Skip(block_start);
    if (!s.ok()) return s;
  }
  end_of_buffer_offset_ = block_start;
  ReadBlock();
  if (!read_status_.ok()) return read_status_;
  buffer_.remove_prefix(std::min<uint64_t>(offset - block_start, buffer_.size()));
  return Status::OK();
}

void Reader::ReadBlock() {
  buffer_.clear();
  Status s = file_->Read(kBlockSize, &buffer_, backing_store_.get());
  end_of_buffer_offset_ += buffer_.size();
  if (!s.ok()) {
    read_status_ = s;
    buffer_.clear();
    eof_ = true;
  } else if (buffer_.size() < kBlockSize) {
    eof_ = true;
  }
}

bool Reader::ConsumeZerosToEnd(size_t* zeros) {
  while (true) {
    *zeros += buffer_.size();
    buffer_.clear();
    if (eof_) return true;
    ReadBlock();
    if (!AllZero(buffer_.data(), buffer_.size())) return false;
  }
}

bool ContainsIntactRecordStart(const Slice& data, uint64_t offset, uint64_t log_number) {
  const char* p = data.data();
  const size_t n = data.size();
  for (size_t i = 0; i + kHeaderSize <= n; i++) {
    const char* header = p + i;
    const uint8_t type = static_cast<uint8_t>(header[6]);
    if (type != kFullType && type != kFirstType) continue;
    // Where the writer puts them: a FULL record inside its block, a FIRST
    // fragment up to its block's end exactly.
    const size_t end = (offset + i) % kBlockSize + kHeaderSize + RecordLength(header);
    if (type == kFullType ? end > kBlockSize : end != kBlockSize) continue;
    if (IntactRecordAt(header, n - i, static_cast<uint32_t>(log_number))) return true;
  }
  return false;
}

bool Reader::ContainsIntactRecord(const char* p, size_t n) const {
  for (size_t i = 0; i + kHeaderSize <= n; i++) {
    if (IntactRecordAt(p + i, n - i, log_number_)) return true;
  }
  return false;
}

int Reader::EndWithTornTail(size_t bytes) {
  torn_tail_bytes_ += bytes;
  buffer_.clear();
  return kEof;
}

bool Reader::ReadRecord(Slice* record, std::string* scratch) {
  scratch->clear();
  record->clear();
  bool in_fragmented_record = false;
  uint64_t prospective_offset = 0;  // start of the record being assembled

  Slice fragment;
  while (true) {
    uint64_t physical_offset = 0;
    const int type = ReadPhysicalRecord(&fragment, &physical_offset);
    switch (type) {
      case kFullType:
        if (in_fragmented_record) {
          ReportCorruption(prospective_offset, scratch->size(), "fragmented record without end");
          scratch->clear();
        }
        last_record_offset_ = physical_offset;
        *record = fragment;
        return true;

      case kFirstType:
        if (in_fragmented_record) {
          ReportCorruption(prospective_offset, scratch->size(), "fragmented record without end");
        }
        prospective_offset = physical_offset;
        scratch->assign(fragment.data(), fragment.size());
        in_fragmented_record = true;
        break;

      case kMiddleType:
        if (!in_fragmented_record) {
          ReportCorruption(physical_offset, fragment.size(), "middle fragment without start");
        } else {
          scratch->append(fragment.data(), fragment.size());
        }
        break;

      case kLastType:
        if (!in_fragmented_record) {
          ReportCorruption(physical_offset, fragment.size(), "last fragment without start");
          break;
        }
        scratch->append(fragment.data(), fragment.size());
        last_record_offset_ = prospective_offset;
        *record = Slice(*scratch);
        return true;

      case kSyncMarkType:
        if (in_fragmented_record) {
          // Marks are written between logical records only.
          ReportCorruption(prospective_offset, scratch->size(), "fragmented record without end");
          scratch->clear();
          in_fragmented_record = false;
        }
        if (fragment.size() != kSyncMarkPayloadSize) {
          ReportCorruption(physical_offset, fragment.size(), "bad sync mark");
        } else {
          synced_offset_ = std::max(synced_offset_, DecodeFixed64(fragment.data()));
        }
        break;

      case kEof:
        if (in_fragmented_record) {
          // The writer died between fragments: part of the torn tail.
          torn_tail_bytes_ += scratch->size();
          scratch->clear();
        }
        return false;

      case kBadRecord:
        if (in_fragmented_record) {
          ReportCorruption(prospective_offset, scratch->size(), "fragmented record cut by damage");
          in_fragmented_record = false;
          scratch->clear();
        }
        break;

      default:
        ReportCorruption(physical_offset, fragment.size(), "unknown record type");
        in_fragmented_record = false;
        scratch->clear();
        break;
    }
  }
}

int Reader::ReadPhysicalRecord(Slice* result, uint64_t* record_offset) {
  while (true) {
    if (buffer_.size() < kHeaderSize) {
      if (!eof_) {
        // The rest of the block is padding; move to the next block.
        ReadBlock();
        continue;
      }
      // A header cut short by the end of the file: torn tail (or nothing).
      return EndWithTornTail(buffer_.size());
    }

    *record_offset = end_of_buffer_offset_ - buffer_.size();
    const char* header = buffer_.data();
    const uint32_t length = static_cast<uint32_t>(RecordLength(header));
    const uint8_t type = static_cast<uint8_t>(header[6]);

    if (type == kZeroType && length == 0 && DecodeFixed32(header) == 0) {
      // Zero-filled space: at the end of the file a torn tail (a file
      // extended but never written); elsewhere damage.
      size_t zeros = 0;
      if (AllZero(buffer_.data(), buffer_.size())) {
        if (ConsumeZerosToEnd(&zeros)) {
          torn_tail_bytes_ += zeros;
          return kEof;
        }
        // buffer_ now holds the next block with data in it.
      } else {
        zeros = buffer_.size();  // drop the rest of this block
        buffer_.clear();
      }
      ReportCorruption(*record_offset, zeros, "zeroed bytes");
      return kBadRecord;
    }

    if (kHeaderSize + length > buffer_.size()) {
      const bool torn = eof_ && !(records_synced_one_by_one_ &&
                                  ContainsIntactRecord(buffer_.data() + 1, buffer_.size() - 1));
      if (torn) return EndWithTornTail(buffer_.size());  // record runs past the end
      const size_t dropped = buffer_.size();
      buffer_.clear();
      ReportCorruption(*record_offset, dropped, "bad record length");
      return kBadRecord;
    }

    const uint32_t expected = crc32c::Unmask(DecodeFixed32(header));
    uint32_t actual = crc32c::Value(header + 4, kHeaderSize - 4);
    actual = crc32c::Extend(actual, header + kHeaderSize, length);
    if (actual != expected) {
      const size_t record_end = kHeaderSize + length;
      size_t dropped = buffer_.size();
      if (AllZero(buffer_.data() + record_end, buffer_.size() - record_end)) {
        size_t zeros = 0;
        buffer_.remove_prefix(record_end);
        if (ConsumeZerosToEnd(&zeros)) {
          // The damaged record ended the file: a write cut short by a crash.
          torn_tail_bytes_ += record_end + zeros;
          return kEof;
        }
        dropped = record_end + zeros;
      } else {
        buffer_.clear();  // the rest of this block cannot be trusted
      }
      ReportCorruption(*record_offset, dropped, "checksum mismatch");
      return kBadRecord;
    }

    if (DecodeFixed32(header + 7) != log_number_) {
      const size_t dropped = buffer_.size();
      buffer_.clear();
      ReportCorruption(*record_offset, dropped, "record of another log");
      return kBadRecord;
    }

    buffer_.remove_prefix(kHeaderSize + length);
    *result = Slice(header + kHeaderSize, length);
    return type;
  }
}

}  // namespace lsmkv::log
