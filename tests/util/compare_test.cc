#include "util/compare.h"

#include <catch2/catch.hpp>
#include <string>

#include "support/test_util.h"
#include "util/random.h"

namespace lsmkv {

namespace {

int Sign(int x) { return (x > 0) - (x < 0); }

// The reference: unsigned byte order, a proper prefix first.
int Reference(const std::string& a, const std::string& b) {
  return Sign(a.compare(b));  // std::string compares char_traits<char>: memcmp, unsigned
}

}  // namespace

TEST_CASE("CompareBytes: agrees with byte-wise order on random strings and prefixes", "[compare]") {
  const uint64_t seed = test::TestSeed(404);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  for (int trial = 0; trial < 200000; trial++) {
    std::string a(rnd.Uniform(41), '\0');
    for (char& c : a) c = static_cast<char>(rnd.Uniform(4) == 0 ? 0x80 + rnd.Uniform(128) : rnd.Uniform(3));
    std::string b = a;
    switch (rnd.Uniform(4)) {
      case 0: b.resize(rnd.Uniform(b.size() + 1)); break;  // a prefix
      case 1: if (!b.empty()) b[rnd.Uniform(b.size())] ^= static_cast<char>(1 + rnd.Uniform(255)); break;
      case 2: b.push_back(static_cast<char>(rnd.Uniform(256))); break;
      default: break;  // equal
    }
    INFO("a=" << a.size() << " bytes, b=" << b.size() << " bytes");
    REQUIRE(Sign(CompareBytes(a.data(), a.size(), b.data(), b.size())) == Reference(a, b));
    REQUIRE(Sign(CompareBytes(b.data(), b.size(), a.data(), a.size())) == Reference(b, a));
  }
  REQUIRE(CompareBytes("", 0, "", 0) == 0);
  REQUIRE(CompareBytes("\xff", 1, "\x01", 1) > 0);  // unsigned
  REQUIRE(CompareBytes("abcdefgh\x80", 9, "abcdefgh\x7f", 9) > 0);
}

}  // namespace lsmkv
