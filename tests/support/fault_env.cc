#include "support/fault_env.h"

#include <vector>

namespace lsmkv {

namespace {

std::string DirOf(const std::string& fname) {
  const size_t slash = fname.rfind('/');
  return slash == std::string::npos ? std::string(".") : fname.substr(0, slash);
}

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultEnv* env, std::string fname, std::unique_ptr<WritableFile> base)
      : env_(env), fname_(std::move(fname)), base_(std::move(base)) {}

  Status Append(const Slice& data) override {
    Status s = env_->Check(FaultEnv::Op::kWrite, fname_);
    if (s.ok()) s = env_->ChargeSpace(fname_, data.size());
    if (s.ok()) s = base_->Append(data);
    if (s.ok()) env_->RecordAppend(fname_, data.size());
    return s;
  }
  Status Flush() override {
    Status s = env_->Check(FaultEnv::Op::kWrite, fname_);
    return s.ok() ? base_->Flush() : s;
  }
  Status Sync() override {
    Status s = env_->Check(FaultEnv::Op::kSync, fname_);
    if (s.ok()) s = base_->Sync();
    if (s.ok()) env_->RecordSync(fname_);
    return s;
  }
  Status Close() override { return base_->Close(); }

 private:
  FaultEnv* const env_;
  const std::string fname_;
  std::unique_ptr<WritableFile> base_;
};

}  // namespace

void FaultEnv::FailNth(Op op, int n, bool sticky) {
  std::lock_guard<std::mutex> l(mu_);
  failures_[op] = Failure{n, sticky, false};
}

void FaultEnv::ClearFailures() {
  std::lock_guard<std::mutex> l(mu_);
  failures_.clear();
}

int FaultEnv::Count(Op op) {
  std::lock_guard<std::mutex> l(mu_);
  return counts_[op];
}

void FaultEnv::Freeze() {
  std::lock_guard<std::mutex> l(mu_);
  frozen_ = true;
}

void FaultEnv::Reset() {
  std::lock_guard<std::mutex> l(mu_);
  failures_.clear();
  frozen_ = false;
}

Status FaultEnv::Check(Op op, const std::string& fname) {
  std::lock_guard<std::mutex> l(mu_);
  counts_[op]++;
  if (frozen_) return Status::IOError(fname, "simulated crash: file system frozen");
  Failure& f = failures_[op];
  if (f.firing) return Status::IOError(fname, "injected sticky failure");
  if (f.remaining > 0 && --f.remaining == 0) {
    f.firing = f.sticky;
    return Status::IOError(fname, "injected failure");
  }
  return Status::OK();
}

void FaultEnv::SetDiskSpace(int64_t bytes) {
  std::lock_guard<std::mutex> l(mu_);
  space_left_ = bytes;
}

Status FaultEnv::ChargeSpace(const std::string& fname, uint64_t n) {
  std::lock_guard<std::mutex> l(mu_);
  if (space_left_ < 0) return Status::OK();
  if (static_cast<uint64_t>(space_left_) < n) {
    return Status::NoSpace(fname, "No space left on device (simulated ENOSPC)");
  }
  space_left_ -= static_cast<int64_t>(n);
  return Status::OK();
}

void FaultEnv::RecordAppend(const std::string& fname, uint64_t n) {
  std::lock_guard<std::mutex> l(mu_);
  files_[fname].size += n;
}

void FaultEnv::RecordSync(const std::string& fname) {
  std::lock_guard<std::mutex> l(mu_);
  FileInfo& info = files_[fname];
  info.synced = info.size;
}

Status FaultEnv::NewWritableFile(const std::string& f, std::unique_ptr<WritableFile>* r) {
  Status s = Check(Op::kOpen, f);
  if (!s.ok()) return s;
  std::unique_ptr<WritableFile> base;
  s = target()->NewWritableFile(f, &base);
  if (!s.ok()) return s;
  {
    std::lock_guard<std::mutex> l(mu_);
    files_[f] = FileInfo{};
    unsynced_new_files_.insert(f);
  }
  *r = std::make_unique<FaultWritableFile>(this, f, std::move(base));
  return Status::OK();
}

Status FaultEnv::NewAppendableFile(const std::string& f, std::unique_ptr<WritableFile>* r) {
  Status s = Check(Op::kOpen, f);
  if (!s.ok()) return s;
  const bool existed = target()->FileExists(f);
  uint64_t size = 0;
  if (existed) (void)target()->GetFileSize(f, &size);
  std::unique_ptr<WritableFile> base;
  s = target()->NewAppendableFile(f, &base);
  if (!s.ok()) return s;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = files_.find(f);
    if (it == files_.end()) {
      // Not written through this env before: treat what is there as durable.
      files_[f] = FileInfo{size, size};
    }
    if (!existed) unsynced_new_files_.insert(f);
  }
  *r = std::make_unique<FaultWritableFile>(this, f, std::move(base));
  return Status::OK();
}

Status FaultEnv::NewSequentialFile(const std::string& f, std::unique_ptr<SequentialFile>* r) {
  Status s = Check(Op::kOpen, f);
  return s.ok() ? target()->NewSequentialFile(f, r) : s;
}

Status FaultEnv::NewRandomAccessFile(const std::string& f, std::unique_ptr<RandomAccessFile>* r) {
  Status s = Check(Op::kOpen, f);
  return s.ok() ? target()->NewRandomAccessFile(f, r) : s;
}

Status FaultEnv::RemoveFile(const std::string& f) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (frozen_) return Status::IOError(f, "simulated crash: file system frozen");
  }
  Status s = target()->RemoveFile(f);
  if (s.ok()) {
    std::lock_guard<std::mutex> l(mu_);
    files_.erase(f);
    unsynced_new_files_.erase(f);
  }
  return s;
}

Status FaultEnv::RenameFile(const std::string& src, const std::string& target_name) {
  Status s = Check(Op::kRename, src);
  if (!s.ok()) return s;
  std::string previous;
  bool replaced = false;
  {
    std::lock_guard<std::mutex> l(mu_);
    replaced = overwritten_.count(target_name) == 0 &&
               unsynced_new_files_.count(target_name) == 0 && target()->FileExists(target_name);
  }
  if (replaced) {
    s = ReadFileToString(target(), target_name, &previous);
    if (!s.ok()) return s;
  }
  s = target()->RenameFile(src, target_name);
  if (s.ok()) {
    std::lock_guard<std::mutex> l(mu_);
    if (replaced) overwritten_[target_name] = previous;
    auto it = files_.find(src);
    if (it != files_.end()) {
      files_[target_name] = it->second;
      files_.erase(it);
    }
    // The new name is not durable until its directory is synced.
    unsynced_new_files_.erase(src);
    unsynced_new_files_.insert(target_name);
  }
  return s;
}

Status FaultEnv::SyncDir(const std::string& d) {
  Status s = Check(Op::kSync, d);
  if (!s.ok()) return s;
  s = target()->SyncDir(d);
  if (s.ok()) {
    std::lock_guard<std::mutex> l(mu_);
    for (auto it = unsynced_new_files_.begin(); it != unsynced_new_files_.end();) {
      it = DirOf(*it) == d ? unsynced_new_files_.erase(it) : std::next(it);
    }
    for (auto it = overwritten_.begin(); it != overwritten_.end();) {
      it = DirOf(it->first) == d ? overwritten_.erase(it) : std::next(it);
    }
  }
  return s;
}

Status FaultEnv::DropUnsyncedData(bool drop_unsynced_dir_entries) {
  std::map<std::string, FileInfo> files;
  std::set<std::string> unsynced;
  std::map<std::string, std::string> overwritten;
  {
    std::lock_guard<std::mutex> l(mu_);
    files = files_;
    unsynced = unsynced_new_files_;
    overwritten.swap(overwritten_);
    frozen_ = false;
    failures_.clear();
  }
  for (const auto& [name, info] : files) {
    if (!target()->FileExists(name)) continue;
    if (drop_unsynced_dir_entries && overwritten.count(name) > 0) {
      // The rename never became durable: the replaced file is back.
      Status s = WriteStringToFile(target(), overwritten[name], name, /*sync=*/true);
      if (!s.ok()) return s;
      continue;
    }
    if (drop_unsynced_dir_entries && unsynced.count(name) > 0) {
      Status s = target()->RemoveFile(name);
      if (!s.ok()) return s;
      continue;
    }
    std::string data;
    Status s = ReadFileToString(target(), name, &data);
    if (!s.ok()) return s;
    if (data.size() > info.synced) {
      data.resize(info.synced);
      s = WriteStringToFile(target(), data, name, /*sync=*/true);
      if (!s.ok()) return s;
    }
  }
  std::lock_guard<std::mutex> l(mu_);
  for (auto& [name, info] : files_) info.size = info.synced;
  if (drop_unsynced_dir_entries) {
    for (const auto& [name, data] : overwritten) files_[name] = FileInfo{data.size(), data.size()};
  }
  if (drop_unsynced_dir_entries) {
    for (const std::string& name : unsynced) files_.erase(name);
  }
  unsynced_new_files_.clear();
  return Status::OK();
}

}  // namespace lsmkv
