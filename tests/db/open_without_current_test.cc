// DB::Open of a directory without CURRENT: refused (Corruption naming
// RepairDB, the directory left exactly as it was) when it holds tables,
// WALs or MANIFESTs; a new DB otherwise.
#include <catch2/catch.hpp>
#include <map>

#include "format/filename.h"
#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/fault_env.h"
#include "support/mem_env.h"

namespace lsmkv {

namespace {

// Every file directly in the directories, with its contents, and whether
// each directory exists.
using DirState = std::map<std::string, std::string>;

DirState Snapshot(Env* env, const std::vector<std::string>& dirs) {
  DirState state;
  for (const std::string& dir : dirs) {
    state["[exists] " + dir] = env->FileExists(dir) ? "yes" : "no";
    std::vector<std::string> children;
    if (!env->GetChildren(dir, &children).ok()) continue;
    for (const std::string& child : children) {
      std::string data;
      REQUIRE(ReadFileToString(env, dir + "/" + child, &data).ok());
      state[dir + "/" + child] = data;
    }
  }
  return state;
}

void RemoveFilesOfType(Env* env, const std::string& dir, FileType doomed) {
  std::vector<std::string> children;
  REQUIRE(env->GetChildren(dir, &children).ok());
  for (const std::string& child : children) {
    uint64_t number;
    FileType type;
    if (ParseFileName(child, &number, &type) && type == doomed) REQUIRE(env->RemoveFile(dir + "/" + child).ok());
  }
}

Options MemOptions(Env* env, const std::string& wal_dir = "") {
  Options options;
  options.env = env;
  options.create_if_missing = true;
  options.wal_dir = wal_dir;
  return options;
}

// A DB with tables and a WAL holding writes not in any table, closed.
std::map<std::string, std::string> WriteDb(const Options& options) {
  std::map<std::string, std::string> model;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  for (int i = 0; i < 100; i++) {
    const std::string k = "k" + std::to_string(i);
    REQUIRE(db->Put(WriteOptions(), k, "v" + k).ok());
    model[k] = "v" + k;
    if (i == 49) REQUIRE(db->Flush().ok());
  }
  return model;
}

// Open with and without create_if_missing: both refused with Corruption
// naming RepairDB, and the directories unchanged.
void RequireRefused(Options options, const std::vector<std::string>& dirs) {
  const DirState before = Snapshot(options.env, dirs);
  for (bool create : {true, false}) {
    options.create_if_missing = create;
    std::unique_ptr<DB> db;
    const Status s = DB::Open(options, "/db", &db);
    INFO("create_if_missing=" << create << ": " << s.ToString());
    REQUIRE(s.IsCorruption());
    REQUIRE(s.ToString().find("RepairDB") != std::string::npos);
    REQUIRE(db == nullptr);
    REQUIRE(Snapshot(options.env, dirs) == before);
  }
}

// Open creates a new, working DB.
void RequireCreated(const Options& options) {
  std::unique_ptr<DB> db;
  const Status s = DB::Open(options, "/db", &db);
  INFO(s.ToString());
  REQUIRE(s.ok());
  REQUIRE(test::Contents(db.get()).empty());
  REQUIRE(db->Put(WriteOptions(), "new", "db").ok());
  db.reset();
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE(test::Contents(db.get()) == std::map<std::string, std::string>{{"new", "db"}});
}

}  // namespace

TEST_CASE("Open without CURRENT: database files are refused, untouched, for RepairDB", "[open]") {
  MemEnv env;
  const Options options = MemOptions(&env);
  const auto model = WriteDb(options);
  REQUIRE(env.RemoveFile("/db/CURRENT").ok());
  // With LOCK left over from the old DB (the check runs under the lock) and
  // without (the check runs before LOCK would be created).
  const bool keep_lock = GENERATE(true, false);
  if (!keep_lock) REQUIRE(env.RemoveFile("/db/LOCK").ok());

  SECTION("tables, a WAL and a MANIFEST") {
    RequireRefused(options, {"/db"});
    // What the message advises works, and nothing was lost.
    REQUIRE(RepairDB("/db", options).ok());
    std::unique_ptr<DB> db;
    REQUIRE(DB::Open(options, "/db", &db).ok());
    REQUIRE(test::Contents(db.get()) == model);
  }
  SECTION("only tables") {
    RemoveFilesOfType(&env, "/db", FileType::kLogFile);
    RemoveFilesOfType(&env, "/db", FileType::kDescriptorFile);
    RequireRefused(options, {"/db"});
  }
  SECTION("only a WAL") {
    RemoveFilesOfType(&env, "/db", FileType::kTableFile);
    RemoveFilesOfType(&env, "/db", FileType::kDescriptorFile);
    RequireRefused(options, {"/db"});
  }
  SECTION("only a MANIFEST") {
    RemoveFilesOfType(&env, "/db", FileType::kTableFile);
    RemoveFilesOfType(&env, "/db", FileType::kLogFile);
    RequireRefused(options, {"/db"});
  }
}

TEST_CASE("Open without CURRENT: WALs in a separate wal_dir count too", "[open]") {
  MemEnv env;
  const Options options = MemOptions(&env, "/wal");
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE(db->Put(WriteOptions(), "only", "in the WAL").ok());
  db.reset();
  // Nothing of the DB is left in /db but LOCK (and LOG, not data).
  REQUIRE(env.RemoveFile("/db/CURRENT").ok());
  RemoveFilesOfType(&env, "/db", FileType::kDescriptorFile);
  RemoveFilesOfType(&env, "/db", FileType::kTableFile);
  RequireRefused(options, {"/db", "/wal"});
}

TEST_CASE("Open without CURRENT: a wal_dir not created yet is not created by a refused Open", "[open]") {
  MemEnv env;
  const auto model = WriteDb(MemOptions(&env));
  REQUIRE(env.RemoveFile("/db/CURRENT").ok());
  REQUIRE(env.RemoveFile("/db/LOCK").ok());
  RequireRefused(MemOptions(&env, "/wal"), {"/db", "/wal"});
  REQUIRE(!env.FileExists("/wal"));
}

TEST_CASE("Open without CURRENT: a directory without database files gets a new DB", "[open]") {
  MemEnv env;
  const Options options = MemOptions(&env);
  SECTION("a directory that does not exist") { RequireCreated(options); }
  SECTION("an empty directory") {
    REQUIRE(env.CreateDir("/db").ok());
    RequireCreated(options);
  }
  SECTION("only LOCK") {
    REQUIRE(env.CreateDir("/db").ok());
    REQUIRE(WriteStringToFile(&env, "", "/db/LOCK", false).ok());
    RequireCreated(options);
  }
  SECTION("only files that are not lsmkv's, which stay as they were") {
    REQUIRE(env.CreateDir("/db").ok());
    const std::map<std::string, std::string> foreign = {
        {"/db/notes.txt", "mine"}, {"/db/MANIFEST-backup", "not a number"}, {"/db/000007.sst.bak", "copy"},
        {"/db/CURRENT.old", "MANIFEST-000009\n"}};
    for (const auto& [name, data] : foreign) REQUIRE(WriteStringToFile(&env, data, name, false).ok());
    RequireCreated(options);
    for (const auto& [name, data] : foreign) {
      std::string now;
      REQUIRE(ReadFileToString(&env, name, &now).ok());
      REQUIRE(now == data);
    }
  }
  SECTION("only LOG, a stray CURRENT.tmp and a table being written") {
    REQUIRE(env.CreateDir("/db").ok());
    REQUIRE(WriteStringToFile(&env, "old log\n", "/db/LOG", false).ok());
    REQUIRE(WriteStringToFile(&env, "MANIFEST-000001\n", "/db/CURRENT.tmp", false).ok());
    REQUIRE(WriteStringToFile(&env, "partial", "/db/000005.sst.tmp", false).ok());
    RequireCreated(options);
  }
  SECTION("an empty wal_dir") {
    REQUIRE(env.CreateDir("/wal").ok());
    RequireCreated(MemOptions(&env, "/wal"));
  }
}

// A first Open cut short before CURRENT was written leaves MANIFEST-000001
// (an empty DB): opening again creates the DB.
TEST_CASE("Open without CURRENT: a first Open cut short before CURRENT is retried", "[open]") {
  MemEnv mem;
  FaultEnv env(&mem);
  Options options = MemOptions(&env);
  env.FailNth(FaultEnv::Op::kRename, 1);  // CURRENT.tmp -> CURRENT
  std::unique_ptr<DB> db;
  REQUIRE(!DB::Open(options, "/db", &db).ok());
  REQUIRE(mem.FileExists("/db/MANIFEST-000001"));
  REQUIRE(!mem.FileExists("/db/CURRENT"));
  env.ClearFailures();
  RequireCreated(options);
}

}  // namespace lsmkv
