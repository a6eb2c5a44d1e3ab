#include "util/crc32c.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "util/random.h"

namespace lsmkv::crc32c {

namespace {

// Both implementations must give the same answer.
uint32_t Both(const char* data, size_t n) {
  const uint32_t portable = ExtendPortable(0, data, n);
  REQUIRE(Value(data, n) == portable);
  return portable;
}

}  // namespace

TEST_CASE("CRC32C: RFC 3720 test vectors", "[crc32c]") {
  INFO("hardware: " << IsHardwareAccelerated());
  char buf[32];
  std::memset(buf, 0, sizeof(buf));
  REQUIRE(Both(buf, sizeof(buf)) == 0x8a9136aau);
  std::memset(buf, 0xff, sizeof(buf));
  REQUIRE(Both(buf, sizeof(buf)) == 0x62a8ab43u);
  for (int i = 0; i < 32; i++) buf[i] = static_cast<char>(i);
  REQUIRE(Both(buf, sizeof(buf)) == 0x46dd794eu);
  for (int i = 0; i < 32; i++) buf[i] = static_cast<char>(31 - i);
  REQUIRE(Both(buf, sizeof(buf)) == 0x113fdb5cu);

  const unsigned char iscsi_read[48] = {
      0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
      0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  REQUIRE(Both(reinterpret_cast<const char*>(iscsi_read), sizeof(iscsi_read)) == 0xd9963a56u);
  REQUIRE(Both("123456789", 9) == 0xe3069283u);
}

TEST_CASE("CRC32C: Extend equals the CRC of the concatenation", "[crc32c]") {
  Random rnd(42);
  for (int i = 0; i < 200; i++) {
    const std::string a = rnd.Bytes(rnd.Uniform(100));
    const std::string b = rnd.Bytes(rnd.Uniform(100));
    const std::string ab = a + b;
    REQUIRE(Extend(Value(a.data(), a.size()), b.data(), b.size()) == Value(ab.data(), ab.size()));
    REQUIRE(ExtendPortable(ExtendPortable(0, a.data(), a.size()), b.data(), b.size()) ==
            Both(ab.data(), ab.size()));
  }
  REQUIRE(Value("a", 1) != Value("foo", 3));
}

TEST_CASE("CRC32C: mask changes the value and unmask restores it", "[crc32c]") {
  const uint32_t crc = Value("foo", 3);
  REQUIRE(crc != Mask(crc));
  REQUIRE(crc != Mask(Mask(crc)));
  REQUIRE(crc == Unmask(Mask(crc)));
  REQUIRE(crc == Unmask(Unmask(Mask(Mask(crc)))));
}

}  // namespace lsmkv::crc32c
