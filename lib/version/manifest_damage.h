// ManifestDamage: what a MANIFEST reader makes of damage it meets.
//
// MANIFEST edits are appended and synced one at a time, nothing acts on an
// edit before its sync returned, and the DB never appends to a MANIFEST it
// recovered from (Open writes a new one). So after a power cut, which keeps
// every synced byte, only the last edit can be damaged, and it was never
// relied upon. Hence:
//  - damage with no intact edit (the start of a logical record, FULL or
//    FIRST, where the writer could have put one) anywhere after it is a torn
//    last edit: a clean end. A power cut can leave one in any shape: a lost
//    earlier page before a kept later one (zeros, then the rest of the
//    edit), or a lost FIRST fragment with its LAST kept;
//  - damage with an intact edit after it is corruption.
// Media damage that reaches the end of the file reads as a torn last edit
// too (as zeros running to the end always have); Open logs what it dropped.
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

  // After the reader's last record; any_edit: whether it returned one.
  // OK if an edit was read and nothing was damaged or the damage is a torn
  // last edit; otherwise why not: the first damage, "empty MANIFEST", or
  // an error reading the file again.
  Status Verdict(Env* env, const std::string& fname, uint64_t manifest_number, bool any_edit) const;

  // The first damage met (OK if none): with Verdict OK, the torn last edit
  // that was dropped.
  const Status& first_damage() const { return first_; }

 private:
  Status first_;
  uint64_t first_offset_ = 0;
};

}  // namespace lsmkv

#endif  // LSMKV_VERSION_MANIFEST_DAMAGE_H_
