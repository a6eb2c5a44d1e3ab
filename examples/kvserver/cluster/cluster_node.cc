#include "cluster_node.h"

#include <httplib.h>

#include <cstdio>
#include <nlohmann/json.hpp>

namespace kvcluster {

using nlohmann::json;

const char* RoleName(Role role) {
  switch (role) {
    case Role::kLeader: return "leader";
    case Role::kFollower: return "follower";
    case Role::kCandidate: break;
  }
  return "candidate";
}

ClusterNode::ClusterNode(const ClusterConfig& config, lsmkv::DB* db)
    : config_(config), db_(db), etcd_(config.etcd, /*timeout_ms=*/1000) {}

ClusterNode::~ClusterNode() { Stop(); }

void ClusterNode::Log(const std::string& message) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (message == last_log_) return;
    last_log_ = message;
  }
  std::fprintf(stderr, "[%s] %s\n", config_.node.c_str(), message.c_str());
  std::fflush(stderr);
}

lsmkv::Status ClusterNode::Start() {
  NodeState state;
  lsmkv::Status s = LoadNodeState(lsmkv::Env::Default(), config_.db_dir, &state);
  if (!s.ok()) return s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_ = state;
  }
  election_thread_ = std::thread([this] { ElectionLoop(); });
  follower_thread_ = std::thread([this] { FollowLoop(); });
  return lsmkv::Status::OK();
}

void ClusterNode::Stop() {
  int64_t lease = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !election_thread_.joinable()) return;
    stopping_ = true;
    stop_cv_.notify_all();
  }
  acks_.Stop();
  if (election_thread_.joinable()) election_thread_.join();
  if (follower_thread_.joinable()) follower_thread_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    lease = lease_;
    lease_ = 0;
    role_ = Role::kCandidate;
  }
  // Best effort: a lease not revoked expires after its TTL.
  if (lease != 0 && !etcd_.Revoke(lease).ok()) Log("could not revoke the lease; it expires by itself");
}

Position ClusterNode::OwnPosition() {
  std::lock_guard<std::mutex> apply_lock(apply_mu_);  // not in the middle of applying
  const uint64_t applied = db_->GetLatestSequenceNumber();
  std::lock_guard<std::mutex> lock(mu_);
  return Position{state_.timeline.SegmentEpoch(applied), applied};
}

std::string ClusterNode::StatusJson() {
  const Position position = OwnPosition();
  json doc;
  std::map<std::string, uint64_t> followers;
  bool leading = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    leading = role_ == Role::kLeader;
    doc["node"] = config_.node;
    doc["role"] = RoleName(role_);
    doc["leader"] = leader_.node.empty() ? json(nullptr) : json(leader_.node);
    doc["leader_url"] = leader_.url.empty() ? json(nullptr) : json(leader_.url);
    doc["epoch"] = leader_.epoch;
    doc["highest_epoch"] = state_.highest_epoch;
    doc["timeline"] = state_.timeline.Encode();
    doc["lease_valid"] = leading && LeaseValid(Clock::now());
    json members = json::array();
    for (const auto& [name, url] : members_) members.push_back(json{{"node", name}, {"url", url}});
    doc["members"] = members;
  }
  doc["applied"] = position.applied;
  doc["timeline_epoch"] = position.epoch;
  doc["sync_replicas"] = config_.sync_replicas;
  if (leading) followers = acks_.Positions();
  json positions = json::object();
  for (const auto& [name, applied] : followers) positions[name] = applied;
  doc["followers"] = positions;
  return doc.dump() + "\n";
}

void ClusterNode::InstallRoutes(
    const std::function<void(const std::string&, std::function<void(const httplib::Request&, httplib::Response&)>)>&
        add_get) {
  add_get("/cluster", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(StatusJson(), "application/json");
  });
  add_get("/cluster/feed", [this](const httplib::Request& req, httplib::Response& res) { HandleFeed(req, res); });
  add_get("/cluster/checkpoint",
          [this](const httplib::Request& req, httplib::Response& res) { HandleCheckpoint(req, res); });
}

}  // namespace kvcluster
