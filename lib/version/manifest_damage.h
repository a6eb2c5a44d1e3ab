// ManifestDamage: what a MANIFEST reader makes of damage it meets.
//
// MANIFEST edits are appended and synced one at a time, and nothing acts on
// an edit before its sync returned, so only the last edit can be unsynced
// at a crash; and the files an edit makes obsolete outlive it by one edit,
// so losing the last edit even after its sync loses nothing. Hence:
//  - damage with no intact edit (the start of a logical record, FULL or
//    FIRST) anywhere after it is a torn last edit: a clean end. A power cut
//    can leave one in any shape: a lost earlier page before a kept later
//    one (zeros, then the rest of the edit), or a lost FIRST fragment with
//    its LAST kept;
//  - damage with an intact edit after it is corruption.
//
// Use it as the log::Reader's Reporter (with set_records_synced_one_by_one)
// and ask Verdict() after the last record.
//
// Thread safety: externally synchronized.
#ifndef LSMKV_VERSION_MANIFEST_DAMAGE_H_
#define LSMKV_VERSION_MANIFEST_DAMAGE_H_

#include <cstdint>
#include <string>

#include "lsmkv/env.h"
#include "lsmkv/status.h"
#include "wal/log_reader.h"

namespace lsmkv {

class ManifestDamage final : public log::Reader::Reporter {
 public:
  void Corruption(size_t bytes, const Status& s) override;
  // The reader reports physical damage where it lies, before any report
  // about the logical record it cut; the first report marks where to look.
  void CorruptionAt(uint64_t offset, size_t bytes, const Status& s) override;

  // OK if nothing was damaged or the damage is a torn last edit; otherwise
  // the first damage (or an error reading the file again).
  Status Verdict(Env* env, const std::string& fname, uint64_t manifest_number) const;

 private:
  Status first_;
  uint64_t first_offset_ = 0;
};

}  // namespace lsmkv

#endif  // LSMKV_VERSION_MANIFEST_DAMAGE_H_
