// 64-bit XXH3 hashing (libxxhash), used for block checksums and bloom filters.
// xxhash.h stays out of every header: callers see only these functions.
#ifndef LSMKV_UTIL_HASH_H_
#define LSMKV_UTIL_HASH_H_

#include <cstddef>
#include <cstdint>

#include "lsmkv/slice.h"

namespace lsmkv {

uint64_t Hash64(const char* data, size_t n);
inline uint64_t Hash64(const Slice& s) { return Hash64(s.data(), s.size()); }

// Hash with a seed, for independent hash functions over the same bytes.
uint64_t Hash64WithSeed(const char* data, size_t n, uint64_t seed);

}  // namespace lsmkv

#endif  // LSMKV_UTIL_HASH_H_
