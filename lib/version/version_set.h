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

struct Version {
  // Level 0: ordered by file number, oldest first (ranges may overlap).
  std::vector<std::shared_ptr<const FileMetaData>> files[kNumLevels];

  int NumFiles(int level) const { return static_cast<int>(files[level].size()); }
  uint64_t LevelBytes(int level) const;
};

class VersionSet {
 public:
  // icmp must outlive the set.
  VersionSet(std::string dbname, Env* env, const InternalKeyComparator* icmp);
  VersionSet(const VersionSet&) = delete;
  VersionSet& operator=(const VersionSet&) = delete;

  // Writes MANIFEST-000001 for a new, empty DB and points CURRENT at it.
  Status CreateNew(const std::string& comparator_name);

  // Reads CURRENT and the MANIFEST. Checks the comparator's name.
  Status Recover(const std::string& comparator_name);

  // Writes a new MANIFEST holding the whole state plus `edit`, syncs it,
  // points CURRENT at it (temp file, fsync, rename, directory fsync), and
  // keeps it open for LogAndApply. Used at every Open, so the MANIFEST never
  // grows across restarts.
  Status WriteSnapshot(const VersionEdit& edit);

  // Appends edit to the MANIFEST, syncs it and installs the resulting
  // Version. On failure the in-memory state is unchanged.
  Status LogAndApply(VersionEdit* edit);

  std::shared_ptr<const Version> current() const { return current_; }

  uint64_t NewFileNumber() { return next_file_number_++; }
  void MarkFileNumberUsed(uint64_t n) {
    if (next_file_number_ <= n) next_file_number_ = n + 1;
  }
  uint64_t next_file_number() const { return next_file_number_; }
  uint64_t log_number() const { return log_number_; }
  uint64_t manifest_number() const { return manifest_number_; }
  SequenceNumber last_sequence() const { return last_sequence_; }
  void SetLastSequence(SequenceNumber s) { last_sequence_ = s; }

  // Numbers of the table files of every Version still referenced.
  void LiveFiles(std::set<uint64_t>* live);

 private:
  // Applies edit to `base`, giving a new Version. Corruption if the edit
  // removes a file that is not there or adds one twice.
  Status Apply(const Version& base, const VersionEdit& edit, std::shared_ptr<Version>* result) const;
  void Install(std::shared_ptr<const Version> v);

  const std::string dbname_;
  Env* const env_;
  const InternalKeyComparator* const icmp_;

  std::shared_ptr<const Version> current_;
  // Every Version handed out, to find live files; expired ones are pruned.
  std::list<std::weak_ptr<const Version>> versions_;
  uint64_t next_file_number_ = 2;
  uint64_t log_number_ = 0;
  uint64_t manifest_number_ = 0;
  SequenceNumber last_sequence_ = 0;
  std::string comparator_name_;

  std::unique_ptr<WritableFile> manifest_file_;
  std::unique_ptr<log::Writer> manifest_log_;
};

}  // namespace lsmkv

#endif  // LSMKV_VERSION_VERSION_SET_H_
