// Deterministic pseudo-random numbers (SplitMix64). Same seed, same sequence,
// on every platform: tests print the seed so a failure can be replayed.
//
// Thread safety: externally synchronized.
#ifndef LSMKV_UTIL_RANDOM_H_
#define LSMKV_UTIL_RANDOM_H_

#include <cstdint>
#include <string>

namespace lsmkv {

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}

  uint64_t Next64() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint32_t Next() { return static_cast<uint32_t>(Next64() >> 32); }

  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Uniform(uint64_t n) { return Next64() % n; }
  // True with probability 1/n. REQUIRES: n > 0.
  bool OneIn(uint64_t n) { return Uniform(n) == 0; }
  // Picks a length in [0, 2^max_log) biased toward small values.
  uint64_t Skewed(int max_log) { return Uniform(uint64_t{1} << Uniform(max_log + 1)); }

  // n random bytes (any value, including '\0').
  std::string Bytes(size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(Next() & 0xff);
    return s;
  }

 private:
  uint64_t state_;
};

}  // namespace lsmkv

#endif  // LSMKV_UTIL_RANDOM_H_
