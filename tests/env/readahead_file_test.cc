// ReadaheadFile: reads served from its window match the file byte for
// byte, a front-to-back scan costs one read below per window, and errors
// and short reads near the end come through as the file below gives them.
#include "env/readahead_file.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <memory>
#include <string>

#include "support/test_util.h"
#include "util/random.h"

namespace lsmkv {

namespace {

// A file in memory that copies into scratch (as pread does), counts its
// reads, and fails every read from `fail_at_read` on (0: never).
class CountingFile final : public RandomAccessFile {
 public:
  explicit CountingFile(std::string contents) : contents_(std::move(contents)) {}
  Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
    reads_++;
    if (fail_at_read_ != 0 && reads_ >= fail_at_read_) return Status::IOError("injected read error");
    if (offset > contents_.size()) return Status::IOError("read past the end of the file");
    const size_t m = std::min(n, contents_.size() - static_cast<size_t>(offset));
    std::memcpy(scratch, contents_.data() + offset, m);
    *result = Slice(scratch, m);
    return Status::OK();
  }
  int reads() const { return reads_; }
  void FailFromRead(int k) { fail_at_read_ = k; }

 private:
  const std::string contents_;
  mutable int reads_ = 0;
  int fail_at_read_ = 0;
};

std::string RandomBytes(Random* rnd, size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rnd->Uniform(256));
  return s;
}

}  // namespace

TEST_CASE("ReadaheadFile: a scan in blocks reads one window at a time and returns the file's bytes",
          "[env][readahead]") {
  const uint64_t seed = test::TestSeed(77);
  INFO("seed " << seed);
  Random rnd(seed);
  const size_t kWindow = 4096;
  const std::string contents = RandomBytes(&rnd, 100000);
  auto below = std::make_unique<CountingFile>(contents);
  CountingFile* counting = below.get();
  ReadaheadFile file(std::move(below), kWindow);
  std::string scratch(kWindow * 4, '\0');
  uint64_t offset = 0;
  while (offset < contents.size()) {
    const size_t n = std::min<size_t>(1 + rnd.Uniform(700), contents.size() - offset);
    Slice got;
    REQUIRE(file.Read(offset, n, &got, scratch.data()).ok());
    REQUIRE(got.ToString() == contents.substr(offset, n));
    offset += n;
  }
  // Each refill starts at the first read the window could not serve, at
  // most 700 bytes before its end, so every window moves the scan on by
  // at least 4096 - 700 bytes: at least one read below per window, and
  // at most about 1.2 per window (checked with room: 1.5).
  const int windows = static_cast<int>((contents.size() + kWindow - 1) / kWindow);
  CHECK(counting->reads() >= windows);
  CHECK(counting->reads() <= windows + windows / 2 + 1);
  CHECK(file.reads_below() == static_cast<uint64_t>(counting->reads()));
}

TEST_CASE("ReadaheadFile: random reads, reads longer than the window and past the end match the file",
          "[env][readahead]") {
  const uint64_t seed = test::TestSeed(78);
  INFO("seed " << seed);
  Random rnd(seed);
  const size_t kWindow = 1024;
  const std::string contents = RandomBytes(&rnd, 20000);
  ReadaheadFile file(std::make_unique<CountingFile>(contents), kWindow);
  std::string scratch(8192, '\0');
  for (int i = 0; i < 2000; i++) {
    const uint64_t offset = rnd.Uniform(static_cast<int>(contents.size()) + 1);
    const size_t n = rnd.OneIn(10) ? kWindow + rnd.Uniform(4000) : rnd.Uniform(kWindow + 1);
    INFO("read " << i << ": " << n << " bytes at " << offset);
    Slice got;
    REQUIRE(file.Read(offset, n, &got, scratch.data()).ok());
    // Past the end: the bytes there are, as the file below gives them.
    REQUIRE(got.ToString() == contents.substr(offset, n));
  }
}

TEST_CASE("ReadaheadFile: an error below is returned and the next read asks again", "[env][readahead]") {
  const std::string contents(10000, 'x');
  auto below = std::make_unique<CountingFile>(contents);
  CountingFile* counting = below.get();
  ReadaheadFile file(std::move(below), 1024);
  std::string scratch(1024, '\0');
  Slice got;
  REQUIRE(file.Read(0, 100, &got, scratch.data()).ok());
  counting->FailFromRead(2);
  // Inside the window: no read below, no error.
  REQUIRE(file.Read(100, 100, &got, scratch.data()).ok());
  // Outside it: the error of the file below.
  Status s = file.Read(5000, 100, &got, scratch.data());
  REQUIRE(s.IsIOError());
  // The failed refill left no window: what the first one held is asked
  // for again, and fails again.
  REQUIRE(file.Read(100, 100, &got, scratch.data()).IsIOError());
  counting->FailFromRead(0);
  REQUIRE(file.Read(5000, 100, &got, scratch.data()).ok());
  REQUIRE(got.ToString() == std::string(100, 'x'));
}

TEST_CASE("ReadaheadFile: refills stop at the limit unless the read goes past it", "[env][readahead]") {
  const uint64_t seed = test::TestSeed(78);
  INFO("seed " << seed);
  Random rnd(seed);
  const std::string contents = RandomBytes(&rnd, 10000);
  const uint64_t kLimit = 6000;  // where the "data blocks" end
  auto below = std::make_unique<CountingFile>(contents);
  CountingFile* counting = below.get();
  ReadaheadFile file(std::move(below), 4096, kLimit);
  std::string scratch(8192, '\0');
  Slice got;
  // A front-to-back scan of the part before the limit, in blocks of 100:
  // a window of 4096 bytes, then (the read at 4000 crosses its end) one
  // from 4000 that stops at the limit, not at 8096.
  for (uint64_t offset = 0; offset + 100 <= kLimit; offset += 100) {
    REQUIRE(file.Read(offset, 100, &got, scratch.data()).ok());
    REQUIRE(got.ToString() == contents.substr(offset, 100));
  }
  CHECK(counting->reads() == 2);
  const uint64_t scan_bytes = 4096 + (kLimit - 4000);
  CHECK(file.bytes_asked_below() == scan_bytes);
  // A read that crosses the limit still gets all its bytes.
  REQUIRE(file.Read(5950, 200, &got, scratch.data()).ok());
  REQUIRE(got.ToString() == contents.substr(5950, 200));
  CHECK(file.bytes_asked_below() == scan_bytes + 200);
  // Past the limit the window is full size again.
  REQUIRE(file.Read(7000, 10, &got, scratch.data()).ok());
  REQUIRE(got.ToString() == contents.substr(7000, 10));
  CHECK(file.bytes_asked_below() == scan_bytes + 200 + 4096);
}

}  // namespace lsmkv
