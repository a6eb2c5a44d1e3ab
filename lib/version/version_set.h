// VersionSet: the DB's persistent state (the live table files per level,
// the WAL number recovery starts from, the file-number counter, the last
// sequence) and the MANIFEST that records it.
//
// A Version is an immutable snapshot of the file lists, shared through
// std::shared_ptr: readers and iterators hold the Version they started
// with, so the files it names stay on disk until they let go
// (LiveFiles() reports every file of every Version still held).
//
// Thread safety: externally synchronized by the DB mutex. Versions are
// immutable and may be read without it.
#ifndef LSMKV_VERSION_VERSION_SET_H_
#define LSMKV_VERSION_VERSION_SET_H_

#include <algorithm>
#include <cstdint>
#include <list>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "format/dbformat.h"
#include "lsmkv/env.h"
#include "version/version_edit.h"
#include "wal/log_writer.h"

namespace lsmkv {

using FilePtr = std::shared_ptr<const FileMetaData>;

// Bytes of all the files.
uint64_t TotalFileSize(const std::vector<FilePtr>& files);

struct Version {
  // Level 0: ordered by file number, oldest first (ranges may overlap).
  // Levels 1..6: ordered by smallest key, ranges disjoint.
  std::vector<FilePtr> files[kNumLevels];

  // The level most in need of compaction and how much (>= 1: needed). Set
  // when the Version is built.
  int compaction_level = -1;
  double compaction_score = -1;

  int NumFiles(int level) const { return static_cast<int>(files[level].size()); }
  uint64_t LevelBytes(int level) const;

  // Files at `level` whose user-key range overlaps [begin, end] (nullptr:
  // unbounded). At level 0 the range grows to cover every file it touches,
  // since level-0 files overlap each other.
  void GetOverlappingInputs(int level, const Slice* begin, const Slice* end,
                            const Comparator* ucmp, std::vector<FilePtr>* inputs) const;
  bool OverlapInLevel(int level, const Slice& smallest_user_key, const Slice& largest_user_key,
                      const Comparator* ucmp) const;
  // Deepest level holding a file that overlaps [begin, end]; -1 if none.
  int DeepestLevelOverlapping(const Slice* begin, const Slice* end, const Comparator* ucmp) const;
};

// Limits that shape the levels, from Options.
struct LevelOptions {
  int level0_file_num_compaction_trigger = 4;
  uint64_t max_bytes_for_level_base = 10 << 20;
  uint64_t target_file_size = 2 << 20;
  // Read-triggered compaction: a table's seek budget is its size divided by
  // this (at least kMinAllowedSeeks); 0 turns read-triggered compaction off.
  uint64_t bytes_per_seek = 16 << 10;
  // Bytes of the MANIFEST past which LogAndApply starts a new one.
  uint64_t max_manifest_bytes = 4 << 20;

  // Bytes level `level` (>= 1) may hold before it needs compaction:
  // base × 10^(level − 1).
  uint64_t MaxBytesForLevel(int level) const;
  // A compaction output stops before it overlaps more than this many bytes
  // of the level below its output level.
  uint64_t MaxGrandparentOverlapBytes() const { return 10 * target_file_size; }
  // A size compaction out of a level >= 1 takes consecutive files of that
  // level until it holds the level's excess over its budget, but no more
  // than this many bytes of it (VersionSet::PickCompaction).
  uint64_t MaxLevelInputBytes() const { return 8 * target_file_size; }
  // The seek budget of a new table of `file_size` bytes; 0 when read-
  // triggered compaction is off.
  int64_t AllowedSeeks(uint64_t file_size) const;
};

class Compaction;

class VersionSet {
 public:
  // icmp must outlive the set.
  VersionSet(std::string dbname, Env* env, const InternalKeyComparator* icmp,
             const LevelOptions& level_options = LevelOptions());
  ~VersionSet();
  VersionSet(const VersionSet&) = delete;
  VersionSet& operator=(const VersionSet&) = delete;

  // Writes MANIFEST-000001 for a new, empty DB and points CURRENT at it.
  Status CreateNew(const std::string& comparator_name);

  // For RepairDB: writes a new MANIFEST holding exactly `edit` (its files,
  // log number and last sequence) and points CURRENT at it. The caller has
  // marked every file number in use (MarkFileNumberUsed) first.
  Status CreateFromRepair(const std::string& comparator_name, const VersionEdit& edit);

  // Reads CURRENT and the MANIFEST. Checks the comparator's name.
  Status Recover(const std::string& comparator_name);
  // After Recover: why the MANIFEST's last edit was not applied (damage
  // read as a torn last edit, see ManifestDamage, or a torn tail), or OK if
  // it read the MANIFEST whole. Open logs it.
  const Status& dropped_torn_edit() const { return dropped_torn_edit_; }

  // Writes a new MANIFEST holding the whole state plus `edit`, syncs it,
  // points CURRENT at it (temp file, fsync, rename, directory fsync), and
  // keeps it open for LogAndApply. Used at every Open, so the MANIFEST never
  // grows across restarts.
  Status WriteSnapshot(const VersionEdit& edit);

  // Appends edit to the MANIFEST, syncs it and installs the resulting
  // Version. On failure the in-memory state is unchanged, but the edit's
  // fate on disk is unknown (it may be there, whole or in part, or CURRENT
  // may name a new MANIFEST holding it): the failure is sticky, and every
  // later call returns it without touching the MANIFEST, until
  // RewriteManifest succeeds.
  Status LogAndApply(VersionEdit* edit);

  // After a failed MANIFEST write: writes a new MANIFEST holding the
  // in-memory state (which never includes the failed edit) and makes
  // CURRENT name it durably; then edits are accepted again. Files the
  // failed edit alone referred to are garbage from then on.
  Status RewriteManifest();
  // The sticky MANIFEST write failure, or OK.
  const Status& manifest_error() const { return manifest_error_; }

  // A reference: callers under the DB mutex read it without touching the
  // reference count (MakeRoomForWrite does on every write); copy it to keep
  // the Version beyond the lock.
  const std::shared_ptr<const Version>& current() const { return current_; }

  uint64_t NewFileNumber() { return next_file_number_++; }
  void MarkFileNumberUsed(uint64_t n) {
    if (next_file_number_ <= n) next_file_number_ = n + 1;
  }
  uint64_t next_file_number() const { return next_file_number_; }
  uint64_t log_number() const { return log_number_; }
  // WALs numbered below this may be deleted. It lags log_number() by one
  // MANIFEST edit: see previous_ below.
  uint64_t min_log_to_keep() const { return std::min(log_number_, previous_log_number_); }
  uint64_t manifest_number() const { return manifest_number_; }
  SequenceNumber last_sequence() const { return last_sequence_; }
  void SetLastSequence(SequenceNumber s) { last_sequence_ = s; }

  // Whether files made obsolete by the last edit are still kept for it (see
  // previous_); appending any edit, even an empty one, releases them.
  bool last_edit_unconfirmed() const { return previous_ != nullptr; }

  // Numbers of the table files of every Version still referenced
  // (including the Version before the last appended edit: see previous_).
  void LiveFiles(std::set<uint64_t>* live);

  // The next compaction, or nullptr if no level needs one or the files it
  // would take are busy (in `busy`, being compacted). Size compactions
  // (a level over its budget) come first, by score; then a read-triggered
  // one (NoteSeekBudgetExhausted). A level-0 compaction is picked only when
  // !level0_busy: two would write overlapping level-1 files. No compaction
  // writing into `blocked_output_level` is picked (an in-place compaction
  // runs there). With level0_only, only a compaction out of level 0 is.
  std::unique_ptr<Compaction> PickCompaction(const std::set<uint64_t>& busy, bool level0_busy,
                                             int blocked_output_level = -1, bool level0_only = false);

  // Read-triggered compaction: `file`, at `level` of the current Version,
  // used up its seek budget (lookups that consulted it and then had to go
  // on to another table). It becomes the candidate PickCompaction takes
  // once no size compaction is due, unless a candidate is already waiting
  // or the file is no longer at that level of the current Version (or is at
  // the last level, with nothing below to move into). True if it became
  // the candidate.
  bool NoteSeekBudgetExhausted(int level, const FilePtr& file);
  // The waiting read-triggered candidate's file number, 0 if none.
  uint64_t seek_candidate_number() const { return seek_candidate_ ? seek_candidate_->number : 0; }

  // A compaction of every file at `level` overlapping the user-key range
  // [begin, end] into level + 1, or into `level` itself when in_place (to
  // drop garbage from the bottom level). nullptr if there is none;
  // *busy_conflict is set when it cannot start now because some of its
  // files are busy.
  std::unique_ptr<Compaction> CompactRange(int level, bool in_place, const Slice* begin,
                                           const Slice* end, const std::set<uint64_t>& busy,
                                           bool level0_busy, bool* busy_conflict);

  const LevelOptions& level_options() const { return level_options_; }

 private:
  // Applies edit to `base`, giving a new Version. Corruption if the edit
  // removes a file that is not there or adds one twice.
  Status Apply(const Version& base, const VersionEdit& edit, std::shared_ptr<Version>* result) const;
  // Computes the compaction score of a new Version.
  void Finalize(Version* v) const;
  void Install(std::shared_ptr<const Version> v);
  // The read-triggered compaction of seek_candidate_, if it can start now.
  std::unique_ptr<Compaction> PickReadTriggered(const std::set<uint64_t>& busy, bool level0_busy,
                                                int blocked_output_level, bool level0_only);
  // The level inputs of a size compaction out of `level` (>= 1): `first`
  // and the neighbours after it, until they hold the level's excess over
  // its budget or LevelOptions::MaxLevelInputBytes (always `first`).
  void TakeLevelBite(const Version& v, int level, const FilePtr& first, const std::set<uint64_t>& busy,
                     std::vector<FilePtr>* inputs) const;
  // Fills the rest of a compaction whose inputs[0] is chosen.
  std::unique_ptr<Compaction> SetupOtherInputs(std::unique_ptr<Compaction> c,
                                               const std::set<uint64_t>& busy);
  // Writes a new MANIFEST holding `state` (the whole state) and points
  // CURRENT at it.
  Status WriteManifest(const VersionEdit& state, const std::shared_ptr<Version>& next);

  const std::string dbname_;
  Env* const env_;
  const InternalKeyComparator* const icmp_;
  const LevelOptions level_options_;

  std::shared_ptr<const Version> current_;
  // Every Version handed out, to find live files; expired ones are pruned.
  std::list<std::weak_ptr<const Version>> versions_;
  uint64_t next_file_number_ = 2;
  uint64_t log_number_ = 0;
  uint64_t manifest_number_ = 0;
  SequenceNumber last_sequence_ = 0;
  std::string comparator_name_;
  // Per level, the largest key of the last size compaction: the next one
  // starts after it (round robin through the key space).
  std::string compact_pointer_[kNumLevels];
  Status dropped_torn_edit_;  // set by Recover
  // The read-triggered compaction candidate (see NoteSeekBudgetExhausted):
  // a file of current_ at seek_candidate_level_, or null. Dropped when a
  // compaction takes it or when it leaves the current Version.
  FilePtr seek_candidate_;
  int seek_candidate_level_ = -1;

  std::unique_ptr<WritableFile> manifest_file_;
  std::unique_ptr<log::Writer> manifest_log_;
  // The first failed MANIFEST write since the last successful new
  // MANIFEST; see LogAndApply.
  Status manifest_error_;

  // Files made obsolete by an edit are deleted only once the *next* edit is
  // durable. The reason: a MANIFEST's last record damaged on disk cannot be
  // told from a write torn by a crash, and recovery drops it as a torn
  // tail. Keeping the Version and the WALs from before that edit means
  // recovery then finds everything the dropped edit described (tables it
  // compacted away, WALs it flushed) and rebuilds it. previous_ holds that
  // Version (so LiveFiles() reports its files), previous_log_number_ its
  // log number. A MANIFEST written whole (WriteManifest) resets both: a
  // MANIFEST whose only record is damaged fails Recover loudly.
  std::shared_ptr<const Version> previous_;
  uint64_t previous_log_number_ = UINT64_MAX;
};

}  // namespace lsmkv

#endif  // LSMKV_VERSION_VERSION_SET_H_
