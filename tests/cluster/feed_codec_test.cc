// The feed and checkpoint encodings (examples/kvserver/cluster/feed_codec.h)
// and base64 (base64.h).
#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "base64.h"
#include "feed_codec.h"
#include "support/test_util.h"

namespace kvcluster {
namespace {

// What a batch does, in order, for comparing batches.
class Recorder : public lsmkv::WriteBatch::Handler {
 public:
  void Put(const lsmkv::Slice& key, const lsmkv::Slice& value) override {
    ops += "P" + key.ToString() + "=" + value.ToString() + ";";
  }
  void Delete(const lsmkv::Slice& key) override { ops += "D" + key.ToString() + ";"; }
  std::string ops;
};

std::string Ops(const lsmkv::WriteBatch& batch) {
  Recorder r;
  REQUIRE(batch.Iterate(&r).ok());
  return r.ops;
}

TEST_CASE("Feed codec: batches round-trip with binary keys and values", "[cluster][codec]") {
  const uint64_t seed = lsmkv::test::TestSeed(99);
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  auto random_bytes = [&](size_t max) {
    std::string s(rng() % (max + 1), '\0');
    for (char& c : s) c = static_cast<char>(rng() & 0xff);
    return s;
  };
  std::vector<lsmkv::WriteBatch> batches(50);
  std::string body;
  uint64_t sequence = 17;
  for (lsmkv::WriteBatch& b : batches) {
    const int n = 1 + static_cast<int>(rng() % 5);
    for (int i = 0; i < n; i++) {
      if (rng() % 3 == 0) {
        b.Delete(random_bytes(20));
      } else {
        b.Put(random_bytes(20), random_bytes(300));
      }
    }
    REQUIRE(AppendBatch(sequence, b, &body).ok());
    sequence += b.Count();
  }
  std::vector<SequencedBatch> decoded;
  REQUIRE(DecodeBatches(body, &decoded).ok());
  REQUIRE(decoded.size() == batches.size());
  sequence = 17;
  for (size_t i = 0; i < batches.size(); i++) {
    CHECK(decoded[i].sequence == sequence);
    CHECK(Ops(decoded[i].batch) == Ops(batches[i]));
    sequence += batches[i].Count();
  }
  REQUIRE(DecodeBatches("", &decoded).ok());
  CHECK(decoded.empty());
}

TEST_CASE("Feed codec: truncation, bad types, empty batches and holes are Corruption", "[cluster][codec]") {
  lsmkv::WriteBatch a;
  a.Put("k1", "v1");
  a.Delete("k2");
  lsmkv::WriteBatch b;
  b.Put("k3", "v3");
  std::string body;
  REQUIRE(AppendBatch(5, a, &body).ok());
  std::string two = body;
  REQUIRE(AppendBatch(7, b, &two).ok());
  std::vector<SequencedBatch> decoded;
  REQUIRE(DecodeBatches(two, &decoded).ok());
  for (size_t cut = 1; cut < two.size(); cut++) {
    if (cut == body.size()) continue;  // a whole first batch is valid
    INFO("cut at " << cut);
    CHECK(DecodeBatches(two.substr(0, cut), &decoded).IsCorruption());
  }
  std::string hole = body;
  REQUIRE(AppendBatch(8, b, &hole).ok());  // 7 is missing
  CHECK(DecodeBatches(hole, &decoded).IsCorruption());
  std::string bad_type = body;
  bad_type[12] = 7;  // the first update's type byte
  CHECK(DecodeBatches(bad_type, &decoded).IsCorruption());
  lsmkv::WriteBatch empty;
  std::string empty_body;
  REQUIRE(AppendBatch(1, empty, &empty_body).ok());
  CHECK(DecodeBatches(empty_body, &decoded).IsCorruption());
}

TEST_CASE("Checkpoint packing: a directory round-trips, damage and bad names are refused", "[cluster][codec]") {
  lsmkv::Env* env = lsmkv::Env::Default();
  const std::string dir = lsmkv::test::ScratchDir("cluster-pack");
  const std::string src = dir + "/src";
  REQUIRE(env->CreateDir(src).ok());
  std::map<std::string, std::string> files{{"CURRENT", "MANIFEST-000002\n"},
                                           {"000007.sst", std::string(100000, 'x') + "end"},
                                           {"empty", ""}};
  for (const auto& [name, contents] : files) {
    REQUIRE(lsmkv::WriteStringToFile(env, contents, src + "/" + name, false).ok());
  }
  std::string body;
  REQUIRE(PackDirectory(env, src, &body).ok());
  REQUIRE(UnpackDirectory(env, body, dir + "/dst").ok());
  for (const auto& [name, contents] : files) {
    std::string back;
    REQUIRE(lsmkv::ReadFileToString(env, dir + "/dst/" + name, &back).ok());
    CHECK(back == contents);
  }
  CHECK(UnpackDirectory(env, body, dir + "/dst2x").ok());
  CHECK_FALSE(UnpackDirectory(env, body, dir + "/dst").ok());  // must not exist
  CHECK(UnpackDirectory(env, body.substr(0, body.size() - 1), dir + "/cut").IsCorruption());
  CHECK(UnpackDirectory(env, body + "x", dir + "/long").IsCorruption());
  CHECK(UnpackDirectory(env, "LSMKVCKP0\n", dir + "/magic").IsCorruption());
  // A name that would escape the directory.
  std::string evil = "LSMKVCKP1\n";
  const std::string name = "../evil";
  for (int i = 0; i < 4; i++) evil.push_back(static_cast<char>((name.size() >> (8 * i)) & 0xff));
  evil += name;
  for (int i = 0; i < 8; i++) evil.push_back(i == 0 ? 1 : 0);
  evil += "x";
  for (int i = 0; i < 4; i++) evil.push_back(0);
  CHECK(UnpackDirectory(env, evil, dir + "/unpacked").IsCorruption());
  CHECK_FALSE(env->FileExists(dir + "/evil"));
  lsmkv::test::RemoveTree(dir);
}

TEST_CASE("Base64: known vectors, round trips, invalid text", "[cluster][base64]") {
  CHECK(Base64Encode("") == "");
  CHECK(Base64Encode("f") == "Zg==");
  CHECK(Base64Encode("fo") == "Zm8=");
  CHECK(Base64Encode("foo") == "Zm9v");
  CHECK(Base64Encode("lsmkv/leader") == "bHNta3YvbGVhZGVy");
  std::string out;
  REQUIRE(Base64Decode("bHNta3YvbGVhZGVy", &out));
  CHECK(out == "lsmkv/leader");
  std::mt19937 rng(5);
  for (int n = 0; n < 300; n++) {
    std::string bytes(static_cast<size_t>(n), '\0');
    for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
    REQUIRE(Base64Decode(Base64Encode(bytes), &out));
    CHECK(out == bytes);
  }
  for (const char* bad : {"Zg=", "Z===", "Zg=a", "Zm9v!", "=Zm9"}) {
    INFO(bad);
    CHECK_FALSE(Base64Decode(bad, &out));
  }
}

}  // namespace
}  // namespace kvcluster
