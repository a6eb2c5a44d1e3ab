// WriteHook: lets the transaction layer (lib/txn) see every write in
// sequence order, at the moment the write-group leader gives it its
// sequence numbers, and refuse a transaction's commit there. That is what
// makes commit validation atomic with sequencing: no write can be
// sequenced between a commit's validation and its own sequence numbers.
#ifndef LSMKV_DB_WRITE_HOOK_H_
#define LSMKV_DB_WRITE_HOOK_H_

#include "format/dbformat.h"
#include "lsmkv/status.h"
#include "lsmkv/write_batch.h"

namespace lsmkv {

class WriteHook {
 public:
  virtual ~WriteHook() = default;

  // Called by the write-group leader under the DB mutex, for each writer of
  // a group in sequence order, before the group is written: `batch`'s first
  // update gets sequence `first`. `validation` is what the writer passed to
  // DBImpl::WriteValidated (nullptr for a plain write). A non-OK status
  // refuses the writer: its batch is left out of the group and its write
  // returns that status. Called for plain writes only while the hook is
  // acquired (DBImpl::AcquireWriteHook); a plain write costs one branch
  // otherwise.
  virtual Status BeforeSequence(const WriteBatch& batch, SequenceNumber first,
                                void* validation) = 0;

  // Called under the DB mutex when the hook goes from not acquired to
  // acquired: every write sequenced after `last_assigned` will be passed to
  // BeforeSequence (writes up to it may still be in flight, unseen).
  virtual void OnAcquired(SequenceNumber last_assigned) = 0;
  // Called under the DB mutex when the last holder releases the hook.
  virtual void OnReleased() = 0;
};

}  // namespace lsmkv

#endif  // LSMKV_DB_WRITE_HOOK_H_
