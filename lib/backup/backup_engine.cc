// BackupEngine: opening a backup directory, creating, listing and deleting
// backups. Layout: backup_engine_impl.h; formats: docs/format.md.
#include <algorithm>
#include <cstdlib>

#include "backup/backup_engine_impl.h"
#include "db/db_impl.h"
#include "env/file_copy.h"
#include "util/crc32c.h"
#include "util/logging.h"

namespace lsmkv {

BackupEngine::~BackupEngine() = default;

Status BackupEngine::Open(const std::string& backup_dir, std::unique_ptr<BackupEngine>* engine,
                          Env* env) {
  engine->reset();
  if (backup_dir.empty()) return Status::InvalidArgument("BackupEngine::Open", "backup_dir is empty");
  if (env == nullptr) return Status::InvalidArgument("BackupEngine::Open", "env is null");
  auto impl = std::make_unique<backup::BackupEngineImpl>(env, backup_dir);
  Status s = impl->Init();
  if (s.ok()) *engine = std::move(impl);
  return s;
}

namespace backup {

namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool IsBackupId(const std::string& name, uint32_t* id) {
  if (name.empty() || name.size() > 10 || name.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  const unsigned long long n = std::strtoull(name.c_str(), nullptr, 10);
  if (n == 0 || n > UINT32_MAX) return false;
  *id = static_cast<uint32_t>(n);
  return true;
}

// Releases a LiveFileSet's pin however CreateBackup returns.
class PinGuard {
 public:
  PinGuard(DBImpl* db, LiveFileSet* files) : db_(db), files_(files) {}
  ~PinGuard() { db_->UnpinLiveFiles(files_); }
  PinGuard(const PinGuard&) = delete;
  PinGuard& operator=(const PinGuard&) = delete;

 private:
  DBImpl* const db_;
  LiveFileSet* const files_;
};

}  // namespace

BackupEngineImpl::BackupEngineImpl(Env* env, std::string dir) : env_(env), dir_(std::move(dir)) {}

Status BackupEngineImpl::Init() {
  Status s = env_->CreateDir(dir_);
  if (s.ok()) s = env_->CreateDir(MetaDir());
  if (s.ok()) s = env_->CreateDir(FilesDir());
  if (s.ok()) s = env_->LockFile(dir_ + "/LOCK", &lock_);
  if (!s.ok()) return s;
  // A CreateBackup that died leaves *.tmp files (never referenced: every
  // stored file and metadata file is renamed into place once complete).
  for (const std::string& d : {dir_, MetaDir(), FilesDir()}) {
    std::vector<std::string> children;
    s = env_->GetChildren(d, &children);
    if (!s.ok()) return s;
    for (const std::string& child : children) {
      if (EndsWith(child, ".tmp")) (void)env_->RemoveFile(d + "/" + child);
    }
  }
  return env_->SyncDir(dir_);
}

Status BackupEngineImpl::WriteFileAtomically(const std::string& dir, const std::string& name,
                                             const Slice& data) {
  const std::string tmp = dir + "/" + name + ".tmp";
  Status s = WriteStringToFile(env_, data, tmp, /*sync=*/true);
  if (s.ok()) s = env_->RenameFile(tmp, dir + "/" + name);
  if (s.ok()) s = env_->SyncDir(dir);
  if (!s.ok()) (void)env_->RemoveFile(tmp);
  return s;
}

Status BackupEngineImpl::ReadMeta(uint32_t id, BackupMeta* meta) {
  const std::string path = MetaPath(id);
  if (!env_->FileExists(path)) return Status::NotFound("backup " + std::to_string(id), "no such backup");
  std::string data;
  Status s = ReadFileToString(env_, path, &data);
  if (s.ok()) s = DecodeBackupMeta(data, path, meta);
  if (s.ok() && meta->id != id) s = Status::Corruption(path, "names backup " + std::to_string(meta->id));
  return s;
}

Status BackupEngineImpl::ReadAllMeta(std::map<uint32_t, BackupMeta>* metas) {
  metas->clear();
  std::vector<std::string> children;
  Status s = env_->GetChildren(MetaDir(), &children);
  if (!s.ok()) return s;
  for (const std::string& child : children) {
    uint32_t id;
    if (!IsBackupId(child, &id)) continue;
    s = ReadMeta(id, &(*metas)[id]);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

Status BackupEngineImpl::AllocateId(const std::map<uint32_t, BackupMeta>& metas, uint32_t* id) {
  uint64_t next = metas.empty() ? 1 : uint64_t{metas.rbegin()->first} + 1;
  std::string recorded;
  if (ReadFileToString(env_, dir_ + "/NEXT_ID", &recorded).ok()) {
    uint32_t n;
    while (!recorded.empty() && recorded.back() == '\n') recorded.pop_back();
    if (IsBackupId(recorded, &n)) next = std::max<uint64_t>(next, n);
  }
  if (next >= UINT32_MAX) return Status::NotSupported(dir_, "backup ids are exhausted");
  *id = static_cast<uint32_t>(next);
  // Recorded before the backup starts: a crash after this point skips the
  // id rather than reusing it after its backup was deleted.
  return WriteFileAtomically(dir_, "NEXT_ID", std::to_string(next + 1) + "\n");
}

Status BackupEngineImpl::CreateBackup(DB* db, BackupInfo* info) {
  auto* impl = dynamic_cast<DBImpl*>(db);
  if (impl == nullptr) return Status::NotSupported("CreateBackup", "not a DB opened by lsmkv::DB::Open");
  std::lock_guard<std::mutex> l(mu_);
  std::map<uint32_t, BackupMeta> metas;
  Status s = ReadAllMeta(&metas);
  uint32_t id = 0;
  if (s.ok()) s = AllocateId(metas, &id);
  std::vector<std::string> children;
  if (s.ok()) s = env_->GetChildren(FilesDir(), &children);
  if (!s.ok()) return s;
  std::set<std::string> stored(children.begin(), children.end());

  LiveFileSet files;
  s = impl->PinLiveFiles(&files);
  if (!s.ok()) return s;
  PinGuard pin(impl, &files);

  BackupMeta meta;
  meta.id = id;
  meta.sequence = files.sequence;
  meta.timestamp = static_cast<int64_t>(env_->NowUnixSeconds());
  uint64_t copied = 0;
  // Whether some stored file has this name and size (then the source's
  // checksum decides whether it is the same file).
  const auto stored_with = [&stored](const std::string& name, uint64_t size) {
    const std::string prefix = name + "_";
    const std::string suffix = "_" + std::to_string(size);
    for (auto it = stored.lower_bound(prefix); it != stored.end() && it->compare(0, prefix.size(), prefix) == 0; ++it) {
      if (EndsWith(*it, suffix)) return true;
    }
    return false;
  };
  // Stores the first `length` bytes of src (or, if src is empty, `bytes`)
  // as `name`, unless an identical file is stored already.
  const auto store = [&](FileKind kind, const std::string& name, const std::string& src,
                         uint64_t length, const std::string* bytes) -> Status {
    StoredFile f{kind, name, length, 0};
    Status st;
    if (bytes != nullptr) f.crc32c = crc32c::Value(bytes->data(), bytes->size());
    if (bytes != nullptr || stored_with(name, length)) {
      if (bytes == nullptr) {
        FileDigest digest;
        st = DigestFile(env_, src, length, &digest);
        if (!st.ok()) return st;
        f.crc32c = digest.crc32c;
      }
      if (stored.count(f.StoredName()) > 0) {  // same name, size and checksum: shared
        meta.files.push_back(f);
        return Status::OK();
      }
    }
    const std::string tmp = FilesDir() + "/" + name + ".tmp";
    if (bytes != nullptr) {
      st = WriteStringToFile(env_, *bytes, tmp, /*sync=*/true);
    } else {
      FileDigest digest;
      st = CopyFileContents(env_, src, tmp, length, /*sync=*/true, &digest);
      f.crc32c = digest.crc32c;
    }
    if (st.ok()) st = env_->RenameFile(tmp, StoredPath(f));
    if (!st.ok()) {
      (void)env_->RemoveFile(tmp);
      return st;
    }
    stored.insert(f.StoredName());
    copied += length;
    meta.files.push_back(f);
    return Status::OK();
  };

  for (const LiveFileSet::File& t : files.tables) {
    if (s.ok()) s = store(FileKind::kTable, TableName(t.number), files.db_dir + "/" + TableName(t.number), t.size, nullptr);
  }
  for (const LiveFileSet::File& w : files.wals) {
    if (s.ok()) s = store(FileKind::kWal, WalName(w.number), files.wal_dir + "/" + WalName(w.number), w.size, nullptr);
  }
  const std::string manifest = ManifestFileContents(files);
  if (s.ok()) s = store(FileKind::kManifest, ManifestName(files.manifest_number), "", manifest.size(), &manifest);
  // Every stored file is complete and durable before the metadata that
  // lists them exists: the metadata file is written last.
  if (s.ok()) s = env_->SyncDir(FilesDir());
  if (s.ok()) s = WriteFileAtomically(MetaDir(), std::to_string(id), EncodeBackupMeta(meta));
  if (!s.ok()) return s;
  Log(impl->info_log(), "backup %u to %s at sequence %llu: %zu files, %llu bytes copied", id,
      dir_.c_str(), static_cast<unsigned long long>(meta.sequence), meta.files.size(),
      static_cast<unsigned long long>(copied));
  if (info != nullptr) {
    *info = BackupInfo();
    info->id = id;
    info->sequence = meta.sequence;
    info->timestamp = meta.timestamp;
    info->num_files = static_cast<uint32_t>(meta.files.size());
    for (const StoredFile& f : meta.files) info->size_bytes += f.size;
    info->bytes_copied = copied;
  }
  return Status::OK();
}

Status BackupEngineImpl::ListBackups(std::vector<BackupInfo>* backups) {
  backups->clear();
  std::lock_guard<std::mutex> l(mu_);
  std::map<uint32_t, BackupMeta> metas;
  Status s = ReadAllMeta(&metas);
  if (!s.ok()) return s;
  for (const auto& [id, meta] : metas) {
    BackupInfo info;
    info.id = id;
    info.sequence = meta.sequence;
    info.timestamp = meta.timestamp;
    info.num_files = static_cast<uint32_t>(meta.files.size());
    for (const StoredFile& f : meta.files) info.size_bytes += f.size;
    backups->push_back(info);
  }
  return Status::OK();
}

Status BackupEngineImpl::CollectGarbage() {
  std::map<uint32_t, BackupMeta> metas;
  Status s = ReadAllMeta(&metas);  // a damaged metadata file: delete nothing
  if (!s.ok()) return s;
  std::set<std::string> needed;
  for (const auto& [id, meta] : metas) {
    for (const StoredFile& f : meta.files) needed.insert(f.StoredName());
  }
  std::vector<std::string> children;
  s = env_->GetChildren(FilesDir(), &children);
  if (!s.ok()) return s;
  for (const std::string& child : children) {
    if (needed.count(child) == 0) (void)env_->RemoveFile(FilesDir() + "/" + child);
  }
  return env_->SyncDir(FilesDir());
}

Status BackupEngineImpl::DeleteBackup(uint32_t id) {
  std::lock_guard<std::mutex> l(mu_);
  const std::string path = MetaPath(id);
  if (!env_->FileExists(path)) return Status::NotFound("backup " + std::to_string(id), "no such backup");
  Status s = env_->RemoveFile(path);
  if (s.ok()) s = env_->SyncDir(MetaDir());
  if (s.ok()) s = CollectGarbage();
  return s;
}

Status BackupEngineImpl::PurgeOldBackups(uint32_t keep) {
  std::lock_guard<std::mutex> l(mu_);
  std::map<uint32_t, BackupMeta> metas;
  Status s = ReadAllMeta(&metas);
  if (!s.ok()) return s;
  size_t excess = metas.size() > keep ? metas.size() - keep : 0;
  for (auto it = metas.begin(); s.ok() && excess > 0; ++it, --excess) {
    s = env_->RemoveFile(MetaPath(it->first));  // oldest first
  }
  if (s.ok()) s = env_->SyncDir(MetaDir());
  if (s.ok()) s = CollectGarbage();
  return s;
}

}  // namespace backup
}  // namespace lsmkv
