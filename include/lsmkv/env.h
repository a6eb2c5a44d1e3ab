// Env: every file-system and clock call the engine makes goes through an Env,
// so tests can substitute an in-memory Env or one that injects faults and
// simulates power loss. Env::Default() is the POSIX implementation.
//
// Background threads are not part of Env: the DB owns a thread pool sized by
// Options::max_background_jobs (see docs/architecture.md).
//
// Thread safety: an Env is safe for concurrent use. A file object is used by
// one thread at a time, except RandomAccessFile, which is safe for concurrent
// reads.
#ifndef LSMKV_ENV_H_
#define LSMKV_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lsmkv/export.h"
#include "lsmkv/slice.h"
#include "lsmkv/status.h"

namespace lsmkv {

// A file read from front to back.
class LSMKV_EXPORT SequentialFile {
 public:
  SequentialFile() = default;
  SequentialFile(const SequentialFile&) = delete;
  SequentialFile& operator=(const SequentialFile&) = delete;
  virtual ~SequentialFile();

  // Reads up to n bytes. *result may point into scratch (n bytes, owned by the
  // caller) or elsewhere; it stays valid until the next call. Fewer than n bytes
  // (possibly zero) means the end of the file was reached.
  virtual Status Read(size_t n, Slice* result, char* scratch) = 0;

  // Skips n bytes; skipping past the end stops at the end.
  virtual Status Skip(uint64_t n) = 0;
};

// A file read at arbitrary offsets. Safe for concurrent use.
class LSMKV_EXPORT RandomAccessFile {
 public:
  RandomAccessFile() = default;
  RandomAccessFile(const RandomAccessFile&) = delete;
  RandomAccessFile& operator=(const RandomAccessFile&) = delete;
  virtual ~RandomAccessFile();

  // Reads up to n bytes at offset; semantics of *result as in SequentialFile.
  virtual Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const = 0;

  // A hint that the caller is done with the pages it has read for now (a
  // compaction that has read this table to its end). A file that maps
  // itself into memory drops its pages from the process's resident set:
  // they stay in the kernel's page cache, and a later read -- by anyone --
  // maps them again, so slices into the file stay valid. Not pure: this
  // default does nothing, right for a file whose reads copy.
  virtual void DropResidentPages() const {}
};

// How a file opened with Env::NewRandomAccessFileWithOptions may be read.
struct LSMKV_EXPORT RandomAccessFileOptions {
  // true: the Env may map the file into memory (PosixEnv does, for up to
  // 1000 files at once): a read is a pointer into the mapping, no system
  // call, no copy; but every page touched stays in the process's resident
  // set (RSS, file-backed) while the mapping lives. false: every read
  // copies into the caller's buffer (pread); pages stay in the kernel's
  // page cache, outside the process, and the file holds a descriptor
  // while it is open. Options::allow_mmap_reads sets this for tables.
  bool allow_mmap_reads = true;
};

// A file written front to back. Implementations may buffer: Flush() hands the
// bytes to the operating system (they then survive a process crash), Sync()
// makes them durable (they then survive a power loss).
class LSMKV_EXPORT WritableFile {
 public:
  WritableFile() = default;
  WritableFile(const WritableFile&) = delete;
  WritableFile& operator=(const WritableFile&) = delete;
  virtual ~WritableFile();

  virtual Status Append(const Slice& data) = 0;
  virtual Status Flush() = 0;
  // Flushes, then fdatasync. Does NOT sync the directory entry: creators of
  // new files call Env::SyncDir themselves.
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
};

// How a write-ahead log file is written (Options::wal_write_mode). Only the
// POSIX Env tells the modes apart; see Env::NewLogFile.
enum class WalWriteMode : unsigned char {
  // Through a shared writable mapping (an append is a memcpy), falling back
  // to write(2), transparently and for good, when the file system refuses
  // the mapping or the fallocate reservation behind it (some FUSE and
  // network file systems). A full disk or an I/O error is an error, not a
  // reason to fall back.
  kAuto,
  // Through a shared writable mapping only: where the file system refuses
  // it, appends fail with IOError.
  kMapped,
  // Through write(2), one call per record, as LevelDB and RocksDB do.
  kWrite,
};

// A held lock on a file; destroying it releases the lock.
class LSMKV_EXPORT FileLock {
 public:
  FileLock() = default;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  virtual ~FileLock();
};

class LSMKV_EXPORT Env {
 public:
  Env() = default;
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;
  virtual ~Env();

  // The POSIX Env. A singleton; never delete it.
  static Env* Default();

  virtual Status NewSequentialFile(const std::string& fname,
                                   std::unique_ptr<SequentialFile>* result) = 0;
  virtual Status NewRandomAccessFile(const std::string& fname,
                                     std::unique_ptr<RandomAccessFile>* result) = 0;
  // The same, read as `options` asks. The DB opens its table files
  // through this one. Not pure: this default ignores `options` and calls
  // NewRandomAccessFile(fname, result), right for an Env that never maps
  // files (reads always copy); an Env that maps files overrides it to
  // honour allow_mmap_reads. EnvWrapper does not forward it to its target,
  // as with NewLogFile: a wrapper written against the two-argument method
  // (decryption, checksums, fault injection, accounting) keeps seeing
  // every table open through its own override. A wrapper that wants
  // allow_mmap_reads honoured below it overrides this method too.
  virtual Status NewRandomAccessFileWithOptions(const std::string& fname,
                                                const RandomAccessFileOptions& options,
                                                std::unique_ptr<RandomAccessFile>* result);
  // Creates or truncates.
  virtual Status NewWritableFile(const std::string& fname,
                                 std::unique_ptr<WritableFile>* result) = 0;
  // Creates or truncates a write-ahead log file, written the way `mode`
  // asks. Not pure: this default ignores `mode` and calls NewWritableFile,
  // so Envs written before it existed keep compiling, and wrappers that
  // intercept NewWritableFile (fault injection, accounting) keep seeing WAL
  // files. EnvWrapper does not forward it to its target for that reason: a
  // wrapper that wants the mode honoured below it overrides NewLogFile.
  // PosixEnv honours every mode (and treats NewWritableFile of a "*.log"
  // name as kAuto).
  virtual Status NewLogFile(const std::string& fname, WalWriteMode mode,
                            std::unique_ptr<WritableFile>* result);
  // Creates, or opens for appending at the end.
  virtual Status NewAppendableFile(const std::string& fname,
                                   std::unique_ptr<WritableFile>* result) = 0;

  virtual bool FileExists(const std::string& fname) = 0;
  // Names (not paths) of the entries of dir, without "." and "..".
  virtual Status GetChildren(const std::string& dir, std::vector<std::string>* result) = 0;
  virtual Status RemoveFile(const std::string& fname) = 0;
  // Creates dir; OK if it already exists as a directory.
  virtual Status CreateDir(const std::string& dir) = 0;
  virtual Status RemoveDir(const std::string& dir) = 0;
  virtual Status GetFileSize(const std::string& fname, uint64_t* size) = 0;
  // Atomically replaces target with src (rename(2)). Durable only after SyncDir.
  virtual Status RenameFile(const std::string& src, const std::string& target) = 0;
  // Makes creations, renames and removals inside dir durable (fsync on the dir).
  virtual Status SyncDir(const std::string& dir) = 0;

  // Makes target a second name of the existing file src (link(2)); target
  // must not exist. Durable only after SyncDir of target's directory. Fails
  // (IOError) when the two are on different file systems; this default
  // returns NotSupported. Callers that only need the bytes (checkpoints)
  // fall back to copying.
  virtual Status LinkFile(const std::string& src, const std::string& target);

  // Takes an exclusive lock on fname (created if missing). Fails with Busy if
  // another holder, in this process or another, has it.
  virtual Status LockFile(const std::string& fname, std::unique_ptr<FileLock>* lock) = 0;

  // Microseconds since some fixed point; only differences are meaningful.
  virtual uint64_t NowMicros() = 0;
  // Seconds since the Unix epoch (for creation times recorded in files).
  virtual uint64_t NowUnixSeconds() = 0;
  virtual void SleepForMicroseconds(int micros) = 0;
};

// Helpers over any Env.
LSMKV_EXPORT Status WriteStringToFile(Env* env, const Slice& data, const std::string& fname,
                                      bool sync);
LSMKV_EXPORT Status ReadFileToString(Env* env, const std::string& fname, std::string* data);

// An Env that forwards every call to another; subclass it to override a few.
class LSMKV_EXPORT EnvWrapper : public Env {
 public:
  // target must outlive this wrapper.
  explicit EnvWrapper(Env* target) : target_(target) {}
  ~EnvWrapper() override;

  Env* target() const { return target_; }

  Status NewSequentialFile(const std::string& f, std::unique_ptr<SequentialFile>* r) override {
    return target_->NewSequentialFile(f, r);
  }
  Status NewRandomAccessFile(const std::string& f,
                             std::unique_ptr<RandomAccessFile>* r) override {
    return target_->NewRandomAccessFile(f, r);
  }
  Status NewWritableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override {
    return target_->NewWritableFile(f, r);
  }
  Status NewAppendableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override {
    return target_->NewAppendableFile(f, r);
  }
  bool FileExists(const std::string& f) override { return target_->FileExists(f); }
  Status GetChildren(const std::string& dir, std::vector<std::string>* r) override {
    return target_->GetChildren(dir, r);
  }
  Status RemoveFile(const std::string& f) override { return target_->RemoveFile(f); }
  Status CreateDir(const std::string& d) override { return target_->CreateDir(d); }
  Status RemoveDir(const std::string& d) override { return target_->RemoveDir(d); }
  Status GetFileSize(const std::string& f, uint64_t* s) override {
    return target_->GetFileSize(f, s);
  }
  Status RenameFile(const std::string& s, const std::string& t) override {
    return target_->RenameFile(s, t);
  }
  Status SyncDir(const std::string& d) override { return target_->SyncDir(d); }
  Status LinkFile(const std::string& s, const std::string& t) override {
    return target_->LinkFile(s, t);
  }
  Status LockFile(const std::string& f, std::unique_ptr<FileLock>* l) override {
    return target_->LockFile(f, l);
  }
  uint64_t NowMicros() override { return target_->NowMicros(); }
  uint64_t NowUnixSeconds() override { return target_->NowUnixSeconds(); }
  void SleepForMicroseconds(int micros) override { target_->SleepForMicroseconds(micros); }

 private:
  Env* target_;
};

}  // namespace lsmkv

#endif  // LSMKV_ENV_H_
