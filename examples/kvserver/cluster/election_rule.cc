#include "election_rule.h"

namespace kvcluster {

bool MayCampaign(const Position& self, const std::vector<PeerReport>& peers, int sync_replicas,
                 std::string* why) {
  const int registered = static_cast<int>(peers.size()) + 1;
  int heard = 1;  // itself
  for (const PeerReport& peer : peers) {
    if (!peer.reachable) continue;
    heard++;
    if (self < peer.position) {
      *why = peer.node + " is ahead (epoch " + std::to_string(peer.position.epoch) + ", applied " +
             std::to_string(peer.position.applied) + ")";
      return false;
    }
  }
  const int needed = sync_replicas > 0 ? registered - sync_replicas : 1;
  if (heard < needed) {
    *why = "heard from " + std::to_string(heard) + " of " + std::to_string(registered) +
           " nodes; " + std::to_string(needed) + " needed to be sure of holding every acknowledged write";
    return false;
  }
  why->clear();
  return true;
}

}  // namespace kvcluster
