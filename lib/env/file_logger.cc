// The default info log: a file written through an Env, rotated to
// "<name>.old" at creation and whenever it passes its size cap.
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

#include "lsmkv/env.h"
#include "lsmkv/logger.h"

namespace lsmkv {

namespace {

// The kernel's id of the calling thread (what top -H and gdb show), read
// once per thread.
uint64_t CurrentThreadId() {
  thread_local const uint64_t id = static_cast<uint64_t>(::syscall(SYS_gettid));
  return id;
}

class FileLogger final : public Logger {
 public:
  FileLogger(Env* env, std::string fname, size_t max_file_size)
      : env_(env), fname_(std::move(fname)), max_file_size_(max_file_size) {}

  ~FileLogger() override {
    if (file_ != nullptr) (void)file_->Close();
  }

  // Moves an existing file aside and starts a new one.
  Status Rotate() {
    if (file_ != nullptr) {
      (void)file_->Close();
      file_.reset();
    }
    if (env_->FileExists(fname_)) {
      Status s = env_->RenameFile(fname_, fname_ + ".old");
      if (!s.ok()) return s;
    }
    size_ = 0;
    return env_->NewWritableFile(fname_, &file_);
  }

  void LogLine(const Slice& line) override {
    // The wall clock, not Env::NowMicros (which need not be calendar time):
    // the stamp is for people matching events to the rest of the system.
    const auto now = std::chrono::system_clock::now();
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
    std::tm tm_local{};
    localtime_r(&seconds, &tm_local);
    char prefix[64];
    const int n = std::snprintf(prefix, sizeof(prefix), "%04d/%02d/%02d-%02d:%02d:%02d.%06d %" PRIu64 " ",
                                tm_local.tm_year + 1900, tm_local.tm_mon + 1, tm_local.tm_mday,
                                tm_local.tm_hour, tm_local.tm_min, tm_local.tm_sec,
                                static_cast<int>(micros % 1000000), CurrentThreadId());
    std::string text(prefix, n > 0 ? static_cast<size_t>(n) : 0);
    text.append(line.data(), line.size());
    text.push_back('\n');

    std::lock_guard<std::mutex> l(mu_);
    if (file_ == nullptr || size_ >= max_file_size_) {
      // A failed rotation (or a failed earlier open) leaves file_ null:
      // lines are dropped until a later rotation succeeds.
      if (!Rotate().ok()) {
        file_.reset();
        return;
      }
    }
    // Flushed line by line: a crash keeps everything logged before it.
    if (file_->Append(text).ok()) (void)file_->Flush();
    size_ += text.size();
  }

 private:
  Env* const env_;
  const std::string fname_;
  const size_t max_file_size_;
  std::mutex mu_;
  // Guarded by mu_: the open file (null after a failed rotation) and the
  // bytes appended to it.
  std::unique_ptr<WritableFile> file_;
  size_t size_ = 0;
};

}  // namespace

Status NewFileLogger(Env* env, const std::string& fname, size_t max_file_size,
                     std::shared_ptr<Logger>* result) {
  result->reset();
  if (env == nullptr) return Status::InvalidArgument("NewFileLogger", "env must not be null");
  if (max_file_size < 4096) {
    return Status::InvalidArgument("NewFileLogger", "max_file_size must be at least 4096");
  }
  auto logger = std::make_shared<FileLogger>(env, fname, max_file_size);
  Status s = logger->Rotate();
  if (!s.ok()) return s;
  *result = std::move(logger);
  return Status::OK();
}

}  // namespace lsmkv
