// VersionEdit: one change to the DB's persistent state, as recorded in the
// MANIFEST. Applying the edits of a MANIFEST in order rebuilds the state.
// Encoding (tag-value pairs) in docs/format.md ("MANIFEST").
//
// Thread safety: a value type; externally synchronized.
#ifndef LSMKV_VERSION_VERSION_EDIT_H_
#define LSMKV_VERSION_VERSION_EDIT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "format/dbformat.h"
#include "lsmkv/status.h"

namespace lsmkv {

class VersionEdit {
 public:
  void SetComparatorName(const Slice& name) { comparator_ = name.ToString(); }
  // WALs with numbers below this are no longer needed for recovery.
  void SetLogNumber(uint64_t n) { log_number_ = n; }
  void SetNextFileNumber(uint64_t n) { next_file_number_ = n; }
  void SetLastSequence(SequenceNumber s) { last_sequence_ = s; }

  const std::optional<std::string>& comparator() const { return comparator_; }
  const std::optional<uint64_t>& log_number() const { return log_number_; }
  const std::optional<uint64_t>& next_file_number() const { return next_file_number_; }
  const std::optional<SequenceNumber>& last_sequence() const { return last_sequence_; }

  void EncodeTo(std::string* dst) const;
  // Corruption on malformed input or an unknown tag.
  Status DecodeFrom(const Slice& src);

  // Copies every field that `other` sets into this edit.
  void MergeFrom(const VersionEdit& other);

 private:
  std::optional<std::string> comparator_;
  std::optional<uint64_t> log_number_;
  std::optional<uint64_t> next_file_number_;
  std::optional<SequenceNumber> last_sequence_;
};

}  // namespace lsmkv

#endif  // LSMKV_VERSION_VERSION_EDIT_H_
