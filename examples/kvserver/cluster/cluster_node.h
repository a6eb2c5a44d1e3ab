// ClusterNode: one lsmkv-kvserver in a cluster of nodes sharing an etcd.
//
// Roles. Every node holds an etcd lease (--lease-ttl) and keeps it alive.
// The leader is whoever holds the key <cluster>/leader (JSON {"node",
// "url"}), created with the node's lease by a transaction that succeeds only
// while the key is absent; the key's create revision is the leader's epoch.
// A node campaigns only when election_rule.h allows it. The others follow:
// they pull the leader's change feed (GET /cluster/feed, long-polled) and
// apply it with DB::WriteReplicated; each pull tells the leader how far the
// follower has applied, which is what acknowledges writes (ack_tracker.h).
//
// Fencing. A follower refuses feed answers from an epoch below the highest
// it has seen (kept durably in the DB directory with its timeline,
// timeline.h). The leader answers writes and linearizable reads only while
// its lease is certainly alive: a renewal sent at t makes it believe the
// lease until t + TTL - margin (steady clock), so it stops before etcd can
// expire the key and let another node take it; and it checks that after the
// followers' acknowledgements arrived, right before replying.
//
// Rejoin. A follower whose data is not a prefix of the leader's (its
// timeline says so) or that the leader's feed no longer reaches asks to be
// rebuilt (rebuild_requested()): the server stops, the DB is replaced by a
// checkpoint fetched from the leader (checkpoint_fetch.h), and it starts
// again.
//
// Files: cluster_node.cc (life cycle, state, GET /cluster), election.cc
// (lease, leader key, campaigning), follower.cc (the pull loop),
// leader_routes.cc (GET /cluster/feed, GET /cluster/checkpoint),
// request_gate.cc (redirects, 503s, waiting for acknowledgements).
//
// Thread safety: thread-safe. mu_ guards the role and view of the cluster;
// apply_mu_ serializes applying a feed answer with becoming leader, so no
// batch of an old epoch lands after this node's own epoch began.
#ifndef LSMKV_EXAMPLES_KVSERVER_CLUSTER_CLUSTER_NODE_H_
#define LSMKV_EXAMPLES_KVSERVER_CLUSTER_CLUSTER_NODE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ack_tracker.h"
#include "election_rule.h"
#include "etcd_client.h"
#include "lsmkv/db.h"
#include "timeline.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace kvcluster {

struct ClusterConfig {
  std::string node;                 // unique name
  std::vector<std::string> etcd;    // endpoints
  std::string cluster = "lsmkv";    // etcd key prefix
  std::string advertise;            // URL peers and clients use for this node
  int lease_ttl_seconds = 5;
  int sync_replicas = 1;            // followers that must hold a write before its ack
  bool sync = false;                // fsync writes (also applied batches)
  std::string db_dir;
  std::string auth_token;           // sent to peers as a bearer token when not empty
};

enum class Role { kCandidate, kFollower, kLeader };
const char* RoleName(Role role);

class ClusterNode {
 public:
  using Clock = std::chrono::steady_clock;

  // db must outlive the node (Stop first).
  ClusterNode(const ClusterConfig& config, lsmkv::DB* db);
  ~ClusterNode();
  ClusterNode(const ClusterNode&) = delete;
  ClusterNode& operator=(const ClusterNode&) = delete;

  // Reads the node state from the DB directory and starts the election
  // thread (which registers the node in etcd, <cluster>/nodes/<node> =
  // advertise URL) and the follower thread.
  lsmkv::Status Start();
  // Stops the threads and revokes the lease (a leader's key goes at once).
  void Stop();

  // GET /cluster, GET /cluster/feed, GET /cluster/checkpoint, registered
  // through add_get(path, handler) (the server's route table).
  void InstallRoutes(const std::function<void(const std::string&, std::function<void(const httplib::Request&,
                                                                                       httplib::Response&)>)>& add_get);
  // The gate in front of the key-value routes (request_gate.cc), for the
  // server's pre- and post-routing handlers (composed by the caller with
  // its other such handlers). GateBefore returns true when it answered the
  // request itself (redirect, 503).
  bool GateBefore(const httplib::Request& req, httplib::Response& res);
  void GateAfter(const httplib::Request& req, httplib::Response& res);

  // True once the node must be rebuilt from a checkpoint: the server loop
  // (cluster_server.cc) then stops the server and rebuilds.
  bool rebuild_requested() const { return rebuild_requested_.load(); }

  // The /cluster document.
  std::string StatusJson();

 private:
  struct LeaderView {
    std::string node;  // empty: none known
    std::string url;
    uint64_t epoch = 0;
  };

  // election.cc
  void ElectionLoop();
  void ElectionTick();
  bool RenewLease();
  void Campaign();
  void BecomeLeader(uint64_t epoch);
  void StepDown(const char* why);
  void NoteEpoch(uint64_t epoch);
  std::vector<PeerReport> ProbePeers();
  bool LeaseValid(Clock::time_point now);  // REQUIRES: mu_ held

  // follower.cc
  void FollowLoop();
  bool PullOnce(const LeaderView& leader);
  void RequestRebuild(const std::string& why);

  // leader_routes.cc
  void HandleFeed(const httplib::Request& req, httplib::Response& res);
  void HandleCheckpoint(const httplib::Request& req, httplib::Response& res);

  Position OwnPosition();
  std::string Key(const std::string& suffix) const { return config_.cluster + "/" + suffix; }
  void Log(const std::string& message);

  const ClusterConfig config_;
  lsmkv::DB* const db_;
  EtcdClient etcd_;
  AckTracker acks_;

  std::mutex mu_;
  std::condition_variable stop_cv_;          // wakes sleeping threads at Stop
  Role role_ = Role::kCandidate;             // guarded by mu_
  LeaderView leader_;                        // guarded by mu_
  NodeState state_;                          // guarded by mu_; durable copy in the DB dir
  uint64_t my_epoch_ = 0;                    // epoch this node leads; guarded by mu_
  int64_t lease_ = 0;                        // guarded by mu_ (written by the election thread)
  Clock::time_point lease_valid_until_{};    // guarded by mu_
  Clock::time_point next_renewal_{};         // guarded by mu_
  std::vector<std::pair<std::string, std::string>> members_;  // name, url; guarded by mu_
  std::string last_log_;                     // guarded by mu_ (repeats are not logged)
  bool stopping_ = false;                    // guarded by mu_

  bool registered_ = false;  // election thread only

  std::mutex apply_mu_;  // held while applying a feed answer or becoming leader

  std::atomic<bool> rebuild_requested_{false};
  std::thread election_thread_;
  std::thread follower_thread_;
};

}  // namespace kvcluster

#endif  // LSMKV_EXAMPLES_KVSERVER_CLUSTER_CLUSTER_NODE_H_
