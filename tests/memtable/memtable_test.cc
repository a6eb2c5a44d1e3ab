#include "memtable/memtable.h"

#include <catch2/catch.hpp>

namespace lsmkv {

TEST_CASE("MemTable: newest visible version wins and tombstones hide", "[memtable]") {
  InternalKeyComparator cmp(BytewiseComparator());
  MemTable mem(&cmp);
  mem.Add(1, kTypeValue, "k", "v1");
  mem.Add(2, kTypeValue, "k", "v2");
  mem.Add(3, kTypeDeletion, "k", "");
  mem.Add(4, kTypeValue, "k", "v4");
  mem.Add(5, kTypeValue, Slice("bin\0", 4), "");

  const auto get = [&](const Slice& key, SequenceNumber seq) -> std::string {
    std::string value;
    Status s;
    if (!mem.Get(LookupKey(key, seq), &value, &s)) return "<absent>";
    if (s.IsNotFound()) return "<deleted>";
    return value;
  };
  REQUIRE(get("k", 0) == "<absent>");
  REQUIRE(get("k", 1) == "v1");
  REQUIRE(get("k", 2) == "v2");
  REQUIRE(get("k", 3) == "<deleted>");
  REQUIRE(get("k", 100) == "v4");
  REQUIRE(get("j", 100) == "<absent>");
  REQUIRE(get("kk", 100) == "<absent>");
  REQUIRE(get(Slice("bin\0", 4), 100).empty());
  REQUIRE(get("bin", 100) == "<absent>");
  REQUIRE(mem.num_entries() == 5);
  REQUIRE(mem.ApproximateMemoryUsage() > 0);
}

TEST_CASE("MemTable: iterator yields internal keys in order", "[memtable]") {
  InternalKeyComparator cmp(BytewiseComparator());
  MemTable mem(&cmp);
  mem.Add(1, kTypeValue, "b", "b1");
  mem.Add(2, kTypeValue, "a", "a2");
  mem.Add(3, kTypeValue, "b", "b3");
  auto it = mem.NewIterator();
  it->SeekToFirst();
  std::vector<std::string> seen;
  for (; it->Valid(); it->Next()) {
    ParsedInternalKey ik;
    REQUIRE(ParseInternalKey(it->key(), &ik));
    seen.push_back(ik.user_key.ToString() + "@" + std::to_string(ik.sequence) + "=" +
                   it->value().ToString());
  }
  REQUIRE(seen == std::vector<std::string>{"a@2=a2", "b@3=b3", "b@1=b1"});
  std::string target;
  AppendInternalKey(&target, "b", 2, kValueTypeForSeek);
  it->Seek(target);
  REQUIRE(it->Valid());
  REQUIRE(it->value() == Slice("b1"));
  it->SeekForPrev(target);
  REQUIRE(it->Valid());
  REQUIRE(it->value() == Slice("b3"));
  it->SeekToLast();
  REQUIRE(it->value() == Slice("b1"));
  it->Prev();
  REQUIRE(it->value() == Slice("b3"));
}

}  // namespace lsmkv
