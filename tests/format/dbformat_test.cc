#include "format/dbformat.h"

#include <catch2/catch.hpp>

namespace lsmkv {

namespace {

std::string IKey(const std::string& user_key, SequenceNumber seq, ValueType type) {
  std::string k;
  AppendInternalKey(&k, user_key, seq, type);
  return k;
}

}  // namespace

TEST_CASE("InternalKey: encode and parse round-trip", "[dbformat]") {
  for (const std::string& key : {std::string(""), std::string("k"), std::string("a\0b", 3)}) {
    for (SequenceNumber seq : {SequenceNumber{0}, SequenceNumber{1}, SequenceNumber{1} << 40,
                               kMaxSequenceNumber}) {
      for (ValueType type : {kTypeValue, kTypeDeletion}) {
        const std::string ik = IKey(key, seq, type);
        REQUIRE(ik.size() == key.size() + 8);
        ParsedInternalKey parsed;
        REQUIRE(ParseInternalKey(ik, &parsed));
        REQUIRE(parsed.user_key == Slice(key));
        REQUIRE(parsed.sequence == seq);
        REQUIRE(parsed.type == type);
      }
    }
  }
  ParsedInternalKey parsed;
  REQUIRE_FALSE(ParseInternalKey(Slice("short"), &parsed));
  std::string bad_type = IKey("k", 5, kTypeValue);
  bad_type[1] = 7;  // trailer's low byte is the type
  REQUIRE_FALSE(ParseInternalKey(bad_type, &parsed));
}

TEST_CASE("InternalKeyComparator: user key ascending, then newest first", "[dbformat]") {
  InternalKeyComparator cmp(BytewiseComparator());
  REQUIRE(cmp.Compare(IKey("a", 5, kTypeValue), IKey("b", 1, kTypeValue)) < 0);
  REQUIRE(cmp.Compare(IKey("a", 5, kTypeValue), IKey("a", 4, kTypeValue)) < 0);
  REQUIRE(cmp.Compare(IKey("a", 5, kTypeValue), IKey("a", 5, kTypeDeletion)) < 0);
  REQUIRE(cmp.Compare(IKey("a", 5, kTypeValue), IKey("a", 5, kTypeValue)) == 0);
  REQUIRE(cmp.Compare(IKey("", 1, kTypeValue), IKey(std::string("\0", 1), 9, kTypeValue)) < 0);
}

TEST_CASE("InternalKeyComparator: separators stay between their bounds", "[dbformat]") {
  InternalKeyComparator cmp(BytewiseComparator());
  const auto check = [&](const std::string& a, const std::string& b) {
    std::string sep = a;
    cmp.FindShortestSeparator(&sep, b);
    REQUIRE(cmp.Compare(a, sep) <= 0);
    REQUIRE(cmp.Compare(sep, b) < 0);
    std::string succ = a;
    cmp.FindShortSuccessor(&succ);
    REQUIRE(cmp.Compare(a, succ) <= 0);
  };
  check(IKey("foo", 100, kTypeValue), IKey("hello", 200, kTypeValue));
  check(IKey("foo", 100, kTypeValue), IKey("foobar", 200, kTypeValue));
  check(IKey("foo", 100, kTypeValue), IKey("foo", 99, kTypeValue));
  check(IKey("\xff\xff", 100, kTypeValue), IKey("\xff\xff\x01", 99, kTypeValue));
  std::string sep = IKey("abcdefg", 1, kTypeValue);
  cmp.FindShortestSeparator(&sep, IKey("abzzz", 1, kTypeValue));
  REQUIRE(ExtractUserKey(sep) == Slice("abd"));
}

TEST_CASE("LookupKey: the three views agree", "[dbformat]") {
  const LookupKey lk(Slice("user\0key", 8), 77);
  REQUIRE(lk.user_key() == Slice("user\0key", 8));
  REQUIRE(lk.internal_key() == Slice(IKey(std::string("user\0key", 8), 77, kValueTypeForSeek)));
  REQUIRE(lk.memtable_key().size() == lk.internal_key().size() + 1);
  REQUIRE(static_cast<size_t>(lk.memtable_key()[0]) == lk.internal_key().size());
}

}  // namespace lsmkv
