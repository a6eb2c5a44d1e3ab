// Reading and installing MANIFEST files.
//
// Installing a MANIFEST is atomic and durable: the new file is written and
// fsynced, CURRENT.tmp is written and fsynced, renamed over CURRENT, and the
// directory is fsynced. A crash at any point leaves CURRENT naming either the
// old complete MANIFEST or the new complete one.
#ifndef LSMKV_VERSION_MANIFEST_H_
#define LSMKV_VERSION_MANIFEST_H_

#include <cstdint>
#include <string>

#include "lsmkv/env.h"
#include "lsmkv/status.h"
#include "version/version_edit.h"

namespace lsmkv {

// Reads CURRENT and the MANIFEST it names; *state receives every edit merged
// in order, *manifest_number the MANIFEST's number. Corruption when CURRENT
// or the MANIFEST is malformed (a MANIFEST is written whole and synced before
// CURRENT names it, so even its tail must be intact).
Status ReadCurrentManifest(Env* env, const std::string& dbname, VersionEdit* state,
                           uint64_t* manifest_number);

// Writes MANIFEST-<number> holding `state` as one record and makes CURRENT
// name it (see the file comment).
Status InstallManifest(Env* env, const std::string& dbname, uint64_t number,
                       const VersionEdit& state);

}  // namespace lsmkv

#endif  // LSMKV_VERSION_MANIFEST_H_
