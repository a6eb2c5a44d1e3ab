// Read-only reading of an old MANIFEST for RepairDB: which tables it lists
// and which WALs it still needs. Nothing is written to the MANIFEST or to
// CURRENT.
//
// Thread safety: a free function; the caller holds the DB lock.
#ifndef LSMKV_DB_REPAIR_MANIFEST_H_
#define LSMKV_DB_REPAIR_MANIFEST_H_

#include <cstdint>
#include <set>
#include <string>

#include "format/dbformat.h"
#include "lsmkv/env.h"
#include "lsmkv/status.h"

namespace lsmkv {

// The state a MANIFEST describes, reduced to what RepairDB needs.
struct ManifestState {
  uint64_t manifest_number = 0;
  std::string comparator;
  std::set<uint64_t> tables;  // the live tables after the last edit
  // WALs numbered below this were flushed into the listed tables.
  uint64_t log_number = 0;
  // Every file numbered below this was created before the last edit.
  uint64_t next_file_number = 0;
  SequenceNumber last_sequence = 0;
};

// Replays the edits of <dbname>/MANIFEST-<number> the way
// VersionSet::Recover does (a torn last record is a clean end; any other
// damage, an edit deleting a file that is not there or adding one twice,
// or a missing required field is Corruption). NotSupported for a MANIFEST
// of a newer DB format version.
Status ReadManifestState(Env* env, const std::string& dbname, uint64_t number,
                         ManifestState* state);

}  // namespace lsmkv

#endif  // LSMKV_DB_REPAIR_MANIFEST_H_
