// ClusterNode's election thread: keeps the lease alive, watches the leader
// key (polled every tick), campaigns when allowed, and steps down when the
// lease can no longer be trusted.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "cluster_node.h"

namespace kvcluster {

using nlohmann::json;

namespace {
constexpr auto kTick = std::chrono::milliseconds(100);
constexpr int kProbeTimeoutMs = 300;
}  // namespace

bool ClusterNode::LeaseValid(Clock::time_point now) { return now < lease_valid_until_; }

void ClusterNode::ElectionLoop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (stop_cv_.wait_for(lock, kTick, [this] { return stopping_; })) return;
    }
    ElectionTick();
  }
}

// Renews (or first grants) the lease. On success the lease is trusted until
// the renewal's send time + TTL - margin: etcd counts the TTL from when it
// received the renewal, which is later.
bool ClusterNode::RenewLease() {
  int64_t lease = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    lease = lease_;
  }
  const Clock::time_point sent = Clock::now();
  int64_t ttl = 0;
  lsmkv::Status s;
  if (lease != 0) {
    s = etcd_.KeepAlive(lease, &ttl);
    if (s.IsNotFound()) {
      // Expired (e.g. this process was paused longer than the TTL): the
      // leader key, if it was ours, is gone with it.
      StepDown("lease expired");
      std::lock_guard<std::mutex> lock(mu_);
      lease_ = 0;
      lease = 0;
    }
  }
  if (lease == 0) {
    s = etcd_.GrantLease(config_.lease_ttl_seconds, &lease, &ttl);
    if (s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      lease_ = lease;
    }
  }
  if (!s.ok()) {
    Log("etcd lease: " + s.ToString());
    return false;
  }
  const auto ttl_ms = std::chrono::milliseconds(ttl * 1000);
  const auto margin = std::max<std::chrono::milliseconds>(std::chrono::milliseconds(500), ttl_ms / 5);
  std::lock_guard<std::mutex> lock(mu_);
  lease_valid_until_ = sent + ttl_ms - margin;
  next_renewal_ = sent + ttl_ms / 3;  // two more tries before the margin
  return true;
}

void ClusterNode::NoteEpoch(uint64_t epoch) {
  std::lock_guard<std::mutex> lock(mu_);
  if (epoch <= state_.highest_epoch) return;
  NodeState next = state_;
  next.highest_epoch = epoch;
  // Durable before it is relied upon; if saving fails lower epochs are
  // still refused while this process runs.
  const lsmkv::Status s = SaveNodeState(lsmkv::Env::Default(), config_.db_dir, next);
  if (!s.ok()) std::fprintf(stderr, "[%s] saving the node state: %s\n", config_.node.c_str(), s.ToString().c_str());
  state_.highest_epoch = epoch;
}

void ClusterNode::StepDown(const char* why) {
  std::lock_guard<std::mutex> lock(mu_);
  if (role_ != Role::kLeader) return;
  role_ = Role::kCandidate;
  lease_valid_until_ = Clock::time_point{};
  my_epoch_ = 0;
  leader_ = LeaderView();
  acks_.StartEpoch(0);  // waiting writes fail: no acknowledgement any more
  std::fprintf(stderr, "[%s] stepping down: %s\n", config_.node.c_str(), why);
}

void ClusterNode::ElectionTick() {
  bool renew = false;
  bool expired = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const Clock::time_point now = Clock::now();
    renew = lease_ == 0 || now >= next_renewal_;
    expired = role_ == Role::kLeader && !LeaseValid(now);
  }
  if (expired) StepDown("lease not renewed in time");
  if (renew) RenewLease();

  if (!registered_) {
    // The permanent registration: the number of registered nodes is what
    // the election rule counts (a node once registered counts until removed
    // by hand with etcdctl).
    const lsmkv::Status s = etcd_.Put(Key("nodes/" + config_.node), config_.advertise);
    if (!s.ok()) {
      Log("etcd: register: " + s.ToString());
      return;
    }
    registered_ = true;
  }
  std::vector<EtcdKeyValue> nodes;
  if (etcd_.GetPrefix(Key("nodes/"), &nodes).ok()) {
    std::vector<std::pair<std::string, std::string>> members;
    for (const EtcdKeyValue& kv : nodes) members.emplace_back(kv.key.substr(Key("nodes/").size()), kv.value);
    std::lock_guard<std::mutex> lock(mu_);
    members_ = std::move(members);
  }

  std::optional<EtcdKeyValue> key;
  const lsmkv::Status s = etcd_.Get(Key("leader"), &key);
  if (!s.ok()) {
    Log("etcd: " + s.ToString());
    return;  // a leader keeps leading until its lease runs out
  }
  if (!key) {
    StepDown("leader key gone");
    {
      std::lock_guard<std::mutex> lock(mu_);
      role_ = Role::kCandidate;
      leader_ = LeaderView();
    }
    Campaign();
    return;
  }
  const uint64_t epoch = static_cast<uint64_t>(key->create_revision);
  const json info = json::parse(key->value, nullptr, false);
  const std::string name = info.is_object() ? info.value("node", "") : "";
  const std::string url = info.is_object() ? info.value("url", "") : "";
  NoteEpoch(epoch);
  int64_t lease = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    lease = lease_;
    if (role_ == Role::kLeader && epoch == my_epoch_) return;  // still ours
  }
  StepDown("another leader holds the key");  // no-op unless leading
  if (name == config_.node && key->lease != lease) {
    // Our previous incarnation's key (this process restarted): it can lead
    // no more, so end it now instead of waiting for its TTL.
    Log("revoking the leader key of this node's previous run");
    const lsmkv::Status s = etcd_.Revoke(key->lease);
    if (!s.ok()) Log("revoke: " + s.ToString());
    return;
  }
  if (name == config_.node) {
    // Our key, on our live lease, for an epoch we no longer lead: we
    // stepped down when a renewal came too late to trust the lease, though
    // etcd had not expired it. Our renewals would keep the key alive and
    // every node (this one too) would wait for it forever: give it up
    // (only that epoch's key) so that an election can follow.
    Log("giving up the leader key of epoch " + std::to_string(epoch) + ", no longer led by this node");
    const lsmkv::Status s = etcd_.DeleteIfCreateRevision(Key("leader"), static_cast<int64_t>(epoch));
    if (!s.ok()) Log("giving up the leader key: " + s.ToString());
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  role_ = name == config_.node ? Role::kCandidate : Role::kFollower;
  leader_ = LeaderView{name, url, epoch};
}

std::vector<PeerReport> ClusterNode::ProbePeers() {
  std::vector<std::pair<std::string, std::string>> members;
  {
    std::lock_guard<std::mutex> lock(mu_);
    members = members_;
  }
  std::vector<PeerReport> reports;
  for (const auto& [name, url] : members) {
    if (name == config_.node) continue;
    PeerReport report;
    report.node = name;
    httplib::Client client(url);
    client.set_connection_timeout(0, kProbeTimeoutMs * 1000);
    client.set_read_timeout(0, kProbeTimeoutMs * 1000);
    if (!config_.auth_token.empty()) client.set_bearer_token_auth(config_.auth_token.c_str());
    const auto res = client.Get("/cluster");
    if (res && res->status == 200) {
      const json doc = json::parse(res->body, nullptr, false);
      if (doc.is_object() && doc.value("node", "") == name) {
        report.reachable = true;
        report.position.epoch = doc.value("timeline_epoch", uint64_t{0});
        report.position.applied = doc.value("applied", uint64_t{0});
      }
    }
    reports.push_back(report);
  }
  return reports;
}

void ClusterNode::Campaign() {
  int64_t lease = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    lease = lease_;
    if (lease == 0 || !LeaseValid(Clock::now())) return;  // a fresh lease first
  }
  const std::vector<PeerReport> peers = ProbePeers();
  const Position self = OwnPosition();
  std::string why;
  if (!MayCampaign(self, peers, config_.sync_replicas, &why)) {
    Log("not campaigning: " + why);
    return;
  }
  const std::string value = json{{"node", config_.node}, {"url", config_.advertise}}.dump();
  bool created = false;
  int64_t revision = 0;
  std::optional<EtcdKeyValue> existing;
  const lsmkv::Status s = etcd_.CreateIfAbsent(Key("leader"), value, lease, &created, &revision, &existing);
  if (!s.ok()) {
    Log("campaign: " + s.ToString());
    return;
  }
  if (!created) return;  // another node won; the next tick follows it
  BecomeLeader(static_cast<uint64_t>(revision));
}

void ClusterNode::BecomeLeader(uint64_t epoch) {
  // No feed answer is applied from here on (apply_mu_), so the fork point
  // is exactly this node's data.
  std::lock_guard<std::mutex> apply_lock(apply_mu_);
  const uint64_t applied = db_->GetLatestSequenceNumber();
  std::unique_lock<std::mutex> lock(mu_);
  NodeState next = state_;
  next.highest_epoch = std::max(next.highest_epoch, epoch);
  next.timeline.KeepUpTo(applied);  // leaderships whose writes this node never got
  lsmkv::Status s = next.timeline.Append(epoch, applied);
  if (s.ok()) s = SaveNodeState(lsmkv::Env::Default(), config_.db_dir, next);
  if (!s.ok()) {
    // Cannot record the timeline: give the key up rather than lead.
    lock.unlock();
    Log("cannot lead: " + s.ToString());
    // If this fails too, the key expires with the lease.
    const lsmkv::Status deleted = etcd_.DeleteIfCreateRevision(Key("leader"), static_cast<int64_t>(epoch));
    if (!deleted.ok()) Log("giving up the leader key: " + deleted.ToString());
    return;
  }
  state_ = next;
  my_epoch_ = epoch;
  leader_ = LeaderView{config_.node, config_.advertise, epoch};
  acks_.StartEpoch(epoch);
  role_ = Role::kLeader;
  std::fprintf(stderr, "[%s] leader at epoch %llu (applied %llu)\n", config_.node.c_str(),
               static_cast<unsigned long long>(epoch), static_cast<unsigned long long>(applied));
}

}  // namespace kvcluster
