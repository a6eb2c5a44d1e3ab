// CLI commands for copies of a database: checkpoint, and backup
// create|list|verify|restore|purge|delete (--backup_dir DIR).
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include "cli.h"
#include "lsmkv/backup.h"
#include "lsmkv/db.h"

namespace lsmkv::cli {

namespace {

const char kBackupUsage[] =
    "usage: lsmkv [--db DIR] backup create|list|verify ID|restore ID DIR [--wal_dir W]|"
    "purge KEEP|delete ID --backup_dir B";

bool ParseId(const std::string& text, uint32_t* id) {
  if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  const unsigned long long n = std::strtoull(text.c_str(), nullptr, 10);
  if (n > UINT32_MAX) return false;
  *id = static_cast<uint32_t>(n);
  return true;
}

std::string UtcTime(int64_t seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

int CmdCheckpoint(const CommandLine& cl) {
  if (cl.args.size() != 1) return UsageError("usage: lsmkv --db DIR checkpoint TARGET_DIR");
  Options options = cl.options;
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, cl.db, &db);
  uint64_t sequence = 0;
  if (s.ok()) s = db->CreateCheckpoint(cl.args[0], &sequence);
  if (s.ok()) s = db->Close();
  if (!s.ok()) return Fail("checkpoint", s);
  std::printf("checkpoint at sequence %llu\n", static_cast<unsigned long long>(sequence));
  return kExitOk;
}

int CmdBackup(const CommandLine& cl) {
  if (cl.args.empty()) return UsageError(kBackupUsage);
  if (cl.backup_dir.empty()) return UsageError("backup needs --backup_dir DIR");
  const std::string& action = cl.args[0];
  const size_t operands = cl.args.size() - 1;
  uint32_t id = 0;
  const bool takes_id = action == "verify" || action == "restore" || action == "delete" || action == "purge";
  const size_t wanted = action == "restore" ? 2 : takes_id ? 1 : 0;
  if (action != "create" && action != "list" && !takes_id) return UsageError(kBackupUsage);
  if (operands != wanted || (takes_id && !ParseId(cl.args[1], &id))) return UsageError(kBackupUsage);

  std::unique_ptr<BackupEngine> engine;
  Status s = BackupEngine::Open(cl.backup_dir, &engine);
  if (!s.ok()) return Fail("backup " + action, s);
  if (action == "create") {
    std::unique_ptr<DB> db;
    s = DB::Open(cl.options, cl.db, &db);
    BackupInfo info;
    if (s.ok()) s = engine->CreateBackup(db.get(), &info);
    if (s.ok()) s = db->Close();
    if (!s.ok()) return Fail("backup create", s);
    std::printf("backup %u: sequence %llu, %u files, %llu bytes, %llu bytes copied\n", info.id,
                static_cast<unsigned long long>(info.sequence), info.num_files,
                static_cast<unsigned long long>(info.size_bytes),
                static_cast<unsigned long long>(info.bytes_copied));
  } else if (action == "list") {
    std::vector<BackupInfo> backups;
    s = engine->ListBackups(&backups);
    if (!s.ok()) return Fail("backup list", s);
    for (const BackupInfo& b : backups) {
      std::printf("%u\tsequence %llu\t%u files\t%llu bytes\t%s\n", b.id,
                  static_cast<unsigned long long>(b.sequence), b.num_files,
                  static_cast<unsigned long long>(b.size_bytes), UtcTime(b.timestamp).c_str());
    }
  } else if (action == "verify") {
    s = engine->VerifyBackup(id);
    if (!s.ok()) return Fail("backup verify", s);
    std::printf("backup %u: OK\n", id);
  } else if (action == "restore") {
    std::vector<BackupInfo> backups;
    s = engine->RestoreBackup(id, cl.args[2], cl.options.wal_dir);
    if (s.ok()) s = engine->ListBackups(&backups);
    if (!s.ok()) return Fail("backup restore", s);
    for (const BackupInfo& b : backups) {
      if (b.id == id) std::printf("restored backup %u (sequence %llu)\n", id, static_cast<unsigned long long>(b.sequence));
    }
  } else if (action == "purge") {
    s = engine->PurgeOldBackups(id);
    std::vector<BackupInfo> backups;
    if (s.ok()) s = engine->ListBackups(&backups);
    if (!s.ok()) return Fail("backup purge", s);
    std::printf("%zu backups kept\n", backups.size());
  } else {  // delete
    s = engine->DeleteBackup(id);
    if (!s.ok()) return Fail("backup delete", s);
    std::printf("backup %u deleted\n", id);
  }
  return kExitOk;
}

}  // namespace lsmkv::cli
