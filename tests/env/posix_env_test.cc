#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "env/posix_env_testing.h"
#include "lsmkv/env.h"
#include "support/mem_env.h"
#include "support/test_util.h"

namespace lsmkv {

namespace {

// Turns the simulated mmap / fallocate refusals on for one scope.
class ScopedMappedLogFaults {
 public:
  explicit ScopedMappedLogFaults(const MappedLogFaults& faults) { TEST_SetMappedLogFaults(faults); }
  ~ScopedMappedLogFaults() { TEST_SetMappedLogFaults(MappedLogFaults{}); }
  ScopedMappedLogFaults(const ScopedMappedLogFaults&) = delete;
  ScopedMappedLogFaults& operator=(const ScopedMappedLogFaults&) = delete;
};

// The i-th piece a test appends: 1..2000 bytes of one letter.
std::string Piece(int i) {
  return std::string(1 + (i * 7919) % 2000, static_cast<char>('a' + i % 26));
}

uint64_t FileSize(Env* env, const std::string& f) {
  uint64_t size = 0;
  REQUIRE(env->GetFileSize(f, &size).ok());
  return size;
}

std::string FileContents(Env* env, const std::string& f) {
  std::string data;
  REQUIRE(ReadFileToString(env, f, &data).ok());
  return data;
}

// Whether madvise(MADV_POPULATE_WRITE) works here (Linux 5.14+), asked
// of an anonymous page, apart from the code under test.
bool KernelHasPopulateWrite() {
#ifdef __linux__
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  void* p = ::mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  const bool has = ::madvise(p, page, 23 /* MADV_POPULATE_WRITE */) == 0;
  ::munmap(p, page);
  return has;
#else
  return false;
#endif
}

}  // namespace

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
// are visible to other readers (in the page cache, so they survive a
// process crash) after Flush, without Sync -- an append over 32 bytes at
// once --, the file carries reserved zeros past them until Close cuts it
// back, and appends spanning many regions round-trip.
TEST_CASE("PosixEnv: a .log file is written through a mapping", "[env]") {
  Env* env = Env::Default();
  const std::string dir = test::ScratchDir("posix_log");
  const std::string f = dir + "/000007.log";
  std::unique_ptr<WritableFile> w;
  REQUIRE(env->NewWritableFile(f, &w).ok());
  REQUIRE(w->Append("first record").ok());
  REQUIRE(w->Flush().ok());  // no Sync: in the page cache now
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

// Appends of 4 KiB or more go into the mapping's file with pwrite(2),
// smaller ones with memcpy, and ones of up to 32 bytes are held until the
// next call: all kinds, interleaved and across region boundaries, must land
// at the right offsets and be readable (in the page cache) as soon as
// Append returns -- a held one once the next Append or Flush returns --,
// before any Sync.
TEST_CASE("PosixEnv: a mapped WAL takes large appends by pwrite and small ones by memcpy", "[env][walmode]") {
  Env* env = Env::Default();
  const std::string dir = test::ScratchDir("posix_log_write_through");
  const std::string f = dir + "/000009.log";
  std::unique_ptr<WritableFile> w;
  REQUIRE(env->NewLogFile(f, WalWriteMode::kMapped, &w).ok());
  // Sizes around the 32-byte and 4 KiB thresholds, and pieces larger than
  // what is left of a region (64 KiB, 128 KiB, ... 1 MiB), so one append
  // is split between two regions.
  const size_t sizes[] = {11, 16 << 10, 7, (4 << 10) - 1, 40 << 10, 3, 100 << 10, 300 << 10,
                          1, 900 << 10, 12, 33 << 10, 32, 4 << 10, 33, 11, 11, 5000, 32, 70 << 10};
  std::string expected;
  for (int round = 0; round < 3; round++) {
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
      std::string piece(sizes[i], '\0');
      for (size_t j = 0; j < piece.size(); j++) {
        piece[j] = static_cast<char>('a' + (j * 31 + i * 7 + static_cast<size_t>(round)) % 26);
      }
      REQUIRE(w->Append(piece).ok());
      expected += piece;
      if (sizes[i] <= 32 && (i + static_cast<size_t>(round)) % 2 == 0) continue;  // held, seen later
      if (sizes[i] <= 32) REQUIRE(w->Flush().ok());
      const std::string seen = FileContents(env, f);
      INFO("round " << round << ", piece " << i << " of " << sizes[i] << " bytes");
      REQUIRE(seen.size() >= expected.size());
      REQUIRE(seen.compare(0, expected.size(), expected) == 0);
    }
    REQUIRE(w->Sync().ok());
  }
  REQUIRE(w->Close().ok());
  REQUIRE(FileSize(env, f) == expected.size());
  REQUIRE(FileContents(env, f) == expected);
}

// An append of up to 32 bytes (a log record's header) that fits in the
// mapped region is held back and goes out with the next append -- in one
// pwritev when that one is 4 KiB or more and fits in the region -- or at
// Flush, Sync or Close, whichever comes first: after each of those the
// held bytes are in the file, in order. Both kinds of mode that map (kMapped, and kAuto that has not
// fallen back).
TEST_CASE("PosixEnv: a mapped WAL holds a small append until the next call", "[env][walmode]") {
  Env* env = Env::Default();
  const std::string dir = test::ScratchDir("posix_log_hold");
  const WalWriteMode mode = GENERATE(WalWriteMode::kMapped, WalWriteMode::kAuto);
  const std::string f = dir + (mode == WalWriteMode::kMapped ? "/000011.log" : "/000012.log");
  std::unique_ptr<WritableFile> w;
  REQUIRE(env->NewLogFile(f, mode, &w).ok());
  std::string expected;
  auto append = [&](const std::string& piece) {
    REQUIRE(w->Append(piece).ok());
    expected += piece;
  };
  auto require_in_file = [&](const char* after) {
    INFO("after " << after << ", " << expected.size() << " bytes appended");
    const std::string seen = FileContents(env, f);
    REQUIRE(seen.size() >= expected.size());
    REQUIRE(seen.compare(0, expected.size(), expected) == 0);
  };
  append(std::string(100, 'a'));  // maps the first region (only then is anything held)
  append(std::string(11, 'h'));
  REQUIRE(w->Flush().ok());
  require_in_file("Flush");
  append(std::string(11, 'i'));
  append(std::string(20 << 10, 'p'));  // header + payload in one pwritev
  require_in_file("a large append");
  append(std::string(11, 'j'));
  append(std::string(100, 'q'));  // small: the header is copied first
  require_in_file("a small append");
  append(std::string(32, 'k'));
  REQUIRE(w->Sync().ok());
  require_in_file("Sync");
  // A held header whose large payload does not fit in what is left of the
  // 64 KiB first region: released first, then the payload is split.
  append(std::string((64 << 10) - expected.size() - 40, 'r'));
  append(std::string(11, 'l'));
  append(std::string(30 << 10, 's'));
  require_in_file("a large append crossing into the next region");
  append(std::string(5, 'm'));
  REQUIRE(w->Close().ok());
  REQUIRE(FileSize(env, f) == expected.size());
  REQUIRE(FileContents(env, f) == expected);
  test::RemoveTree(dir);
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

// Where the file system refuses the reservation as unsupported or refuses
// the mapping, kAuto continues with write(2): at the first region (nothing
// mapped yet) or at region 2 (192 KiB mapped, and for a refused mapping a
// 256 KiB reservation to cut back). After every Flush the file holds
// exactly the bytes appended: no reserved zeros in the middle, none lost,
// none repeated.
TEST_CASE("PosixEnv: a WAL falls back to write(2) where mmap or fallocate is refused",
          "[env][walmode]") {
  Env* env = Env::Default();
  const std::string dir = test::ScratchDir("posix_log_fallback");
  const std::string f = dir + "/000009.log";
  // (refuse the mapping rather than the reservation, errno)
  const auto refusal = GENERATE(table<bool, int>({{false, EOPNOTSUPP},
                                                  {false, EINVAL},
                                                  {false, ENOSYS},
                                                  {true, ENODEV},
                                                  {true, EINVAL},
                                                  {true, EACCES},
                                                  {true, ENOMEM}}));
  const bool refuse_map = std::get<0>(refusal);
  const int error_number = std::get<1>(refusal);
  const int first_region = GENERATE(0, 2);
  INFO((refuse_map ? "mmap" : "fallocate") << " fails with " << std::strerror(error_number)
                                           << " from region " << first_region);
  MappedLogFaults faults;
  (refuse_map ? faults.map_error : faults.reserve_error) = error_number;
  faults.first_region = first_region;
  ScopedMappedLogFaults scoped(faults);

  std::unique_ptr<WritableFile> w;
  REQUIRE(env->NewLogFile(f, WalWriteMode::kAuto, &w).ok());
  std::string expected;
  bool checked_after_fallback = false;
  for (int i = 0; i < 3000; i++) {  // ~3 MiB, regions of 64 KiB doubling to 1 MiB
    const std::string piece = Piece(i);
    REQUIRE(w->Append(piece).ok());
    REQUIRE(w->Flush().ok());  // as the log writer does after every record
    expected += piece;
    if (i == 0) {
      // Still mapped (a region is reserved past the bytes) until the
      // faults start; written from the first byte when they do.
      if (first_region == 0) {
        REQUIRE(FileSize(env, f) == expected.size());
      } else {
        REQUIRE(FileSize(env, f) >= 64 * 1024);
      }
    }
    if (!checked_after_fallback && expected.size() > 256 * 1024) {
      // Past region 2's start (192 KiB): the fallback has happened either way.
      REQUIRE(FileSize(env, f) == expected.size());
      REQUIRE(FileContents(env, f) == expected);
      checked_after_fallback = true;
    }
    if (i % 500 == 0) REQUIRE(w->Sync().ok());
  }
  REQUIRE(checked_after_fallback);
  REQUIRE(w->Sync().ok());
  REQUIRE(w->Close().ok());
  REQUIRE(FileContents(env, f) == expected);
  test::RemoveTree(dir);
}

// kMapped does not fall back: a refusal is an IOError naming the cause,
// the bytes appended before it stay, and Close cuts a reservation the
// refused mapping left behind. A later Append tries the region again.
TEST_CASE("PosixEnv: a kMapped WAL reports a refused mmap or fallocate as IOError",
          "[env][walmode]") {
  Env* env = Env::Default();
  const std::string dir = test::ScratchDir("posix_log_mapped_only");
  const std::string f = dir + "/000010.log";
  const bool refuse_map = GENERATE(false, true);
  const int error_number = refuse_map ? ENODEV : EOPNOTSUPP;
  INFO((refuse_map ? "mmap" : "fallocate") << " fails with " << std::strerror(error_number));
  MappedLogFaults faults;
  (refuse_map ? faults.map_error : faults.reserve_error) = error_number;
  faults.first_region = 2;  // after 64 + 128 KiB were mapped
  std::unique_ptr<WritableFile> w;
  REQUIRE(env->NewLogFile(f, WalWriteMode::kMapped, &w).ok());
  std::string accepted;
  Status s;
  {
    ScopedMappedLogFaults scoped(faults);
    // 1 KiB pieces fill 192 KiB exactly, so no piece is cut in two.
    for (int i = 0; i < 1000 && s.ok(); i++) {
      const std::string piece(1024, static_cast<char>('a' + i % 26));
      s = w->Append(piece);
      if (s.ok()) accepted += piece;
    }
    REQUIRE(s.IsIOError());
    REQUIRE(s.ToString().find(std::strerror(error_number)) != std::string::npos);
    REQUIRE(s.ToString().find("kWrite") != std::string::npos);
    REQUIRE(accepted.size() == 192 * 1024);
    REQUIRE(w->Append("x").IsIOError());  // still refused
  }
  REQUIRE(w->Append("after").ok());  // the file system "allows" it again
  accepted += "after";
  REQUIRE(w->Close().ok());
  REQUIRE(FileContents(env, f) == accepted);

  // Refused from the first region: nothing is written, nothing is left.
  {
    faults.first_region = 0;
    ScopedMappedLogFaults scoped(faults);
    REQUIRE(env->NewLogFile(f, WalWriteMode::kMapped, &w).ok());
    REQUIRE(w->Append("record").IsIOError());
    REQUIRE(w->Close().ok());
    REQUIRE(FileSize(env, f) == 0);
  }
  test::RemoveTree(dir);
}

// No space, a quota or a failing disk are errors in kAuto too: write(2)
// would hit them as well, and hiding them would only move the failure.
TEST_CASE("PosixEnv: a kAuto WAL does not fall back on ENOSPC or EIO", "[env][walmode]") {
  Env* env = Env::Default();
  const std::string dir = test::ScratchDir("posix_log_nospace");
  const std::string f = dir + "/000011.log";
  const int error_number = GENERATE(ENOSPC, EDQUOT, EIO);
  INFO("fallocate fails with " << std::strerror(error_number));
  MappedLogFaults faults;
  faults.reserve_error = error_number;
  std::unique_ptr<WritableFile> w;
  {
    ScopedMappedLogFaults scoped(faults);
    REQUIRE(env->NewLogFile(f, WalWriteMode::kAuto, &w).ok());
    const Status s = w->Append("record");
    REQUIRE(s.IsIOError());
    REQUIRE(s.IsNoSpace() == (error_number != EIO));  // what lets the DB resume on its own
    REQUIRE(s.ToString().find(std::strerror(error_number)) != std::string::npos);
  }
  // Space is back: the same file maps its first region and goes on.
  REQUIRE(w->Append("record").ok());
  REQUIRE(FileSize(env, f) >= 64 * 1024);  // mapped: a reserved region
  REQUIRE(w->Close().ok());
  REQUIRE(FileContents(env, f) == "record");
  test::RemoveTree(dir);
}

// A page the kernel cannot fault in (MADV_POPULATE_WRITE fails with
// EFAULT or EHWPOISON: a store there would raise SIGBUS) is an IOError
// from the call that would have stored into it -- Append, or Flush / Sync
// releasing a held append -- which stores nothing past the pages it could
// not get; once the fault is gone the same file goes on and holds every
// byte once. ENOMEM (a memory squeeze) is not an error: the stores go on.
// Where the kernel has no MADV_POPULATE_WRITE the file never asks, and
// there is nothing to check.
TEST_CASE("PosixEnv: a mapped WAL reports a page it cannot fault in as IOError", "[env][walmode]") {
  if (!KernelHasPopulateWrite()) {
    WARN("this kernel has no MADV_POPULATE_WRITE: the WAL never asks; nothing to check");
    return;
  }
  Env* env = Env::Default();
  const std::string dir = test::ScratchDir("posix_log_populate");
  const std::string f = dir + "/000011.log";
#ifdef EHWPOISON
  const int error_number = GENERATE(EFAULT, EHWPOISON, ENOMEM);
#else
  const int error_number = GENERATE(EFAULT, ENOMEM);
#endif
  INFO("madvise fails with " << std::strerror(error_number));
  MappedLogFaults faults;
  faults.populate_error = error_number;
  faults.first_region = 1;  // the second region, from 64 KiB on
  ScopedMappedLogFaults scoped(faults);
  std::unique_ptr<WritableFile> w;
  REQUIRE(env->NewLogFile(f, WalWriteMode::kMapped, &w).ok());
  // The first region (64 KiB) exactly, in pieces of 4000 bytes or less.
  std::string expected;
  while (expected.size() < (64 << 10)) {
    const std::string piece(std::min<size_t>(4000, (64 << 10) - expected.size()), 'a');
    REQUIRE(w->Append(piece).ok());
    expected += piece;
  }
  REQUIRE(w->Flush().ok());
  REQUIRE(FileContents(env, f).compare(0, expected.size(), expected) == 0);

  // The next byte is in the second region, whose pages cannot be faulted in.
  Status s = w->Append(std::string(100, 'x'));
  INFO(s.ToString());
  if (error_number == ENOMEM) {
    // Not an error: the store faults the page in itself.
    REQUIRE(s.ok());
    expected += std::string(100, 'x');
    REQUIRE(w->Close().ok());
    REQUIRE(FileContents(env, f) == expected);
    test::RemoveTree(dir);
    return;
  }
  REQUIRE(s.IsIOError());
  REQUIRE(s.ToString().find(std::strerror(error_number)) != std::string::npos);
  // A small append is held (OK), and its release fails the same way.
  REQUIRE(w->Append(std::string(11, 'h')).ok());
  REQUIRE(w->Flush().IsIOError());
  REQUIRE(w->Sync().IsIOError());
  REQUIRE(FileContents(env, f).compare(0, expected.size() + 1, expected + '\0') == 0);  // nothing stored

  // The pages are fine again: the held bytes go out, then the rest, once.
  TEST_SetMappedLogFaults(MappedLogFaults{});
  REQUIRE(w->Flush().ok());
  expected += std::string(11, 'h');
  REQUIRE(w->Append(std::string(8000, 'd')).ok());
  expected += std::string(8000, 'd');
  REQUIRE(w->Sync().ok());
  REQUIRE(w->Close().ok());
  REQUIRE(FileContents(env, f) == expected);
  test::RemoveTree(dir);
}

// EINVAL from MADV_POPULATE_WRITE is what a kernel before 5.14 answers:
// the file stops asking (its stores fault the pages in), and nothing fails.
TEST_CASE("PosixEnv: a mapped WAL whose kernel does not know populate stops asking, for that file",
          "[env][walmode]") {
  Env* env = Env::Default();
  const std::string dir = test::ScratchDir("posix_log_populate_einval");
  const std::string f = dir + "/000013.log";
  const std::string g = dir + "/000014.log";
  MappedLogFaults faults;
  faults.populate_error = EINVAL;  // from the first region on
  ScopedMappedLogFaults scoped(faults);
  std::unique_ptr<WritableFile> w;
  REQUIRE(env->NewLogFile(f, WalWriteMode::kMapped, &w).ok());
  std::string expected;
  REQUIRE(w->Append(std::string(3000, 'a')).ok());
  expected += std::string(3000, 'a');

  // From now on every populate call would fail with EFAULT. This file no
  // longer asks: its appends, across two regions, succeed.
  faults.populate_error = EFAULT;
  TEST_SetMappedLogFaults(faults);
  while (expected.size() < (150 << 10)) {
    const std::string piece(3000, static_cast<char>('b' + expected.size() % 20));
    REQUIRE(w->Append(piece).ok());
    expected += piece;
  }
  REQUIRE(w->Sync().ok());
  // A new file asks again (and hears EFAULT): the switch was this file's.
  std::unique_ptr<WritableFile> w2;
  REQUIRE(env->NewLogFile(g, WalWriteMode::kMapped, &w2).ok());
  REQUIRE(w2->Append(std::string(100, 'z')).IsIOError());

  TEST_SetMappedLogFaults(MappedLogFaults{});
  REQUIRE(w->Close().ok());
  REQUIRE(w2->Close().ok());
  REQUIRE(FileContents(env, f) == expected);
  test::RemoveTree(dir);
}

// kWrite: write(2) from the first byte, never a reservation; the mapping
// faults do not matter to it.
TEST_CASE("PosixEnv: a kWrite WAL is written with write(2)", "[env][walmode]") {
  Env* env = Env::Default();
  const std::string dir = test::ScratchDir("posix_log_write");
  const std::string f = dir + "/000012.log";
  MappedLogFaults faults;
  faults.map_error = ENODEV;
  faults.reserve_error = EOPNOTSUPP;
  ScopedMappedLogFaults scoped(faults);
  std::unique_ptr<WritableFile> w;
  REQUIRE(env->NewLogFile(f, WalWriteMode::kWrite, &w).ok());
  std::string expected;
  for (int i = 0; i < 500; i++) {
    REQUIRE(w->Append(Piece(i)).ok());
    REQUIRE(w->Flush().ok());
    expected += Piece(i);
    if (i % 100 == 0) REQUIRE(FileSize(env, f) == expected.size());
  }
  REQUIRE(w->Sync().ok());
  REQUIRE(w->Close().ok());
  REQUIRE(FileContents(env, f) == expected);
  REQUIRE(env->NewLogFile(f, static_cast<WalWriteMode>(9), &w).IsInvalidArgument());
  test::RemoveTree(dir);
}

// Envs that do not know write modes (MemEnv here; users' own) get WAL files
// through NewWritableFile, and so do wrappers that intercept it.
TEST_CASE("Env: NewLogFile defaults to NewWritableFile", "[env][walmode]") {
  class CountingEnv final : public EnvWrapper {
   public:
    explicit CountingEnv(Env* base) : EnvWrapper(base) {}
    Status NewWritableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override {
      created++;
      return target()->NewWritableFile(f, r);
    }
    int created = 0;
  };
  MemEnv mem;
  CountingEnv counting(&mem);
  for (WalWriteMode mode : {WalWriteMode::kAuto, WalWriteMode::kMapped, WalWriteMode::kWrite}) {
    std::unique_ptr<WritableFile> w;
    REQUIRE(counting.NewLogFile("/000013.log", mode, &w).ok());
    REQUIRE(w->Append("record").ok());
    REQUIRE(w->Close().ok());
    REQUIRE(FileContents(&mem, "/000013.log") == "record");
  }
  REQUIRE(counting.created == 3);
}

namespace {

// Resident KiB (/proc/self/smaps "Rss:") of the mapping that holds addr.
size_t ResidentKiBOfMappingAt(const void* addr) {
  std::string smaps;
  REQUIRE(ReadFileToString(Env::Default(), "/proc/self/smaps", &smaps).ok());
  const uintptr_t a = reinterpret_cast<uintptr_t>(addr);
  bool inside = false;
  size_t pos = 0;
  while (pos < smaps.size()) {
    size_t end = smaps.find('\n', pos);
    if (end == std::string::npos) end = smaps.size();
    const std::string line = smaps.substr(pos, end - pos);
    pos = end + 1;
    unsigned long lo = 0, hi = 0;
    // A mapping's header ("lo-hi perms ..."); its fields ("Rss:   12 kB")
    // follow it and start with a name that is not two hex numbers.
    if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2) {
      inside = a >= lo && a < hi;
    } else if (inside && line.compare(0, 4, "Rss:") == 0) {
      return std::stoul(line.substr(4));
    }
  }
  FAIL("no mapping holds the address");
  return 0;
}

}  // namespace

// A table file read through its mapping holds every page read in the
// process's resident set until DropResidentPages, which leaves the data
// readable (the pages come back from the page cache).
TEST_CASE("PosixEnv: a mapped table file drops its resident pages and reads the same after", "[env]") {
  Env* env = Env::Default();
  const std::string dir = test::ScratchDir("posix_drop_pages");
  const std::string f = dir + "/000001.sst";
  std::string data(4 << 20, '\0');
  for (size_t i = 0; i < data.size(); i++) data[i] = static_cast<char>('a' + (i * 131) % 26);
  REQUIRE(WriteStringToFile(env, data, f, /*sync=*/false).ok());
  RandomAccessFileOptions options;
  options.allow_mmap_reads = true;
  std::unique_ptr<RandomAccessFile> file;
  REQUIRE(env->NewRandomAccessFileWithOptions(f, options, &file).ok());
  Slice all;
  REQUIRE(file->Read(0, data.size(), &all, nullptr).ok());
  REQUIRE(all.size() == data.size());
  REQUIRE(all.data() != nullptr);
  REQUIRE(all == Slice(data));  // touches every page
  REQUIRE(ResidentKiBOfMappingAt(all.data()) >= 3 * 1024);
  file->DropResidentPages();
  REQUIRE(ResidentKiBOfMappingAt(all.data()) < 256);
  REQUIRE(all == Slice(data));  // the same slice, mapped again
  Slice piece;
  REQUIRE(file->Read(1 << 20, 100, &piece, nullptr).ok());
  REQUIRE(piece == Slice(data.data() + (1 << 20), 100));
  file.reset();
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
