// BackupEngine: incremental backups of a live DB into a backup directory.
//
// Each backup is a consistent copy of the DB (the same file set as
// DB::CreateCheckpoint) stored under backup_dir/files/ with content-derived
// names, so a table already backed up (same name, size and checksum) is not
// copied again and backups share it. A backup exists once its small,
// checksummed metadata file backup_dir/meta/<id> is in place; that file is
// written last (temp file, fsync, rename, directory fsync), so a crash in
// the middle of CreateBackup leaves no half backup listed. The directory
// layout and the metadata format are in docs/format.md; docs/backup.md is
// the user's guide.
//
// Thread safety: a BackupEngine serializes its own calls. Only one
// BackupEngine may use a backup directory at a time (Open takes the
// directory's LOCK file: Busy otherwise).
#ifndef LSMKV_BACKUP_H_
#define LSMKV_BACKUP_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lsmkv/db.h"
#include "lsmkv/env.h"
#include "lsmkv/export.h"
#include "lsmkv/status.h"

namespace lsmkv {

struct LSMKV_EXPORT BackupInfo {
  uint32_t id = 0;          // 1, 2, 3, ... never reused
  uint64_t sequence = 0;    // the backup holds exactly the writes up to this sequence number
  int64_t timestamp = 0;    // seconds since the epoch, when it was taken
  uint64_t size_bytes = 0;  // bytes of all files the backup refers to
  uint32_t num_files = 0;
  // Set by CreateBackup only (0 from ListBackups): the bytes it wrote into
  // backup_dir; the rest of size_bytes was shared with earlier backups.
  uint64_t bytes_copied = 0;
};

class LSMKV_EXPORT BackupEngine {
 public:
  // Opens (creating it if missing; its parent must exist) the backup
  // directory. Removes leftovers of a CreateBackup that crashed (temporary
  // files); files of a crashed backup that no backup refers to are removed
  // by the next DeleteBackup or PurgeOldBackups.
  static Status Open(const std::string& backup_dir, std::unique_ptr<BackupEngine>* engine,
                     Env* env = Env::Default());

  BackupEngine() = default;
  BackupEngine(const BackupEngine&) = delete;
  BackupEngine& operator=(const BackupEngine&) = delete;
  virtual ~BackupEngine();

  // Backs up an open DB while it serves reads and writes. Incremental: a
  // file already in backup_dir (same name, size and checksum) is not copied
  // again. NotSupported for a DB that is not lsmkv's own implementation.
  virtual Status CreateBackup(DB* db, BackupInfo* info = nullptr) = 0;
  // Oldest first. Corruption naming a damaged metadata file.
  virtual Status ListBackups(std::vector<BackupInfo>* backups) = 0;
  // Re-reads every file of the backup: Corruption naming the first damaged
  // or missing one; NotFound for an unknown id.
  virtual Status VerifyBackup(uint32_t id) = 0;
  // Writes the backup into db_dir (must be absent or empty; its parent
  // must exist), verifying every file as it is copied; the result opens
  // with DB::Open. wal_dir as in Options (empty: the WALs go into db_dir;
  // else it must be absent or empty too). On failure what was written is
  // removed again.
  virtual Status RestoreBackup(uint32_t id, const std::string& db_dir,
                               const std::string& wal_dir = "") = 0;
  // Removes the backup and every file no other backup needs. NotFound for
  // an unknown id.
  virtual Status DeleteBackup(uint32_t id) = 0;
  // Keeps the newest `keep` backups, deletes the others (as DeleteBackup).
  virtual Status PurgeOldBackups(uint32_t keep) = 0;
};

}  // namespace lsmkv

#endif  // LSMKV_BACKUP_H_
