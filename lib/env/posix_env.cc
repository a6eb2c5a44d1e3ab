// The POSIX Env: files through open/read/pread/write/fdatasync (WALs
// through a shared mapping where the file system allows it), directory
// sync through fsync on the directory, locks through fcntl plus an in-process
// table (fcntl locks do not conflict within one process).
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "env/posix_io.h"
#include "env/posix_mapped_log_file.h"
#include "lsmkv/env.h"

namespace lsmkv {

namespace {

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string fname, int fd) : fname_(std::move(fname)), fd_(fd) {}
  ~PosixSequentialFile() override { ::close(fd_); }

  Status Read(size_t n, Slice* result, char* scratch) override {
    size_t done = 0;
    while (done < n) {
      const ssize_t r = ::read(fd_, scratch + done, n - done);
      if (r < 0) {
        if (errno == EINTR) continue;
        return PosixError(fname_, errno);
      }
      if (r == 0) break;  // end of file
      done += static_cast<size_t>(r);
    }
    *result = Slice(scratch, done);
    return Status::OK();
  }

  Status Skip(uint64_t n) override {
    if (::lseek(fd_, static_cast<off_t>(n), SEEK_CUR) == static_cast<off_t>(-1)) {
      return PosixError(fname_, errno);
    }
    return Status::OK();
  }

 private:
  const std::string fname_;
  const int fd_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string fname, int fd) : fname_(std::move(fname)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
    size_t done = 0;
    while (done < n) {
      const ssize_t r = ::pread(fd_, scratch + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return PosixError(fname_, errno);
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    *result = Slice(scratch, done);
    return Status::OK();
  }

 private:
  const std::string fname_;
  const int fd_;
};

// Reads a whole file mapped into memory: a read is a bounds check and a
// pointer, no system call and no copy. Used for tables (immutable once
// written) up to a limit on the number of mappings.
class PosixMmapReadableFile final : public RandomAccessFile {
 public:
  PosixMmapReadableFile(std::string fname, char* base, size_t length, std::atomic<int>* mmaps_left)
      : fname_(std::move(fname)), base_(base), length_(length), mmaps_left_(mmaps_left) {}
  ~PosixMmapReadableFile() override {
    ::munmap(base_, length_);
    mmaps_left_->fetch_add(1, std::memory_order_relaxed);
  }

  Status Read(uint64_t offset, size_t n, Slice* result, char*) const override {
    if (offset > length_) {
      *result = Slice();
      return Status::IOError(fname_, "read past the end of the file");
    }
    const size_t avail = length_ - static_cast<size_t>(offset);
    *result = Slice(base_ + offset, n < avail ? n : avail);
    return Status::OK();
  }

  // MADV_DONTNEED on a shared file mapping unmaps the pages only: the data
  // stays in the page cache and the next access faults it back in.
  void DropResidentPages() const override { (void)::madvise(base_, length_, MADV_DONTNEED); }

 private:
  const std::string fname_;
  char* const base_;
  const size_t length_;
  std::atomic<int>* const mmaps_left_;
};

// Paths locked by this process; fcntl alone would let a second DB object in
// the same process take the lock again.
class LockTable {
 public:
  bool Insert(const std::string& fname) {
    std::lock_guard<std::mutex> l(mu_);
    return locked_.insert(fname).second;
  }
  void Remove(const std::string& fname) {
    std::lock_guard<std::mutex> l(mu_);
    locked_.erase(fname);
  }

 private:
  std::mutex mu_;
  std::set<std::string> locked_;  // guarded by mu_
};

class PosixFileLock final : public FileLock {
 public:
  PosixFileLock(LockTable* table, std::string fname, int fd)
      : table_(table), fname_(std::move(fname)), fd_(fd) {}
  ~PosixFileLock() override {
    struct flock f = {};
    f.l_type = F_UNLCK;
    f.l_whence = SEEK_SET;
    (void)::fcntl(fd_, F_SETLK, &f);
    ::close(fd_);
    table_->Remove(fname_);
  }

 private:
  LockTable* const table_;
  const std::string fname_;
  const int fd_;
};

class PosixEnv final : public Env {
 public:
  Status NewSequentialFile(const std::string& fname,
                           std::unique_ptr<SequentialFile>* result) override {
    const int fd = ::open(fname.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError(fname, errno);
    *result = std::make_unique<PosixSequentialFile>(fname, fd);
    return Status::OK();
  }

  // Reads as RandomAccessFileOptions{} says: mapped where allowed.
  Status NewRandomAccessFile(const std::string& fname,
                             std::unique_ptr<RandomAccessFile>* result) override {
    return NewRandomAccessFileWithOptions(fname, RandomAccessFileOptions{}, result);
  }

  Status NewRandomAccessFileWithOptions(const std::string& fname,
                                        const RandomAccessFileOptions& options,
                                        std::unique_ptr<RandomAccessFile>* result) override {
    const int fd = ::open(fname.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError(fname, errno);
    if (!options.allow_mmap_reads) {
      // The descriptor stays open for the file's lifetime: the caller
      // bounds how many such files are open (the DB: its table cache,
      // Options::max_open_files).
      *result = std::make_unique<PosixRandomAccessFile>(fname, fd);
      return Status::OK();
    }
    // Map the file while mappings are left (a mapping needs no descriptor);
    // otherwise, or for an empty file, read with pread.
    struct stat st;
    const bool mappable = ::fstat(fd, &st) == 0 && st.st_size > 0;
    if (mappable && mmaps_left_.fetch_sub(1, std::memory_order_relaxed) > 0) {
      void* base = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
      if (base != MAP_FAILED) {
        ::close(fd);
        *result = std::make_unique<PosixMmapReadableFile>(fname, static_cast<char*>(base),
                                                          static_cast<size_t>(st.st_size), &mmaps_left_);
        return Status::OK();
      }
    }
    if (mappable) mmaps_left_.fetch_add(1, std::memory_order_relaxed);  // not used after all
    *result = std::make_unique<PosixRandomAccessFile>(fname, fd);
    return Status::OK();
  }

  // A "*.log" name is a WAL written as with WalWriteMode::kAuto, for
  // callers that reach PosixEnv through a wrapper that does not forward
  // NewLogFile (see Env::NewLogFile).
  Status NewWritableFile(const std::string& fname,
                         std::unique_ptr<WritableFile>* result) override {
    if (IsLogFile(fname)) return NewLogFile(fname, WalWriteMode::kAuto, result);
    return OpenForWrite(fname, O_TRUNC, result);
  }

  Status NewLogFile(const std::string& fname, WalWriteMode mode,
                    std::unique_ptr<WritableFile>* result) override {
    switch (mode) {
      case WalWriteMode::kWrite:
        return OpenForWrite(fname, O_TRUNC, result);
      case WalWriteMode::kAuto:
      case WalWriteMode::kMapped: {
        // Read and write: a shared writable mapping needs both.
        const int fd = ::open(fname.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) return PosixError(fname, errno);
        *result = NewPosixMappedLogFile(fname, fd, mode == WalWriteMode::kAuto);
        return Status::OK();
      }
    }
    return Status::InvalidArgument(fname, "unknown WalWriteMode");
  }

  Status NewAppendableFile(const std::string& fname,
                           std::unique_ptr<WritableFile>* result) override {
    return OpenForWrite(fname, O_APPEND, result);
  }

  bool FileExists(const std::string& fname) override {
    return ::access(fname.c_str(), F_OK) == 0;
  }

  Status GetChildren(const std::string& dir, std::vector<std::string>* result) override {
    result->clear();
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return PosixError(dir, errno);
    while (struct dirent* entry = ::readdir(d)) {
      if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) continue;
      result->emplace_back(entry->d_name);
    }
    ::closedir(d);
    return Status::OK();
  }

  Status RemoveFile(const std::string& fname) override {
    if (::unlink(fname.c_str()) != 0) return PosixError(fname, errno);
    return Status::OK();
  }

  Status CreateDir(const std::string& dir) override {
    if (::mkdir(dir.c_str(), 0755) == 0) return Status::OK();
    const int err = errno;
    struct stat st;
    if (err == EEXIST && ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      return Status::OK();
    }
    return PosixError(dir, err);
  }

  Status RemoveDir(const std::string& dir) override {
    if (::rmdir(dir.c_str()) != 0) return PosixError(dir, errno);
    return Status::OK();
  }

  Status GetFileSize(const std::string& fname, uint64_t* size) override {
    struct stat st;
    if (::stat(fname.c_str(), &st) != 0) {
      *size = 0;
      return PosixError(fname, errno);
    }
    *size = static_cast<uint64_t>(st.st_size);
    return Status::OK();
  }

  Status RenameFile(const std::string& src, const std::string& target) override {
    if (::rename(src.c_str(), target.c_str()) != 0) return PosixError(src, errno);
    return Status::OK();
  }

  Status LinkFile(const std::string& src, const std::string& target) override {
    if (::link(src.c_str(), target.c_str()) != 0) return PosixError(src, errno);
    return Status::OK();
  }

  Status SyncDir(const std::string& dir) override {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return PosixError(dir, errno);
    Status s;
    if (::fsync(fd) != 0) s = PosixError(dir, errno);
    ::close(fd);
    return s;
  }

  Status LockFile(const std::string& fname, std::unique_ptr<FileLock>* lock) override {
    if (!locks_.Insert(fname)) {
      return Status::Busy(fname, "already locked by this process");
    }
    const int fd = ::open(fname.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      const int err = errno;
      locks_.Remove(fname);
      return PosixError(fname, err);
    }
    struct flock f = {};
    f.l_type = F_WRLCK;
    f.l_whence = SEEK_SET;
    if (::fcntl(fd, F_SETLK, &f) != 0) {
      const int err = errno;
      ::close(fd);
      locks_.Remove(fname);
      if (err == EACCES || err == EAGAIN) {
        return Status::Busy(fname, "locked by another process");
      }
      return PosixError(fname, err);
    }
    *lock = std::make_unique<PosixFileLock>(&locks_, fname, fd);
    return Status::OK();
  }

  uint64_t NowMicros() override {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
  }

  uint64_t NowUnixSeconds() override {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  }

  void SleepForMicroseconds(int micros) override {
    std::this_thread::sleep_for(std::chrono::microseconds(micros));
  }

 private:
  // Write-ahead logs ("NNNNNN.log") are written through a mapping when the
  // file system allows it (see PosixMappedLogFile); every other file
  // through write(2).
  static bool IsLogFile(const std::string& fname) {
    return fname.size() > 4 && fname.compare(fname.size() - 4, 4, ".log") == 0;
  }

  static Status OpenForWrite(const std::string& fname, int mode_flag,
                             std::unique_ptr<WritableFile>* result) {
    const int fd = ::open(fname.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | mode_flag, 0644);
    if (fd < 0) return PosixError(fname, errno);
    *result = std::make_unique<PosixWritableFile>(fname, fd);
    return Status::OK();
  }

  LockTable locks_;
  // Memory mappings still allowed (64-bit address space is plentiful; the
  // limit keeps the map count far below the kernel's default of 65530).
  // Relaxed: a counter; no data is published through it.
  std::atomic<int> mmaps_left_{1000};
};

}  // namespace

Env* Env::Default() {
  // Never destroyed: background threads of DBs closed during static
  // destruction may still use it.
  static PosixEnv* const env = new PosixEnv;
  return env;
}

}  // namespace lsmkv
