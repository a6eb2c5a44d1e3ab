// DB::CreateCheckpoint: a consistent, openable copy of a live DB.
//
// The file set comes from PinLiveFiles (db/live_files.h), captured in one
// short critical section; the copying runs without the DB mutex while
// writes, flushes and compactions go on, and the pin keeps every file of
// the set on disk until it is done. Tables are hard-linked (Env::LinkFile)
// or, across file systems, copied; WALs are copied up to the end of the
// last write in the set (the active one is still being appended to, so a
// link would let later writes into the copy); the MANIFEST is written
// fresh. Why the WAL tail is copied rather than the memtable flushed
// first: docs/backup.md ("Checkpoints").
#include <string>

#include "db/db_impl.h"
#include "env/file_copy.h"
#include "format/filename.h"
#include "util/logging.h"

namespace lsmkv {

namespace {

// Materializes `files` as a DB in the existing, empty directory `dir`:
// everything fsynced, CURRENT written last (temp file + rename), then the
// directory synced.
Status WriteCheckpointFiles(Env* env, const LiveFileSet& files, const std::string& dir) {
  Status s;
  FileDigest digest;
  for (const LiveFileSet::File& t : files.tables) {
    const std::string src = TableFileName(files.db_dir, t.number);
    const std::string dst = TableFileName(dir, t.number);
    // Tables are immutable and were fsynced when written: a new name for
    // the same inode is enough. Across file systems (or on an Env that
    // cannot link), copy.
    s = env->LinkFile(src, dst);
    if (!s.ok()) s = CopyFileContents(env, src, dst, t.size, /*sync=*/true, &digest);
    if (!s.ok()) return s;
  }
  for (const LiveFileSet::File& w : files.wals) {
    s = CopyFileContents(env, LogFileName(files.wal_dir, w.number), LogFileName(dir, w.number),
                         w.size, /*sync=*/true, &digest);
    if (!s.ok()) return s;
  }
  s = WriteStringToFile(env, ManifestFileContents(files),
                        DescriptorFileName(dir, files.manifest_number), /*sync=*/true);
  if (s.ok()) {
    s = WriteStringToFile(env, CurrentContents(files.manifest_number), CurrentTempFileName(dir),
                          /*sync=*/true);
  }
  if (s.ok()) s = env->RenameFile(CurrentTempFileName(dir), CurrentFileName(dir));
  if (s.ok()) s = env->SyncDir(dir);
  return s;
}

// Best-effort cleanup of a failed checkpoint: its files, then the directory.
void RemoveCheckpointDir(Env* env, const std::string& dir) {
  std::vector<std::string> children;
  if (env->GetChildren(dir, &children).ok()) {
    for (const std::string& child : children) (void)env->RemoveFile(dir + "/" + child);
  }
  (void)env->RemoveDir(dir);
}

}  // namespace

Status DBImpl::CreateCheckpoint(const std::string& dir, uint64_t* sequence) {
  if (Status closed = CheckNotClosed(); !closed.ok()) return closed;
  if (dir.empty()) return Status::InvalidArgument("CreateCheckpoint", "directory name is empty");
  if (env_->FileExists(dir)) return Status::InvalidArgument(dir, "already exists");
  const std::string parent = ParentDirectory(dir);
  if (!env_->FileExists(parent)) {
    return Status::InvalidArgument(parent, "does not exist (a checkpoint's parent directory must)");
  }
  Status s = env_->CreateDir(dir);
  if (!s.ok()) return s;
  LiveFileSet files;
  s = PinLiveFiles(&files);
  if (s.ok()) {
    s = WriteCheckpointFiles(env_, files, dir);
    UnpinLiveFiles(&files);
  }
  // The checkpoint's own directory entry.
  if (s.ok()) s = env_->SyncDir(parent);
  if (!s.ok()) {
    RemoveCheckpointDir(env_, dir);
    return s;
  }
  Log(info_log(), "checkpoint %s at sequence %llu: %zu tables, %zu WALs", dir.c_str(),
      static_cast<unsigned long long>(files.sequence), files.tables.size(), files.wals.size());
  if (sequence != nullptr) *sequence = files.sequence;
  return Status::OK();
}

}  // namespace lsmkv
