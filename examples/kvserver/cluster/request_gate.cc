// The gate in front of the key-value routes (httplib pre- and post-routing
// handlers of ClusterNode):
// - writes (/set, /test, /del, /txn) and linearizable reads (/get, /scan
//   without consistency=stale): a follower answers 307 to the leader, a
//   node without a leader 503; the leader runs the route only while its
//   lease is trusted;
// - after the route ran on the leader, the reply waits until the sequence
//   the DB had reached then is held by --sync-replicas followers (at most
//   2 x TTL, and only while the lease is trusted: its expiry is re-read
//   after each timeout, so renewals during the wait extend it), and is
//   sent only if this node still leads the same epoch with a trusted lease
//   (checked after the wait); otherwise it becomes 503. A write answered 503 this way may
//   or may not survive ("indeterminate"), like a timed-out one.
//   Waiting for the DB's latest sequence also covers reads: a read never
//   returns a write that could still be lost.
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "cluster_node.h"

namespace kvcluster {

using nlohmann::json;

namespace {

const std::set<std::string>& WritePaths() {
  static const std::set<std::string> paths{"/set", "/test", "/del", "/txn"};
  return paths;
}
const std::set<std::string>& ReadPaths() {
  static const std::set<std::string> paths{"/get", "/scan"};
  return paths;
}

// What GateBefore let through on this thread, for GateAfter (httplib runs
// both handlers and the route on the thread serving the request).
struct GatedRequest {
  bool active = false;
  bool write = false;
  uint64_t epoch = 0;
};
thread_local GatedRequest gated;

void JsonReply(httplib::Response& res, int status, const json& doc) {
  res.status = status;
  res.set_content(doc.dump() + "\n", "application/json");
}

// Replaces a reply a route already made: httplib has set its
// Content-Length by then, which must follow the new body.
void ReplaceReply(httplib::Response& res, int status, const json& doc) {
  JsonReply(res, status, doc);
  res.headers.erase("Content-Length");
  res.set_header("Content-Length", std::to_string(res.body.size()));
}

}  // namespace

bool ClusterNode::GateBefore(const httplib::Request& req, httplib::Response& res) {
  gated = GatedRequest();
  const bool write = WritePaths().count(req.path) > 0;
  const bool read = ReadPaths().count(req.path) > 0;
  if (!write && !read) return false;
  if (read && req.has_param("consistency")) {
    const std::string consistency = req.get_param_value("consistency");
    if (consistency == "stale") return false;  // the local node's data as it is
    if (consistency != "linearizable") {
      JsonReply(res, 400, {{"error", "consistency must be \"linearizable\" (default) or \"stale\""}});
      return true;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (role_ == Role::kLeader && LeaseValid(Clock::now())) {
    gated = GatedRequest{true, write, my_epoch_};
    return false;
  }
  if (!leader_.node.empty() && leader_.node != config_.node && !leader_.url.empty()) {
    res.set_header("Location", leader_.url + req.target);
    JsonReply(res, 307, {{"error", "not the leader"}, {"leader", leader_.node}, {"leader_url", leader_.url}});
    return true;
  }
  JsonReply(res, 503, {{"error", "no leader"}, {"leader", nullptr}});
  return true;
}

void ClusterNode::GateAfter(const httplib::Request&, httplib::Response& res) {
  const GatedRequest request = gated;
  gated = GatedRequest();
  if (!request.active) return;
  // Failed requests wrote nothing and read nothing worth protecting.
  const bool answered = res.status == 200 || (!request.write && res.status == 404);
  if (!answered) return;
  const uint64_t sequence = db_->GetLatestSequenceNumber();
  // The wait ends at the lease's trusted expiry, re-read after each
  // timeout: renewals during the wait move it on, so a write whose
  // acknowledgements come late but while this node keeps its lease is
  // still acknowledged. It ends at once when this node stops leading the
  // request's epoch, and never lasts past 2 x TTL from here.
  const Clock::time_point cap = Clock::now() + std::chrono::seconds(2 * config_.lease_ttl_seconds);
  const bool acknowledged = acks_.WaitWhileTrusted(
      request.epoch, sequence, config_.sync_replicas, cap, [this, &request]() -> std::optional<Clock::time_point> {
        std::lock_guard<std::mutex> lock(mu_);
        if (role_ != Role::kLeader || my_epoch_ != request.epoch) return std::nullopt;
        return lease_valid_until_;
      });
  // The reply is 200 only if the lease is still trusted now, with the
  // followers' reports in hand.
  bool leading = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    leading = role_ == Role::kLeader && my_epoch_ == request.epoch && LeaseValid(Clock::now());
  }
  if (acknowledged && leading) return;
  const std::string why = !leading ? "lost the leadership before the reply"
                                   : "not held by " + std::to_string(config_.sync_replicas) +
                                         " follower(s) in time";
  ReplaceReply(res, 503, {{"error", (request.write ? "write not acknowledged: " : "read not confirmed: ") + why},
                       {"indeterminate", request.write}});
}

}  // namespace kvcluster
