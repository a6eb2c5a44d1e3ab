// The DB side of the change feed (docs/replication.md): GetUpdatesSince
// hands out an iterator from lib/replication over the live and archived
// WALs, WaitForSequence blocks until a sequence is published, and the
// FeedSource calls those iterators make. WriteReplicated is in db_write.cc
// (its sequence check belongs to the write-group leader).
#include <algorithm>
#include <cstdint>
#include <string>

#include "db/db_impl.h"

namespace lsmkv {

namespace {

// Positions remembered for iterators that start where one ended.
constexpr size_t kMaxFeedPositions = 16;

// The longest single condvar wait in WaitForSequence (one hour): far inside
// std::chrono's range, so any timeout is waited out in slices.
constexpr uint64_t kMaxSequenceWaitSlice = uint64_t{3600} * 1000 * 1000;

}  // namespace

Status DBImpl::GetUpdatesSince(uint64_t seq, std::unique_ptr<UpdateIterator>* it) {
  if (it == nullptr) return Status::InvalidArgument("GetUpdatesSince", "it must not be null");
  return NewUpdateIterator(this, seq, it);
}

Status DBImpl::WaitForSequence(uint64_t seq, uint64_t timeout_micros) {
  MutexLock l(&mutex_);
  // Saturates: a timeout past the clock's range (UINT64_MAX included) means
  // no limit instead of a deadline that wrapped into the past.
  const uint64_t start = env_->NowMicros();
  const uint64_t deadline =
      timeout_micros > UINT64_MAX - start ? UINT64_MAX : start + timeout_micros;
  sequence_waiters_++;
  // Close() sets shutting_down_ and signals sequence_cv_: a waiter then
  // returns Busy at once instead of sleeping out its timeout.
  while (last_sequence_ < seq && !shutting_down_) {
    const uint64_t now = env_->NowMicros();
    if (now >= deadline) break;
    // One slice at a time: the condvar's duration type overflows for huge
    // waits, and a spurious or late wake-up just goes round again.
    sequence_cv_.WaitFor(static_cast<int64_t>(std::min(deadline - now, kMaxSequenceWaitSlice)));
  }
  sequence_waiters_--;
  if (last_sequence_ >= seq) return Status::OK();
  if (shutting_down_) return Status::Busy("WaitForSequence", "the DB is closing");
  return Status::Busy("WaitForSequence", "timed out at sequence " + std::to_string(last_sequence_));
}

SequenceNumber DBImpl::PublishedSequence() {
  MutexLock l(&mutex_);
  return last_sequence_;
}

bool DBImpl::FeedPosition(SequenceNumber seq, uint64_t* log, uint64_t* offset) {
  MutexLock l(&mutex_);
  auto it = feed_positions_.find(seq);
  if (it == feed_positions_.end()) return false;
  *log = it->second.first;
  *offset = it->second.second;
  return true;
}

void DBImpl::RememberFeedPosition(SequenceNumber seq, uint64_t log, uint64_t offset) {
  MutexLock l(&mutex_);
  feed_positions_[seq] = {log, offset};
  while (feed_positions_.size() > kMaxFeedPositions) feed_positions_.erase(feed_positions_.begin());
}

}  // namespace lsmkv
