// MemEnv: an Env whose files live in memory. Fast, hermetic, and the usual
// base under FaultEnv. Directories are implicit prefixes but CreateDir is
// remembered so FileExists(dir) behaves.
//
// Thread safety: thread-safe.
#ifndef LSMKV_TESTS_SUPPORT_MEM_ENV_H_
#define LSMKV_TESTS_SUPPORT_MEM_ENV_H_

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "lsmkv/env.h"

namespace lsmkv {

class MemEnv final : public Env {
 public:
  MemEnv() = default;

  Status NewSequentialFile(const std::string& f, std::unique_ptr<SequentialFile>* r) override;
  // Reads copy into the caller's scratch, as pread does.
  Status NewRandomAccessFile(const std::string& f, std::unique_ptr<RandomAccessFile>* r) override;
  // allow_mmap_reads: the file as it is now is "mapped": reads point into
  // a copy taken at open and ignore the scratch, as a read through a
  // mapping does (later changes to the file are not seen; tables never
  // change). Otherwise as NewRandomAccessFile.
  Status NewRandomAccessFileWithOptions(const std::string& f, const RandomAccessFileOptions& o,
                                        std::unique_ptr<RandomAccessFile>* r) override;
  Status NewWritableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override;
  Status NewAppendableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override;
  bool FileExists(const std::string& f) override;
  Status GetChildren(const std::string& dir, std::vector<std::string>* r) override;
  Status RemoveFile(const std::string& f) override;
  Status CreateDir(const std::string& d) override;
  Status RemoveDir(const std::string& d) override;
  Status GetFileSize(const std::string& f, uint64_t* s) override;
  Status RenameFile(const std::string& s, const std::string& t) override;
  Status SyncDir(const std::string&) override { return Status::OK(); }
  // Both names share one file, as with link(2).
  Status LinkFile(const std::string& s, const std::string& t) override;
  Status LockFile(const std::string& f, std::unique_ptr<FileLock>* l) override;
  uint64_t NowMicros() override;
  uint64_t NowUnixSeconds() override;
  void SleepForMicroseconds(int micros) override;

  // Test helper: replaces the contents of an existing file.
  Status SetContents(const std::string& f, const std::string& data);

  struct FileState;  // shared by open handles; defined in mem_env.cc

 private:
  void Unlock(const std::string& fname);
  friend class MemFileLock;

  std::mutex mu_;
  // Guarded by mu_.
  std::map<std::string, std::shared_ptr<FileState>> files_;
  std::set<std::string> dirs_;
  std::set<std::string> locks_;
};

}  // namespace lsmkv

#endif  // LSMKV_TESTS_SUPPORT_MEM_ENV_H_
