// MayCampaign (examples/kvserver/cluster/election_rule.h).
#include <catch2/catch.hpp>

#include "election_rule.h"

namespace kvcluster {
namespace {

PeerReport Peer(const std::string& name, uint64_t epoch, uint64_t applied) {
  return PeerReport{name, true, Position{epoch, applied}};
}
PeerReport Unreachable(const std::string& name) { return PeerReport{name, false, Position{}}; }

TEST_CASE("MayCampaign: at or above every peer heard from, enough peers", "[cluster][election]") {
  std::string why;
  CHECK(MayCampaign({5, 100}, {Peer("b", 5, 100), Peer("c", 5, 90)}, 1, &why));
  CHECK(why.empty());
  CHECK_FALSE(MayCampaign({5, 99}, {Peer("b", 5, 100), Peer("c", 5, 90)}, 1, &why));
  CHECK(why.find("b is ahead") != std::string::npos);
}

TEST_CASE("MayCampaign: the epoch of the last write counts before the sequence", "[cluster][election]") {
  std::string why;
  // b holds fewer writes but from a later leader: a's extra ones are an
  // old leader's unacknowledged writes.
  CHECK_FALSE(MayCampaign({5, 120}, {Peer("b", 8, 110), Unreachable("c")}, 1, &why));
  CHECK(MayCampaign({8, 110}, {Peer("a", 5, 120), Unreachable("c")}, 1, &why));
}

TEST_CASE("MayCampaign: with sync replicas, needs N - sync_replicas nodes heard", "[cluster][election]") {
  std::string why;
  // 3 nodes, 1 sync replica: itself and one more.
  CHECK(MayCampaign({5, 10}, {Peer("b", 5, 10), Unreachable("c")}, 1, &why));
  CHECK_FALSE(MayCampaign({5, 10}, {Unreachable("b"), Unreachable("c")}, 1, &why));
  CHECK(why.find("heard from 1 of 3") != std::string::npos);
  // 3 nodes, 2 sync replicas: every acknowledged write is everywhere.
  CHECK(MayCampaign({5, 10}, {Unreachable("b"), Unreachable("c")}, 2, &why));
  // 5 nodes, 1 sync replica: 4 needed.
  CHECK_FALSE(MayCampaign({5, 10}, {Peer("b", 5, 1), Peer("c", 5, 1), Unreachable("d"), Unreachable("e")}, 1,
                          &why));
  CHECK(MayCampaign({5, 10}, {Peer("b", 5, 1), Peer("c", 5, 1), Peer("d", 4, 30), Unreachable("e")}, 1, &why));
  // A single registered node.
  CHECK(MayCampaign({0, 0}, {}, 1, &why));
}

TEST_CASE("MayCampaign: asynchronous mode only compares", "[cluster][election]") {
  std::string why;
  CHECK(MayCampaign({5, 10}, {Unreachable("b"), Unreachable("c")}, 0, &why));
  CHECK_FALSE(MayCampaign({5, 10}, {Peer("b", 5, 11), Unreachable("c")}, 0, &why));
}

}  // namespace
}  // namespace kvcluster
