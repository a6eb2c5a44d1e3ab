#include "txn/commit_history.h"

namespace lsmkv {

void CommitHistory::Reset(SequenceNumber floor) {
  order_.clear();
  newest_.clear();
  floor_ = floor;
}

void CommitHistory::SetCapacity(size_t entries) {
  capacity_ = entries;
  while (order_.size() > capacity_) DropOldest();
}

void CommitHistory::Record(const WriteBatch& batch, SequenceNumber first) {
  struct Recorder final : public WriteBatch::Handler {
    CommitHistory* history;
    SequenceNumber sequence;
    void Add(const Slice& key) {
      auto it = history->newest_.find(key);
      if (it == history->newest_.end()) {
        it = history->newest_.emplace(key.ToString(), sequence).first;
      } else {
        it->second = sequence;
      }
      history->order_.emplace_back(sequence, it);
      sequence++;
    }
    void Put(const Slice& key, const Slice&) override { Add(key); }
    void Delete(const Slice& key) override { Add(key); }
  } recorder;
  recorder.history = this;
  recorder.sequence = first;
  // The batch passed the engine's checks before it was queued, so it parses.
  (void)batch.Iterate(&recorder);
  while (order_.size() > capacity_) DropOldest();
}

void CommitHistory::DropOldest() {
  const auto [sequence, entry] = order_.front();
  order_.pop_front();
  if (entry->second == sequence) newest_.erase(entry);  // no newer write of that key
  if (sequence > floor_) floor_ = sequence;
}

void CommitHistory::TrimThrough(SequenceNumber seq) {
  while (!order_.empty() && order_.front().first <= seq) DropOldest();
  if (seq > floor_) floor_ = seq;
}

bool CommitHistory::WrittenAfter(const Slice& key, SequenceNumber after) const {
  const auto it = newest_.find(key);
  return it != newest_.end() && it->second > after;
}

bool CommitHistory::RangeWrittenAfter(const KeyRange& range, SequenceNumber after) const {
  auto it = range.lo.kind == KeyBound::kUnbounded ? newest_.begin()
                                                  : newest_.lower_bound(Slice(range.lo.key));
  for (; it != newest_.end(); ++it) {
    if (!range.BelowHigh(comparator_, it->first)) break;
    if (it->second > after && range.AboveLow(comparator_, it->first)) return true;
  }
  return false;
}

}  // namespace lsmkv
