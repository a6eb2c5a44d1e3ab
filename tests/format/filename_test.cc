#include "format/filename.h"

#include <catch2/catch.hpp>

namespace lsmkv {

TEST_CASE("FileName: generated names parse back", "[filename]") {
  uint64_t number;
  FileType type;
  const auto base = [](const std::string& path) { return path.substr(path.rfind('/') + 1); };

  REQUIRE(ParseFileName(base(LogFileName("/db", 123)), &number, &type));
  REQUIRE((number == 123 && type == FileType::kLogFile));
  REQUIRE(base(LogFileName("/db", 7)) == "000007.log");
  REQUIRE(ParseFileName(base(TableFileName("/db", 1234567)), &number, &type));
  REQUIRE((number == 1234567 && type == FileType::kTableFile));
  REQUIRE(ParseFileName(base(TableTempFileName("/db", 9)), &number, &type));
  REQUIRE((number == 9 && type == FileType::kTableTempFile));
  REQUIRE(ParseFileName(base(DescriptorFileName("/db", 18)), &number, &type));
  REQUIRE((number == 18 && type == FileType::kDescriptorFile));
  REQUIRE(ParseFileName("CURRENT", &number, &type));
  REQUIRE(type == FileType::kCurrentFile);
  REQUIRE(ParseFileName("CURRENT.tmp", &number, &type));
  REQUIRE(type == FileType::kCurrentTempFile);
  REQUIRE(ParseFileName("LOCK", &number, &type));
  REQUIRE(type == FileType::kLockFile);
  REQUIRE(ParseFileName("LOG", &number, &type));
  REQUIRE(type == FileType::kInfoLogFile);
  REQUIRE(ParseFileName("LOG.old", &number, &type));
  REQUIRE((number == 0 && type == FileType::kInfoLogFile));
  REQUIRE(base(OldInfoLogFileName("/db")) == "LOG.old");
  REQUIRE(ParseFileName("18446744073709551615.log", &number, &type));
  REQUIRE(number == 18446744073709551615ull);
}

TEST_CASE("FileName: foreign names are rejected", "[filename]") {
  uint64_t number;
  FileType type;
  for (const char* name : {"", "foo", "foo-dx-100.log", ".log", "100", "100.", "100.lop",
                           "MANIFEST", "MANIFEST-", "MANIFEST-3x", "18446744073709551616.log",
                           "184467440737095516150.log", "-1.log", "CURRENTX", "LOG.older", "LOG.", "LOGX"}) {
    INFO(name);
    REQUIRE_FALSE(ParseFileName(name, &number, &type));
  }
}

}  // namespace lsmkv
