#include "util/arena.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "util/random.h"

namespace lsmkv {

TEST_CASE("Arena: allocations keep their bytes and aligned ones are aligned", "[arena]") {
  Arena arena;
  Random rnd(301);
  std::vector<std::pair<char*, size_t>> allocated;
  size_t bytes = 0;
  for (int i = 0; i < 10000; i++) {
    size_t n = i % 400 == 0 ? 6000 : (i % 5 == 0 ? rnd.Uniform(100) + 1 : rnd.Uniform(20) + 1);
    char* p;
    if (rnd.OneIn(3)) {
      p = arena.AllocateAligned(n);
      REQUIRE(reinterpret_cast<uintptr_t>(p) % alignof(std::max_align_t) == 0);
    } else {
      p = arena.Allocate(n);
    }
    for (size_t b = 0; b < n; b++) p[b] = static_cast<char>(i % 256);
    bytes += n;
    allocated.emplace_back(p, n);
    REQUIRE(arena.MemoryUsage() >= bytes);
  }
  for (size_t i = 0; i < allocated.size(); i++) {
    for (size_t b = 0; b < allocated[i].second; b++) {
      REQUIRE(static_cast<int>(static_cast<unsigned char>(allocated[i].first[b])) ==
              static_cast<int>(i % 256));
    }
  }
  // Overhead stays modest: at most 2x plus a block.
  REQUIRE(arena.MemoryUsage() <= 2 * bytes + 8192);
}

}  // namespace lsmkv
