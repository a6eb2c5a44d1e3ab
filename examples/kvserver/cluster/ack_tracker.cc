#include "ack_tracker.h"

#include <algorithm>

namespace kvcluster {

void AckTracker::StartEpoch(uint64_t epoch) {
  std::lock_guard<std::mutex> lock(mu_);
  epoch_ = epoch;
  applied_.clear();
  changed_.notify_all();
}

void AckTracker::Report(uint64_t epoch, const std::string& node, uint64_t applied) {
  std::lock_guard<std::mutex> lock(mu_);
  if (epoch != epoch_) return;
  uint64_t& position = applied_[node];
  if (applied > position) {
    position = applied;
    changed_.notify_all();
  }
}

bool AckTracker::Reached(uint64_t seq, int replicas) const {
  int holding = 0;
  for (const auto& entry : applied_) {
    if (entry.second >= seq) holding++;
  }
  return holding >= replicas;
}

AckTracker::WaitResult AckTracker::Wait(uint64_t epoch, uint64_t seq, int replicas, Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (stopped_ || epoch != epoch_) return WaitResult::kEnded;
    if (replicas <= 0 || Reached(seq, replicas)) return WaitResult::kReached;
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) {
      if (stopped_ || epoch != epoch_) return WaitResult::kEnded;
      return Reached(seq, replicas) ? WaitResult::kReached : WaitResult::kTimedOut;
    }
  }
}

bool AckTracker::WaitFor(uint64_t epoch, uint64_t seq, int replicas, Clock::time_point deadline) {
  return Wait(epoch, seq, replicas, deadline) == WaitResult::kReached;
}

bool AckTracker::WaitWhileTrusted(uint64_t epoch, uint64_t seq, int replicas, Clock::time_point cap,
                                  const std::function<std::optional<Clock::time_point>()>& trusted_until) {
  for (;;) {
    const std::optional<Clock::time_point> until = trusted_until();  // mu_ not held: see the header
    if (!until) return false;
    const Clock::time_point deadline = std::min(*until, cap);
    // A deadline already passed ends the wait: the cap, or a lease expiry
    // not moved on since the last timeout (no renewal came in time).
    if (Clock::now() >= deadline) return false;
    switch (Wait(epoch, seq, replicas, deadline)) {
      case WaitResult::kReached:
        return true;
      case WaitResult::kEnded:
        return false;
      case WaitResult::kTimedOut:
        break;  // read trusted_until again: a renewal may have moved it on
    }
  }
}

void AckTracker::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stopped_ = true;
  changed_.notify_all();
}

std::map<std::string, uint64_t> AckTracker::Positions() {
  std::lock_guard<std::mutex> lock(mu_);
  return applied_;
}

}  // namespace kvcluster
