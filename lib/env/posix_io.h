// POSIX pieces the Env's file classes share: the errno-to-Status mapping,
// the page size, and the buffered write(2) file (every file the Env writes
// except mapped write-ahead logs, which fall back to it).
#ifndef LSMKV_ENV_POSIX_IO_H_
#define LSMKV_ENV_POSIX_IO_H_

#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <string>
#include <utility>

#include "lsmkv/env.h"
#include "lsmkv/status.h"

namespace lsmkv {

size_t PageSize();

// NotFound for ENOENT, NoSpace for ENOSPC / EDQUOT, IOError otherwise;
// context names the file or directory.
Status PosixError(const std::string& context, int error_number);

// Buffers small appends in user space; Flush() issues one write(2).
class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string fname, int fd) : fname_(std::move(fname)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) (void)Close();
  }

  Status Append(const Slice& data) override {
    if (buffer_.size() + data.size() <= kBufferSize) {
      buffer_.append(data.data(), data.size());
      return Status::OK();
    }
    Status s = Flush();
    if (!s.ok()) return s;
    if (data.size() <= kBufferSize) {
      buffer_.append(data.data(), data.size());
      return Status::OK();
    }
    return WriteUnbuffered(data.data(), data.size());
  }

  Status Flush() override {
    Status s = WriteUnbuffered(buffer_.data(), buffer_.size());
    buffer_.clear();
    return s;
  }

  Status Sync() override {
    Status s = Flush();
    if (!s.ok()) return s;
    if (::fdatasync(fd_) != 0) return PosixError(fname_, errno);
    return Status::OK();
  }

  Status Close() override {
    if (fd_ < 0) return Status::OK();
    Status s = Flush();
    if (::close(fd_) != 0 && s.ok()) s = PosixError(fname_, errno);
    fd_ = -1;
    return s;
  }

 private:
  static constexpr size_t kBufferSize = 64 * 1024;

  Status WriteUnbuffered(const char* data, size_t n) {
    while (n > 0) {
      const ssize_t r = ::write(fd_, data, n);
      if (r < 0) {
        if (errno == EINTR) continue;
        return PosixError(fname_, errno);
      }
      data += r;
      n -= static_cast<size_t>(r);
    }
    return Status::OK();
  }

  const std::string fname_;
  int fd_;
  std::string buffer_;
};

}  // namespace lsmkv

#endif  // LSMKV_ENV_POSIX_IO_H_
