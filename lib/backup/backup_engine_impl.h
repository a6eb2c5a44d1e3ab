// BackupEngineImpl: the BackupEngine (include/lsmkv/backup.h).
//
//   backup_dir/LOCK          held while a BackupEngine has the directory open
//   backup_dir/NEXT_ID       the next backup id, decimal + '\n' (ids are never reused)
//   backup_dir/meta/<id>     one backup's metadata (backup_meta.h), written last
//   backup_dir/files/<name>_<crc32c>_<size>   stored files, shared by backups
//   *.tmp                    a file being written; removed by Open
//
// Creation, listing and deletion: backup_engine.cc; verification and
// restore: backup_restore.cc.
#ifndef LSMKV_BACKUP_BACKUP_ENGINE_IMPL_H_
#define LSMKV_BACKUP_BACKUP_ENGINE_IMPL_H_

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "backup/backup_meta.h"
#include "lsmkv/backup.h"

namespace lsmkv::backup {

class BackupEngineImpl final : public BackupEngine {
 public:
  BackupEngineImpl(Env* env, std::string dir);

  // Creates the layout, takes the LOCK, removes *.tmp leftovers.
  Status Init();

  Status CreateBackup(DB* db, BackupInfo* info) override;
  Status ListBackups(std::vector<BackupInfo>* backups) override;
  Status VerifyBackup(uint32_t id) override;
  Status RestoreBackup(uint32_t id, const std::string& db_dir, const std::string& wal_dir) override;
  Status DeleteBackup(uint32_t id) override;
  Status PurgeOldBackups(uint32_t keep) override;

 private:
  std::string MetaDir() const { return dir_ + "/meta"; }
  std::string FilesDir() const { return dir_ + "/files"; }
  std::string MetaPath(uint32_t id) const { return MetaDir() + "/" + std::to_string(id); }
  std::string StoredPath(const StoredFile& f) const { return FilesDir() + "/" + f.StoredName(); }

  // Every backup's metadata, by id. Corruption naming the first bad file.
  Status ReadAllMeta(std::map<uint32_t, BackupMeta>* metas);
  Status ReadMeta(uint32_t id, BackupMeta* meta);
  // The id for a new backup, recorded durably in NEXT_ID before use.
  Status AllocateId(const std::map<uint32_t, BackupMeta>& metas, uint32_t* id);
  // Removes stored files no backup refers to.
  Status CollectGarbage();
  // Writes data to path durably: temp file, fsync, rename, directory fsync.
  Status WriteFileAtomically(const std::string& dir, const std::string& name, const Slice& data);

  Env* const env_;
  const std::string dir_;
  std::mutex mu_;  // serializes every public call
  std::unique_ptr<FileLock> lock_;
};

}  // namespace lsmkv::backup

#endif  // LSMKV_BACKUP_BACKUP_ENGINE_IMPL_H_
