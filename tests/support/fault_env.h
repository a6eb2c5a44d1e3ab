// FaultEnv: wraps another Env to inject I/O errors and to simulate a crash.
//
//  - Errors: FailNth(op, n) makes the n-th next call of `op` (1 = the next
//    one) fail with IOError; with sticky = true every later call fails too.
//    Given a file-name part, only calls on files whose name contains it
//    count and fail (e.g. "MANIFEST").
//  - Holding: HoldNext(op, part) makes the next call of `op` on a file whose
//    name contains `part` wait inside the env until ReleaseHeld(), e.g. to
//    keep a background flush (creating its ".sst") in progress while a test
//    runs something beside it. Test-only: the DB itself has no hook.
//  - Power loss: the env tracks, for every file written through it, how many
//    bytes were synced. Freeze() stops the file system (every mutating call
//    fails, so the dying DB can write nothing more) and notes how many bytes
//    of each file had reached the OS; after the DB is gone
//    DropUnsyncedData() decides what of the unsynced bytes survives:
//      * by default every file is cut back to its synced length;
//      * with PowerLoss::lose_pages_out_of_order, each 4 KiB page holding
//        unsynced bytes survives or not on its own, as write-back in any
//        order leaves it (see PowerLoss). This applies alike to files
//        written with write(2) and to the WAL, which the POSIX Env writes
//        through a shared mapping: both put the bytes in the page cache,
//        whose pages reach the disk in no particular order.
//    With drop_unsynced_dir_entries, files created since their directory's
//    last SyncDir disappear as well, and a file replaced by such a rename
//    comes back with its old contents.
//
// Thread safety: thread-safe.
#ifndef LSMKV_TESTS_SUPPORT_FAULT_ENV_H_
#define LSMKV_TESTS_SUPPORT_FAULT_ENV_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "lsmkv/env.h"

namespace lsmkv {

class FaultEnv final : public EnvWrapper {
 public:
  enum class Op { kWrite, kSync, kRename, kOpen, kLink };

  explicit FaultEnv(Env* base) : EnvWrapper(base) {}

  // The n-th next call of op fails (n >= 1); sticky: and every one after.
  // With file_part not empty, only calls on files whose name contains it
  // are counted toward n and fail.
  void FailNth(Op op, int n, bool sticky = false, const std::string& file_part = "");
  // The next call of op on a file whose name contains file_part waits
  // until ReleaseHeld() (one call; later ones pass).
  void HoldNext(Op op, const std::string& file_part);
  // Waits until the call HoldNext armed is being held; false if none came
  // within timeout_ms.
  bool WaitUntilHeld(int timeout_ms);
  // Lets the held call (or, if none came yet, the armed one) go on.
  void ReleaseHeld();
  // Simulated full disk: appends may add `bytes` more bytes in all; an
  // append that does not fit fails with "No space left on device" and writes
  // nothing. Negative: unlimited (the default).
  void SetDiskSpace(int64_t bytes);
  void ClearFailures();
  // Number of calls of op since construction (for choosing n).
  int Count(Op op);

  // Freezes the file system: every later write, sync, rename, create or
  // remove fails with IOError until Reset() or DropUnsyncedData(). Notes,
  // per tracked file, what had reached the OS by now (what a power cut at
  // this moment could leave): closing the files afterwards, which may
  // flush user-space buffers, adds nothing a page-loss crash keeps. A
  // Sync or SyncDir still running fails and makes nothing durable: the
  // power went before it returned.
  void Freeze();

  // Page-loss granularity: the page-cache page.
  static constexpr uint64_t kPageSize = 4096;

  // How a simulated power loss treats what was not made durable.
  struct PowerLoss {
    // Files whose creation (or rename into place) was not made durable by
    // SyncDir vanish; a file a rename replaced comes back.
    bool drop_unsynced_dir_entries = false;
    // false: every file is cut back to its synced length.
    // true: every 4 KiB page (file offsets [i*4096, (i+1)*4096)) holding
    // unsynced bytes independently is
    //   kept  (1/2): holds what was written;
    //   lost  (3/8): back to its durable state: its synced bytes, zeros after;
    //   torn  (1/8): an older write-back: a prefix of what was written.
    // The file then ends after its last surviving byte (a lost tail is cut
    // off; a lost page before a surviving one reads as zeros, like a hole),
    // or, 1 time in 4, at the size the file system had at the crash (for
    // the mapped WAL: its reserved region), zero-filled: the size reached
    // the disk, the data did not. Synced bytes always survive.
    bool lose_pages_out_of_order = false;
    // Picks the fates (per file, from seed and the file's name): the same
    // seed over the same files gives the same result.
    uint64_t seed = 0;
    // If set, decides instead of the seed: true keeps page `page` of
    // `fname`, false loses it; nothing is torn and a file is never extended.
    std::function<bool(const std::string& fname, uint64_t page)> keep_page;
  };

  // What a page-loss power cut did, summed over the files.
  struct PowerLossReport {
    uint64_t pages_kept = 0;
    uint64_t pages_lost = 0;
    uint64_t pages_torn = 0;
    // Files where unsynced bytes survived after earlier unsynced bytes were
    // lost: the write-back reordering the mode exists to model.
    uint64_t files_out_of_order = 0;
    // One line per file that had unsynced bytes, e.g.
    // "/db/000007.log: synced 8192 of 20000 bytes; pages 2..4 KLT; now 18190 bytes"
    // (K kept, L lost, T torn).
    std::string description;
  };

  // Applies a power cut as `how` says (see PowerLoss). Call after the DB is
  // destroyed; unfreezes and forgets failures. *report (optional) says what
  // happened to each file.
  Status DropUnsyncedData(const PowerLoss& how, PowerLossReport* report = nullptr);
  // The same with every file cut back to its synced length.
  Status DropUnsyncedData(bool drop_unsynced_dir_entries = false);
  // Forgets failures and freezing; keeps tracking.
  void Reset();

  Status NewWritableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override;
  Status NewAppendableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override;
  Status NewSequentialFile(const std::string& f, std::unique_ptr<SequentialFile>* r) override;
  Status NewRandomAccessFile(const std::string& f, std::unique_ptr<RandomAccessFile>* r) override;
  // Fails like an open (Op::kOpen); otherwise the target opens the file as
  // `o` asks.
  Status NewRandomAccessFileWithOptions(const std::string& f, const RandomAccessFileOptions& o,
                                        std::unique_ptr<RandomAccessFile>* r) override;
  Status RemoveFile(const std::string& f) override;
  Status RenameFile(const std::string& s, const std::string& t) override;
  Status SyncDir(const std::string& d) override;
  // The new name is an unsynced directory entry until SyncDir; both names
  // share the synced length (a crash cuts both alike).
  Status LinkFile(const std::string& s, const std::string& t) override;

  // Called by the file wrappers.
  Status Check(Op op, const std::string& fname);
  void RecordAppend(const std::string& fname, uint64_t n);
  // Takes n bytes of the disk-space budget; IOError when they do not fit.
  Status ChargeSpace(const std::string& fname, uint64_t n);
  // Marks the file's bytes synced; IOError (nothing marked) if the file
  // system froze while the sync ran.
  Status RecordSync(const std::string& fname);

 private:
  struct Failure {
    int remaining = 0;  // 0: none armed
    bool sticky = false;
    bool firing = false;
    std::string file_part;  // empty: every file
  };
  struct Hold {
    bool armed = false;  // HoldNext called, ReleaseHeld not yet
    bool holding = false;  // a call waits in Check
    Op op = Op::kOpen;
    std::string file_part;
  };
  struct FileInfo {
    uint64_t size = 0;    // bytes appended through this env
    uint64_t synced = 0;  // of those, made durable by Sync
    // Set by Freeze: of the appended bytes, those in the file (write(2)
    // files buffer in user space; the mapped WAL has them all), and the
    // file's size as the file system saw it (the mapped WAL's reserved
    // region included).
    bool frozen = false;
    uint64_t written_at_freeze = 0;
    uint64_t fs_size_at_freeze = 0;
  };

  std::mutex mu_;
  // Guarded by mu_.
  std::map<Op, Failure> failures_;
  Hold hold_;
  std::condition_variable hold_cv_;  // hold_ changed
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
