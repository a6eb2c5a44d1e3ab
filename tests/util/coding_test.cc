#include "util/coding.h"

#include <catch2/catch.hpp>
#include <limits>
#include <vector>

namespace lsmkv {

TEST_CASE("Coding: fixed32/64 are little-endian and round-trip", "[coding]") {
  std::string s;
  PutFixed32(&s, 0x04030201u);
  PutFixed64(&s, 0x0807060504030201ull);
  REQUIRE(s == std::string("\x01\x02\x03\x04\x01\x02\x03\x04\x05\x06\x07\x08", 12));
  for (uint32_t v : {0u, 1u, 0xffu, 0x100u, 0xffffffffu}) {
    char buf[4];
    EncodeFixed32(buf, v);
    REQUIRE(DecodeFixed32(buf) == v);
  }
  for (int power = 0; power <= 63; power++) {
    const uint64_t v = uint64_t{1} << power;
    for (uint64_t x : {v - 1, v, v + 1}) {
      std::string t;
      PutFixed64(&t, x);
      Slice in(t);
      uint64_t got;
      REQUIRE(GetFixed64(&in, &got));
      REQUIRE(got == x);
      REQUIRE(in.empty());
    }
  }
}

TEST_CASE("Coding: varint32 round-trips at every 7-bit boundary", "[coding]") {
  std::vector<uint32_t> values;
  for (int shift = 0; shift < 32; shift++) {
    const uint32_t v = uint32_t{1} << shift;
    values.push_back(v - 1);
    values.push_back(v);
    values.push_back(v + 1);
  }
  values.push_back(std::numeric_limits<uint32_t>::max());
  std::string s;
  for (uint32_t v : values) PutVarint32(&s, v);
  Slice in(s);
  for (uint32_t v : values) {
    uint32_t got;
    const size_t before = in.size();
    REQUIRE(GetVarint32(&in, &got));
    REQUIRE(got == v);
    REQUIRE(before - in.size() == static_cast<size_t>(VarintLength(v)));
  }
  REQUIRE(in.empty());
}

TEST_CASE("Coding: varint64 round-trips at every 7-bit boundary", "[coding]") {
  std::vector<uint64_t> values = {0, 100, std::numeric_limits<uint64_t>::max(),
                                  std::numeric_limits<uint64_t>::max() - 1};
  for (int shift = 0; shift < 64; shift++) {
    const uint64_t v = uint64_t{1} << shift;
    values.push_back(v - 1);
    values.push_back(v);
    values.push_back(v + 1);
  }
  std::string s;
  for (uint64_t v : values) PutVarint64(&s, v);
  Slice in(s);
  for (uint64_t v : values) {
    uint64_t got;
    REQUIRE(GetVarint64(&in, &got));
    REQUIRE(got == v);
  }
  REQUIRE(in.empty());
  REQUIRE(VarintLength(std::numeric_limits<uint64_t>::max()) == kMaxVarint64Bytes);
}

TEST_CASE("Coding: truncated and overlong varints are rejected", "[coding]") {
  SECTION("truncated") {
    std::string s;
    PutVarint64(&s, uint64_t{1} << 40);
    for (size_t len = 0; len < s.size(); len++) {
      Slice in(s.data(), len);
      uint64_t v;
      REQUIRE_FALSE(GetVarint64(&in, &v));
    }
    std::string t;
    PutVarint32(&t, 1u << 30);
    for (size_t len = 0; len < t.size(); len++) {
      Slice in(t.data(), len);
      uint32_t v;
      REQUIRE_FALSE(GetVarint32(&in, &v));
    }
  }
  SECTION("overflow") {
    const std::string too_big32("\xff\xff\xff\xff\x1f", 5);  // > 2^32
    Slice in32(too_big32);
    uint32_t v32;
    REQUIRE_FALSE(GetVarint32(&in32, &v32));
    const std::string eleven(11, '\x80');
    Slice in64(eleven);
    uint64_t v64;
    REQUIRE_FALSE(GetVarint64(&in64, &v64));
    const std::string too_big64("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10);
    Slice in64b(too_big64);
    REQUIRE_FALSE(GetVarint64(&in64b, &v64));
  }
}

TEST_CASE("Coding: length-prefixed slices", "[coding]") {
  std::string s;
  PutLengthPrefixedSlice(&s, Slice(""));
  PutLengthPrefixedSlice(&s, Slice("foo"));
  PutLengthPrefixedSlice(&s, Slice(std::string(200, 'x')));
  PutLengthPrefixedSlice(&s, Slice("a\0b", 3));
  Slice in(s), v;
  REQUIRE(GetLengthPrefixedSlice(&in, &v));
  REQUIRE(v == Slice(""));
  REQUIRE(GetLengthPrefixedSlice(&in, &v));
  REQUIRE(v == Slice("foo"));
  REQUIRE(GetLengthPrefixedSlice(&in, &v));
  REQUIRE(v == Slice(std::string(200, 'x')));
  REQUIRE(GetLengthPrefixedSlice(&in, &v));
  REQUIRE(v == Slice("a\0b", 3));
  REQUIRE_FALSE(GetLengthPrefixedSlice(&in, &v));
  std::string bad;
  PutVarint32(&bad, 10);
  bad += "short";
  Slice bin(bad);
  REQUIRE_FALSE(GetLengthPrefixedSlice(&bin, &v));
}

}  // namespace lsmkv
