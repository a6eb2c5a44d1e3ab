#include "version/version_edit.h"

#include "util/coding.h"

namespace lsmkv {

namespace {

// Tags are on disk, never renumber.
enum Tag : uint32_t {
  kComparator = 1,
  kLogNumber = 2,
  kNextFileNumber = 3,
  kLastSequence = 4,
  kCompactPointer = 5,
  kDeletedFile = 6,
  kNewFile = 7,
  kFormatVersion = 8,  // encoded first
};

bool GetLevel(Slice* input, int* level) {
  uint32_t v;
  if (!GetVarint32(input, &v) || v >= static_cast<uint32_t>(kNumLevels)) return false;
  *level = static_cast<int>(v);
  return true;
}

}  // namespace

void VersionEdit::EncodeTo(std::string* dst) const {
  if (format_version_) {
    PutVarint32(dst, kFormatVersion);
    PutVarint32(dst, *format_version_);
  }
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
  for (const auto& [level, key] : compact_pointers_) {
    PutVarint32(dst, kCompactPointer);
    PutVarint32(dst, static_cast<uint32_t>(level));
    PutLengthPrefixedSlice(dst, key);
  }
  for (const auto& [level, number] : deleted_files_) {
    PutVarint32(dst, kDeletedFile);
    PutVarint32(dst, static_cast<uint32_t>(level));
    PutVarint64(dst, number);
  }
  for (const auto& [level, f] : new_files_) {
    PutVarint32(dst, kNewFile);
    PutVarint32(dst, static_cast<uint32_t>(level));
    PutVarint64(dst, f.number);
    PutVarint64(dst, f.file_size);
    PutLengthPrefixedSlice(dst, f.smallest);
    PutLengthPrefixedSlice(dst, f.largest);
    PutVarint64(dst, f.num_entries);
  }
}

Status VersionEdit::DecodeFrom(const Slice& src) {
  *this = VersionEdit();
  Slice input = src;
  uint32_t tag;
  const auto bad = [](const char* what) { return Status::Corruption("VersionEdit", what); };
  while (!input.empty()) {
    if (!GetVarint32(&input, &tag)) return bad("bad tag");
    uint64_t number;
    Slice str;
    int level;
    uint32_t version;
    switch (tag) {
      case kFormatVersion:
        if (!GetVarint32(&input, &version) || version == 0) return bad("bad format version");
        if (version > kDbFormatVersion) {
          return Status::NotSupported("DB format version " + std::to_string(version),
                                      "written by a newer lsmkv; this build reads up to version " +
                                          std::to_string(kDbFormatVersion));
        }
        if (IsRetiredLzDbFormatVersion(version)) {
          return Status::NotSupported(
              "DB format version " + std::to_string(version),
              "its tables may hold blocks of the retired lz codec, which this build no longer "
              "reads (it reads DB format versions 1 and " + std::to_string(kDbFormatVersion) + ")");
        }
        format_version_ = version;
        break;
      case kComparator:
        if (!GetLengthPrefixedSlice(&input, &str)) return bad("bad comparator name");
        comparator_ = str.ToString();
        break;
      case kLogNumber:
        if (!GetVarint64(&input, &number)) return bad("bad log number");
        log_number_ = number;
        break;
      case kNextFileNumber:
        if (!GetVarint64(&input, &number)) return bad("bad next file number");
        next_file_number_ = number;
        break;
      case kLastSequence:
        if (!GetVarint64(&input, &number) || number > kMaxSequenceNumber) {
          return bad("bad last sequence");
        }
        last_sequence_ = number;
        break;
      case kCompactPointer:
        if (!GetLevel(&input, &level) || !GetLengthPrefixedSlice(&input, &str) ||
            str.size() < kInternalKeyTrailerBytes) {
          return bad("bad compaction pointer");
        }
        compact_pointers_.emplace_back(level, str.ToString());
        break;
      case kDeletedFile:
        if (!GetLevel(&input, &level) || !GetVarint64(&input, &number)) {
          return bad("bad deleted file");
        }
        deleted_files_.emplace(level, number);
        break;
      case kNewFile: {
        FileMetaData f;
        Slice smallest, largest;
        if (!GetLevel(&input, &level) || !GetVarint64(&input, &f.number) ||
            !GetVarint64(&input, &f.file_size) || !GetLengthPrefixedSlice(&input, &smallest) ||
            !GetLengthPrefixedSlice(&input, &largest) || !GetVarint64(&input, &f.num_entries) ||
            smallest.size() < kInternalKeyTrailerBytes || largest.size() < kInternalKeyTrailerBytes) {
          return bad("bad new file");
        }
        f.smallest = smallest.ToString();
        f.largest = largest.ToString();
        new_files_.emplace_back(level, std::move(f));
        break;
      }
      default:
        return bad(("unknown tag " + std::to_string(tag)).c_str());
    }
  }
  return Status::OK();
}

}  // namespace lsmkv
