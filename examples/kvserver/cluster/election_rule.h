// Who may campaign for the leader key (the rule Patroni applies before a
// promotion, written for our acknowledgement rule).
//
// A write is acknowledged once the leader and `sync_replicas` followers
// applied it, so it is on at least 1 + sync_replicas of the N registered
// nodes. A candidate that heard from at least N - sync_replicas nodes
// (itself included) has heard from one holding each acknowledged write;
// being at or above every one of them in (epoch, applied) order -- the
// epoch of the leader that wrote its last applied write, then the
// sequence -- means it holds them all (Raft's "at least as up to date").
// With sync_replicas 0 nothing is promised: the candidate needs only to be
// at or above the nodes it heard from.
//
// Thread safety: a pure function.
#ifndef LSMKV_EXAMPLES_KVSERVER_CLUSTER_ELECTION_RULE_H_
#define LSMKV_EXAMPLES_KVSERVER_CLUSTER_ELECTION_RULE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace kvcluster {

struct Position {
  uint64_t epoch = 0;    // epoch whose leader wrote the last applied write
  uint64_t applied = 0;  // last applied sequence
  bool operator<(const Position& o) const {
    return epoch != o.epoch ? epoch < o.epoch : applied < o.applied;
  }
};

struct PeerReport {
  std::string node;
  bool reachable = false;
  Position position;  // meaningful when reachable
};

// Whether `self` may take the leader key. peers: every other registered
// node. *why says what is missing when it may not.
bool MayCampaign(const Position& self, const std::vector<PeerReport>& peers, int sync_replicas,
                 std::string* why);

}  // namespace kvcluster

#endif  // LSMKV_EXAMPLES_KVSERVER_CLUSTER_ELECTION_RULE_H_
