#include "format/dbformat.h"

namespace lsmkv {

void AppendInternalKey(std::string* result, const Slice& user_key, SequenceNumber seq,
                       ValueType type) {
  result->append(user_key.data(), user_key.size());
  PutFixed64(result, PackSequenceAndType(seq, type));
}

bool ParseInternalKey(const Slice& internal_key, ParsedInternalKey* result) {
  if (internal_key.size() < kInternalKeyTrailerBytes) return false;
  const uint64_t trailer = ExtractTrailer(internal_key);
  const uint8_t type = trailer & 0xff;
  if (type > kTypeValue) return false;
  result->user_key = ExtractUserKey(internal_key);
  result->sequence = trailer >> 8;
  result->type = static_cast<ValueType>(type);
  return true;
}

void InternalKeyComparator::FindShortestSeparator(std::string* start, const Slice& limit) const {
  const Slice user_start = ExtractUserKey(*start);
  const Slice user_limit = ExtractUserKey(limit);
  std::string tmp(user_start.data(), user_start.size());
  user_->FindShortestSeparator(&tmp, user_limit);
  if (tmp.size() < user_start.size() && user_->Compare(user_start, tmp) < 0) {
    // A shorter, physically larger user key: the earliest possible trailer
    // keeps it sorted before every version of itself.
    PutFixed64(&tmp, PackSequenceAndType(kMaxSequenceNumber, kValueTypeForSeek));
    start->swap(tmp);
  }
}

void InternalKeyComparator::FindShortSuccessor(std::string* key) const {
  const Slice user_key = ExtractUserKey(*key);
  std::string tmp(user_key.data(), user_key.size());
  user_->FindShortSuccessor(&tmp);
  if (tmp.size() < user_key.size() && user_->Compare(user_key, tmp) < 0) {
    PutFixed64(&tmp, PackSequenceAndType(kMaxSequenceNumber, kValueTypeForSeek));
    key->swap(tmp);
  }
}

LookupKey::LookupKey(const Slice& user_key, SequenceNumber sequence) {
  const size_t internal_size = user_key.size() + kInternalKeyTrailerBytes;
  const size_t needed = kMaxVarint32Bytes + internal_size;
  char* dst = inline_;
  if (needed > kInlineBytes) {
    heap_.reset(new char[needed]);
    dst = heap_.get();
  }
  start_ = dst;
  dst = EncodeVarint32(dst, static_cast<uint32_t>(internal_size));
  key_start_ = dst;
  std::memcpy(dst, user_key.data(), user_key.size());
  dst += user_key.size();
  EncodeFixed64(dst, PackSequenceAndType(sequence, kValueTypeForSeek));
  end_ = dst + kInternalKeyTrailerBytes;
}

}  // namespace lsmkv
