// Three-way byte-wise comparison, 8 bytes at a time: the hot path of the
// bytewise comparator (every iterator step and every seek compares keys),
// without a call into libc's memcmp for short keys.
#ifndef LSMKV_UTIL_COMPARE_H_
#define LSMKV_UTIL_COMPARE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace lsmkv {

// <0, 0, >0 as [a, a + an) sorts before, equal to, or after [b, b + bn),
// comparing bytes as unsigned; a proper prefix sorts first.
inline int CompareBytes(const char* a, size_t an, const char* b, size_t bn) {
  size_t n = an < bn ? an : bn;
  while (n >= 8) {
    uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    if (x != y) {
      // Big-endian order makes the first differing byte the most significant.
      x = __builtin_bswap64(x);
      y = __builtin_bswap64(y);
      return x < y ? -1 : 1;
    }
    a += 8;
    b += 8;
    n -= 8;
  }
  for (; n > 0; n--, a++, b++) {
    if (*a != *b) return static_cast<unsigned char>(*a) < static_cast<unsigned char>(*b) ? -1 : 1;
  }
  return an < bn ? -1 : (an > bn ? 1 : 0);
}

}  // namespace lsmkv

#endif  // LSMKV_UTIL_COMPARE_H_
