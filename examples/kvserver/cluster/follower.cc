// ClusterNode's follower thread: pulls the leader's change feed and applies
// it, refusing answers from an epoch below the highest one seen.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "cluster_node.h"
#include "feed_codec.h"

namespace kvcluster {

using nlohmann::json;

namespace {
constexpr int kFeedWaitMs = 500;     // the leader holds a pull this long for new writes
constexpr auto kRetryPause = std::chrono::milliseconds(100);
}  // namespace

void ClusterNode::RequestRebuild(const std::string& why) {
  std::fprintf(stderr, "[%s] rebuilding from the leader's checkpoint: %s\n", config_.node.c_str(), why.c_str());
  rebuild_requested_.store(true);
}

void ClusterNode::FollowLoop() {
  for (;;) {
    LeaderView leader;
    bool follow = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      follow = role_ == Role::kFollower && !leader_.url.empty() && leader_.epoch >= state_.highest_epoch;
      leader = leader_;
    }
    if (follow && PullOnce(leader)) continue;
    if (rebuild_requested_.load()) return;
    std::unique_lock<std::mutex> lock(mu_);
    if (stop_cv_.wait_for(lock, kRetryPause, [this] { return stopping_; })) return;
  }
}

// One long-poll of the feed; true when it worked (pull again at once).
bool ClusterNode::PullOnce(const LeaderView& leader) {
  const Position position = OwnPosition();
  httplib::Client client(leader.url);
  client.set_connection_timeout(1, 0);
  client.set_tcp_nodelay(true);
  client.set_read_timeout(kFeedWaitMs / 1000 + 5, 0);
  if (!config_.auth_token.empty()) client.set_bearer_token_auth(config_.auth_token.c_str());
  const std::string target = "/cluster/feed?node=" + httplib::detail::encode_query_param(config_.node) +
                             "&epoch=" + std::to_string(leader.epoch) +
                             "&from=" + std::to_string(position.applied + 1) +
                             "&timeline_epoch=" + std::to_string(position.epoch) +
                             "&wait_ms=" + std::to_string(kFeedWaitMs);
  const auto res = client.Get(target.c_str());
  if (!res) return false;
  if (res->status == 409 || res->status == 410) {
    const json doc = json::parse(res->body, nullptr, false);
    if (res->status == 410 || (doc.is_object() && doc.value("diverged", false))) {
      RequestRebuild(doc.is_object() ? doc.value("error", std::string("feed")) : "feed");
    }
    return false;  // 409 "not the leader of that epoch": look again in etcd
  }
  if (res->status != 200) return false;

  // Fencing: the answer must come from the epoch we asked for, which must
  // not be below any epoch this node has seen.
  uint64_t answer_epoch = 0;
  try {
    answer_epoch = std::stoull(res->get_header_value("X-Lsmkv-Epoch"));
  } catch (const std::exception&) {
    return false;
  }
  Timeline leader_timeline;
  if (!Timeline::Decode(res->get_header_value("X-Lsmkv-Timeline"), &leader_timeline).ok()) return false;
  std::vector<SequencedBatch> batches;
  if (!DecodeBatches(res->body, &batches).ok()) return false;

  std::lock_guard<std::mutex> apply_lock(apply_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (answer_epoch != leader.epoch || answer_epoch < state_.highest_epoch || role_ != Role::kFollower ||
        leader_.epoch != leader.epoch) {
      return false;
    }
    // The leader checked that our data is a prefix of its own; check too,
    // then adopt its timeline (durably, before applying any of its batches).
    const uint64_t applied = db_->GetLatestSequenceNumber();
    if (!leader_timeline.Contains(state_.timeline.SegmentEpoch(applied), applied)) return false;
    if (!(leader_timeline == state_.timeline)) {
      NodeState next = state_;
      next.timeline = leader_timeline;
      if (!SaveNodeState(lsmkv::Env::Default(), config_.db_dir, next).ok()) return false;
      state_ = next;
    }
  }
  lsmkv::WriteOptions options;
  options.sync = config_.sync;
  for (SequencedBatch& b : batches) {
    const uint64_t applied = db_->GetLatestSequenceNumber();
    if (b.sequence + b.batch.Count() - 1 <= applied) continue;  // already have it
    const lsmkv::Status s = db_->WriteReplicated(options, b.sequence, &b.batch);
    if (!s.ok()) {
      Log("apply feed: " + s.ToString());
      return false;
    }
  }
  return true;
}

}  // namespace kvcluster
