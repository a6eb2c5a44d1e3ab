// The WAL archive behind the change feed: WALs that flushes made obsolete
// are moved to <wal_dir>/archive/ instead of being deleted when
// Options::wal_retention_bytes > 0, and the oldest are deleted beyond that
// many bytes. Archived WALs are never replayed at Open (Open and RepairDB
// only look at <wal_dir> itself) and DestroyDB removes them.
#ifndef LSMKV_REPLICATION_WAL_ARCHIVE_H_
#define LSMKV_REPLICATION_WAL_ARCHIVE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lsmkv/env.h"
#include "lsmkv/status.h"

namespace lsmkv {

std::string WalArchiveDir(const std::string& wal_dir);

// Moves WAL `number` from wal_dir into the archive (created if needed).
Status ArchiveWal(Env* env, const std::string& wal_dir, uint64_t number);

// Deletes the oldest archived WALs until they hold at most limit_bytes.
void TrimWalArchive(Env* env, const std::string& wal_dir, uint64_t limit_bytes);

// Numbers of every WAL in the archive and in wal_dir, ascending.
std::vector<uint64_t> FeedWalNumbers(Env* env, const std::string& wal_dir);

// Whether WAL `number` is in wal_dir or the archive. A rename between the
// two looks while it runs cannot make it look missing (wal_dir is looked
// at first, as ArchiveWal only moves WALs from there to the archive).
bool FeedWalExists(Env* env, const std::string& wal_dir, uint64_t number);

// Opens WAL `number` wherever it is (wal_dir, else the archive: a WAL may
// be moved between the two at any time). NotFound when it is in neither.
Status OpenFeedWal(Env* env, const std::string& wal_dir, uint64_t number,
                   std::unique_ptr<SequentialFile>* file);

// Removes the archive and everything in it (DestroyDB).
Status RemoveWalArchive(Env* env, const std::string& wal_dir);

}  // namespace lsmkv

#endif  // LSMKV_REPLICATION_WAL_ARCHIVE_H_
