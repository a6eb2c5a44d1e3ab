#include "ack_tracker.h"

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

bool AckTracker::WaitFor(uint64_t epoch, uint64_t seq, int replicas, Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (stopped_ || epoch != epoch_) return false;
    if (replicas <= 0 || Reached(seq, replicas)) return true;
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) {
      return !stopped_ && epoch == epoch_ && Reached(seq, replicas);
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
