// Little-endian fixed-width and varint encodings used by every on-disk format
// (see docs/format.md). Varints use 7 bits per byte, low groups first, the
// high bit set on every byte but the last.
#ifndef LSMKV_UTIL_CODING_H_
#define LSMKV_UTIL_CODING_H_

#include <cstdint>
#include <cstring>
#include <string>

#include "lsmkv/slice.h"

namespace lsmkv {

constexpr int kMaxVarint32Bytes = 5;
constexpr int kMaxVarint64Bytes = 10;

inline void EncodeFixed32(char* dst, uint32_t value) {
  for (int i = 0; i < 4; i++) dst[i] = static_cast<char>(value >> (8 * i));
}
inline void EncodeFixed64(char* dst, uint64_t value) {
  for (int i = 0; i < 8; i++) dst[i] = static_cast<char>(value >> (8 * i));
}
inline uint32_t DecodeFixed32(const char* ptr) {
  const auto* p = reinterpret_cast<const uint8_t*>(ptr);
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}
inline uint64_t DecodeFixed64(const char* ptr) {
  return uint64_t{DecodeFixed32(ptr)} | (uint64_t{DecodeFixed32(ptr + 4)} << 32);
}

void PutFixed32(std::string* dst, uint32_t value);
void PutFixed64(std::string* dst, uint64_t value);
void PutVarint32(std::string* dst, uint32_t value);
void PutVarint64(std::string* dst, uint64_t value);
// varint32 length followed by the bytes.
void PutLengthPrefixedSlice(std::string* dst, const Slice& value);

// Write a varint at dst (which has room for kMaxVarint*Bytes); return the byte
// after it.
char* EncodeVarint32(char* dst, uint32_t value);
char* EncodeVarint64(char* dst, uint64_t value);
int VarintLength(uint64_t value);

// Parse from the front of *input and advance it. False on truncated or
// over-long input (input is then unspecified).
bool GetVarint32(Slice* input, uint32_t* value);
bool GetVarint64(Slice* input, uint64_t* value);
bool GetFixed32(Slice* input, uint32_t* value);
bool GetFixed64(Slice* input, uint64_t* value);
bool GetLengthPrefixedSlice(Slice* input, Slice* result);

// Parse a varint in [p, limit). Returns the byte after it, or nullptr when the
// varint is truncated or too long. Inline for the one-byte case (key and
// value lengths in memtable entries and blocks), which point reads decode
// at every comparison; longer varints take GetVarint32PtrSlow.
const char* GetVarint32PtrSlow(const char* p, const char* limit, uint32_t* value);
inline const char* GetVarint32Ptr(const char* p, const char* limit, uint32_t* value) {
  if (p < limit && (static_cast<uint8_t>(*p) & 0x80) == 0) {
    *value = static_cast<uint8_t>(*p);
    return p + 1;
  }
  return GetVarint32PtrSlow(p, limit, value);
}
const char* GetVarint64Ptr(const char* p, const char* limit, uint64_t* value);

}  // namespace lsmkv

#endif  // LSMKV_UTIL_CODING_H_
