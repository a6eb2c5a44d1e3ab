#include "util/hash.h"

// Header-only mode: the hash functions are compiled into this file, so neither
// lsmkv nor its static consumers link against libxxhash at run time.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace lsmkv {

uint64_t Hash64(const char* data, size_t n) { return XXH3_64bits(data, n); }

uint64_t Hash64WithSeed(const char* data, size_t n, uint64_t seed) {
  return XXH3_64bits_withSeed(data, n, seed);
}

}  // namespace lsmkv
