// CRC32C (Castagnoli polynomial, reflected 0x82F63B78), as used by iSCSI and
// ext4. Uses the SSE4.2 crc32 instruction when the CPU has it, else a
// slicing-by-8 table. Checked against the RFC 3720 test vectors.
#ifndef LSMKV_UTIL_CRC32C_H_
#define LSMKV_UTIL_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace lsmkv::crc32c {

// CRC32C of concat(A, data[0,n)) where init_crc is the CRC32C of A.
uint32_t Extend(uint32_t init_crc, const char* data, size_t n);

inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }

// The portable table implementation, exposed for tests and benchmarks.
uint32_t ExtendPortable(uint32_t init_crc, const char* data, size_t n);
// True when Extend uses the SSE4.2 instruction.
bool IsHardwareAccelerated();

// A CRC stored next to the data it covers is masked: computing the CRC of a
// string that itself contains CRCs gives poor results otherwise.
constexpr uint32_t kMaskDelta = 0xa282ead8u;

inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }

inline uint32_t Unmask(uint32_t masked_crc) {
  const uint32_t rot = masked_crc - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace lsmkv::crc32c

#endif  // LSMKV_UTIL_CRC32C_H_
