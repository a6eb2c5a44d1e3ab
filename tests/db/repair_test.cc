// RepairDB: rebuilding a DB whose MANIFEST is lost or whose files are
// damaged, salvaging everything readable.
#include <catch2/catch.hpp>
#include <map>

#include "format/filename.h"
#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/mem_env.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;

using test::Contents;

std::vector<std::string> Children(Env* env, const std::string& dir, FileType wanted) {
  std::vector<std::string> children, out;
  if (!env->GetChildren(dir, &children).ok()) return out;
  for (const auto& c : children) {
    uint64_t n;
    FileType t;
    if (ParseFileName(c, &n, &t) && t == wanted) out.push_back(dir + "/" + c);
  }
  return out;
}

struct Fixture {
  MemEnv env;
  Options options;
  std::unique_ptr<DB> db;
  Model model;

  Fixture() {
    options.env = &env;
    options.create_if_missing = true;
    options.compression = kNoCompression;  // so a flipped byte hits data
    REQUIRE(DB::Open(options, "/db", &db).ok());
  }
  void Put(const std::string& k, const std::string& v) {
    REQUIRE(db->Put(WriteOptions(), k, v).ok());
    model[k] = v;
  }
  void Delete(const std::string& k) {
    REQUIRE(db->Delete(WriteOptions(), k).ok());
    model.erase(k);
  }
  void RepairAndReopen() {
    db.reset();
    const Status s = RepairDB("/db", options);
    INFO(s.ToString());
    REQUIRE(s.ok());
    REQUIRE(DB::Open(options, "/db", &db).ok());
  }
  std::string LogText() {
    std::string log;
    REQUIRE(ReadFileToString(&env, "/db/LOG", &log).ok());
    return log;
  }
};

}  // namespace

TEST_CASE("RepairDB: a lost MANIFEST and CURRENT are rebuilt from tables and WALs", "[repair]") {
  Fixture f;
  for (int i = 0; i < 3000; i++) f.Put("a" + std::to_string(i), "v" + std::to_string(i));
  REQUIRE(f.db->Flush().ok());
  for (int i = 0; i < 3000; i += 3) f.Delete("a" + std::to_string(i));  // tombstones over a table
  REQUIRE(f.db->Flush().ok());
  for (int i = 0; i < 500; i++) f.Put("b" + std::to_string(i), "in the WAL only");
  f.db.reset();
  REQUIRE(f.env.RemoveFile("/db/CURRENT").ok());
  for (const auto& m : Children(&f.env, "/db", FileType::kDescriptorFile)) REQUIRE(f.env.RemoveFile(m).ok());

  f.RepairAndReopen();
  REQUIRE(Contents(f.db.get()) == f.model);  // deleted keys stayed deleted
  std::string value;
  REQUIRE(f.db->Get(ReadOptions(), "a1", &value).ok());
  REQUIRE(f.db->Get(ReadOptions(), "a0", &value).IsNotFound());
  // The repaired DB keeps working: writes, flushes, compactions, reopen.
  f.Put("c", "after repair");
  REQUIRE(f.db->CompactRange(nullptr, nullptr).ok());
  f.db.reset();
  REQUIRE(DB::Open(f.options, "/db", &f.db).ok());
  REQUIRE(Contents(f.db.get()) == f.model);
  REQUIRE(f.LogText().find("repair: done") != std::string::npos);
}

TEST_CASE("RepairDB: a damaged table keeps what precedes the damage", "[repair]") {
  Fixture f;
  for (int t = 0; t < 3; t++) {
    for (int i = 0; i < 2000; i++) f.Put("t" + std::to_string(t) + "-" + std::to_string(10000 + i), std::string(30, 'x'));
    REQUIRE(f.db->Flush().ok());
  }
  f.db.reset();
  const auto tables = Children(&f.env, "/db", FileType::kTableFile);
  REQUIRE(tables.size() == 3);
  std::string data;
  REQUIRE(ReadFileToString(&f.env, tables[1], &data).ok());
  data[data.size() / 2] ^= 0x04;
  REQUIRE(f.env.SetContents(tables[1], data).ok());

  f.RepairAndReopen();
  const Model got = Contents(f.db.get());
  // Every entry that survived is right, both undamaged tables are complete,
  // and the damaged one lost only what follows the damage.
  for (const auto& [k, v] : got) REQUIRE(f.model.at(k) == v);
  int from_damaged = 0;
  for (const auto& [k, v] : f.model) {
    if (k.rfind("t1-", 0) == 0) {
      from_damaged += got.count(k);
    } else {
      REQUIRE(got.count(k) == 1);
    }
  }
  REQUIRE(from_damaged > 0);
  REQUIRE(from_damaged < 2000);
  REQUIRE(f.LogText().find("damaged") != std::string::npos);
  REQUIRE(f.env.FileExists("/db/lost/" + tables[1].substr(4)));
}

TEST_CASE("RepairDB: damaged WAL records are dropped, the rest salvaged", "[repair]") {
  Fixture f;
  for (int i = 0; i < 10; i++) f.Put("w" + std::to_string(i), std::string(20000, 'a' + i));
  f.db.reset();
  const auto logs = Children(&f.env, "/db", FileType::kLogFile);
  REQUIRE(logs.size() == 1);
  std::string data;
  REQUIRE(ReadFileToString(&f.env, logs[0], &data).ok());
  data[20000 + 11 + 11 + 100] ^= 0x01;  // inside the second record
  REQUIRE(f.env.SetContents(logs[0], data).ok());
  REQUIRE(f.env.RemoveFile("/db/CURRENT").ok());

  f.RepairAndReopen();
  const Model got = Contents(f.db.get());
  REQUIRE(got.count("w1") == 0);
  REQUIRE(got.count("w0") == 1);
  REQUIRE(got.at("w9") == std::string(20000, 'a' + 9));
  for (const auto& [k, v] : got) REQUIRE(f.model.at(k) == v);
  REQUIRE(f.LogText().find("damaged records") != std::string::npos);
}

TEST_CASE("RepairDB: refuses an open DB and a directory without a DB", "[repair]") {
  Fixture f;
  f.Put("k", "v");
  REQUIRE(RepairDB("/db", f.options).IsBusy());
  REQUIRE(f.env.CreateDir("/empty").ok());
  REQUIRE(RepairDB("/empty", f.options).IsInvalidArgument());
  REQUIRE(RepairDB("/missing", f.options).IsInvalidArgument());
}

}  // namespace lsmkv
