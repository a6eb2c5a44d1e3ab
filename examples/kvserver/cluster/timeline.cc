#include "timeline.h"

#include <cerrno>
#include <cstdlib>

namespace kvcluster {

const char kTimelineFileName[] = "CLUSTER-TIMELINE";

lsmkv::Status Timeline::Append(uint64_t epoch, uint64_t fork) {
  if (!entries_.empty() && (epoch <= entries_.back().epoch || fork < entries_.back().fork)) {
    return lsmkv::Status::InvalidArgument("timeline entry " + std::to_string(epoch) + ":" +
                                          std::to_string(fork) + " does not follow " +
                                          std::to_string(entries_.back().epoch) + ":" +
                                          std::to_string(entries_.back().fork));
  }
  if (epoch == 0) return lsmkv::Status::InvalidArgument("timeline epoch 0 is reserved");
  entries_.push_back(TimelineEntry{epoch, fork});
  return lsmkv::Status::OK();
}

void Timeline::KeepUpTo(uint64_t applied) {
  while (!entries_.empty() && entries_.back().fork >= applied) entries_.pop_back();
}

uint64_t Timeline::SegmentEpoch(uint64_t seq) const {
  uint64_t epoch = 0;
  for (const TimelineEntry& e : entries_) {
    if (e.fork >= seq) break;
    epoch = e.epoch;
  }
  return epoch;
}

bool Timeline::Contains(uint64_t epoch, uint64_t applied) const {
  // Epoch 0 (before the first entry) reaches up to the first fork.
  if (epoch == 0) return entries_.empty() || applied <= entries_.front().fork;
  for (size_t i = 0; i < entries_.size(); i++) {
    if (entries_[i].epoch != epoch) continue;
    // A segment ends where the next leadership forked; the last one is open.
    return i + 1 == entries_.size() || applied <= entries_[i + 1].fork;
  }
  return false;
}

std::string Timeline::Encode() const {
  std::string out;
  for (const TimelineEntry& e : entries_) {
    if (!out.empty()) out += ',';
    out += std::to_string(e.epoch) + ":" + std::to_string(e.fork);
  }
  return out;
}

namespace {
bool ParseNumber(const std::string& text, uint64_t* value) {
  if (text.empty() || text.size() > 20) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *value = v;
  return true;
}
}  // namespace

lsmkv::Status Timeline::Decode(const std::string& text, Timeline* timeline) {
  Timeline result;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(pos, comma - pos);
    const size_t colon = item.find(':');
    uint64_t epoch = 0;
    uint64_t fork = 0;
    if (colon == std::string::npos || !ParseNumber(item.substr(0, colon), &epoch) ||
        !ParseNumber(item.substr(colon + 1), &fork)) {
      return lsmkv::Status::Corruption("bad timeline entry: " + item);
    }
    lsmkv::Status s = result.Append(epoch, fork);
    if (!s.ok()) return lsmkv::Status::Corruption(s.ToString());
    pos = comma + 1;
    if (comma + 1 == text.size()) return lsmkv::Status::Corruption("timeline ends with ','");
  }
  *timeline = std::move(result);
  return lsmkv::Status::OK();
}

// File format: two lines, "highest_epoch N" and "timeline E:F,...".
lsmkv::Status LoadNodeState(lsmkv::Env* env, const std::string& dir, NodeState* state) {
  const std::string path = dir + "/" + kTimelineFileName;
  *state = NodeState();
  if (!env->FileExists(path)) return lsmkv::Status::OK();
  std::string text;
  lsmkv::Status s = lsmkv::ReadFileToString(env, path, &text);
  if (!s.ok()) return s;
  const std::string kEpoch = "highest_epoch ";
  const std::string kTimeline = "\ntimeline ";
  const size_t timeline_at = text.find(kTimeline);
  if (text.compare(0, kEpoch.size(), kEpoch) != 0 || timeline_at == std::string::npos ||
      text.empty() || text.back() != '\n') {
    return lsmkv::Status::Corruption(path + ": not a cluster timeline file");
  }
  if (!ParseNumber(text.substr(kEpoch.size(), timeline_at - kEpoch.size()), &state->highest_epoch)) {
    return lsmkv::Status::Corruption(path + ": bad highest_epoch");
  }
  const size_t start = timeline_at + kTimeline.size();
  return Timeline::Decode(text.substr(start, text.size() - 1 - start), &state->timeline);
}

lsmkv::Status SaveNodeState(lsmkv::Env* env, const std::string& dir, const NodeState& state) {
  const std::string path = dir + "/" + kTimelineFileName;
  const std::string temp = path + ".tmp";
  const std::string text = "highest_epoch " + std::to_string(state.highest_epoch) + "\ntimeline " +
                           state.timeline.Encode() + "\n";
  lsmkv::Status s = lsmkv::WriteStringToFile(env, text, temp, /*sync=*/true);
  if (s.ok()) s = env->RenameFile(temp, path);
  if (s.ok()) s = env->SyncDir(dir);
  return s;
}

}  // namespace kvcluster
