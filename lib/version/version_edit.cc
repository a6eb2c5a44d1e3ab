#include "version/version_edit.h"

#include "util/coding.h"

namespace lsmkv {

namespace {

// Tags are on disk, never renumber. 5..7 are reserved for table files and
// compaction pointers (see docs/format.md).
enum Tag : uint32_t {
  kComparator = 1,
  kLogNumber = 2,
  kNextFileNumber = 3,
  kLastSequence = 4,
};

}  // namespace

void VersionEdit::EncodeTo(std::string* dst) const {
  if (comparator_) {
    PutVarint32(dst, kComparator);
    PutLengthPrefixedSlice(dst, *comparator_);
  }
  if (log_number_) {
    PutVarint32(dst, kLogNumber);
    PutVarint64(dst, *log_number_);
  }
  if (next_file_number_) {
    PutVarint32(dst, kNextFileNumber);
    PutVarint64(dst, *next_file_number_);
  }
  if (last_sequence_) {
    PutVarint32(dst, kLastSequence);
    PutVarint64(dst, *last_sequence_);
  }
}

Status VersionEdit::DecodeFrom(const Slice& src) {
  *this = VersionEdit();
  Slice input = src;
  uint32_t tag;
  while (!input.empty()) {
    if (!GetVarint32(&input, &tag)) return Status::Corruption("VersionEdit", "bad tag");
    uint64_t number;
    Slice str;
    switch (tag) {
      case kComparator:
        if (!GetLengthPrefixedSlice(&input, &str)) {
          return Status::Corruption("VersionEdit", "bad comparator name");
        }
        comparator_ = str.ToString();
        break;
      case kLogNumber:
        if (!GetVarint64(&input, &number)) return Status::Corruption("VersionEdit", "bad log number");
        log_number_ = number;
        break;
      case kNextFileNumber:
        if (!GetVarint64(&input, &number)) {
          return Status::Corruption("VersionEdit", "bad next file number");
        }
        next_file_number_ = number;
        break;
      case kLastSequence:
        if (!GetVarint64(&input, &number) || number > kMaxSequenceNumber) {
          return Status::Corruption("VersionEdit", "bad last sequence");
        }
        last_sequence_ = number;
        break;
      default:
        return Status::Corruption("VersionEdit", "unknown tag " + std::to_string(tag));
    }
  }
  return Status::OK();
}

void VersionEdit::MergeFrom(const VersionEdit& other) {
  if (other.comparator_) comparator_ = other.comparator_;
  if (other.log_number_) log_number_ = other.log_number_;
  if (other.next_file_number_) next_file_number_ = other.next_file_number_;
  if (other.last_sequence_) last_sequence_ = other.last_sequence_;
}

}  // namespace lsmkv
