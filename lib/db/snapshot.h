// Snapshots: the sequence numbers readers have pinned. Compaction (later)
// keeps every version a live snapshot can see.
//
// Thread safety: externally synchronized by the DB mutex.
#ifndef LSMKV_DB_SNAPSHOT_H_
#define LSMKV_DB_SNAPSHOT_H_

#include <iterator>
#include <list>
#include <memory>

#include "format/dbformat.h"
#include "lsmkv/db.h"

namespace lsmkv {

class SnapshotImpl final : public Snapshot {
 public:
  explicit SnapshotImpl(SequenceNumber seq) : sequence(seq) {}
  ~SnapshotImpl() override = default;

  const SequenceNumber sequence;

 private:
  friend class SnapshotList;
  std::list<std::unique_ptr<SnapshotImpl>>::iterator position_;
};

// Live snapshots, oldest first (sequence numbers never decrease).
class SnapshotList {
 public:
  SnapshotList() = default;
  SnapshotList(const SnapshotList&) = delete;
  SnapshotList& operator=(const SnapshotList&) = delete;

  bool empty() const { return list_.empty(); }
  SequenceNumber oldest() const { return list_.front()->sequence; }

  const SnapshotImpl* New(SequenceNumber seq) {
    list_.push_back(std::make_unique<SnapshotImpl>(seq));
    list_.back()->position_ = std::prev(list_.end());
    return list_.back().get();
  }

  // REQUIRES: s came from New on this list and was not released.
  void Release(const SnapshotImpl* s) {
    list_.erase(s->position_);
  }

 private:
  // Owns the snapshots; one the user never released dies with the list.
  std::list<std::unique_ptr<SnapshotImpl>> list_;
};

}  // namespace lsmkv

#endif  // LSMKV_DB_SNAPSHOT_H_
