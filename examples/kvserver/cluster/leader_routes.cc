// The leader's side of replication: GET /cluster/feed (a follower's pull,
// which also reports how far it has applied) and GET /cluster/checkpoint
// (a whole copy for a follower that cannot continue from its own data).
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cluster_node.h"
#include "feed_codec.h"

namespace kvcluster {

using nlohmann::json;

namespace {

constexpr size_t kMaxFeedBytes = 4 << 20;  // one answer stops after the batch crossing this
constexpr int kMaxFeedWaitMs = 2000;

void JsonError(httplib::Response& res, int status, const json& doc) {
  res.status = status;
  res.set_content(doc.dump() + "\n", "application/json");
}

bool NumberParam(const httplib::Request& req, const char* name, uint64_t* value) {
  if (!req.has_param(name)) return false;
  const std::string text = req.get_param_value(name);
  if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  *value = std::stoull(text);
  return true;
}

// Appends the feed from `from` to *body; false with *status on a feed error.
bool ReadFeed(lsmkv::DB* db, uint64_t from, std::string* body, lsmkv::Status* status) {
  std::unique_ptr<lsmkv::UpdateIterator> it;
  lsmkv::Status s = db->GetUpdatesSince(from, &it);
  for (; s.ok() && it->Valid() && body->size() < kMaxFeedBytes; it->Next()) {
    s = AppendBatch(it->sequence(), it->batch(), body);
  }
  if (s.ok()) s = it->status();
  *status = s;
  return s.ok();
}

}  // namespace

void ClusterNode::HandleFeed(const httplib::Request& req, httplib::Response& res) {
  uint64_t epoch = 0;
  uint64_t from = 0;
  uint64_t timeline_epoch = 0;
  uint64_t wait_ms = 0;
  const std::string node = req.has_param("node") ? req.get_param_value("node") : "";
  if (node.empty() || !NumberParam(req, "epoch", &epoch) || !NumberParam(req, "from", &from) || from == 0 ||
      !NumberParam(req, "timeline_epoch", &timeline_epoch)) {
    JsonError(res, 400, {{"error", "need node, epoch, from >= 1 and timeline_epoch"}});
    return;
  }
  NumberParam(req, "wait_ms", &wait_ms);
  Timeline timeline;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (role_ != Role::kLeader || epoch != my_epoch_ || !LeaseValid(Clock::now())) {
      JsonError(res, 409, {{"error", "not the leader of epoch " + std::to_string(epoch)}});
      return;
    }
    timeline = state_.timeline;
  }
  // The follower's data must be a prefix of ours; then its position counts.
  const uint64_t follower_applied = from - 1;
  if (follower_applied > db_->GetLatestSequenceNumber() || !timeline.Contains(timeline_epoch, follower_applied)) {
    JsonError(res, 409, {{"error", "history diverged from the leader's (timeline " + timeline.Encode() + ")"},
                         {"diverged", true}});
    return;
  }
  acks_.Report(epoch, node, follower_applied);

  std::string body;
  lsmkv::Status s;
  if (!ReadFeed(db_, from, &body, &s) && !s.IsNotFound()) {
    JsonError(res, 500, {{"error", s.ToString()}});
    return;
  }
  if (s.IsNotFound()) {
    JsonError(res, 410, {{"error", "the feed no longer reaches sequence " + std::to_string(from)}});
    return;
  }
  if (body.empty() && wait_ms > 0) {
    const int wait = static_cast<int>(std::min<uint64_t>(wait_ms, kMaxFeedWaitMs));
    if (db_->WaitForSequence(from, static_cast<uint64_t>(wait) * 1000).ok()) ReadFeed(db_, from, &body, &s);
  }
  res.set_header("X-Lsmkv-Epoch", std::to_string(epoch));
  res.set_header("X-Lsmkv-Timeline", timeline.Encode());
  res.set_content(body, "application/octet-stream");
}

void ClusterNode::HandleCheckpoint(const httplib::Request&, httplib::Response& res) {
  Timeline timeline;
  uint64_t epoch = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (role_ != Role::kLeader || !LeaseValid(Clock::now())) {
      JsonError(res, 409, {{"error", "not the leader"}});
      return;
    }
    timeline = state_.timeline;
    epoch = my_epoch_;
  }
  static std::atomic<uint64_t> counter{0};
  const std::string dir = config_.db_dir + ".send-" + std::to_string(counter.fetch_add(1));
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  uint64_t sequence = 0;
  lsmkv::Status s = db_->CreateCheckpoint(dir, &sequence);
  std::string body;
  if (s.ok()) s = PackDirectory(lsmkv::Env::Default(), dir, &body);
  std::filesystem::remove_all(dir, ignored);
  if (!s.ok()) {
    JsonError(res, 500, {{"error", "checkpoint: " + s.ToString()}});
    return;
  }
  res.set_header("X-Lsmkv-Epoch", std::to_string(epoch));
  res.set_header("X-Lsmkv-Timeline", timeline.Encode());
  res.set_header("X-Lsmkv-Sequence", std::to_string(sequence));
  res.set_content(body, "application/octet-stream");
}

}  // namespace kvcluster
