#include "version/version_edit.h"

#include <catch2/catch.hpp>

namespace lsmkv {

TEST_CASE("VersionEdit: encode/decode round-trip", "[version_edit]") {
  VersionEdit edit;
  edit.SetComparatorName("lsmkv.BytewiseComparator");
  edit.SetLogNumber(12);
  edit.SetNextFileNumber(1ull << 40);
  edit.SetLastSequence(kMaxSequenceNumber);
  FileMetaData f;
  f.number = 77;
  f.file_size = 123456;
  AppendInternalKey(&f.smallest, std::string("a\0", 2), 5, kTypeValue);
  AppendInternalKey(&f.largest, "zz", 9, kTypeDeletion);
  f.num_entries = 1000;
  edit.AddFile(3, f);
  edit.RemoveFile(0, 4);
  edit.RemoveFile(6, 1ull << 50);
  std::string encoded;
  edit.EncodeTo(&encoded);
  VersionEdit decoded;
  REQUIRE(decoded.DecodeFrom(encoded).ok());
  std::string again;
  decoded.EncodeTo(&again);
  REQUIRE(again == encoded);
  REQUIRE(*decoded.log_number() == 12);
  REQUIRE(*decoded.next_file_number() == (1ull << 40));
  REQUIRE(decoded.new_files().size() == 1);
  REQUIRE(decoded.new_files()[0].first == 3);
  REQUIRE(decoded.new_files()[0].second.smallest == f.smallest);
  REQUIRE(decoded.new_files()[0].second.num_entries == 1000);
  REQUIRE(decoded.deleted_files().count({6, 1ull << 50}) == 1);
}

TEST_CASE("VersionEdit: a level out of range is Corruption", "[version_edit]") {
  VersionEdit edit;
  edit.RemoveFile(0, 4);
  std::string encoded;
  edit.EncodeTo(&encoded);
  encoded[1] = static_cast<char>(kNumLevels);  // the level byte
  VersionEdit decoded;
  REQUIRE(decoded.DecodeFrom(encoded).IsCorruption());
}

TEST_CASE("VersionEdit: malformed input is Corruption", "[version_edit]") {
  VersionEdit edit;
  edit.SetComparatorName("cmp");
  edit.SetLastSequence(5);
  std::string encoded;
  edit.EncodeTo(&encoded);
  VersionEdit decoded;
  for (size_t len = 1; len < encoded.size(); len++) {
    if (len == 5) continue;  // a clean boundary between the two fields
    INFO(len);
    REQUIRE(decoded.DecodeFrom(Slice(encoded.data(), len)).IsCorruption());
  }
  REQUIRE(decoded.DecodeFrom(Slice("\x63\x01", 2)).IsCorruption());  // unknown tag 99
}

TEST_CASE("VersionEdit: a newer DB format version is NotSupported, before unknown tags", "[version_edit]") {
  VersionEdit edit;
  edit.SetFormatVersion(kDbFormatVersion);
  edit.SetComparatorName("cmp");
  std::string encoded;
  edit.EncodeTo(&encoded);
  VersionEdit decoded;
  REQUIRE(decoded.DecodeFrom(encoded).ok());
  REQUIRE(decoded.format_version() == kDbFormatVersion);

  VersionEdit newer;
  newer.SetFormatVersion(kDbFormatVersion + 1);
  encoded.clear();
  newer.EncodeTo(&encoded);
  encoded += std::string("\x63\x01", 2);  // a tag this build does not know
  const Status s = decoded.DecodeFrom(encoded);
  INFO(s.ToString());
  REQUIRE(s.IsNotSupported());
  REQUIRE(s.ToString().find("version " + std::to_string(kDbFormatVersion + 1)) != std::string::npos);
  REQUIRE(s.ToString().find("up to version " + std::to_string(kDbFormatVersion)) != std::string::npos);
  REQUIRE(decoded.DecodeFrom(std::string("\x08\x00", 2)).IsCorruption());  // version 0
}

TEST_CASE("VersionEdit: DB format versions 2 and 3 (retired lz codec) are NotSupported, 1 and 4 decode",
          "[version_edit]") {
  for (uint32_t version : {1u, 2u, 3u, 4u}) {
    INFO("version " << version);
    VersionEdit edit;
    edit.SetFormatVersion(version);
    edit.SetComparatorName("cmp");
    std::string encoded;
    edit.EncodeTo(&encoded);
    VersionEdit decoded;
    const Status s = decoded.DecodeFrom(encoded);
    INFO(s.ToString());
    if (version == 2 || version == 3) {
      REQUIRE(s.IsNotSupported());
      REQUIRE(s.ToString().find("DB format version " + std::to_string(version)) != std::string::npos);
      REQUIRE(s.ToString().find("retired lz codec") != std::string::npos);
    } else {
      REQUIRE(s.ok());
      REQUIRE(decoded.format_version() == version);
    }
  }
  REQUIRE(kDbFormatVersion == 4);
}

}  // namespace lsmkv
