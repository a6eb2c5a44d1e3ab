// EtcdClient: the few etcd v3 calls the cluster needs, over etcd's HTTP/JSON
// gRPC gateway (POST /v3/lease/grant, /v3/lease/keepalive, /v3/lease/revoke,
// /v3/kv/range, /v3/kv/put, /v3/kv/txn; keys and values base64 in JSON,
// 64-bit numbers as decimal strings).
//
// Every call tries the endpoints in turn, starting with the last one that
// answered, and fails with IOError when none answers within the timeout.
// An answer etcd gives with an error body is IOError too (the caller
// retries on its next tick).
//
// Thread safety: thread-safe (each call uses its own connection).
#ifndef LSMKV_EXAMPLES_KVSERVER_CLUSTER_ETCD_CLIENT_H_
#define LSMKV_EXAMPLES_KVSERVER_CLUSTER_ETCD_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lsmkv/status.h"

namespace kvcluster {

struct EtcdKeyValue {
  std::string key;
  std::string value;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  int64_t lease = 0;  // 0: none
};

class EtcdClient {
 public:
  // endpoints: "http://host:port" each. timeout_ms bounds one request.
  EtcdClient(std::vector<std::string> endpoints, int timeout_ms);

  // A new lease of ttl_seconds; *granted_ttl is what etcd granted.
  lsmkv::Status GrantLease(int64_t ttl_seconds, int64_t* lease, int64_t* granted_ttl);
  // Renews the lease: OK with *ttl > 0, or NotFound when the lease expired
  // or was revoked.
  lsmkv::Status KeepAlive(int64_t lease, int64_t* ttl);
  lsmkv::Status Revoke(int64_t lease);

  lsmkv::Status Put(const std::string& key, const std::string& value, int64_t lease = 0);
  // *kv is nullopt when the key is absent.
  lsmkv::Status Get(const std::string& key, std::optional<EtcdKeyValue>* kv);
  // Every key starting with prefix, in key order.
  lsmkv::Status GetPrefix(const std::string& prefix, std::vector<EtcdKeyValue>* kvs);
  // One transaction: if key does not exist, put it with the lease
  // (*created = true, *revision = the key's create revision); otherwise
  // *created = false and *existing holds the key.
  lsmkv::Status CreateIfAbsent(const std::string& key, const std::string& value, int64_t lease,
                               bool* created, int64_t* revision, std::optional<EtcdKeyValue>* existing);
  // Deletes key only while its create revision is `create_revision`.
  lsmkv::Status DeleteIfCreateRevision(const std::string& key, int64_t create_revision);

 private:
  // POSTs body (JSON) to path on an endpoint that answers; *reply is the
  // answer's JSON text.
  lsmkv::Status Call(const std::string& path, const std::string& body, std::string* reply);

  const std::vector<std::string> endpoints_;
  const int timeout_ms_;
  std::atomic<size_t> preferred_{0};  // index of the last endpoint that answered
};

// The first key after every key starting with prefix (etcd's range_end for
// a prefix scan).
std::string PrefixEnd(const std::string& prefix);

}  // namespace kvcluster

#endif  // LSMKV_EXAMPLES_KVSERVER_CLUSTER_ETCD_CLIENT_H_
