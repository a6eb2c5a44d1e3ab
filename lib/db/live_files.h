// LiveFileSet: what a checkpoint or a backup copies out of an open DB, as
// captured by DBImpl::PinLiveFiles in one step under the DB mutex.
//
// The set is consistent: the tables of one Version, the WALs holding every
// write not yet in those tables (the active one cut at the end of the last
// published write group), and a MANIFEST record describing exactly those
// tables. Opened as a DB (tables and MANIFEST in one directory, the WALs
// there or in a wal_dir, CURRENT naming the MANIFEST), the files hold
// exactly the writes up to `sequence`.
#ifndef LSMKV_DB_LIVE_FILES_H_
#define LSMKV_DB_LIVE_FILES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lsmkv {

struct Version;

struct LiveFileSet {
  struct File {
    uint64_t number;
    uint64_t size;  // bytes to copy: the whole table; a WAL's complete records
  };

  std::string db_dir;   // where the tables are
  std::string wal_dir;  // where the WALs are (the DB's wal_dir or db_dir)
  uint64_t sequence = 0;
  std::vector<File> tables;  // NNNNNN.sst in db_dir
  std::vector<File> wals;    // NNNNNN.log in wal_dir, oldest first
  // The copy's MANIFEST-<manifest_number>: one log record (the WAL/MANIFEST
  // record format) holding manifest_record, an edit with the whole state.
  uint64_t manifest_number = 0;
  std::string manifest_record;

  // The pin: the Version keeps the tables on disk; the WALs are kept by
  // the DB's pinned_log_numbers_ entry for wals.front() (or for the
  // smallest live WAL number when wals is empty).
  std::shared_ptr<const Version> version;
  uint64_t pinned_log_number = 0;
};

// The bytes of the set's MANIFEST file (manifest_record framed as the one
// record of log number manifest_number).
std::string ManifestFileContents(const LiveFileSet& files);

// Names inside a DB directory: "NNNNNN.sst", "NNNNNN.log",
// "MANIFEST-NNNNNN", and the contents of CURRENT for that MANIFEST.
std::string TableName(uint64_t number);
std::string WalName(uint64_t number);
std::string ManifestName(uint64_t number);
std::string CurrentContents(uint64_t manifest_number);

}  // namespace lsmkv

#endif  // LSMKV_DB_LIVE_FILES_H_
