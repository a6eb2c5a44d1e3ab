// FaultEnv: wraps another Env to inject I/O errors and to simulate a crash.
//
//  - Errors: FailNth(op, n) makes the n-th next call of `op` (1 = the next
//    one) fail with IOError; with sticky = true every later call fails too.
//  - Power loss: the env tracks, for every file written through it, how many
//    bytes were synced. SimulatePowerLoss() first freezes the file system
//    (every mutating call fails, so the dying DB can write nothing more),
//    and after the DB is gone DropUnsyncedData() cuts every file back to its
//    synced length. With drop_unsynced_dir_entries, files created since
//    their directory's last SyncDir disappear as well, and a file replaced
//    by such a rename comes back with its old contents.
//
// Thread safety: thread-safe.
#ifndef LSMKV_TESTS_SUPPORT_FAULT_ENV_H_
#define LSMKV_TESTS_SUPPORT_FAULT_ENV_H_

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "lsmkv/env.h"

namespace lsmkv {

class FaultEnv final : public EnvWrapper {
 public:
  enum class Op { kWrite, kSync, kRename, kOpen };

  explicit FaultEnv(Env* base) : EnvWrapper(base) {}

  // The n-th next call of op fails (n >= 1); sticky: and every one after.
  void FailNth(Op op, int n, bool sticky = false);
  // Simulated full disk: appends may add `bytes` more bytes in all; an
  // append that does not fit fails with "No space left on device" and writes
  // nothing. Negative: unlimited (the default).
  void SetDiskSpace(int64_t bytes);
  void ClearFailures();
  // Number of calls of op since construction (for choosing n).
  int Count(Op op);

  // Freezes the file system: every later write, sync, rename, create or
  // remove fails with IOError until Reset().
  void Freeze();
  // Cuts every tracked file to its synced length; with
  // drop_unsynced_dir_entries also removes files whose creation was not
  // made durable by SyncDir. Call after the DB is destroyed. Unfreezes.
  Status DropUnsyncedData(bool drop_unsynced_dir_entries = false);
  // Forgets failures and freezing; keeps tracking.
  void Reset();

  Status NewWritableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override;
  Status NewAppendableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override;
  Status NewSequentialFile(const std::string& f, std::unique_ptr<SequentialFile>* r) override;
  Status NewRandomAccessFile(const std::string& f, std::unique_ptr<RandomAccessFile>* r) override;
  Status RemoveFile(const std::string& f) override;
  Status RenameFile(const std::string& s, const std::string& t) override;
  Status SyncDir(const std::string& d) override;

  // Called by the file wrappers.
  Status Check(Op op, const std::string& fname);
  void RecordAppend(const std::string& fname, uint64_t n);
  // Takes n bytes of the disk-space budget; IOError when they do not fit.
  Status ChargeSpace(const std::string& fname, uint64_t n);
  void RecordSync(const std::string& fname);

 private:
  struct Failure {
    int remaining = 0;  // 0: none armed
    bool sticky = false;
    bool firing = false;
  };
  struct FileInfo {
    uint64_t size = 0;
    uint64_t synced = 0;
  };

  std::mutex mu_;
  // Guarded by mu_.
  std::map<Op, Failure> failures_;
  std::map<Op, int> counts_;
  bool frozen_ = false;
  int64_t space_left_ = -1;  // bytes; negative: unlimited
  std::map<std::string, FileInfo> files_;
  std::set<std::string> unsynced_new_files_;
  // Files replaced by a rename whose directory was not synced since, with
  // their previous contents: a crash brings the old file back.
  std::map<std::string, std::string> overwritten_;
};

}  // namespace lsmkv

#endif  // LSMKV_TESTS_SUPPORT_FAULT_ENV_H_
