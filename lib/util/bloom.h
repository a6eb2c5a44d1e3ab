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

// A filter whose trailer (format, probes, lines) is checked once, e.g. when
// its table opens, so that each MayMatch reads only the key's cache line
// (BloomFilterMayMatch reads the trailer's line too: a second cache miss
// when filters are cold). Borrows the filter's bytes, which must outlive it.
class BloomFilterView {
 public:
  // Matches everything.
  BloomFilterView() = default;
  explicit BloomFilterView(const Slice& filter);

  // Same answer as BloomFilterMayMatch(filter, key).
  bool MayMatch(const Slice& key) const;

 private:
  const char* lines_ = nullptr;  // nullptr: unknown or malformed, match all
  uint32_t num_lines_ = 0;
  int num_probes_ = 0;
};

}  // namespace lsmkv

#endif  // LSMKV_UTIL_BLOOM_H_
