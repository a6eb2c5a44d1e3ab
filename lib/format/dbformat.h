// Internal keys: how the engine tags every user key with a sequence number
// and a type so that many versions of one key can coexist.
//
//   internal key = user key ‖ fixed64 little-endian ((sequence << 8) | type)
//
// Internal keys sort by user key ascending (user comparator), then by the
// 8-byte trailer descending: for one user key the newest version comes first.
// Byte layout in docs/format.md.
#ifndef LSMKV_FORMAT_DBFORMAT_H_
#define LSMKV_FORMAT_DBFORMAT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "lsmkv/comparator.h"
#include "lsmkv/slice.h"
#include "util/coding.h"
#include "util/compare.h"

namespace lsmkv {

using SequenceNumber = uint64_t;

// Sequence numbers take 56 bits, leaving 8 for the type.
constexpr SequenceNumber kMaxSequenceNumber = (uint64_t{1} << 56) - 1;

// On disk (internal key trailer, WAL write batches), never renumber.
enum ValueType : uint8_t {
  kTypeDeletion = 0x0,  // tombstone
  kTypeValue = 0x1,     // put
};
// Seeking to (key, seq) must find every version of key with sequence <= seq;
// since the trailer sorts descending, the seek uses the highest type.
constexpr ValueType kValueTypeForSeek = kTypeValue;

constexpr size_t kInternalKeyTrailerBytes = 8;

inline uint64_t PackSequenceAndType(SequenceNumber seq, ValueType type) {
  return (seq << 8) | type;
}

struct ParsedInternalKey {
  Slice user_key;
  SequenceNumber sequence = 0;
  ValueType type = kTypeValue;
};

void AppendInternalKey(std::string* result, const Slice& user_key, SequenceNumber seq,
                       ValueType type);

// False when the key is shorter than its trailer or has an unknown type.
bool ParseInternalKey(const Slice& internal_key, ParsedInternalKey* result);

// REQUIRES: internal_key.size() >= 8
inline Slice ExtractUserKey(const Slice& internal_key) {
  return Slice(internal_key.data(), internal_key.size() - kInternalKeyTrailerBytes);
}
inline uint64_t ExtractTrailer(const Slice& internal_key) {
  return DecodeFixed64(internal_key.data() + internal_key.size() - kInternalKeyTrailerBytes);
}

// The order of two internal keys with equal user keys: the higher
// (sequence, type) trailer, the newer entry, first.
__attribute__((always_inline)) inline int CompareTrailers(const Slice& a, const Slice& b) {
  const uint64_t at = ExtractTrailer(a);
  const uint64_t bt = ExtractTrailer(b);
  return at > bt ? -1 : at < bt ? +1 : 0;
}

// The internal key order for the bytewise user comparator, always inlined
// for the iterators' per-step comparisons.
// REQUIRES: a.size() >= 8, b.size() >= 8
__attribute__((always_inline)) inline int CompareInternalKeysBytewise(const Slice& a,
                                                                      const Slice& b) {
  const int r = CompareBytes(a.data(), a.size() - kInternalKeyTrailerBytes, b.data(),
                             b.size() - kInternalKeyTrailerBytes);
  return r != 0 ? r : CompareTrailers(a, b);
}

// Orders internal keys as described above. Borrows the user comparator,
// which must outlive it.
//
// Compare is inline (and the class final) so callers holding an
// InternalKeyComparator* compare without a virtual call; with the bytewise
// user comparator, user keys are compared inline too.
class InternalKeyComparator final : public Comparator {
 public:
  explicit InternalKeyComparator(const Comparator* user)
      : user_(user), user_is_bytewise_(user == BytewiseComparator()) {}

  const char* Name() const override { return "lsmkv.InternalKeyComparator"; }
  int Compare(const Slice& a, const Slice& b) const override {
    const size_t an = a.size() - kInternalKeyTrailerBytes;
    const size_t bn = b.size() - kInternalKeyTrailerBytes;
    const int r = user_is_bytewise_ ? CompareBytes(a.data(), an, b.data(), bn)
                                    : user_->Compare(Slice(a.data(), an), Slice(b.data(), bn));
    return r != 0 ? r : CompareTrailers(a, b);
  }
  void FindShortestSeparator(std::string* start, const Slice& limit) const override;
  void FindShortSuccessor(std::string* key) const override;

  const Comparator* user_comparator() const { return user_; }
  bool user_is_bytewise() const { return user_is_bytewise_; }

 private:
  const Comparator* const user_;
  const bool user_is_bytewise_;
};

// The key a point lookup searches for, in the three forms the layers need:
//   memtable_key = varint32(internal key length) ‖ internal_key
//   internal_key = user_key ‖ trailer(sequence, kValueTypeForSeek)
class LookupKey {
 public:
  LookupKey(const Slice& user_key, SequenceNumber sequence);
  LookupKey(const LookupKey&) = delete;
  LookupKey& operator=(const LookupKey&) = delete;

  Slice memtable_key() const { return Slice(start_, end_ - start_); }
  Slice internal_key() const { return Slice(key_start_, end_ - key_start_); }
  Slice user_key() const { return Slice(key_start_, end_ - key_start_ - 8); }

 private:
  // Keys up to this size (with length prefix and trailer) are built in
  // inline_ without touching the heap; longer ones in heap_.
  static constexpr size_t kInlineBytes = 128;
  char inline_[kInlineBytes];
  std::unique_ptr<char[]> heap_;
  const char* start_;
  const char* key_start_;
  const char* end_;
};

}  // namespace lsmkv

#endif  // LSMKV_FORMAT_DBFORMAT_H_
