// The metadata file of one backup (backup_dir/meta/<id>) and the names
// of stored files. Byte layout: docs/format.md, "Backup metadata".
#ifndef LSMKV_BACKUP_BACKUP_META_H_
#define LSMKV_BACKUP_BACKUP_META_H_

#include <cstdint>
#include <string>
#include <vector>

#include "lsmkv/slice.h"
#include "lsmkv/status.h"

namespace lsmkv::backup {

// Format version of the metadata file (and of the directory layout).
constexpr uint32_t kBackupFormatVersion = 1;

enum class FileKind : uint8_t { kTable = 1, kWal = 2, kManifest = 3 };

struct StoredFile {
  FileKind kind = FileKind::kTable;
  std::string name;  // its name in a DB directory: "000012.sst", "000014.log", "MANIFEST-000015"
  uint64_t size = 0;
  uint32_t crc32c = 0;  // of the whole contents, unmasked

  // Its name under backup_dir/files/: "<name>_<crc32c, 8 lowercase hex>_<size>".
  // Two files share a stored name only if name, size and checksum agree.
  std::string StoredName() const;
};

struct BackupMeta {
  uint32_t id = 0;
  uint64_t sequence = 0;
  int64_t timestamp = 0;
  std::vector<StoredFile> files;  // tables, then WALs (oldest first), then the MANIFEST
};

std::string EncodeBackupMeta(const BackupMeta& meta);
// Corruption (naming fname) for a damaged or malformed file; NotSupported
// for a newer format version.
Status DecodeBackupMeta(const Slice& data, const std::string& fname, BackupMeta* meta);

}  // namespace lsmkv::backup

#endif  // LSMKV_BACKUP_BACKUP_META_H_
