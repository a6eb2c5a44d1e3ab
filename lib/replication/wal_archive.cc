#include "replication/wal_archive.h"

#include <algorithm>
#include <utility>

#include "format/filename.h"

namespace lsmkv {

namespace {

std::vector<uint64_t> WalNumbersIn(Env* env, const std::string& dir) {
  std::vector<std::string> children;
  std::vector<uint64_t> numbers;
  if (!env->GetChildren(dir, &children).ok()) return numbers;
  for (const std::string& child : children) {
    uint64_t number;
    FileType type;
    if (ParseFileName(child, &number, &type) && type == FileType::kLogFile) numbers.push_back(number);
  }
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

}  // namespace

std::string WalArchiveDir(const std::string& wal_dir) { return wal_dir + "/archive"; }

Status ArchiveWal(Env* env, const std::string& wal_dir, uint64_t number) {
  const std::string archive = WalArchiveDir(wal_dir);
  Status s = env->CreateDir(archive);
  if (s.ok()) s = env->RenameFile(LogFileName(wal_dir, number), LogFileName(archive, number));
  return s;
}

void TrimWalArchive(Env* env, const std::string& wal_dir, uint64_t limit_bytes) {
  const std::string archive = WalArchiveDir(wal_dir);
  const std::vector<uint64_t> numbers = WalNumbersIn(env, archive);
  std::vector<std::pair<uint64_t, uint64_t>> sizes;  // number, bytes; oldest first
  uint64_t total = 0;
  for (uint64_t n : numbers) {
    uint64_t size = 0;
    if (!env->GetFileSize(LogFileName(archive, n), &size).ok()) continue;
    sizes.emplace_back(n, size);
    total += size;
  }
  // Failures leave a WAL longer than promised, never a hole: the oldest go
  // first, so what stays is always a contiguous run of the newest.
  for (const auto& [n, size] : sizes) {
    if (total <= limit_bytes) break;
    if (!env->RemoveFile(LogFileName(archive, n)).ok()) break;
    total -= size;
  }
}

std::vector<uint64_t> FeedWalNumbers(Env* env, const std::string& wal_dir) {
  std::vector<uint64_t> numbers = WalNumbersIn(env, WalArchiveDir(wal_dir));
  const std::vector<uint64_t> live = WalNumbersIn(env, wal_dir);
  numbers.insert(numbers.end(), live.begin(), live.end());
  std::sort(numbers.begin(), numbers.end());
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  return numbers;
}

bool FeedWalExists(Env* env, const std::string& wal_dir, uint64_t number) {
  return env->FileExists(LogFileName(wal_dir, number)) ||
         env->FileExists(LogFileName(WalArchiveDir(wal_dir), number));
}

Status OpenFeedWal(Env* env, const std::string& wal_dir, uint64_t number,
                   std::unique_ptr<SequentialFile>* file) {
  // Live first, then the archive, then live again: a rename between the
  // first two tries cannot make the WAL look missing.
  Status s = env->NewSequentialFile(LogFileName(wal_dir, number), file);
  if (s.ok() || !s.IsNotFound()) return s;
  s = env->NewSequentialFile(LogFileName(WalArchiveDir(wal_dir), number), file);
  if (s.ok() || !s.IsNotFound()) return s;
  return env->NewSequentialFile(LogFileName(wal_dir, number), file);
}

Status RemoveWalArchive(Env* env, const std::string& wal_dir) {
  const std::string archive = WalArchiveDir(wal_dir);
  Status result;
  for (uint64_t n : WalNumbersIn(env, archive)) {
    Status s = env->RemoveFile(LogFileName(archive, n));
    if (result.ok() && !s.ok()) result = s;
  }
  (void)env->RemoveDir(archive);  // fails harmlessly when it never existed
  return result;
}

}  // namespace lsmkv
