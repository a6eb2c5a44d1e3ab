// BackupEngine: verifying a backup and restoring it into a DB directory.
#include "backup/backup_engine_impl.h"
#include "env/file_copy.h"
#include "format/filename.h"

namespace lsmkv::backup {

namespace {

// InvalidArgument unless dir is absent or an empty directory.
Status CheckEmptyOrAbsent(Env* env, const std::string& dir) {
  std::vector<std::string> children;
  if (!env->GetChildren(dir, &children).ok() || children.empty()) return Status::OK();
  return Status::InvalidArgument(dir, "is not empty (a backup is restored only into an empty or absent directory)");
}

std::string Damaged(uint32_t id, const char* what) {
  return std::string(what) + " (backup " + std::to_string(id) + ")";
}

}  // namespace

Status BackupEngineImpl::VerifyBackup(uint32_t id) {
  std::lock_guard<std::mutex> l(mu_);
  BackupMeta meta;
  Status s = ReadMeta(id, &meta);
  if (!s.ok()) return s;
  for (const StoredFile& f : meta.files) {
    const std::string path = StoredPath(f);
    if (!env_->FileExists(path)) return Status::Corruption(path, Damaged(id, "missing"));
    FileDigest digest;
    s = DigestFile(env_, path, kWholeFile, &digest);
    if (!s.ok()) return Status::Corruption(path, Damaged(id, s.ToString().c_str()));
    if (digest.size != f.size || digest.crc32c != f.crc32c) {
      return Status::Corruption(path, Damaged(id, "size or checksum mismatch: the file is damaged"));
    }
  }
  return Status::OK();
}

Status BackupEngineImpl::RestoreBackup(uint32_t id, const std::string& db_dir,
                                       const std::string& wal_dir) {
  std::lock_guard<std::mutex> l(mu_);
  if (db_dir.empty()) return Status::InvalidArgument("RestoreBackup", "db_dir is empty");
  BackupMeta meta;
  Status s = ReadMeta(id, &meta);
  if (!s.ok()) return s;
  const std::string wal_target = wal_dir.empty() ? db_dir : wal_dir;
  s = CheckEmptyOrAbsent(env_, db_dir);
  if (s.ok() && wal_target != db_dir) s = CheckEmptyOrAbsent(env_, wal_target);
  if (!s.ok()) return s;
  const bool created_db = !env_->FileExists(db_dir);
  const bool created_wal = wal_target != db_dir && !env_->FileExists(wal_target);
  s = env_->CreateDir(db_dir);
  if (s.ok()) s = env_->CreateDir(wal_target);
  if (!s.ok()) return s;

  // On failure, what was written goes again: the target is left as found.
  std::vector<std::string> written;
  const auto undo = [&](const Status& failure) {
    for (const std::string& f : written) (void)env_->RemoveFile(f);
    (void)env_->RemoveFile(CurrentTempFileName(db_dir));
    if (created_wal) (void)env_->RemoveDir(wal_target);
    if (created_db) (void)env_->RemoveDir(db_dir);
    return failure;
  };
  std::string manifest_name;
  for (const StoredFile& f : meta.files) {
    const std::string src = StoredPath(f);
    const std::string dst = (f.kind == FileKind::kWal ? wal_target : db_dir) + "/" + f.name;
    if (!env_->FileExists(src)) return undo(Status::Corruption(src, Damaged(id, "missing")));
    // Verified as it is copied: the checksum of the bytes written.
    FileDigest digest;
    s = CopyFileContents(env_, src, dst, kWholeFile, /*sync=*/true, &digest);
    if (!s.ok()) return undo(s);
    written.push_back(dst);
    if (digest.size != f.size || digest.crc32c != f.crc32c) {
      return undo(Status::Corruption(src, Damaged(id, "size or checksum mismatch: the file is damaged")));
    }
    if (f.kind == FileKind::kManifest) manifest_name = f.name;
  }
  // CURRENT last, replaced atomically; then every directory entry made durable.
  s = WriteStringToFile(env_, manifest_name + "\n", CurrentTempFileName(db_dir), /*sync=*/true);
  if (s.ok()) s = env_->RenameFile(CurrentTempFileName(db_dir), CurrentFileName(db_dir));
  if (s.ok()) written.push_back(CurrentFileName(db_dir));
  if (s.ok()) s = env_->SyncDir(db_dir);
  if (s.ok() && wal_target != db_dir) s = env_->SyncDir(wal_target);
  if (s.ok()) s = env_->SyncDir(ParentDirectory(db_dir));
  if (s.ok() && wal_target != db_dir) s = env_->SyncDir(ParentDirectory(wal_target));
  if (!s.ok()) return undo(s);
  return Status::OK();
}

}  // namespace lsmkv::backup
