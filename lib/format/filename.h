// Names of the files in a DB directory (and the WAL directory). Numbers come
// from one counter recorded in the MANIFEST, so every number names one file.
//
//   NNNNNN.log       write-ahead log          (in Options::wal_dir if set)
//   NNNNNN.sst       table                    NNNNNN.sst.tmp while written
//   MANIFEST-NNNNNN  version edits
//   CURRENT          name of the live MANIFEST, ending in '\n'
//   CURRENT.tmp      CURRENT while it is replaced
//   LOCK             held by the process that has the DB open
//   LOG              human-readable event log (the default info log)
//   LOG.old          the previous LOG, rotated at open or at its size cap
#ifndef LSMKV_FORMAT_FILENAME_H_
#define LSMKV_FORMAT_FILENAME_H_

#include <cstdint>
#include <string>

#include "lsmkv/slice.h"

namespace lsmkv {

enum class FileType {
  kLogFile,
  kTableFile,
  kTableTempFile,
  kDescriptorFile,
  kCurrentFile,
  kCurrentTempFile,
  kLockFile,
  kInfoLogFile,
};

std::string LogFileName(const std::string& dir, uint64_t number);
std::string TableFileName(const std::string& dir, uint64_t number);
std::string TableTempFileName(const std::string& dir, uint64_t number);
std::string DescriptorFileName(const std::string& dir, uint64_t number);
std::string CurrentFileName(const std::string& dir);
std::string CurrentTempFileName(const std::string& dir);
std::string LockFileName(const std::string& dir);
std::string InfoLogFileName(const std::string& dir);
std::string OldInfoLogFileName(const std::string& dir);

// Parses a name (not a path). For types without a number, *number is 0.
// False for names that are not ours.
bool ParseFileName(const std::string& name, uint64_t* number, FileType* type);

}  // namespace lsmkv

#endif  // LSMKV_FORMAT_FILENAME_H_
