// Access to WriteBatch's encoding for the engine. The encoding is the WAL
// record payload (docs/format.md, "Write batch"):
//
//   fixed64 sequence ‖ fixed32 count ‖ count × record
//   record = kTypeValue ‖ varstring key ‖ varstring value
//          | kTypeDeletion ‖ varstring key
//   varstring = varint32 length ‖ bytes
#ifndef LSMKV_DB_WRITE_BATCH_INTERNAL_H_
#define LSMKV_DB_WRITE_BATCH_INTERNAL_H_

#include "format/dbformat.h"
#include "lsmkv/write_batch.h"
#include "memtable/memtable.h"

namespace lsmkv {

class WriteBatchInternal {
 public:
  static constexpr size_t kHeader = 12;

  static uint32_t Count(const WriteBatch* batch);
  static void SetCount(WriteBatch* batch, uint32_t n);
  static SequenceNumber Sequence(const WriteBatch* batch);
  static void SetSequence(WriteBatch* batch, SequenceNumber seq);

  static Slice Contents(const WriteBatch* batch) { return Slice(batch->rep_); }
  static size_t ByteSize(const WriteBatch* batch) { return batch->rep_.size(); }
  // REQUIRES: contents.size() >= kHeader (callers check and report).
  static void SetContents(WriteBatch* batch, const Slice& contents);

  // Adds every update to the memtable with consecutive sequence numbers from
  // Sequence(batch). Corruption if the batch is malformed.
  static Status InsertInto(const WriteBatch* batch, MemTable* memtable);

  static void Append(WriteBatch* dst, const WriteBatch* src);

  // InvalidArgument if an update was refused for its size.
  static Status CheckSizes(const WriteBatch* batch);
  // Corruption unless every record of a batch decoded from disk parses;
  // check before InsertInto so a malformed batch is never applied in part.
  static Status Validate(const WriteBatch* batch);
};

}  // namespace lsmkv

#endif  // LSMKV_DB_WRITE_BATCH_INTERNAL_H_
