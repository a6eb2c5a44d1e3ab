// AckTracker: the leader's record of how far each follower has applied its
// feed in the current epoch, and the wait a write makes before it is
// acknowledged (until `replicas` followers hold it).
//
// A follower's position comes from its own feed requests ("I have applied
// everything up to S", checked against the leader's timeline first), so a
// position never counts for more than the follower has applied. Positions
// are per epoch: StartEpoch forgets all of them.
//
// Thread safety: thread-safe; mu_ guards every member.
#ifndef LSMKV_EXAMPLES_KVSERVER_CLUSTER_ACK_TRACKER_H_
#define LSMKV_EXAMPLES_KVSERVER_CLUSTER_ACK_TRACKER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace kvcluster {

class AckTracker {
 public:
  using Clock = std::chrono::steady_clock;

  // A new leadership: positions reported so far are forgotten.
  void StartEpoch(uint64_t epoch);
  // Follower `node` has applied everything up to `applied`, reported in
  // `epoch`; ignored unless that is the current epoch. Positions only grow.
  void Report(uint64_t epoch, const std::string& node, uint64_t applied);
  // True once `replicas` distinct followers reported applied >= seq in
  // `epoch` (at once for replicas <= 0); false at deadline, when the epoch
  // changed, or after Stop.
  bool WaitFor(uint64_t epoch, uint64_t seq, int replicas, Clock::time_point deadline);
  // Like WaitFor, for a deadline that may move on while waiting (a leader's
  // lease, renewed by another thread): `trusted_until` says until when the
  // caller may still wait, or nullopt once it must stop (it no longer leads
  // `epoch`). It is called before the first wait and again after every
  // timeout, without mu_ held (it may take the caller's locks, which are
  // held around StartEpoch). The wait never goes past `cap`, and ends false
  // as soon as trusted_until's answer has passed without being moved on.
  bool WaitWhileTrusted(uint64_t epoch, uint64_t seq, int replicas, Clock::time_point cap,
                        const std::function<std::optional<Clock::time_point>()>& trusted_until);
  // Wakes every waiter; later waits fail at once.
  void Stop();
  // The followers' positions in the current epoch.
  std::map<std::string, uint64_t> Positions();

 private:
  enum class WaitResult { kReached, kTimedOut, kEnded };  // kEnded: new epoch or Stop
  WaitResult Wait(uint64_t epoch, uint64_t seq, int replicas, Clock::time_point deadline);
  bool Reached(uint64_t seq, int replicas) const;  // REQUIRES: mu_ held

  std::mutex mu_;
  std::condition_variable changed_;
  uint64_t epoch_ = 0;                          // guarded by mu_
  std::map<std::string, uint64_t> applied_;     // node -> applied; guarded by mu_
  bool stopped_ = false;                        // guarded by mu_
};

}  // namespace kvcluster

#endif  // LSMKV_EXAMPLES_KVSERVER_CLUSTER_ACK_TRACKER_H_
