#include "support/fault_env.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "util/random.h"

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
    if (s.ok()) s = env_->RecordSync(fname_);
    return s;
  }
  Status Close() override { return base_->Close(); }

 private:
  FaultEnv* const env_;
  const std::string fname_;
  std::unique_ptr<WritableFile> base_;
};

// FNV-1a: a file's name mixed into the page-loss seed, stable across
// platforms and runs (std::hash is neither).
uint64_t HashName(const std::string& name) {
  uint64_t h = 14695981039346656037ull;
  for (const unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// One file's page-loss power cut (FaultEnv::PowerLoss): `data` holds the
// file as written; bytes [0, synced) are durable, [synced, written) were in
// the page cache only, and the file system knew the file as fs_size bytes
// long. Returns what is left on the disk.
std::string LosePages(const FaultEnv::PowerLoss& how, const std::string& fname,
                      const std::string& data, uint64_t synced, uint64_t written, uint64_t fs_size,
                      FaultEnv::PowerLossReport* report) {
  constexpr uint64_t kPage = FaultEnv::kPageSize;
  Random rnd(how.seed ^ HashName(fname));
  std::string out = data.substr(0, written);
  uint64_t survived_end = synced;  // one past the last byte that survived
  bool lost_before = false;        // some unsynced byte before this page was lost
  bool out_of_order = false;
  std::string fates;
  const uint64_t first_page = synced / kPage;
  const uint64_t end_page = written > synced ? (written + kPage - 1) / kPage : first_page;
  for (uint64_t page = first_page; page < end_page; page++) {
    // The page's unsynced bytes: [lo, hi).
    const uint64_t lo = std::max(page * kPage, synced);
    const uint64_t hi = std::min((page + 1) * kPage, written);
    enum { kKept, kLost, kTorn } fate;
    if (how.keep_page) {
      fate = how.keep_page(fname, page) ? kKept : kLost;
    } else {
      const uint64_t draw = rnd.Uniform(8);
      fate = draw < 4 ? kKept : draw < 7 ? kLost : kTorn;
      if (fate == kTorn && hi - lo < 2) fate = kLost;  // no room for a strict prefix
    }
    uint64_t keep_to = hi;  // the page's bytes [lo, keep_to) survive
    if (fate == kLost) keep_to = lo;
    if (fate == kTorn) keep_to = lo + 1 + rnd.Uniform(hi - lo - 1);
    if (keep_to > lo && lost_before) out_of_order = true;
    if (keep_to < hi) lost_before = true;
    if (keep_to > lo) survived_end = keep_to;
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(keep_to),
              out.begin() + static_cast<std::ptrdiff_t>(hi), '\0');
    fates += fate == kKept ? 'K' : fate == kLost ? 'L' : 'T';
    report->pages_kept += fate == kKept;
    report->pages_lost += fate == kLost;
    report->pages_torn += fate == kTorn;
  }
  // The size on disk: up to the last surviving byte (a lost tail was never
  // there), or sometimes the size the file system had, zero-filled.
  uint64_t size = survived_end;
  if (!how.keep_page && rnd.OneIn(4)) size = std::max(size, fs_size);
  out.resize(size, '\0');
  report->files_out_of_order += out_of_order;
  report->description += fname + ": synced " + std::to_string(synced) + " of " +
                         std::to_string(written) + " bytes; ";
  report->description += fates.empty() ? std::string("no unsynced pages")
                                       : "pages " + std::to_string(first_page) + ".." +
                                             std::to_string(end_page - 1) + " " + fates;
  report->description += "; now " + std::to_string(size) + " bytes\n";
  return out;
}

}  // namespace

void FaultEnv::FailNth(Op op, int n, bool sticky, const std::string& file_part) {
  std::lock_guard<std::mutex> l(mu_);
  failures_[op] = Failure{n, sticky, false, file_part};
}

void FaultEnv::HoldNext(Op op, const std::string& file_part) {
  std::lock_guard<std::mutex> l(mu_);
  hold_ = Hold{true, false, op, file_part};
}

bool FaultEnv::WaitUntilHeld(int timeout_ms) {
  std::unique_lock<std::mutex> l(mu_);
  return hold_cv_.wait_for(l, std::chrono::milliseconds(timeout_ms), [this] { return hold_.holding; });
}

void FaultEnv::ReleaseHeld() {
  std::lock_guard<std::mutex> l(mu_);
  hold_.armed = false;
  hold_cv_.notify_all();
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
  for (auto& [name, info] : files_) {
    uint64_t fs_size = 0;
    if (!target()->GetFileSize(name, &fs_size).ok()) continue;  // removed meanwhile
    info.frozen = true;
    info.written_at_freeze = std::min(info.size, fs_size);
    info.fs_size_at_freeze = fs_size;
  }
}

void FaultEnv::Reset() {
  std::lock_guard<std::mutex> l(mu_);
  failures_.clear();
  frozen_ = false;
  for (auto& [name, info] : files_) info.frozen = false;
}

Status FaultEnv::Check(Op op, const std::string& fname) {
  std::unique_lock<std::mutex> l(mu_);
  if (hold_.armed && !hold_.holding && hold_.op == op && fname.find(hold_.file_part) != std::string::npos) {
    hold_.holding = true;
    hold_cv_.notify_all();
    hold_cv_.wait(l, [this] { return !hold_.armed; });
    hold_.holding = false;
  }
  counts_[op]++;
  if (frozen_) return Status::IOError(fname, "simulated crash: file system frozen");
  Failure& f = failures_[op];
  if (!f.file_part.empty() && fname.find(f.file_part) == std::string::npos) return Status::OK();
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

Status FaultEnv::RecordSync(const std::string& fname) {
  std::lock_guard<std::mutex> l(mu_);
  // The power went while the fsync ran: it never returned, and the pages it
  // was writing may or may not have reached the disk (they stay unsynced).
  if (frozen_) return Status::IOError(fname, "simulated crash: power lost during the sync");
  FileInfo& info = files_[fname];
  info.synced = info.size;
  return Status::OK();
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

Status FaultEnv::NewRandomAccessFileWithOptions(const std::string& f,
                                                const RandomAccessFileOptions& o,
                                                std::unique_ptr<RandomAccessFile>* r) {
  Status s = Check(Op::kOpen, f);
  return s.ok() ? target()->NewRandomAccessFileWithOptions(f, o, r) : s;
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

Status FaultEnv::LinkFile(const std::string& src, const std::string& target_name) {
  Status s = Check(Op::kLink, src);
  if (!s.ok()) return s;
  s = target()->LinkFile(src, target_name);
  if (s.ok()) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = files_.find(src);
    if (it != files_.end()) files_[target_name] = it->second;
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
    if (frozen_) return Status::IOError(d, "simulated crash: power lost during the sync");
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
  PowerLoss how;
  how.drop_unsynced_dir_entries = drop_unsynced_dir_entries;
  return DropUnsyncedData(how);
}

Status FaultEnv::DropUnsyncedData(const PowerLoss& how, PowerLossReport* report) {
  PowerLossReport unused_report;
  if (report == nullptr) report = &unused_report;
  *report = PowerLossReport();
  const bool drop_dir_entries = how.drop_unsynced_dir_entries;
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
  std::map<std::string, uint64_t> sizes_left;  // file -> its size after the cut
  for (const auto& [name, info] : files) {
    if (!target()->FileExists(name)) continue;
    if (drop_dir_entries && overwritten.count(name) > 0) {
      // The rename never became durable: the replaced file is back.
      Status s = WriteStringToFile(target(), overwritten[name], name, /*sync=*/true);
      if (!s.ok()) return s;
      continue;
    }
    if (drop_dir_entries && unsynced.count(name) > 0) {
      Status s = target()->RemoveFile(name);
      if (!s.ok()) return s;
      continue;
    }
    std::string data;
    Status s = ReadFileToString(target(), name, &data);
    if (!s.ok()) return s;
    const uint64_t synced = std::min<uint64_t>(info.synced, data.size());
    std::string left;
    if (how.lose_pages_out_of_order) {
      // What was in the page cache at the crash: without a Freeze, all of it.
      uint64_t written = std::min<uint64_t>(info.size, data.size());
      uint64_t fs_size = data.size();
      if (info.frozen) {
        written = std::min<uint64_t>(info.written_at_freeze, data.size());
        fs_size = info.fs_size_at_freeze;
      }
      written = std::max(written, synced);  // synced bytes are never lost
      if (written == synced && fs_size <= written && data.size() == synced) {
        sizes_left[name] = synced;
        continue;  // nothing unsynced
      }
      left = LosePages(how, name, data, synced, written, std::max(fs_size, written), report);
    } else {
      left = data.substr(0, synced);
    }
    sizes_left[name] = left.size();
    if (left != data) {
      s = WriteStringToFile(target(), left, name, /*sync=*/true);
      if (!s.ok()) return s;
    }
  }
  std::lock_guard<std::mutex> l(mu_);
  // What is left is durable.
  for (auto& [name, info] : files_) {
    const auto it = sizes_left.find(name);
    info.size = info.synced = it != sizes_left.end() ? it->second : info.synced;
    info.frozen = false;
  }
  if (drop_dir_entries) {
    for (const auto& [name, data] : overwritten) files_[name] = FileInfo{data.size(), data.size()};
  }
  if (drop_dir_entries) {
    for (const std::string& name : unsynced) files_.erase(name);
  }
  unsynced_new_files_.clear();
  return Status::OK();
}

}  // namespace lsmkv
