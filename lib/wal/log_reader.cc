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

// Offset of the first intact record of log_number (any type if
// starts_only is false, else FULL or FIRST only) in [p, p + n), or n.
size_t FindIntactRecord(const char* p, size_t n, uint32_t log_number, bool starts_only) {
  for (size_t i = 0; i + kHeaderSize <= n; i++) {
    const char* header = p + i;
    // Cheap filters first: the log number, then the type, then a length that fits.
    if (DecodeFixed32(header + 7) != log_number) continue;
    const uint8_t type = static_cast<uint8_t>(header[6]);
    if (starts_only && type != kFullType && type != kFirstType) continue;
    const size_t length = static_cast<uint8_t>(header[4]) |
                          (static_cast<size_t>(static_cast<uint8_t>(header[5])) << 8);
    if (i + kHeaderSize + length > n) continue;
    uint32_t crc = crc32c::Value(header + 4, kHeaderSize - 4);
    crc = crc32c::Extend(crc, header + kHeaderSize, length);
    if (crc == crc32c::Unmask(DecodeFixed32(header))) return i;
  }
  return n;
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
    const size_t in_block = (offset + i) % kBlockSize;
    if (in_block + kHeaderSize > kBlockSize) continue;  // block trailer: padding only
    const size_t found = FindIntactRecord(p + i, n - i, static_cast<uint32_t>(log_number),
                                          /*starts_only=*/true);
    if (found == n - i) return false;  // none at i or later
    i += found;
    const size_t at = (offset + i) % kBlockSize;
    const size_t length = static_cast<uint8_t>(p[i + 4]) |
                          (static_cast<size_t>(static_cast<uint8_t>(p[i + 5])) << 8);
    const size_t end = at + kHeaderSize + length;
    const bool full = static_cast<uint8_t>(p[i + 6]) == kFullType;
    if (full ? end <= kBlockSize : end == kBlockSize) return true;
  }
  return false;
}

bool Reader::ContainsIntactRecord(const char* p, size_t n) const {
  return FindIntactRecord(p, n, log_number_, /*starts_only=*/false) < n;
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
    const uint32_t length = static_cast<uint8_t>(header[4]) |
                            (static_cast<uint32_t>(static_cast<uint8_t>(header[5])) << 8);
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
