// The check that keeps Open from starting a new, empty DB over the files of
// an old one whose CURRENT is gone.
//
// Thread safety: reads the directories only. Safe without the DB lock
// against a process creating the same DB at the same time (see the .cc).
#ifndef LSMKV_DB_FILES_WITHOUT_CURRENT_H_
#define LSMKV_DB_FILES_WITHOUT_CURRENT_H_

#include <string>

#include "lsmkv/env.h"
#include "lsmkv/status.h"

namespace lsmkv {

// OK when <dbname>/CURRENT exists, or when neither dbname nor wal_dir holds
// a table, a WAL or a MANIFEST (so a new DB may be created there: LOCK, LOG,
// *.sst.tmp, CURRENT.tmp and files that are not lsmkv's do not count, and a
// directory that does not exist holds nothing). Otherwise Corruption naming
// RepairDB: those files are an old DB whose CURRENT was lost, and a fresh
// start would bury them (the next Open would delete them as obsolete).
//
// One exception: MANIFEST-000001 with no table and no WAL is what a first
// Open cut short before it wrote CURRENT leaves behind (see
// VersionSet::CreateNew); it describes an empty DB, so creating the DB
// again (which rewrites that MANIFEST) loses nothing.
Status CheckFilesHaveCurrent(Env* env, const std::string& dbname, const std::string& wal_dir);

}  // namespace lsmkv

#endif  // LSMKV_DB_FILES_WITHOUT_CURRENT_H_
