// VersionEdit: one change to the DB's persistent state, as recorded in the
// MANIFEST. Applying the edits of a MANIFEST in order rebuilds the state.
// Encoding (tag-value pairs) in docs/format.md ("MANIFEST").
//
// Thread safety: a value type; externally synchronized.
#ifndef LSMKV_VERSION_VERSION_EDIT_H_
#define LSMKV_VERSION_VERSION_EDIT_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "format/dbformat.h"
#include "lsmkv/status.h"

namespace lsmkv {

constexpr int kNumLevels = 7;

// Reads a table may still cost lookups that go on to other tables before
// it is compacted (read-triggered compaction, VersionSet::
// NoteSeekBudgetExhausted). In memory only, never in the MANIFEST; a file
// gets a fresh budget whenever a Version is built from an edit adding it.
// Atomic because readers charge it without the DB mutex; relaxed: it only
// decides when to ask for a compaction, nothing is published through it.
// Copies take the current value, so FileMetaData stays a value type.
class SeekBudget {
 public:
  SeekBudget() = default;
  SeekBudget(const SeekBudget& other) : remaining_(other.remaining()) {}
  SeekBudget& operator=(const SeekBudget& other) {
    remaining_.store(other.remaining(), std::memory_order_relaxed);
    return *this;
  }
  // Const like Charge: the budget is bookkeeping beside the immutable
  // file description, not part of it.
  void Reset(int64_t n) const { remaining_.store(n, std::memory_order_relaxed); }
  int64_t remaining() const { return remaining_.load(std::memory_order_relaxed); }
  // Takes `n` lookups off the budget; true for exactly one caller: the one
  // whose charge used it up.
  bool Charge(int64_t n) const {
    const int64_t before = remaining_.fetch_sub(n, std::memory_order_relaxed);
    return before > 0 && before <= n;
  }

 private:
  mutable std::atomic<int64_t> remaining_{0};
};

// A table file as the MANIFEST records it. Immutable once built (but for
// allowed_seeks, which is not part of the record).
struct FileMetaData {
  uint64_t number = 0;
  uint64_t file_size = 0;
  std::string smallest;  // internal key
  std::string largest;   // internal key
  uint64_t num_entries = 0;
  SeekBudget allowed_seeks;
};

// Version of the DB's layout as a whole (MANIFEST tags, file naming, WAL and
// table formats as a set). Written first in every MANIFEST's opening record;
// a DB whose MANIFEST names a larger one is refused with NotSupported.
// Version 2: tables may use format version 2 (lz-compressed blocks).
// Version 3: WALs may hold SYNC_MARK records; the last sequence is the
// newest sequence in tables.
// Version 4: tables may use table format 3 (LZ4-compressed blocks), and the
// lz codec is retired: versions 2 and 3, whose tables may hold lz blocks
// (table format 2), are refused with NotSupported too (no release kept data
// in them). Versions 1 and 4 are read.
constexpr uint32_t kDbFormatVersion = 4;
// True for the DB format versions whose tables may hold lz blocks.
constexpr bool IsRetiredLzDbFormatVersion(uint32_t v) { return v == 2 || v == 3; }

class VersionEdit {
 public:
  void SetFormatVersion(uint32_t v) { format_version_ = v; }
  void SetComparatorName(const Slice& name) { comparator_ = name.ToString(); }
  // WALs with numbers below this are no longer needed for recovery.
  void SetLogNumber(uint64_t n) { log_number_ = n; }
  void SetNextFileNumber(uint64_t n) { next_file_number_ = n; }
  void SetLastSequence(SequenceNumber s) { last_sequence_ = s; }
  void AddFile(int level, const FileMetaData& f) { new_files_.emplace_back(level, f); }
  void RemoveFile(int level, uint64_t number) { deleted_files_.emplace(level, number); }
  // Where the next size compaction of `level` starts (round robin).
  void SetCompactPointer(int level, const Slice& internal_key) {
    compact_pointers_.emplace_back(level, internal_key.ToString());
  }

  const std::optional<uint32_t>& format_version() const { return format_version_; }
  const std::optional<std::string>& comparator() const { return comparator_; }
  const std::optional<uint64_t>& log_number() const { return log_number_; }
  const std::optional<uint64_t>& next_file_number() const { return next_file_number_; }
  const std::optional<SequenceNumber>& last_sequence() const { return last_sequence_; }
  const std::vector<std::pair<int, FileMetaData>>& new_files() const { return new_files_; }
  const std::set<std::pair<int, uint64_t>>& deleted_files() const { return deleted_files_; }
  const std::vector<std::pair<int, std::string>>& compact_pointers() const {
    return compact_pointers_;
  }

  void EncodeTo(std::string* dst) const;
  // Corruption on malformed input, an unknown tag or a level out of range;
  // NotSupported for a format version above kDbFormatVersion or one of the
  // retired lz versions (checked as soon as it is read, before any tag this
  // build may not know).
  Status DecodeFrom(const Slice& src);

 private:
  std::optional<uint32_t> format_version_;
  std::optional<std::string> comparator_;
  std::optional<uint64_t> log_number_;
  std::optional<uint64_t> next_file_number_;
  std::optional<SequenceNumber> last_sequence_;
  std::vector<std::pair<int, FileMetaData>> new_files_;
  std::set<std::pair<int, uint64_t>> deleted_files_;
  std::vector<std::pair<int, std::string>> compact_pointers_;
};

}  // namespace lsmkv

#endif  // LSMKV_VERSION_VERSION_EDIT_H_
