// Compaction: one merge of files at `level` (inputs[0]) with the files they
// overlap at level + 1 (inputs[1]) into new files at level + 1 — or, for an
// in-place compaction of the bottom level (CompactRange), of files at
// `level` into new files at the same level (inputs[1] empty).
//
// Thread safety: built under the DB mutex by VersionSet; then used by the
// one job that runs it (its input Version is immutable).
#ifndef LSMKV_VERSION_COMPACTION_H_
#define LSMKV_VERSION_COMPACTION_H_

#include <memory>
#include <string>
#include <vector>

#include "version/version_edit.h"
#include "version/version_set.h"

namespace lsmkv {

class Compaction {
 public:
  Compaction(int level, int output_level, std::shared_ptr<const Version> input_version,
             const InternalKeyComparator* icmp, const LevelOptions& options);

  int level() const { return level_; }
  int output_level() const { return output_level_; }

  std::vector<FilePtr> inputs[2];
  // Files at output level + 1 overlapping the compaction (for output
  // splitting).
  std::vector<FilePtr> grandparents;
  // Records the compaction pointer; the job adds deletions and outputs.
  VersionEdit edit;
  // Set for CompactRange compactions.
  bool manual = false;
  // Set for a compaction picked because reads kept consulting its level
  // input and going on (VersionSet::NoteSeekBudgetExhausted).
  bool read_triggered = false;

  const std::shared_ptr<const Version>& input_version() const { return input_version_; }
  // Lets go of the input Version once the work is done, so its files can be
  // deleted.
  void ReleaseInputVersion() { input_version_.reset(); }
  uint64_t max_output_file_size() const { return options_.target_file_size; }
  uint64_t InputBytes(int which) const;
  int NumInputFiles() const { return static_cast<int>(inputs[0].size() + inputs[1].size()); }

  // One input file, nothing to merge with, little grandparent overlap:
  // the file can move down a level without being rewritten.
  bool IsTrivialMove() const;

  // User keys at which to split this compaction into at most max_pieces key
  // ranges merged side by side, ascending; empty: do not split. Only
  // compactions out of level 0 split (they are the ones writers wait for),
  // at boundaries between their level-1 input files chosen so the ranges
  // hold about equal bytes of level-1 input (level-0 files written from
  // random keys spread over the whole range).
  std::vector<std::string> SplitPoints(int max_pieces) const;

  // Adds the deletion of every input file to *edit.
  void AddInputDeletions(VersionEdit* edit) const;

  // True if no level below the output level can hold user_key, so a
  // tombstone for it may be dropped. Calls must come in ascending key order.
  bool IsBaseLevelForKey(const Slice& user_key);

  // True if the output file should end before internal_key, so that it does
  // not overlap too many grandparent bytes. Calls in ascending order.
  bool ShouldStopBefore(const Slice& internal_key);

 private:
  const int level_;
  const int output_level_;
  std::shared_ptr<const Version> input_version_;
  const InternalKeyComparator* const icmp_;
  const LevelOptions options_;

  // State of IsBaseLevelForKey: per level, the first file that may still
  // contain a key >= the last one asked about.
  size_t level_ptrs_[kNumLevels] = {};
  // State of ShouldStopBefore.
  size_t grandparent_index_ = 0;
  bool seen_key_ = false;
  uint64_t overlapped_bytes_ = 0;
};

}  // namespace lsmkv

#endif  // LSMKV_VERSION_COMPACTION_H_
