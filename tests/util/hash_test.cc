#include "util/hash.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

namespace lsmkv {

TEST_CASE("Hash64: deterministic, seed-dependent, spread out", "[hash]") {
  REQUIRE(Hash64(Slice("hello")) == Hash64("hello", 5));
  REQUIRE(Hash64(Slice("hello")) != Hash64(Slice("hellp")));
  REQUIRE(Hash64WithSeed("hello", 5, 1) != Hash64WithSeed("hello", 5, 2));
  // XXH3-64 of the empty input with seed 0, as published by xxHash.
  REQUIRE(Hash64("", 0) == 0x2D06800538D394C2ull);
  std::set<uint64_t> seen;
  for (int i = 0; i < 10000; i++) seen.insert(Hash64(Slice(std::to_string(i))));
  REQUIRE(seen.size() == 10000);
}

}  // namespace lsmkv
