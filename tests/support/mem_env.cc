#include "support/mem_env.h"

#include <chrono>
#include <cstring>
#include <thread>

namespace lsmkv {

struct MemEnv::FileState {
  std::mutex mu;
  std::string data;  // guarded by mu
};

namespace {

class MemSequentialFile final : public SequentialFile {
 public:
  explicit MemSequentialFile(std::shared_ptr<MemEnv::FileState> f) : file_(std::move(f)) {}
  Status Read(size_t n, Slice* result, char* scratch) override {
    std::lock_guard<std::mutex> l(file_->mu);
    const size_t avail = pos_ < file_->data.size() ? file_->data.size() - pos_ : 0;
    const size_t len = n < avail ? n : avail;
    if (len > 0) std::memcpy(scratch, file_->data.data() + pos_, len);
    pos_ += len;
    *result = Slice(scratch, len);
    return Status::OK();
  }
  Status Skip(uint64_t n) override {
    std::lock_guard<std::mutex> l(file_->mu);
    pos_ = std::min<uint64_t>(pos_ + n, file_->data.size());
    return Status::OK();
  }

 private:
  std::shared_ptr<MemEnv::FileState> file_;
  uint64_t pos_ = 0;
};

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  MemRandomAccessFile(std::string fname, std::shared_ptr<MemEnv::FileState> f)
      : fname_(std::move(fname)), file_(std::move(f)) {}
  Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
    std::lock_guard<std::mutex> l(file_->mu);
    if (offset > file_->data.size()) return Status::IOError(fname_, "read past end of file");
    const size_t avail = file_->data.size() - offset;
    const size_t len = n < avail ? n : avail;
    if (len > 0) std::memcpy(scratch, file_->data.data() + offset, len);
    *result = Slice(scratch, len);
    return Status::OK();
  }

 private:
  const std::string fname_;
  std::shared_ptr<MemEnv::FileState> file_;
};

// Reads point into an immutable copy of the file, like a read-only mapping.
class MemMappedFile final : public RandomAccessFile {
 public:
  MemMappedFile(std::string fname, std::string contents)
      : fname_(std::move(fname)), contents_(std::move(contents)) {}
  Status Read(uint64_t offset, size_t n, Slice* result, char*) const override {
    if (offset > contents_.size()) {
      *result = Slice();
      return Status::IOError(fname_, "read past end of file");
    }
    const size_t avail = contents_.size() - offset;
    *result = Slice(contents_.data() + offset, n < avail ? n : avail);
    return Status::OK();
  }

 private:
  const std::string fname_;
  const std::string contents_;
};

class MemWritableFile final : public WritableFile {
 public:
  explicit MemWritableFile(std::shared_ptr<MemEnv::FileState> f) : file_(std::move(f)) {}
  Status Append(const Slice& data) override {
    std::lock_guard<std::mutex> l(file_->mu);
    file_->data.append(data.data(), data.size());
    return Status::OK();
  }
  Status Flush() override { return Status::OK(); }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }

 private:
  std::shared_ptr<MemEnv::FileState> file_;
};

}  // namespace

class MemFileLock final : public FileLock {
 public:
  MemFileLock(MemEnv* env, std::string fname) : env_(env), fname_(std::move(fname)) {}
  ~MemFileLock() override { env_->Unlock(fname_); }

 private:
  MemEnv* const env_;
  const std::string fname_;
};

Status MemEnv::NewSequentialFile(const std::string& f, std::unique_ptr<SequentialFile>* r) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(f);
  if (it == files_.end()) return Status::NotFound(f, "no such file");
  *r = std::make_unique<MemSequentialFile>(it->second);
  return Status::OK();
}

Status MemEnv::NewRandomAccessFile(const std::string& f, std::unique_ptr<RandomAccessFile>* r) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(f);
  if (it == files_.end()) return Status::NotFound(f, "no such file");
  *r = std::make_unique<MemRandomAccessFile>(f, it->second);
  return Status::OK();
}

Status MemEnv::NewRandomAccessFileWithOptions(const std::string& f,
                                              const RandomAccessFileOptions& o,
                                              std::unique_ptr<RandomAccessFile>* r) {
  if (!o.allow_mmap_reads) return NewRandomAccessFile(f, r);
  std::shared_ptr<FileState> state;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = files_.find(f);
    if (it == files_.end()) return Status::NotFound(f, "no such file");
    state = it->second;
  }
  std::lock_guard<std::mutex> l(state->mu);
  *r = std::make_unique<MemMappedFile>(f, state->data);
  return Status::OK();
}

Status MemEnv::NewWritableFile(const std::string& f, std::unique_ptr<WritableFile>* r) {
  std::lock_guard<std::mutex> l(mu_);
  auto state = std::make_shared<FileState>();
  files_[f] = state;
  *r = std::make_unique<MemWritableFile>(state);
  return Status::OK();
}

Status MemEnv::NewAppendableFile(const std::string& f, std::unique_ptr<WritableFile>* r) {
  std::lock_guard<std::mutex> l(mu_);
  auto& state = files_[f];
  if (state == nullptr) state = std::make_shared<FileState>();
  *r = std::make_unique<MemWritableFile>(state);
  return Status::OK();
}

bool MemEnv::FileExists(const std::string& f) {
  std::lock_guard<std::mutex> l(mu_);
  return files_.count(f) > 0 || dirs_.count(f) > 0;
}

Status MemEnv::GetChildren(const std::string& dir, std::vector<std::string>* r) {
  std::lock_guard<std::mutex> l(mu_);
  r->clear();
  const std::string prefix = dir + "/";
  for (const auto& [name, state] : files_) {
    if (name.compare(0, prefix.size(), prefix) == 0 &&
        name.find('/', prefix.size()) == std::string::npos) {
      r->push_back(name.substr(prefix.size()));
    }
  }
  if (r->empty() && dirs_.count(dir) == 0) return Status::NotFound(dir, "no such directory");
  return Status::OK();
}

Status MemEnv::RemoveFile(const std::string& f) {
  std::lock_guard<std::mutex> l(mu_);
  if (files_.erase(f) == 0) return Status::NotFound(f, "no such file");
  return Status::OK();
}

Status MemEnv::CreateDir(const std::string& d) {
  std::lock_guard<std::mutex> l(mu_);
  dirs_.insert(d);
  return Status::OK();
}

Status MemEnv::RemoveDir(const std::string& d) {
  std::lock_guard<std::mutex> l(mu_);
  dirs_.erase(d);
  return Status::OK();
}

Status MemEnv::GetFileSize(const std::string& f, uint64_t* s) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(f);
  if (it == files_.end()) return Status::NotFound(f, "no such file");
  std::lock_guard<std::mutex> fl(it->second->mu);
  *s = it->second->data.size();
  return Status::OK();
}

Status MemEnv::RenameFile(const std::string& s, const std::string& t) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(s);
  if (it == files_.end()) return Status::NotFound(s, "no such file");
  auto state = it->second;
  files_.erase(it);
  files_[t] = state;
  return Status::OK();
}

Status MemEnv::LinkFile(const std::string& s, const std::string& t) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(s);
  if (it == files_.end()) return Status::NotFound(s, "no such file");
  if (files_.count(t) > 0) return Status::IOError(t, "file exists");
  files_[t] = it->second;
  return Status::OK();
}

Status MemEnv::LockFile(const std::string& f, std::unique_ptr<FileLock>* lock) {
  std::lock_guard<std::mutex> l(mu_);
  if (!locks_.insert(f).second) return Status::Busy(f, "already locked");
  if (files_.count(f) == 0) files_[f] = std::make_shared<FileState>();
  *lock = std::make_unique<MemFileLock>(this, f);
  return Status::OK();
}

void MemEnv::Unlock(const std::string& fname) {
  std::lock_guard<std::mutex> l(mu_);
  locks_.erase(fname);
}

Status MemEnv::SetContents(const std::string& f, const std::string& data) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(f);
  if (it == files_.end()) return Status::NotFound(f, "no such file");
  std::lock_guard<std::mutex> fl(it->second->mu);
  it->second->data = data;
  return Status::OK();
}

uint64_t MemEnv::NowMicros() { return Env::Default()->NowMicros(); }
uint64_t MemEnv::NowUnixSeconds() { return Env::Default()->NowUnixSeconds(); }
void MemEnv::SleepForMicroseconds(int micros) {
  std::this_thread::sleep_for(std::chrono::microseconds(micros));
}

}  // namespace lsmkv
