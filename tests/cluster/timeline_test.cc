// Timeline (examples/kvserver/cluster/timeline.h): the encoding, the state
// file, and -- against a model of nodes' data -- that Contains says exactly
// whether a node's data is a prefix of a leader's.
#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "support/test_util.h"
#include "timeline.h"

namespace kvcluster {
namespace {

Timeline Make(const std::vector<std::pair<uint64_t, uint64_t>>& entries) {
  Timeline t;
  for (const auto& [epoch, fork] : entries) REQUIRE(t.Append(epoch, fork).ok());
  return t;
}

TEST_CASE("Timeline: Append keeps epochs rising and forks non-decreasing", "[cluster][timeline]") {
  Timeline t;
  REQUIRE(t.Append(3, 0).ok());
  REQUIRE(t.Append(7, 10).ok());
  CHECK(t.Append(7, 12).IsInvalidArgument());
  CHECK(t.Append(5, 12).IsInvalidArgument());
  CHECK(t.Append(9, 9).IsInvalidArgument());
  CHECK(t.Append(0, 20).IsInvalidArgument());
  REQUIRE(t.Append(9, 10).ok());  // a leader elected without new writes
  CHECK(t.LastEpoch() == 9);
  CHECK(t.Encode() == "3:0,7:10,9:10");
}

TEST_CASE("Timeline: Encode and Decode round-trip, bad text is Corruption", "[cluster][timeline]") {
  const Timeline t = Make({{3, 0}, {7, 10}, {12, 40}});
  Timeline back;
  REQUIRE(Timeline::Decode(t.Encode(), &back).ok());
  CHECK(back == t);
  REQUIRE(Timeline::Decode("", &back).ok());
  CHECK(back.entries().empty());
  for (const char* bad : {"3", "3:", ":3", "3:0,", "3:0,,7:1", "a:1", "3:0,2:5", "3:5,7:1", "-1:0",
                          "99999999999999999999999:0"}) {
    INFO(bad);
    CHECK(Timeline::Decode(bad, &back).IsCorruption());
  }
}

TEST_CASE("Timeline: SegmentEpoch names the leader that wrote a sequence", "[cluster][timeline]") {
  const Timeline t = Make({{3, 5}, {7, 10}, {12, 10}, {15, 20}});
  CHECK(t.SegmentEpoch(0) == 0);
  CHECK(t.SegmentEpoch(5) == 0);   // before the cluster's first leader
  CHECK(t.SegmentEpoch(6) == 3);
  CHECK(t.SegmentEpoch(10) == 3);
  CHECK(t.SegmentEpoch(11) == 12);  // epoch 7 wrote nothing
  CHECK(t.SegmentEpoch(20) == 12);
  CHECK(t.SegmentEpoch(21) == 15);
  CHECK(t.SegmentEpoch(1000) == 15);
  CHECK(Timeline().SegmentEpoch(9) == 0);
}

TEST_CASE("Timeline: KeepUpTo drops leaderships a node has no writes of", "[cluster][timeline]") {
  Timeline t = Make({{3, 0}, {7, 10}, {12, 15}});
  t.KeepUpTo(16);
  CHECK(t.Encode() == "3:0,7:10,12:15");
  t.KeepUpTo(15);  // epoch 12 wrote from 16 on
  CHECK(t.Encode() == "3:0,7:10");
  CHECK(t.Append(20, 15).ok());
  t.KeepUpTo(0);
  CHECK(t.entries().empty());
}

TEST_CASE("Timeline: Contains", "[cluster][timeline]") {
  const Timeline leader = Make({{3, 0}, {7, 10}, {12, 15}});
  CHECK(leader.Contains(0, 0));
  CHECK_FALSE(leader.Contains(0, 1));  // data from before the cluster, but the leader has none
  CHECK(leader.Contains(3, 8));
  CHECK(leader.Contains(3, 10));
  CHECK_FALSE(leader.Contains(3, 11));  // epoch 3's leader wrote 11 but 7's leader forked at 10
  CHECK(leader.Contains(7, 15));
  CHECK_FALSE(leader.Contains(7, 16));
  CHECK(leader.Contains(12, 1000));    // the open segment
  CHECK_FALSE(leader.Contains(5, 1));  // an epoch the leader's history does not have
  CHECK(Timeline().Contains(0, 42));   // no cluster history at all: everything is epoch 0
}

// Model: each node's data is a list of write tags; every leadership appends
// its entry as BecomeLeader does, followers copy the leader's timeline when
// they take its batches or its checkpoint. Contains must equal "is a
// prefix" at every sync, whoever gets elected.
TEST_CASE("Timeline: Contains agrees with a model of diverging nodes", "[cluster][timeline]") {
  const uint64_t seed = lsmkv::test::TestSeed(20261130);
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  struct ModelNode {
    std::vector<uint64_t> data;
    Timeline timeline;
  };
  int prefix_checks = 0;
  int divergences = 0;
  for (int round = 0; round < 200; round++) {
    std::vector<ModelNode> nodes(3);
    uint64_t epoch = 0;
    uint64_t tag = 0;
    int leader = -1;
    for (int step = 0; step < 60; step++) {
      const int action = static_cast<int>(rng() % 4);
      if (action == 0 || leader < 0) {  // any node may win (the model tests the check, not the rule)
        leader = static_cast<int>(rng() % nodes.size());
        epoch += 1 + rng() % 3;
        nodes[leader].timeline.KeepUpTo(nodes[leader].data.size());  // as BecomeLeader
        REQUIRE(nodes[leader].timeline.Append(epoch, nodes[leader].data.size()).ok());
      } else if (action == 1) {
        for (uint64_t n = rng() % 4; n > 0; n--) nodes[leader].data.push_back(++tag);
      } else {
        const int j = static_cast<int>(rng() % nodes.size());
        if (j == leader) continue;
        ModelNode& f = nodes[j];
        const ModelNode& l = nodes[leader];
        const uint64_t applied = f.data.size();
        const bool prefix = applied <= l.data.size() && std::equal(f.data.begin(), f.data.end(), l.data.begin());
        const bool contained = l.timeline.Contains(f.timeline.SegmentEpoch(applied), applied);
        INFO("round " << round << " step " << step << " leader timeline " << l.timeline.Encode()
                      << " follower timeline " << f.timeline.Encode() << " applied " << applied);
        REQUIRE(contained == prefix);
        prefix_checks++;
        if (contained) {  // takes some of the leader's batches
          const uint64_t upto = applied + rng() % (l.data.size() - applied + 1);
          f.data.assign(l.data.begin(), l.data.begin() + static_cast<long>(upto));
        } else {  // rebuilt from the leader's checkpoint
          divergences++;
          f.data = l.data;
        }
        f.timeline = l.timeline;
      }
    }
  }
  CHECK(prefix_checks > 1000);
  CHECK(divergences > 50);  // the model does produce diverged nodes
}

TEST_CASE("Timeline: node state file round-trips, missing is empty, damage is Corruption", "[cluster][timeline]") {
  const std::string dir = lsmkv::test::ScratchDir("cluster-timeline-file");
  lsmkv::Env* env = lsmkv::Env::Default();
  NodeState state;
  REQUIRE(LoadNodeState(env, dir, &state).ok());
  CHECK(state.highest_epoch == 0);
  CHECK(state.timeline.entries().empty());

  state.highest_epoch = 17;
  state.timeline = Make({{3, 0}, {17, 42}});
  REQUIRE(SaveNodeState(env, dir, state).ok());
  NodeState back;
  REQUIRE(LoadNodeState(env, dir, &back).ok());
  CHECK(back.highest_epoch == 17);
  CHECK(back.timeline == state.timeline);
  CHECK_FALSE(env->FileExists(dir + "/" + kTimelineFileName + ".tmp"));

  for (const char* bad : {"", "highest_epoch 3\n", "highest_epoch x\ntimeline \n", "timeline 3:0\n",
                          "highest_epoch 3\ntimeline 3:0,1:0\n", "highest_epoch 3\ntimeline 3:0"}) {
    INFO(bad);
    REQUIRE(lsmkv::WriteStringToFile(env, bad, dir + "/" + kTimelineFileName, false).ok());
    CHECK(LoadNodeState(env, dir, &back).IsCorruption());
  }
  lsmkv::test::RemoveTree(dir);
}

}  // namespace
}  // namespace kvcluster
