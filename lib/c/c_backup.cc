// The C API's checkpoints and backup engines (include/lsmkv/c.h): wrappers
// over DB::CreateCheckpoint and lsmkv::BackupEngine.
#include <memory>
#include <string>
#include <vector>

#include "c/c_handles.h"
#include "lsmkv/backup.h"
#include "lsmkv/c.h"

using lsmkv::c_api::SaveError;

struct lsmkv_backup_engine_t {
  std::unique_ptr<lsmkv::BackupEngine> rep;
};
struct lsmkv_backup_info_t {
  std::vector<lsmkv::BackupInfo> rep;  // oldest first
};

extern "C" {

void lsmkv_create_checkpoint(lsmkv_t* db, const char* dir, uint64_t* sequence, char** errptr) {
  uint64_t seq = 0;
  if (SaveError(errptr, db->rep->CreateCheckpoint(dir, &seq))) return;
  if (sequence != nullptr) *sequence = seq;
}

lsmkv_backup_engine_t* lsmkv_backup_engine_open(const char* backup_dir, char** errptr) {
  std::unique_ptr<lsmkv::BackupEngine> engine;
  if (SaveError(errptr, lsmkv::BackupEngine::Open(backup_dir, &engine))) return nullptr;
  return new lsmkv_backup_engine_t{std::move(engine)};
}

void lsmkv_backup_engine_close(lsmkv_backup_engine_t* engine) { delete engine; }

uint32_t lsmkv_backup_engine_create_new_backup(lsmkv_backup_engine_t* engine, lsmkv_t* db,
                                               char** errptr) {
  lsmkv::BackupInfo info;
  if (SaveError(errptr, engine->rep->CreateBackup(db->rep.get(), &info))) return 0;
  return info.id;
}

void lsmkv_backup_engine_verify_backup(lsmkv_backup_engine_t* engine, uint32_t backup_id,
                                       char** errptr) {
  SaveError(errptr, engine->rep->VerifyBackup(backup_id));
}

void lsmkv_backup_engine_restore_db_from_backup(lsmkv_backup_engine_t* engine,
                                                uint32_t backup_id, const char* db_dir,
                                                const char* wal_dir, char** errptr) {
  SaveError(errptr,
            engine->rep->RestoreBackup(backup_id, db_dir, wal_dir != nullptr ? wal_dir : ""));
}

void lsmkv_backup_engine_purge_old_backups(lsmkv_backup_engine_t* engine,
                                           uint32_t num_backups_to_keep, char** errptr) {
  SaveError(errptr, engine->rep->PurgeOldBackups(num_backups_to_keep));
}

void lsmkv_backup_engine_delete_backup(lsmkv_backup_engine_t* engine, uint32_t backup_id,
                                       char** errptr) {
  SaveError(errptr, engine->rep->DeleteBackup(backup_id));
}

lsmkv_backup_info_t* lsmkv_backup_engine_get_backup_info(lsmkv_backup_engine_t* engine,
                                                         char** errptr) {
  auto info = std::make_unique<lsmkv_backup_info_t>();
  if (SaveError(errptr, engine->rep->ListBackups(&info->rep))) return nullptr;
  return info.release();
}

int lsmkv_backup_engine_info_count(const lsmkv_backup_info_t* info) {
  return static_cast<int>(info->rep.size());
}
uint32_t lsmkv_backup_engine_info_backup_id(const lsmkv_backup_info_t* info, int index) {
  return info->rep[static_cast<size_t>(index)].id;
}
uint64_t lsmkv_backup_engine_info_sequence(const lsmkv_backup_info_t* info, int index) {
  return info->rep[static_cast<size_t>(index)].sequence;
}
int64_t lsmkv_backup_engine_info_timestamp(const lsmkv_backup_info_t* info, int index) {
  return info->rep[static_cast<size_t>(index)].timestamp;
}
uint64_t lsmkv_backup_engine_info_size(const lsmkv_backup_info_t* info, int index) {
  return info->rep[static_cast<size_t>(index)].size_bytes;
}
uint32_t lsmkv_backup_engine_info_number_files(const lsmkv_backup_info_t* info, int index) {
  return info->rep[static_cast<size_t>(index)].num_files;
}
void lsmkv_backup_engine_info_destroy(lsmkv_backup_info_t* info) { delete info; }

}  // extern "C"
