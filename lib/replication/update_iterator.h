// The change feed's iterator (DB::GetUpdatesSince): reads write batches
// from the WALs, live and archived, in sequence order, up to the newest
// published write, and follows the WALs as they are written and switched.
//
// Guarantees: every batch has its exact sequence numbers (a group-commit
// record that starts before the requested sequence is split); batches come
// in order without a hole -- a break in the WALs (damage, a sequence gap)
// ends the iteration with Corruption, never a skipped batch; NotFound at
// creation when the requested sequence is older than the oldest batch kept.
//
// Only batches at or below the source's published sequence are read: their
// records are complete in the WAL (a batch is published after its append),
// so a record still being written is never met.
#ifndef LSMKV_REPLICATION_UPDATE_ITERATOR_H_
#define LSMKV_REPLICATION_UPDATE_ITERATOR_H_

#include <cstdint>
#include <memory>
#include <string>

#include "format/dbformat.h"
#include "lsmkv/db.h"
#include "lsmkv/env.h"

namespace lsmkv {

// What the iterator needs from the DB. Implemented by DBImpl; must outlive
// the iterators it serves.
class FeedSource {
 public:
  virtual ~FeedSource();
  // Sequence of the newest write visible to readers.
  virtual SequenceNumber PublishedSequence() = 0;
  // Where the batch with sequence `seq` starts, if an iterator that ended
  // there said so (see RememberFeedPosition): saves reading a WAL from its
  // start for each new iterator of a replica that follows the tail.
  virtual bool FeedPosition(SequenceNumber seq, uint64_t* log, uint64_t* offset) = 0;
  virtual void RememberFeedPosition(SequenceNumber seq, uint64_t log, uint64_t offset) = 0;
  virtual Env* feed_env() = 0;
  virtual const std::string& feed_wal_dir() = 0;
};

Status NewUpdateIterator(FeedSource* source, SequenceNumber seq, std::unique_ptr<UpdateIterator>* result);

}  // namespace lsmkv

#endif  // LSMKV_REPLICATION_UPDATE_ITERATOR_H_
