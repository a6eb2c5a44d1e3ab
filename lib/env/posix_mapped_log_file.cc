#include "env/posix_mapped_log_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "env/posix_env_testing.h"
#include "env/posix_io.h"

namespace lsmkv {

namespace {

#if defined(__linux__) && !defined(MADV_POPULATE_WRITE)
#define MADV_POPULATE_WRITE 23  // Linux 5.14; older kernels answer EINVAL
#endif

// Test-only fault shim (env/posix_env_testing.h): errno values the mapped
// log writer pretends fallocate / mmap / madvise returned, from region index
// test_first_faulty_region on. Never set outside tests. Relaxed: plain
// values, read once per region; nothing else is published through them.
std::atomic<int> test_reserve_error{0};
std::atomic<int> test_map_error{0};
std::atomic<int> test_populate_error{0};
std::atomic<int> test_first_faulty_region{0};

int InjectedError(const std::atomic<int>& error, int region_index) {
  const int e = error.load(std::memory_order_relaxed);
  if (e == 0 || region_index < test_first_faulty_region.load(std::memory_order_relaxed)) return 0;
  return e;
}

// Reserves [offset, offset + length) of fd; returns 0 or an errno. Calls
// fallocate(2) itself rather than posix_fallocate: where the file system
// has no fallocate, glibc's posix_fallocate emulates it by writing a zero
// byte into every block (slow on a network file system, and not a
// reservation the server has to honour), where we would rather hear "not
// supported" and use write(2).
int ReserveRegion(int fd, uint64_t offset, size_t length, int region_index) {
  if (const int injected = InjectedError(test_reserve_error, region_index)) return injected;
#ifdef __linux__
  while (::fallocate(fd, 0, static_cast<off_t>(offset), static_cast<off_t>(length)) != 0) {
    if (errno != EINTR) return errno;
  }
  return 0;
#else
  return ::posix_fallocate(fd, static_cast<off_t>(offset), static_cast<off_t>(length));
#endif
}

// fallocate errors that mean "this file system cannot reserve", as opposed
// to "no space" (ENOSPC, EDQUOT, EFBIG) or a failing disk (EIO): those
// would fail write(2) as well, so they are errors, not a reason to fall
// back. EINVAL is what some file systems say instead of EOPNOTSUPP; our
// offset and length are always valid. (ENOTSUP is EOPNOTSUPP on Linux.)
bool ReservationUnsupported(int error_number) {
  return error_number == EOPNOTSUPP || error_number == ENOSYS || error_number == EINVAL;
}

void* MapRegion(int fd, uint64_t offset, size_t length, int region_index) {
  if (const int injected = InjectedError(test_map_error, region_index)) {
    errno = injected;
    return MAP_FAILED;
  }
  return ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, static_cast<off_t>(offset));
}

// A write-ahead log file written through a shared mapping of its next
// region: an append is a memcpy (a large one a pwrite into the same
// region, see kWriteThroughBytes), and the bytes are in the page cache (so
// they survive a crash of the process, like write(2)) once Flush returns
// (an append of at most kHoldBytes may wait for the next call until then),
// without one system call per record. Regions are reserved with
// fallocate before they are mapped, so a full disk is an IOError from
// Append, never a SIGBUS. Sync is fdatasync. Close cuts the file back to
// the bytes appended; after a crash the reserved zeros stay at the end of
// the file, which the log reader treats as a torn tail (docs/format.md).
//
// Fallback (WalWriteMode::kAuto): when the file system refuses the
// reservation as unsupported, or refuses the mapping for any reason (mmap
// does no I/O, so its failure says nothing about the disk), the file hands
// its descriptor to a PosixWritableFile positioned just after the last
// byte appended, after cutting off whatever the refused region had
// reserved, and every later call goes there: the file continues without a
// gap or a repeated byte, whether that happens at the first region or
// after many. With WalWriteMode::kMapped the refusal is an IOError, and the
// next Append tries the region again.
class PosixMappedLogFile final : public WritableFile {
 public:
  PosixMappedLogFile(std::string fname, int fd, bool may_fall_back)
      : fname_(std::move(fname)), fd_(fd), may_fall_back_(may_fall_back) {}
  ~PosixMappedLogFile() override {
    if (fd_ >= 0) (void)Close();
  }

  Status Append(const Slice& data) override {
    if (write_file_ != nullptr) return write_file_->Append(data);
    if (held_n_ > 0) {
      // The held bytes and a large append after them, in one pwritev when
      // both fit in the current region; otherwise the held bytes go first.
      const size_t total = held_n_ + data.size();
      if (data.size() >= kWriteThroughBytes && total <= static_cast<size_t>(limit_ - dst_)) {
        Status s = WriteThrough(Slice(held_, held_n_), data);
        if (!s.ok()) return s;
        dst_ += total;
        held_n_ = 0;
        return Status::OK();
      }
      Status s = ReleaseHeld();
      if (!s.ok()) return s;
    }
    if (data.size() <= kHoldBytes && data.size() < static_cast<size_t>(limit_ - dst_)) {
      std::memcpy(held_, data.data(), data.size());
      held_n_ = data.size();
      return Status::OK();
    }
    return AppendNow(data);
  }

  // Mapped: the bytes are already in the page cache (the held ones once
  // they are released here).
  Status Flush() override {
    if (write_file_ != nullptr) return write_file_->Flush();
    return ReleaseHeld();
  }

  // fdatasync writes back every dirty page of the file, those dirtied
  // through the mapping included (on Linux msync(MS_SYNC) is the same call
  // limited to a range), and the size the reserved regions gave it. After
  // a fallback, pages dirtied through the earlier mappings are still dirty
  // pages of the same file: the write(2) file's fdatasync covers them.
  Status Sync() override {
    if (write_file_ != nullptr) return write_file_->Sync();
    Status s = ReleaseHeld();
    if (!s.ok()) return s;
    if (::fdatasync(fd_) != 0) return PosixError(fname_, errno);
    return Status::OK();
  }

  Status Close() override {
    if (write_file_ != nullptr) return write_file_->Close();
    if (fd_ < 0) return Status::OK();
    // A failed release leaves the held bytes out of the file (Size() does
    // not count them): Close reports it and still closes. (This release is
    // a retry after a failed Flush or Sync, if there was one: when it
    // succeeds, those bytes are stored after all, as bytes whose write(2)
    // reported an error may be.)
    Status s = ReleaseHeld();
    const uint64_t size = Size();
    Status u = Unmap();
    if (s.ok()) s = u;
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0 && s.ok()) s = PosixError(fname_, errno);
    if (::close(fd_) != 0 && s.ok()) s = PosixError(fname_, errno);
    fd_ = -1;
    return s;
  }

 private:
  // Appends data at Size(): memcpy into the mapping, pwrite for large
  // pieces, mapping further regions as needed.
  Status AppendNow(const Slice& data) {
    const char* p = data.data();
    size_t n = data.size();
    while (n > 0) {
      if (dst_ == limit_) {
        Status s = MapNextRegion();
        if (!s.ok()) return s;
        if (write_file_ != nullptr) return write_file_->Append(Slice(p, n));
      }
      const size_t m = std::min(n, static_cast<size_t>(limit_ - dst_));
      if (m >= kWriteThroughBytes) {
        Status s = WriteThrough(Slice(p, m));
        if (!s.ok()) return s;
      } else {
        Status s = PopulateFor(m);
        if (!s.ok()) return s;
        std::memcpy(dst_, p, m);
      }
      dst_ += m;
      p += m;
      n -= m;
    }
    return Status::OK();
  }

  // Stores the held bytes (if any) through the mapping: they fit in the
  // current region (see held_), so only faulting their pages in can fail
  // (PopulateFor); then they stay held and the error is returned.
  Status ReleaseHeld() {
    if (held_n_ == 0) return Status::OK();
    Status s = PopulateFor(held_n_);
    if (!s.ok()) return s;
    std::memcpy(dst_, held_, held_n_);
    dst_ += held_n_;
    held_n_ = 0;
    return Status::OK();
  }

  static constexpr size_t kMinRegion = 64 << 10;
  static constexpr size_t kMaxRegion = 1 << 20;
  // Appends at least this large go into the mapped region with pwrite(2)
  // instead of memcpy. A store to an untouched page of the mapping takes
  // two page faults (a read fault that zero-fills the page from the
  // reserved extent, with read-ahead zero-filling the pages after it, then
  // page_mkwrite), which cost more per page than write(2)'s copy: on a
  // fillbatch run (1,000-entry batches, WAL fragments of ~32 KiB) the
  // faults were a fifth of the process's CPU (perf,
  // docs/performance/2026-12-01-writes.md). A page's worth (4 KiB, was
  // 16 KiB: the tails of big batches, 2026-12-02-fillbatch.md) always
  // reaches an untouched page. Small records keep the memcpy: there one
  // system call per record would cost more than the faults shared by the
  // ~30 records of a page. The page cache is shared by write(2) and the
  // mapping, so both kinds of bytes are in it once Flush returns, and
  // fdatasync covers both.
  static constexpr size_t kWriteThroughBytes = 4 << 10;
  // Appends this small are held back (held_) until the next call: the log
  // writer appends a record's 11-byte header and then its payload, and a
  // header stored through the mapping at the start of an untouched page
  // faults that page in -- with the fault's read-ahead zero-filling the
  // pages after it from the reserved extent, which the payload's pwrite
  // then overwrites. Held, a header goes out with a large payload in one
  // pwritev; before anything else (a small append, Flush, Sync, Close) it
  // is stored through the mapping as before. The log writer flushes after
  // every record, so when its Flush returns every byte is in the page
  // cache, as before. Only an append that fits in the current region is
  // held, so errors (a region refused) come from the same Append as before.
  static constexpr size_t kHoldBytes = 32;
  // Stores through the mapping go to pages faulted in beforehand, this
  // many bytes of the region at a time, with one madvise(2)
  // MADV_POPULATE_WRITE (Linux 5.14): a page the stores fault in one by
  // one costs a read fault (zero-filling it, with read-ahead, from the
  // reserved extent) and a write fault each, about 18 us a page here; the
  // call does the same work without the traps. 128-byte records took 0.30
  // instead of 0.57 us, fillrandom 0.89x and fillseq 0.81x the time
  // (bench/micro_wal.cc, docs/performance/2026-12-02-wal-mode-per-file.md).
  // The populated pages are dirty zeros until the records reach them: an
  // fdatasync meanwhile writes them too (at most this much), and a crash
  // leaves zeros after the last record, as the reservation does anyway
  // (a torn tail to the log reader). Large appends go by pwrite and are
  // not populated: zero-filling pages they overwrite whole costs more than
  // it saves. Where the call is unknown (EINVAL) or fails, the stores
  // fault as before.
  static constexpr size_t kPopulateBytes = 64 << 10;

  uint64_t Size() const { return region_offset_ + static_cast<uint64_t>(dst_ - base_); }

  // Before a store of n bytes at dst_ through the mapping (n fits in the
  // region): faults in the pages it reaches, up to the next multiple of
  // kPopulateBytes of the region. IOError when the kernel says a page
  // cannot be faulted in (EFAULT: a store there would raise SIGBUS, e.g. a
  // page it could not read back after writing it out; EHWPOISON: a
  // memory error): the caller stores nothing more and returns it, so a
  // failing page is an error from Append / Flush / Sync, not a crash
  // (bytes of the same Append stored before it, up to a region's end,
  // stay, as when a reservation fails there). Any other failure -- ENOMEM
  // (a memory squeeze, which a store would wait out, not a SIGBUS), EINTR
  // -- and the stores fault as before: a WAL error stops writes until
  // the DB is reopened, too high a price for a transient condition.
  Status PopulateFor(size_t n) {
    if (dst_ + n <= populated_ || !populate_) return Status::OK();
    const size_t page = PageSize();
    char* from = std::max(populated_, base_ + (static_cast<size_t>(dst_ - base_) / page) * page);
    const size_t end = static_cast<size_t>(dst_ + n - base_);
    char* to = std::min(limit_, base_ + (end + kPopulateBytes - 1) / kPopulateBytes * kPopulateBytes);
    int error = InjectedError(test_populate_error, region_index_ - 1);  // the current region's
#ifdef MADV_POPULATE_WRITE
    if (error == 0 && ::madvise(from, static_cast<size_t>(to - from), MADV_POPULATE_WRITE) != 0) error = errno;
#else
    (void)from;
    if (error == 0) error = EINVAL;  // not Linux: the stores fault the pages in
#endif
    if (error == EINVAL) {
      populate_ = false;  // a kernel before 5.14 (or not Linux): not asked again for this file
    } else if (PopulateFailed(error)) {
      return PosixError(fname_ + ": faulting in log pages", error);
    }
    populated_ = to;
    return Status::OK();
  }

  static bool PopulateFailed(int error_number) {
#ifdef EHWPOISON
    if (error_number == EHWPOISON) return true;
#endif
    return error_number == EFAULT;
  }

  // Writes a then b at file offset Size(), inside the current mapped
  // region (the caller checked that they fit), without moving dst_. The
  // region is reserved, so this neither allocates nor changes the size.
  Status WriteThrough(const Slice& a, const Slice& b = Slice()) {
    struct iovec iov[2] = {{const_cast<char*>(a.data()), a.size()}, {const_cast<char*>(b.data()), b.size()}};
    int first = 0;
    uint64_t offset = Size();
    while (first < 2) {
      if (iov[first].iov_len == 0) {
        first++;
        continue;
      }
      const ssize_t r = ::pwritev(fd_, iov + first, 2 - first, static_cast<off_t>(offset));
      if (r < 0) {
        if (errno == EINTR) continue;
        return PosixError(fname_, errno);
      }
      if (r == 0) return PosixError(fname_, EIO);  // no progress: never loop forever
      offset += static_cast<uint64_t>(r);
      size_t done = static_cast<size_t>(r);
      while (first < 2 && done >= iov[first].iov_len) {
        done -= iov[first].iov_len;
        iov[first].iov_len = 0;
        first++;
      }
      if (first < 2) {
        iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + done;
        iov[first].iov_len -= done;
      }
    }
    return Status::OK();
  }

  Status Unmap() {
    if (base_ == nullptr) return Status::OK();
    Status s;
    if (::munmap(base_, limit_ - base_) != 0) s = PosixError(fname_, errno);
    region_offset_ += static_cast<uint64_t>(limit_ - base_);
    base_ = dst_ = limit_ = populated_ = nullptr;
    return s;
  }

  // Called when the current region is full (or at the first append):
  // reserves and maps the next one, twice as large, up to kMaxRegion, or
  // falls back to write(2). Regions are page multiples, so each starts
  // page-aligned. Afterwards region_offset_ is the number of bytes appended
  // (every earlier region is full).
  Status MapNextRegion() {
    Status s = Unmap();
    if (!s.ok()) return s;
    const int reserve_error = ReserveRegion(fd_, region_offset_, region_size_, region_index_);
    if (reserve_error != 0) {
      if (!ReservationUnsupported(reserve_error)) {
        return PosixError(fname_ + ": reserving log space", reserve_error);
      }
      if (may_fall_back_) return FallBackToWrite();
      return PosixError(fname_ + ": reserving log space (the file system has no fallocate;"
                                 " WalWriteMode::kAuto or kWrite write with write(2))",
                        reserve_error);
    }
    void* p = MapRegion(fd_, region_offset_, region_size_, region_index_);
    if (p == MAP_FAILED) {
      const int map_error = errno;
      if (may_fall_back_) return FallBackToWrite();
      // The reservation stays until Close cuts the file back to Size().
      return PosixError(fname_ + ": mapping the log (WalWriteMode::kAuto or kWrite write"
                                 " with write(2))",
                        map_error);
    }
    base_ = dst_ = populated_ = static_cast<char*>(p);
    limit_ = base_ + region_size_;
    region_size_ = std::min(region_size_ * 2, kMaxRegion);
    region_index_++;
    return Status::OK();
  }

  // Hands fd_ to a write(2) file continuing at byte region_offset_. A
  // region reserved for a mapping that then failed is cut off first, so no
  // zeros stay between the bytes already appended and the next ones.
  Status FallBackToWrite() {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return PosixError(fname_, errno);
    if (static_cast<uint64_t>(st.st_size) != region_offset_ &&
        ::ftruncate(fd_, static_cast<off_t>(region_offset_)) != 0) {
      return PosixError(fname_, errno);
    }
    if (::lseek(fd_, static_cast<off_t>(region_offset_), SEEK_SET) == static_cast<off_t>(-1)) {
      return PosixError(fname_, errno);
    }
    write_file_ = std::make_unique<PosixWritableFile>(fname_, fd_);
    fd_ = -1;  // owned by write_file_ now
    return Status::OK();
  }

  const std::string fname_;
  int fd_;  // -1 once closed or handed to write_file_
  const bool may_fall_back_;  // kAuto; false for kMapped
  uint64_t region_offset_ = 0;  // file offset of base_ (of the next region when unmapped)
  size_t region_size_ = kMinRegion;  // size of the next region to map
  int region_index_ = 0;   // regions mapped so far: the index of the next one
  char* base_ = nullptr;   // current mapped region
  char* dst_ = nullptr;    // next byte to write
  char* limit_ = nullptr;  // end of the region
  // Pages of the region before this one are faulted in (PopulateFor);
  // base_ <= populated_ <= limit_, page-aligned.
  char* populated_ = nullptr;
  bool populate_ = true;  // false once madvise said it has no MADV_POPULATE_WRITE
  // Bytes of the last Append, not yet stored (see kHoldBytes); they follow
  // the Size() bytes. Invariant: held_n_ <= limit_ - dst_ (they fit in the
  // current region). Always 0 once write_file_ is set.
  char held_[kHoldBytes];
  size_t held_n_ = 0;
  // Set once the file system refused a region; every call goes here after.
  std::unique_ptr<PosixWritableFile> write_file_;
};

}  // namespace

std::unique_ptr<WritableFile> NewPosixMappedLogFile(std::string fname, int fd, bool may_fall_back) {
  return std::make_unique<PosixMappedLogFile>(std::move(fname), fd, may_fall_back);
}

void TEST_SetMappedLogFaults(const MappedLogFaults& faults) {
  test_first_faulty_region.store(faults.first_region, std::memory_order_relaxed);
  test_reserve_error.store(faults.reserve_error, std::memory_order_relaxed);
  test_map_error.store(faults.map_error, std::memory_order_relaxed);
  test_populate_error.store(faults.populate_error, std::memory_order_relaxed);
}

}  // namespace lsmkv
