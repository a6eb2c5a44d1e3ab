#include "util/lz.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "support/test_util.h"
#include "util/coding.h"
#include "util/random.h"

namespace lsmkv {

namespace {

// Bytes around the output that a decoder must never touch.
constexpr size_t kGuard = 64;
constexpr char kGuardByte = '\x5a';

// Decompresses `compressed` into a buffer with guard bytes on both sides;
// false if the decoder refused, and a failed REQUIRE if it wrote outside.
bool GuardedDecompress(const std::string& compressed, std::string* out) {
  size_t size;
  if (!LzDecompressedSize(compressed, &size)) return false;
  if (size > (64 << 20)) return false;  // a damaged size: do not allocate it
  std::vector<char> buf(size + 2 * kGuard, kGuardByte);
  const bool ok = LzDecompress(compressed, buf.data() + kGuard, size);
  for (size_t i = 0; i < kGuard; i++) {
    REQUIRE(buf[i] == kGuardByte);
    REQUIRE(buf[kGuard + size + i] == kGuardByte);
  }
  if (ok) out->assign(buf.data() + kGuard, size);
  return ok;
}

// Compresses with no size limit and checks the round trip.
std::string RoundTrip(const std::string& input) {
  std::string compressed;
  REQUIRE(LzCompress(input, input.size() + 64, &compressed));
  std::string back;
  REQUIRE(GuardedDecompress(compressed, &back));
  REQUIRE(back == input);
  return compressed;
}

// Inputs that exercise every path: runs, short periods (overlapping
// matches), long literal runs, repeats far apart.
std::string Mixed(Random* rnd, size_t n) {
  std::string s;
  while (s.size() < n) {
    switch (rnd->Uniform(6)) {
      case 0:
        s += rnd->Bytes(1 + rnd->Uniform(300));  // literals
        break;
      case 1:
        s.append(1 + rnd->Uniform(2000), static_cast<char>(rnd->Uniform(256)));  // a run
        break;
      case 2: {
        const std::string period = rnd->Bytes(1 + rnd->Uniform(20));
        for (size_t k = rnd->Uniform(50); k > 0; k--) s += period;
        break;
      }
      default:
        if (!s.empty()) {  // copy of something earlier
          const size_t from = rnd->Uniform(s.size());
          const size_t len = 1 + rnd->Uniform(std::min<size_t>(s.size() - from, 500));
          s += s.substr(from, len);
        }
    }
  }
  s.resize(n);
  return s;
}

}  // namespace

TEST_CASE("Lz: edge-sized and patterned inputs round-trip", "[lz]") {
  std::vector<std::string> inputs = {"", "a", "ab", "abc", "abcd", "abcde", "aaaa", "aaaaa",
                                     std::string(15, 'x'), std::string(16, 'x'), std::string(19, 'x'),
                                     std::string(20, 'x'), std::string(1 << 20, '\0')};
  // Periods around the chunked-copy width (16) and the minimum match (4).
  for (size_t period : {1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33}) {
    std::string unit;
    for (size_t i = 0; i < period; i++) unit += static_cast<char>('a' + i % 26);
    std::string s;
    while (s.size() < 5000) s += unit;
    INFO("period " << period);
    REQUIRE(RoundTrip(s).size() < s.size() / 20);  // a period shrinks to almost nothing
    inputs.push_back(s + "x");
  }
  // Literal runs whose length needs a 1-, 2- and 3-byte varint.
  Random rnd(17);
  for (size_t n : {14, 15, 16, 142, 143, 144, 16400, 70000}) inputs.push_back(rnd.Bytes(n) + "tail" + "tail");
  for (const std::string& input : inputs) {
    INFO("input size " << input.size());
    RoundTrip(input);
  }
  REQUIRE(RoundTrip(std::string(1 << 20, '\0')).size() < 100);
}

TEST_CASE("Lz: random mixtures round-trip, repeats past 64 KiB included", "[lz]") {
  const uint64_t seed = test::TestSeed(2026);
  INFO("seed " << seed);
  Random rnd(seed);
  for (int i = 0; i < 300; i++) {
    const size_t n = rnd.OneIn(10) ? 100000 + rnd.Uniform(200000) : rnd.Uniform(9000);
    INFO("round " << i << " size " << n);
    RoundTrip(Mixed(&rnd, n));
  }
  // A block repeated at a distance beyond the 16-bit offset must still
  // decode (the compressor may not reference it).
  const std::string block = rnd.Bytes(1000);
  RoundTrip(block + rnd.Bytes(70000) + block);
}

TEST_CASE("Lz: gives up once the output would pass max_output", "[lz]") {
  Random rnd(5);
  const std::string input = Mixed(&rnd, 20000);
  std::string compressed;
  REQUIRE(LzCompress(input, input.size() * 2, &compressed));
  const size_t exact = compressed.size();
  std::string again;
  REQUIRE(LzCompress(input, exact, &again));
  REQUIRE(again == compressed);
  REQUIRE_FALSE(LzCompress(input, exact - 1, &again));
  REQUIRE_FALSE(LzCompress(input, 0, &again));
  // Incompressible bytes never fit in 7/8 of their size.
  const std::string noise = rnd.Bytes(4096);
  REQUIRE_FALSE(LzCompress(noise, noise.size() - noise.size() / 8, &again));
}

TEST_CASE("Lz: malformed streams are refused", "[lz]") {
  const auto stream = [](std::initializer_list<int> bytes) {
    std::string s;
    for (int b : bytes) s.push_back(static_cast<char>(b));
    return s;
  };
  std::string out;
  // raw size 8: "abcd" then a match of 4 at offset 4 -> "abcdabcd".
  REQUIRE(GuardedDecompress(stream({8, 0x40, 'a', 'b', 'c', 'd', 4, 0}), &out));
  REQUIRE(out == "abcdabcd");
  // The same with each field broken.
  REQUIRE_FALSE(GuardedDecompress(stream({8, 0x40, 'a', 'b', 'c', 'd', 0, 0}), &out));  // offset 0
  REQUIRE_FALSE(GuardedDecompress(stream({8, 0x40, 'a', 'b', 'c', 'd', 5, 0}), &out));  // before the start
  REQUIRE_FALSE(GuardedDecompress(stream({7, 0x40, 'a', 'b', 'c', 'd', 4, 0}), &out));  // match past the end
  REQUIRE_FALSE(GuardedDecompress(stream({9, 0x40, 'a', 'b', 'c', 'd', 4, 0}), &out));  // output short
  REQUIRE_FALSE(GuardedDecompress(stream({8, 0x40, 'a', 'b', 'c', 'd', 4}), &out));     // offset cut
  REQUIRE_FALSE(GuardedDecompress(stream({8, 0x40, 'a', 'b', 'c', 'd', 4, 0, 0}), &out));  // trailing byte
  REQUIRE_FALSE(GuardedDecompress(stream({8, 0x90, 'a', 'b', 'c', 'd', 4, 0}), &out));  // literals past input
  // Literals that complete the output may not claim a match.
  REQUIRE(GuardedDecompress(stream({2, 0x20, 'x', 'y'}), &out));
  REQUIRE(out == "xy");
  REQUIRE_FALSE(GuardedDecompress(stream({2, 0x21, 'x', 'y'}), &out));
  // An unterminated length extension.
  REQUIRE_FALSE(GuardedDecompress(stream({100, 0xf0, 0x80}), &out));
  REQUIRE_FALSE(GuardedDecompress(stream({0x80}), &out));
  // The size the caller passes must be the recorded one.
  const std::string good = stream({2, 0x20, 'x', 'y'});
  char buf[8];
  REQUIRE_FALSE(LzDecompress(good, buf, 3));
  REQUIRE_FALSE(LzDecompress(good, buf, 1));
}

TEST_CASE("Lz: every truncation and every byte flip is refused or decodes in bounds", "[lz]") {
  Random rnd(77);
  const std::string input = Mixed(&rnd, 3000);
  const std::string compressed = RoundTrip(input);
  std::string out;
  for (size_t cut = 0; cut < compressed.size(); cut++) {
    INFO("cut at " << cut);
    REQUIRE_FALSE(GuardedDecompress(compressed.substr(0, cut), &out));
  }
  int refused = 0;
  for (size_t i = 0; i < compressed.size(); i++) {
    for (int bit : {0, 3, 7}) {
      std::string bad = compressed;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      if (!GuardedDecompress(bad, &out)) refused++;
    }
  }
  // A flip inside literal bytes decodes to other bytes (the codec has no
  // checksum: the block checksum catches those); flips in tokens, lengths
  // and offsets mostly break the structure.
  REQUIRE(refused > 0);
}

}  // namespace lsmkv
