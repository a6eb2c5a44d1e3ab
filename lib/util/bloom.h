// Cache-local Bloom filter over a set of keys. Each key's probes all fall in
// one 64-byte cache line chosen by its hash, so a lookup costs one cache
// miss. Hash: 64-bit XXH3. Layout in docs/format.md ("Filter block").
//
// Thread safety: the builder is externally synchronized; KeyMayMatch is a
// pure function.
#ifndef LSMKV_UTIL_BLOOM_H_
#define LSMKV_UTIL_BLOOM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "lsmkv/slice.h"

namespace lsmkv {

class BloomFilterBuilder {
 public:
  // REQUIRES: bits_per_key >= 1
  explicit BloomFilterBuilder(int bits_per_key);

  void AddKey(const Slice& key);
  size_t num_keys() const { return hashes_.size(); }

  // The encoded filter over every key added. Resets the builder.
  std::string Finish();

 private:
  const int bits_per_key_;
  std::vector<uint64_t> hashes_;
};

// False only if `key` was certainly not added to the filter. A filter in an
// unknown format, or a malformed one, matches everything.
bool BloomFilterMayMatch(const Slice& filter, const Slice& key);

}  // namespace lsmkv

#endif  // LSMKV_UTIL_BLOOM_H_
