#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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

// WAL files ("*.log") are written through a shared mapping: appended bytes
// are visible to other readers at once (in the page cache, so they survive
// a process crash) without Flush, the file carries reserved zeros past them
// until Close cuts it back, and appends spanning many regions round-trip.
TEST_CASE("PosixEnv: a .log file is written through a mapping", "[env]") {
  Env* env = Env::Default();
  const std::string dir = test::ScratchDir("posix_log");
  const std::string f = dir + "/000007.log";
  std::unique_ptr<WritableFile> w;
  REQUIRE(env->NewWritableFile(f, &w).ok());
  REQUIRE(w->Append("first record").ok());  // no Flush: already in the page cache
  std::string seen;
  REQUIRE(ReadFileToString(env, f, &seen).ok());
  REQUIRE(seen.compare(0, 12, "first record") == 0);
  REQUIRE(seen.size() >= 64 * 1024);  // the reserved region
  REQUIRE(std::all_of(seen.begin() + 12, seen.end(), [](char c) { return c == 0; }));

  std::string expected = "first record";
  for (int i = 0; i < 3000; i++) {  // ~3 MiB: regions of 64 KiB doubling to 1 MiB
    const std::string piece(1 + (i * 7919) % 2000, static_cast<char>('a' + i % 26));
    REQUIRE(w->Append(piece).ok());
    expected += piece;
    if (i % 500 == 0) REQUIRE(w->Sync().ok());
  }
  REQUIRE(w->Sync().ok());
  REQUIRE(w->Close().ok());
  uint64_t size = 0;
  REQUIRE(env->GetFileSize(f, &size).ok());
  REQUIRE(size == expected.size());
  REQUIRE(ReadFileToString(env, f, &seen).ok());
  REQUIRE(seen == expected);
}

// Reserving a region that does not fit (here: past RLIMIT_FSIZE, in a
// child process) is an IOError from Append, not a crash by SIGBUS.
TEST_CASE("PosixEnv: a .log file that cannot grow fails Append cleanly", "[env]") {
  const std::string dir = test::ScratchDir("posix_log_full");
  const std::string f = dir + "/000008.log";
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);  // EFBIG instead of a signal
    struct rlimit limit = {200 * 1024, 200 * 1024};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(10);
    std::unique_ptr<WritableFile> w;
    if (!Env::Default()->NewWritableFile(f, &w).ok()) _exit(11);
    const std::string chunk(1000, 'x');
    for (int i = 0; i < 1000; i++) {
      const Status s = w->Append(chunk);
      if (!s.ok()) _exit(s.IsIOError() ? 0 : 12);  // the expected end
    }
    _exit(13);  // 1 MB appended past a 200 KB limit
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  INFO("child status " << status);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
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
