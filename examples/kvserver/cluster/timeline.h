// Timeline: which leader wrote which part of a node's data, the way
// PostgreSQL's timeline history files record where each timeline forked.
//
// Entry (epoch E, fork F): the leader of epoch E was elected holding the
// writes up to sequence F; the writes after F (up to the next entry's fork)
// are the ones it appended. Writes before the first entry's fork predate
// the cluster (epoch 0). A leader's timeline is its predecessor's (the one
// its data came from) plus its own entry; a follower keeps a copy of the
// timeline of the leader it follows. Every epoch has one leader (etcd's
// leader key), so "epoch E's data up to sequence S" names one history.
//
// A node's data up to `applied` is epoch SegmentEpoch(applied)'s data up to
// `applied`. It is a prefix of another timeline's data exactly when that
// timeline contains the same epoch with its segment reaching `applied`
// (Contains). (epoch, applied) pairs order nodes for elections as Raft's
// (last term, last index) do.
//
// Thread safety: a value type; not synchronized.
#ifndef LSMKV_EXAMPLES_KVSERVER_CLUSTER_TIMELINE_H_
#define LSMKV_EXAMPLES_KVSERVER_CLUSTER_TIMELINE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "lsmkv/env.h"
#include "lsmkv/status.h"

namespace kvcluster {

struct TimelineEntry {
  uint64_t epoch = 0;
  uint64_t fork = 0;  // sequence held by the leader of `epoch` when elected
  bool operator==(const TimelineEntry& o) const { return epoch == o.epoch && fork == o.fork; }
};

class Timeline {
 public:
  Timeline() = default;

  const std::vector<TimelineEntry>& entries() const { return entries_; }
  // The last entry's epoch; 0 when empty.
  uint64_t LastEpoch() const { return entries_.empty() ? 0 : entries_.back().epoch; }

  // Appends a new leadership. InvalidArgument unless epoch is above every
  // epoch so far and fork is not below the last fork.
  lsmkv::Status Append(uint64_t epoch, uint64_t fork);

  // Drops the entries of leaderships that wrote nothing at or below
  // `applied` (fork >= applied): what a node holding only the writes up to
  // `applied` keeps before appending its own leadership. A follower adopts
  // its leader's timeline while it may still lack the leader's latest
  // writes, so its timeline can name later leaderships than its data has.
  void KeepUpTo(uint64_t applied);

  // The epoch whose leader wrote sequence `seq` (the last entry whose fork
  // is below seq); 0 for seq 0 or for writes before the first entry.
  uint64_t SegmentEpoch(uint64_t seq) const;

  // Whether data that is epoch `epoch`'s data up to `applied` is a prefix of
  // this timeline's data.
  bool Contains(uint64_t epoch, uint64_t applied) const;

  // "E:F,E:F" (empty for no entries); Decode checks the Append rules.
  std::string Encode() const;
  static lsmkv::Status Decode(const std::string& text, Timeline* timeline);

  bool operator==(const Timeline& o) const { return entries_ == o.entries_; }

 private:
  std::vector<TimelineEntry> entries_;  // epochs strictly rising, forks non-decreasing
};

// What a node keeps next to its data (in the DB directory, file
// kTimelineFileName): its timeline and the highest epoch it has seen (it
// refuses batches from a lower one).
struct NodeState {
  Timeline timeline;
  uint64_t highest_epoch = 0;
};

extern const char kTimelineFileName[];

// Reads DIR/CLUSTER-TIMELINE; a missing file is an empty state (OK).
lsmkv::Status LoadNodeState(lsmkv::Env* env, const std::string& dir, NodeState* state);
// Replaces DIR/CLUSTER-TIMELINE atomically and durably (temp file, sync,
// rename, directory sync).
lsmkv::Status SaveNodeState(lsmkv::Env* env, const std::string& dir, const NodeState& state);

}  // namespace kvcluster

#endif  // LSMKV_EXAMPLES_KVSERVER_CLUSTER_TIMELINE_H_
