#include "checkpoint_fetch.h"

#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "feed_codec.h"

namespace kvcluster {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

lsmkv::Status FsError(const std::string& what, const std::error_code& ec) {
  return lsmkv::Status::IOError(what + ": " + ec.message());
}

// One attempt: fetch from the current leader and swap in.
lsmkv::Status FetchOnce(const ClusterConfig& config, EtcdClient* etcd) {
  std::optional<EtcdKeyValue> key;
  lsmkv::Status s = etcd->Get(config.cluster + "/leader", &key);
  if (!s.ok()) return s;
  if (!key) return lsmkv::Status::NotFound("no leader yet");
  const json info = json::parse(key->value, nullptr, false);
  const std::string leader = info.is_object() ? info.value("node", "") : "";
  const std::string url = info.is_object() ? info.value("url", "") : "";
  if (leader.empty() || leader == config.node) return lsmkv::Status::NotFound("no other leader");

  NodeState old_state;
  if (fs::exists(config.db_dir) && !LoadNodeState(lsmkv::Env::Default(), config.db_dir, &old_state).ok()) {
    old_state = NodeState();  // damaged: the data is being replaced anyway
  }
  const uint64_t key_epoch = static_cast<uint64_t>(key->create_revision);
  if (key_epoch < old_state.highest_epoch) return lsmkv::Status::NotFound("leader key older than an epoch seen");

  httplib::Client client(url);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(120, 0);
  if (!config.auth_token.empty()) client.set_bearer_token_auth(config.auth_token.c_str());
  const auto res = client.Get("/cluster/checkpoint");
  if (!res) return lsmkv::Status::IOError("GET " + url + "/cluster/checkpoint: " + httplib::to_string(res.error()));
  if (res->status != 200) {
    return lsmkv::Status::IOError("GET " + url + "/cluster/checkpoint: HTTP " + std::to_string(res->status));
  }
  NodeState state;
  uint64_t epoch = 0;
  try {
    epoch = std::stoull(res->get_header_value("X-Lsmkv-Epoch"));
  } catch (const std::exception&) {
    return lsmkv::Status::Corruption("checkpoint without an epoch");
  }
  if (epoch != key_epoch) return lsmkv::Status::NotFound("the leader changed during the fetch");
  s = Timeline::Decode(res->get_header_value("X-Lsmkv-Timeline"), &state.timeline);
  if (!s.ok()) return s;
  state.highest_epoch = std::max(old_state.highest_epoch, epoch);

  const std::string incoming = config.db_dir + ".incoming";
  const std::string old = config.db_dir + ".old";
  std::error_code ec;
  fs::remove_all(incoming, ec);
  s = UnpackDirectory(lsmkv::Env::Default(), res->body, incoming);
  if (s.ok()) s = SaveNodeState(lsmkv::Env::Default(), incoming, state);  // marks it complete
  if (!s.ok()) return s;
  fs::remove_all(old, ec);
  if (fs::exists(config.db_dir)) {
    fs::rename(config.db_dir, old, ec);
    if (ec) return FsError("rename " + config.db_dir, ec);
  }
  fs::rename(incoming, config.db_dir, ec);
  if (ec) return FsError("rename " + incoming, ec);
  const std::string parent = fs::path(config.db_dir).parent_path().string();
  s = lsmkv::Env::Default()->SyncDir(parent.empty() ? "." : parent);
  if (!s.ok()) return s;
  fs::remove_all(old, ec);
  std::fprintf(stderr, "[%s] installed %s's checkpoint at sequence %s (epoch %llu)\n", config.node.c_str(),
               leader.c_str(), res->get_header_value("X-Lsmkv-Sequence").c_str(),
               static_cast<unsigned long long>(epoch));
  return lsmkv::Status::OK();
}

}  // namespace

lsmkv::Status RecoverRebuild(const std::string& db_dir) {
  const std::string incoming = db_dir + ".incoming";
  std::error_code ec;
  if (!fs::exists(db_dir) && fs::exists(incoming + "/" + kTimelineFileName)) {
    fs::rename(incoming, db_dir, ec);
    if (ec) return FsError("rename " + incoming, ec);
  }
  fs::remove_all(incoming, ec);
  fs::remove_all(db_dir + ".old", ec);
  return lsmkv::Status::OK();
}

lsmkv::Status RebuildFromLeader(const ClusterConfig& config, const std::atomic<bool>* stop) {
  EtcdClient etcd(config.etcd, /*timeout_ms=*/1000);
  std::string last;
  while (!stop->load()) {
    const lsmkv::Status s = FetchOnce(config, &etcd);
    if (s.ok()) return s;
    if (s.ToString() != last) {
      last = s.ToString();
      std::fprintf(stderr, "[%s] rebuild: %s (retrying)\n", config.node.c_str(), last.c_str());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return lsmkv::Status::IOError("rebuild interrupted");
}

}  // namespace kvcluster
