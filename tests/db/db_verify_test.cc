// DB::VerifyChecksums: a clean DB verifies; damage in any table is named.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "format/filename.h"
#include "lsmkv/db.h"
#include "support/mem_env.h"
#include "util/random.h"

namespace lsmkv {

namespace {

std::vector<std::string> TableFiles(Env* env, const std::string& dir) {
  std::vector<std::string> children, out;
  REQUIRE(env->GetChildren(dir, &children).ok());
  for (const auto& c : children) {
    uint64_t n;
    FileType t;
    if (ParseFileName(c, &n, &t) && t == FileType::kTableFile) out.push_back(dir + "/" + c);
  }
  return out;
}

}  // namespace

TEST_CASE("VerifyChecksums: clean tables verify, a flipped data byte is named", "[verify]") {
  MemEnv mem;
  Options options;
  options.env = &mem;
  options.create_if_missing = true;
  options.compression = kNoCompression;  // so byte positions map to entries
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE(db->VerifyChecksums().ok());  // no tables yet
  for (int i = 0; i < 5000; i++) {
    REQUIRE(db->Put(WriteOptions(), "key" + std::to_string(i), std::string(100, 'v')).ok());
    if (i % 1000 == 999) REQUIRE(db->Flush().ok());
  }
  REQUIRE(db->VerifyChecksums().ok());
  db.reset();

  const std::vector<std::string> tables = TableFiles(&mem, "/db");
  REQUIRE(!tables.empty());
  std::string good;
  REQUIRE(ReadFileToString(&mem, tables[0], &good).ok());
  Random rnd(5);
  for (int trial = 0; trial < 20; trial++) {
    // The first half of the file is data blocks (the index, filter,
    // properties and footer are at the end).
    const size_t pos = rnd.Uniform(good.size() / 2);
    std::string bad = good;
    bad[pos] ^= 0x10;
    REQUIRE(mem.SetContents(tables[0], bad).ok());
    REQUIRE(DB::Open(options, "/db", &db).ok());  // table contents are not read at open
    const Status s = db->VerifyChecksums();
    INFO("flipped byte " << pos << ": " << s.ToString());
    REQUIRE(s.IsCorruption());
    REQUIRE(s.ToString().find(tables[0]) != std::string::npos);
    db.reset();
  }
  REQUIRE(mem.SetContents(tables[0], good).ok());
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE(db->VerifyChecksums().ok());
}

}  // namespace lsmkv
