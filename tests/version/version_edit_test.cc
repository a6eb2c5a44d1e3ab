#include "version/version_edit.h"

#include <catch2/catch.hpp>

namespace lsmkv {

TEST_CASE("VersionEdit: encode/decode round-trip and merge", "[version_edit]") {
  VersionEdit edit;
  edit.SetComparatorName("lsmkv.BytewiseComparator");
  edit.SetLogNumber(12);
  edit.SetNextFileNumber(1ull << 40);
  edit.SetLastSequence(kMaxSequenceNumber);
  std::string encoded;
  edit.EncodeTo(&encoded);
  VersionEdit decoded;
  REQUIRE(decoded.DecodeFrom(encoded).ok());
  std::string again;
  decoded.EncodeTo(&again);
  REQUIRE(again == encoded);
  REQUIRE(*decoded.log_number() == 12);

  VersionEdit later;
  later.SetLogNumber(13);
  decoded.MergeFrom(later);
  REQUIRE(*decoded.log_number() == 13);
  REQUIRE(*decoded.next_file_number() == (1ull << 40));
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

}  // namespace lsmkv
