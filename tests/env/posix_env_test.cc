#include <catch2/catch.hpp>
#include <algorithm>
#include <string>
#include <vector>

#include "lsmkv/env.h"
#include "support/test_util.h"

namespace lsmkv {

TEST_CASE("PosixEnv: write, read sequentially and at offsets", "[env]") {
  Env* env = Env::Default();
  const std::string dir = test::ScratchDir("posix_rw");
  const std::string f = dir + "/file";

  std::unique_ptr<WritableFile> w;
  REQUIRE(env->NewWritableFile(f, &w).ok());
  REQUIRE(w->Append("hello ").ok());
  const std::string big(200000, 'z');  // larger than the write buffer
  REQUIRE(w->Append(big).ok());
  REQUIRE(w->Append(Slice("\0end", 4)).ok());
  REQUIRE(w->Sync().ok());
  REQUIRE(w->Close().ok());

  uint64_t size;
  REQUIRE(env->GetFileSize(f, &size).ok());
  REQUIRE(size == 6 + big.size() + 4);

  std::string all;
  REQUIRE(ReadFileToString(env, f, &all).ok());
  REQUIRE(all == "hello " + big + std::string("\0end", 4));

  std::unique_ptr<SequentialFile> seq;
  REQUIRE(env->NewSequentialFile(f, &seq).ok());
  char scratch[16];
  Slice result;
  REQUIRE(seq->Read(6, &result, scratch).ok());
  REQUIRE(result == Slice("hello "));
  REQUIRE(seq->Skip(big.size()).ok());
  REQUIRE(seq->Read(16, &result, scratch).ok());
  REQUIRE(result == Slice("\0end", 4));
  REQUIRE(seq->Read(16, &result, scratch).ok());
  REQUIRE(result.empty());

  std::unique_ptr<RandomAccessFile> ra;
  REQUIRE(env->NewRandomAccessFile(f, &ra).ok());
  REQUIRE(ra->Read(2, 4, &result, scratch).ok());
  REQUIRE(result == Slice("llo "));
  REQUIRE(ra->Read(size - 2, 10, &result, scratch).ok());
  REQUIRE(result == Slice("nd"));

  // Appendable files continue at the end.
  REQUIRE(env->NewAppendableFile(f, &w).ok());
  REQUIRE(w->Append("++").ok());
  REQUIRE(w->Close().ok());
  REQUIRE(env->GetFileSize(f, &size).ok());
  REQUIRE(size == 6 + big.size() + 4 + 2);
  test::RemoveTree(dir);
}

TEST_CASE("PosixEnv: directories, rename, remove and errors", "[env]") {
  Env* env = Env::Default();
  const std::string dir = test::ScratchDir("posix_dir");
  REQUIRE(env->CreateDir(dir + "/sub").ok());
  REQUIRE(env->CreateDir(dir + "/sub").ok());  // exists: fine
  REQUIRE(WriteStringToFile(env, "a", dir + "/sub/a", true).ok());
  REQUIRE(WriteStringToFile(env, "b", dir + "/sub/b", false).ok());
  REQUIRE(env->RenameFile(dir + "/sub/b", dir + "/sub/a").ok());  // replaces
  REQUIRE(env->SyncDir(dir + "/sub").ok());
  std::vector<std::string> children;
  REQUIRE(env->GetChildren(dir + "/sub", &children).ok());
  REQUIRE(children == std::vector<std::string>{"a"});
  std::string data;
  REQUIRE(ReadFileToString(env, dir + "/sub/a", &data).ok());
  REQUIRE(data == "b");
  REQUIRE(env->RemoveFile(dir + "/sub/a").ok());
  REQUIRE_FALSE(env->FileExists(dir + "/sub/a"));
  REQUIRE(env->RemoveFile(dir + "/sub/a").IsNotFound());
  REQUIRE(env->RemoveDir(dir + "/sub").ok());

  std::unique_ptr<SequentialFile> seq;
  const Status s = env->NewSequentialFile(dir + "/missing", &seq);
  REQUIRE(s.IsNotFound());
  REQUIRE(s.ToString().find("missing") != std::string::npos);
  REQUIRE(env->GetChildren(dir + "/nodir", &children).IsNotFound());
  REQUIRE_FALSE(env->SyncDir(dir + "/nodir").ok());
  test::RemoveTree(dir);
}

TEST_CASE("PosixEnv: a locked file cannot be locked again until released", "[env]") {
  Env* env = Env::Default();
  const std::string dir = test::ScratchDir("posix_lock");
  std::unique_ptr<FileLock> lock;
  REQUIRE(env->LockFile(dir + "/LOCK", &lock).ok());
  std::unique_ptr<FileLock> second;
  REQUIRE(env->LockFile(dir + "/LOCK", &second).IsBusy());
  lock.reset();
  REQUIRE(env->LockFile(dir + "/LOCK", &second).ok());
  test::RemoveTree(dir);
}

TEST_CASE("PosixEnv: clock moves forward", "[env]") {
  Env* env = Env::Default();
  const uint64_t start = env->NowMicros();
  env->SleepForMicroseconds(2000);
  REQUIRE(env->NowMicros() - start >= 1000);
  REQUIRE(env->NowUnixSeconds() > 1700000000ull);  // after 2023
}

}  // namespace lsmkv
