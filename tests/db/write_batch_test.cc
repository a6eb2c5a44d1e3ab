#include "lsmkv/write_batch.h"

#include <catch2/catch.hpp>

#include "db/write_batch_internal.h"
#include "memtable/memtable.h"

namespace lsmkv {

namespace {

// Prints a batch as "Put(k, v)@seq" entries by applying it to a memtable.
std::string PrintContents(const WriteBatch* b) {
  InternalKeyComparator cmp(BytewiseComparator());
  MemTable mem(&cmp);
  std::string out;
  Status s = WriteBatchInternal::InsertInto(b, &mem);
  auto it = mem.NewIterator();
  int count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ParsedInternalKey ik;
    REQUIRE(ParseInternalKey(it->key(), &ik));
    if (ik.type == kTypeValue) {
      out += "Put(" + ik.user_key.ToString() + ", " + it->value().ToString() + ")";
    } else {
      out += "Delete(" + ik.user_key.ToString() + ")";
    }
    out += "@" + std::to_string(ik.sequence);
    count++;
  }
  if (!s.ok()) out += "ParseError()";
  else if (count != static_cast<int>(WriteBatchInternal::Count(b))) out += "CountMismatch()";
  return out;
}

struct Recorder final : WriteBatch::Handler {
  std::string log;
  void Put(const Slice& k, const Slice& v) override {
    log += "P:" + k.ToString() + "=" + v.ToString() + ";";
  }
  void Delete(const Slice& k) override { log += "D:" + k.ToString() + ";"; }
};

}  // namespace

TEST_CASE("WriteBatch: empty", "[write_batch]") {
  WriteBatch batch;
  REQUIRE(batch.Count() == 0);
  REQUIRE(PrintContents(&batch).empty());
  REQUIRE(batch.ApproximateSize() == WriteBatchInternal::kHeader);
}

TEST_CASE("WriteBatch: updates get consecutive sequence numbers", "[write_batch]") {
  WriteBatch batch;
  batch.Put("foo", "bar");
  batch.Delete("box");
  batch.Put("baz", "boo");
  WriteBatchInternal::SetSequence(&batch, 100);
  REQUIRE(WriteBatchInternal::Sequence(&batch) == 100);
  REQUIRE(batch.Count() == 3);
  REQUIRE(PrintContents(&batch) == "Put(baz, boo)@102Delete(box)@101Put(foo, bar)@100");
  Recorder r;
  REQUIRE(batch.Iterate(&r).ok());
  REQUIRE(r.log == "P:foo=bar;D:box;P:baz=boo;");
}

TEST_CASE("WriteBatch: Append, Clear, ApproximateSize", "[write_batch]") {
  WriteBatch b1, b2;
  WriteBatchInternal::SetSequence(&b1, 200);
  WriteBatchInternal::SetSequence(&b2, 300);
  b1.Append(b2);
  REQUIRE(PrintContents(&b1).empty());
  b2.Put("a", "va");
  b1.Append(b2);
  REQUIRE(PrintContents(&b1) == "Put(a, va)@200");
  b2.Clear();
  b2.Put("b", "vb");
  b1.Append(b2);
  REQUIRE(PrintContents(&b1) == "Put(a, va)@200Put(b, vb)@201");
  b2.Delete("foo");
  b1.Append(b2);
  REQUIRE(PrintContents(&b1) == "Put(a, va)@200Put(b, vb)@202Put(b, vb)@201Delete(foo)@203");

  WriteBatch sized;
  const size_t empty_size = sized.ApproximateSize();
  sized.Put("foo", "bar");
  const size_t one = sized.ApproximateSize();
  REQUIRE(empty_size < one);
  sized.Delete("box");
  REQUIRE(one < sized.ApproximateSize());
  sized.Clear();
  REQUIRE(sized.Count() == 0);
  REQUIRE(sized.ApproximateSize() == empty_size);
}

TEST_CASE("WriteBatch: corrupt encodings are rejected by Iterate", "[write_batch]") {
  WriteBatch batch;
  batch.Put("foo", "bar");
  batch.Delete("box");
  const std::string good = WriteBatchInternal::Contents(&batch).ToString();
  Recorder r;
  SECTION("truncated") {
    for (size_t len = WriteBatchInternal::kHeader + 1; len < good.size(); len++) {
      WriteBatch bad;
      WriteBatchInternal::SetContents(&bad, Slice(good.data(), len));
      INFO(len);
      REQUIRE(bad.Iterate(&r).IsCorruption());
    }
  }
  SECTION("unknown tag") {
    std::string s = good;
    s[WriteBatchInternal::kHeader] = 0x7f;
    WriteBatch bad;
    WriteBatchInternal::SetContents(&bad, s);
    REQUIRE(bad.Iterate(&r).IsCorruption());
  }
  SECTION("count mismatch") {
    WriteBatch bad;
    WriteBatchInternal::SetContents(&bad, good);
    WriteBatchInternal::SetCount(&bad, 3);
    REQUIRE(bad.Iterate(&r).IsCorruption());
  }
}

}  // namespace lsmkv
