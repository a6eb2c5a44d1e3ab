#include "util/lz.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>

#include "util/coding.h"

namespace lsmkv {

namespace {

constexpr size_t kMinMatch = 4;
constexpr size_t kMaxOffset = 65535;  // offsets are fixed16
constexpr unsigned kNibbleMax = 15;   // a token nibble of 15 means "varint follows"
constexpr int kHashBits = 12;

inline uint32_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

inline uint32_t HashOf(uint32_t four_bytes) { return (four_bytes * 2654435761u) >> (32 - kHashBits); }

// Number of equal bytes at a and b (a < b), not looking at or past `limit`.
size_t CommonLength(const char* a, const char* b, const char* limit) {
  const char* const start = b;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  while (limit - b >= 8) {
    uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    if (x != y) return static_cast<size_t>(b - start) + (__builtin_ctzll(x ^ y) >> 3);
    a += 8;
    b += 8;
  }
#endif
  while (b < limit && *a == *b) {
    a++;
    b++;
  }
  return static_cast<size_t>(b - start);
}

// Writes sequences into a fixed buffer and fails instead of growing past it.
class SequenceWriter {
 public:
  SequenceWriter(char* begin, char* end) : op_(begin), end_(end) {}

  // Appends one sequence: `literal_length` bytes from `literals`, then (when
  // match_length > 0) a back-reference. False if it does not fit.
  bool Put(const char* literals, size_t literal_length, size_t offset, size_t match_length) {
    const size_t literal_extra = literal_length >= kNibbleMax ? literal_length - kNibbleMax : 0;
    const size_t match_code = match_length == 0 ? 0 : match_length - kMinMatch;
    const size_t match_extra = match_code >= kNibbleMax ? match_code - kNibbleMax : 0;
    size_t need = 1 + literal_length;
    if (literal_length >= kNibbleMax) need += VarintLength(literal_extra);
    if (match_length > 0) need += 2 + (match_code >= kNibbleMax ? VarintLength(match_extra) : 0);
    if (need > static_cast<size_t>(end_ - op_)) return false;

    *op_++ = static_cast<char>(std::min<size_t>(literal_length, kNibbleMax) << 4 |
                               std::min<size_t>(match_code, kNibbleMax));
    if (literal_length >= kNibbleMax) op_ = EncodeVarint32(op_, static_cast<uint32_t>(literal_extra));
    std::memcpy(op_, literals, literal_length);
    op_ += literal_length;
    if (match_length > 0) {
      *op_++ = static_cast<char>(offset & 0xff);
      *op_++ = static_cast<char>(offset >> 8);
      if (match_code >= kNibbleMax) op_ = EncodeVarint32(op_, static_cast<uint32_t>(match_extra));
    }
    return true;
  }

  char* position() const { return op_; }

 private:
  char* op_;
  char* const end_;
};

}  // namespace

bool LzCompress(const Slice& input, size_t max_output, std::string* output) {
  const size_t n = input.size();
  if (n > std::numeric_limits<uint32_t>::max()) return false;
  output->resize(max_output);
  char* const out = output->data();
  if (max_output < static_cast<size_t>(VarintLength(n))) return false;
  SequenceWriter writer(EncodeVarint32(out, static_cast<uint32_t>(n)), out + max_output);

  const char* const in = input.data();
  const char* const in_end = in + n;
  // table[h] = position of the last 4-byte group with hash h. Stale or
  // colliding entries are harmless: a candidate is used only after its
  // bytes are compared.
  uint32_t table[1 << kHashBits];
  std::memset(table, 0, sizeof(table));

  const char* anchor = in;  // first byte not yet emitted
  const char* p = in + 1;   // position 0 cannot be a match: nothing precedes it
  unsigned misses = 0;
  while (in_end - p >= static_cast<ptrdiff_t>(kMinMatch)) {
    const uint32_t h = HashOf(Load32(p));
    const char* candidate = in + table[h];
    table[h] = static_cast<uint32_t>(p - in);
    const size_t offset = static_cast<size_t>(p - candidate);
    if (offset == 0 || offset > kMaxOffset || Load32(candidate) != Load32(p)) {
      // Step faster through data that does not compress.
      const size_t step = 1 + (misses++ >> 5);
      if (static_cast<size_t>(in_end - p) < step + kMinMatch) break;
      p += step;
      continue;
    }
    misses = 0;
    // Extend backwards into the pending literals, then forwards.
    while (p > anchor && candidate > in && p[-1] == candidate[-1]) {
      p--;
      candidate--;
    }
    const size_t length = kMinMatch + CommonLength(candidate + kMinMatch, p + kMinMatch, in_end);
    if (!writer.Put(anchor, static_cast<size_t>(p - anchor), offset, length)) return false;
    p += length;
    anchor = p;
    // Index a position inside the match so the next repeat finds it.
    if (in_end - p >= static_cast<ptrdiff_t>(kMinMatch)) {
      table[HashOf(Load32(p - 2))] = static_cast<uint32_t>(p - 2 - in);
    }
  }
  if (anchor < in_end && !writer.Put(anchor, static_cast<size_t>(in_end - anchor), 0, 0)) return false;
  output->resize(static_cast<size_t>(writer.position() - out));
  return true;
}

bool LzDecompressedSize(const Slice& input, size_t* size) {
  uint32_t raw;
  if (GetVarint32Ptr(input.data(), input.data() + input.size(), &raw) == nullptr) return false;
  *size = raw;
  return true;
}

namespace {

// Reads a length extension (varint32) at *ip; the common one-byte case
// inline. False if it is malformed or runs past `limit`.
inline bool AddLengthExtension(const char** ip, const char* limit, size_t* length) {
  if (*ip < limit && static_cast<uint8_t>(**ip) < 0x80) {
    *length += static_cast<uint8_t>(*(*ip)++);
    return true;
  }
  uint32_t extra;
  if ((*ip = GetVarint32Ptr(*ip, limit, &extra)) == nullptr) return false;
  *length += extra;
  return true;
}

constexpr size_t kChunk = 16;

// Copies n bytes in 16-byte chunks, so up to 15 bytes past n are read and
// written. REQUIRES: both ranges have room for n rounded up to 16, and
// dst >= src + 16 or the ranges do not overlap.
inline void CopyChunks(char* dst, const char* src, size_t n) {
  for (size_t i = 0; i < n; i += kChunk) std::memcpy(dst + i, src + i, kChunk);
}

inline size_t RoundUpToChunk(size_t n) { return (n + kChunk - 1) & ~(kChunk - 1); }

}  // namespace

bool LzDecompress(const Slice& input, char* out, size_t size) {
  const char* ip = input.data();
  const char* const ip_end = ip + input.size();
  uint32_t raw;
  ip = GetVarint32Ptr(ip, ip_end, &raw);
  if (ip == nullptr || raw != size) return false;
  char* op = out;
  char* const op_end = out + size;
  while (op < op_end) {
    if (ip == ip_end) return false;
    const unsigned token = static_cast<uint8_t>(*ip++);
    size_t literal_length = token >> 4;
    if (literal_length == kNibbleMax && !AddLengthExtension(&ip, ip_end, &literal_length)) return false;
    const size_t input_left = static_cast<size_t>(ip_end - ip);
    const size_t output_left = static_cast<size_t>(op_end - op);
    if (literal_length > input_left || literal_length > output_left) return false;
    // Away from the ends of both buffers, copy whole chunks (the bytes
    // written past the literals are overwritten by what follows).
    if (RoundUpToChunk(literal_length) <= std::min(input_left, output_left)) {
      CopyChunks(op, ip, literal_length);
    } else {
      std::memcpy(op, ip, literal_length);
    }
    op += literal_length;
    ip += literal_length;
    size_t match_length = token & kNibbleMax;
    if (op == op_end) {
      // The sequence that completes the output carries no back-reference.
      if (match_length != 0) return false;
      break;
    }
    if (ip_end - ip < 2) return false;
    const size_t offset = static_cast<uint8_t>(ip[0]) | static_cast<size_t>(static_cast<uint8_t>(ip[1])) << 8;
    ip += 2;
    if (match_length == kNibbleMax && !AddLengthExtension(&ip, ip_end, &match_length)) return false;
    match_length += kMinMatch;
    if (offset == 0 || offset > static_cast<size_t>(op - out) ||
        match_length > static_cast<size_t>(op_end - op)) {
      return false;
    }
    const char* const src = op - offset;
    if (offset >= kChunk && RoundUpToChunk(match_length) <= static_cast<size_t>(op_end - op)) {
      CopyChunks(op, src, match_length);
      op += match_length;
      continue;
    }
    // Near the end, or an overlapping match (offset < length) that repeats
    // a period of `offset` bytes: copy from the fixed source in chunks that
    // double each time, so no copy overlaps its own destination.
    char* const match_end = op + match_length;
    while (op < match_end) {
      const size_t chunk = std::min(static_cast<size_t>(match_end - op), static_cast<size_t>(op - src));
      std::memcpy(op, src, chunk);
      op += chunk;
    }
  }
  return ip == ip_end;
}

}  // namespace lsmkv
