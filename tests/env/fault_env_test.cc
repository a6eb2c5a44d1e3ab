#include "support/fault_env.h"

#include <catch2/catch.hpp>

#include "support/mem_env.h"

namespace lsmkv {

TEST_CASE("FaultEnv: fails the Nth call, once or sticky", "[fault_env]") {
  MemEnv mem;
  FaultEnv env(&mem);
  std::unique_ptr<WritableFile> f;
  REQUIRE(env.NewWritableFile("/d/f", &f).ok());
  env.FailNth(FaultEnv::Op::kWrite, 2);
  REQUIRE(f->Append("a").ok());
  REQUIRE(f->Append("b").IsIOError());
  REQUIRE(f->Append("c").ok());
  env.FailNth(FaultEnv::Op::kSync, 1, /*sticky=*/true);
  REQUIRE(f->Sync().IsIOError());
  REQUIRE(f->Sync().IsIOError());
  env.ClearFailures();
  REQUIRE(f->Sync().ok());
  env.FailNth(FaultEnv::Op::kRename, 1);
  REQUIRE(env.RenameFile("/d/f", "/d/g").IsIOError());
  REQUIRE(env.RenameFile("/d/f", "/d/g").ok());
  env.FailNth(FaultEnv::Op::kOpen, 1);
  REQUIRE(env.NewWritableFile("/d/h", &f).IsIOError());
}

TEST_CASE("FaultEnv: power loss keeps exactly the synced bytes", "[fault_env]") {
  MemEnv mem;
  FaultEnv env(&mem);
  REQUIRE(mem.CreateDir("/d").ok());
  std::unique_ptr<WritableFile> f;
  REQUIRE(env.NewWritableFile("/d/f", &f).ok());
  REQUIRE(f->Append("synced").ok());
  REQUIRE(f->Sync().ok());
  REQUIRE(f->Append("-lost").ok());
  REQUIRE(f->Flush().ok());
  std::unique_ptr<WritableFile> g;
  REQUIRE(env.NewWritableFile("/d/g", &g).ok());
  REQUIRE(g->Append("never synced").ok());

  env.Freeze();
  REQUIRE(f->Append("x").IsIOError());
  REQUIRE(env.RenameFile("/d/f", "/d/z").IsIOError());
  f.reset();
  g.reset();
  REQUIRE(env.DropUnsyncedData().ok());
  std::string data;
  REQUIRE(ReadFileToString(&env, "/d/f", &data).ok());
  REQUIRE(data == "synced");
  REQUIRE(ReadFileToString(&env, "/d/g", &data).ok());
  REQUIRE(data.empty());
}

TEST_CASE("FaultEnv: unsynced directory entries can disappear", "[fault_env]") {
  MemEnv mem;
  FaultEnv env(&mem);
  REQUIRE(mem.CreateDir("/d").ok());
  REQUIRE(WriteStringToFile(&env, "durable", "/d/a", true).ok());
  REQUIRE(env.SyncDir("/d").ok());
  REQUIRE(WriteStringToFile(&env, "synced data, unsynced entry", "/d/b", true).ok());
  REQUIRE(env.DropUnsyncedData(/*drop_unsynced_dir_entries=*/true).ok());
  REQUIRE(env.FileExists("/d/a"));
  REQUIRE_FALSE(env.FileExists("/d/b"));
}

}  // namespace lsmkv
