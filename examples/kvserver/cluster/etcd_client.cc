#include "etcd_client.h"

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <utility>

#include "base64.h"

namespace kvcluster {

using nlohmann::json;

namespace {

// etcd's gateway spells int64 as a JSON string; absent means 0.
int64_t Int64Member(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (!it->is_string()) return 0;
  try {
    return std::stoll(it->get<std::string>());
  } catch (const std::exception&) {
    return 0;
  }
}

bool DecodeKeyValue(const json& item, EtcdKeyValue* kv) {
  if (!item.is_object()) return false;
  const auto key = item.find("key");
  if (key == item.end() || !key->is_string() || !Base64Decode(key->get<std::string>(), &kv->key)) return false;
  const auto value = item.find("value");
  kv->value.clear();
  if (value != item.end() && (!value->is_string() || !Base64Decode(value->get<std::string>(), &kv->value))) {
    return false;
  }
  kv->create_revision = Int64Member(item, "create_revision");
  kv->mod_revision = Int64Member(item, "mod_revision");
  kv->lease = Int64Member(item, "lease");
  return true;
}

lsmkv::Status DecodeKvs(const json& reply, std::vector<EtcdKeyValue>* kvs) {
  kvs->clear();
  const auto items = reply.find("kvs");
  if (items == reply.end()) return lsmkv::Status::OK();
  if (!items->is_array()) return lsmkv::Status::IOError("etcd: \"kvs\" is not an array");
  for (const json& item : *items) {
    EtcdKeyValue kv;
    if (!DecodeKeyValue(item, &kv)) return lsmkv::Status::IOError("etcd: bad key-value in reply");
    kvs->push_back(std::move(kv));
  }
  return lsmkv::Status::OK();
}

lsmkv::Status ParseJson(const std::string& text, json* out) {
  *out = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (out->is_discarded() || !out->is_object()) return lsmkv::Status::IOError("etcd: reply is not a JSON object");
  if (out->contains("error")) return lsmkv::Status::IOError("etcd: " + text.substr(0, 200));
  return lsmkv::Status::OK();
}

}  // namespace

std::string PrefixEnd(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) != 0xff) {
      end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // etcd: "\0" as range_end means "to the end"
}

EtcdClient::EtcdClient(std::vector<std::string> endpoints, int timeout_ms)
    : endpoints_(std::move(endpoints)), timeout_ms_(timeout_ms) {}

lsmkv::Status EtcdClient::Call(const std::string& path, const std::string& body, std::string* reply) {
  if (endpoints_.empty()) return lsmkv::Status::InvalidArgument("no etcd endpoints");
  const size_t first = preferred_.load();
  std::string last_error;
  for (size_t i = 0; i < endpoints_.size(); i++) {
    const size_t index = (first + i) % endpoints_.size();
    httplib::Client client(endpoints_[index]);
    const time_t seconds = timeout_ms_ / 1000;
    const time_t micros = (timeout_ms_ % 1000) * 1000;
    client.set_connection_timeout(seconds, micros);
    client.set_read_timeout(seconds, micros);
    client.set_write_timeout(seconds, micros);
    const auto result = client.Post(path.c_str(), body, "application/json");
    if (!result) {
      last_error = endpoints_[index] + ": " + httplib::to_string(result.error());
      continue;
    }
    if (result->status != 200) {
      // A gateway error (e.g. a timeout inside etcd): say so, try another.
      last_error = endpoints_[index] + ": HTTP " + std::to_string(result->status) + " " +
                   result->body.substr(0, 200);
      continue;
    }
    preferred_.store(index);
    *reply = result->body;
    return lsmkv::Status::OK();
  }
  return lsmkv::Status::IOError("etcd " + path + ": " + last_error);
}

lsmkv::Status EtcdClient::GrantLease(int64_t ttl_seconds, int64_t* lease, int64_t* granted_ttl) {
  std::string text;
  lsmkv::Status s = Call("/v3/lease/grant", json{{"TTL", std::to_string(ttl_seconds)}}.dump(), &text);
  json reply;
  if (s.ok()) s = ParseJson(text, &reply);
  if (!s.ok()) return s;
  *lease = Int64Member(reply, "ID");
  *granted_ttl = Int64Member(reply, "TTL");
  if (*lease == 0 || *granted_ttl <= 0) return lsmkv::Status::IOError("etcd: lease not granted: " + text);
  return lsmkv::Status::OK();
}

lsmkv::Status EtcdClient::KeepAlive(int64_t lease, int64_t* ttl) {
  std::string text;
  lsmkv::Status s = Call("/v3/lease/keepalive", json{{"ID", std::to_string(lease)}}.dump(), &text);
  json reply;
  if (s.ok()) s = ParseJson(text, &reply);
  if (!s.ok()) return s;
  // The gateway answers one stream message: {"result": {..., "TTL": "5"}};
  // an expired lease comes back without a TTL.
  const auto result = reply.find("result");
  *ttl = result != reply.end() && result->is_object() ? Int64Member(*result, "TTL") : 0;
  if (*ttl <= 0) return lsmkv::Status::NotFound("etcd lease " + std::to_string(lease) + " expired");
  return lsmkv::Status::OK();
}

lsmkv::Status EtcdClient::Revoke(int64_t lease) {
  std::string text;
  lsmkv::Status s = Call("/v3/lease/revoke", json{{"ID", std::to_string(lease)}}.dump(), &text);
  json reply;
  if (s.ok()) s = ParseJson(text, &reply);
  return s;
}

lsmkv::Status EtcdClient::Put(const std::string& key, const std::string& value, int64_t lease) {
  json request{{"key", Base64Encode(key)}, {"value", Base64Encode(value)}};
  if (lease != 0) request["lease"] = std::to_string(lease);
  std::string text;
  lsmkv::Status s = Call("/v3/kv/put", request.dump(), &text);
  json reply;
  if (s.ok()) s = ParseJson(text, &reply);
  return s;
}

lsmkv::Status EtcdClient::Get(const std::string& key, std::optional<EtcdKeyValue>* kv) {
  std::string text;
  lsmkv::Status s = Call("/v3/kv/range", json{{"key", Base64Encode(key)}}.dump(), &text);
  json reply;
  if (s.ok()) s = ParseJson(text, &reply);
  std::vector<EtcdKeyValue> kvs;
  if (s.ok()) s = DecodeKvs(reply, &kvs);
  if (!s.ok()) return s;
  kv->reset();
  if (!kvs.empty()) *kv = std::move(kvs.front());
  return lsmkv::Status::OK();
}

lsmkv::Status EtcdClient::GetPrefix(const std::string& prefix, std::vector<EtcdKeyValue>* kvs) {
  std::string text;
  lsmkv::Status s = Call("/v3/kv/range",
                         json{{"key", Base64Encode(prefix)}, {"range_end", Base64Encode(PrefixEnd(prefix))}}.dump(),
                         &text);
  json reply;
  if (s.ok()) s = ParseJson(text, &reply);
  if (s.ok()) s = DecodeKvs(reply, kvs);
  return s;
}

lsmkv::Status EtcdClient::CreateIfAbsent(const std::string& key, const std::string& value, int64_t lease,
                                         bool* created, int64_t* revision,
                                         std::optional<EtcdKeyValue>* existing) {
  const std::string key64 = Base64Encode(key);
  json put{{"key", key64}, {"value", Base64Encode(value)}};
  if (lease != 0) put["lease"] = std::to_string(lease);
  const json request{
      {"compare", json::array({json{{"key", key64}, {"target", "CREATE"}, {"result", "EQUAL"},
                                    {"create_revision", "0"}}})},
      {"success", json::array({json{{"request_put", put}}})},
      {"failure", json::array({json{{"request_range", json{{"key", key64}}}}})}};
  std::string text;
  lsmkv::Status s = Call("/v3/kv/txn", request.dump(), &text);
  json reply;
  if (s.ok()) s = ParseJson(text, &reply);
  if (!s.ok()) return s;
  const auto succeeded = reply.find("succeeded");
  *created = succeeded != reply.end() && succeeded->is_boolean() && succeeded->get<bool>();
  existing->reset();
  const auto header = reply.find("header");
  if (*created) {
    // The put is the transaction's only write: the key's create revision
    // is the revision the transaction made.
    *revision = header != reply.end() && header->is_object() ? Int64Member(*header, "revision") : 0;
    if (*revision <= 0) return lsmkv::Status::IOError("etcd: txn reply without a revision: " + text);
    return lsmkv::Status::OK();
  }
  *revision = 0;
  const auto responses = reply.find("responses");
  if (responses != reply.end() && responses->is_array() && !responses->empty()) {
    const json& range = (*responses)[0];
    const auto range_reply = range.find("response_range");
    if (range_reply != range.end() && range_reply->is_object()) {
      std::vector<EtcdKeyValue> kvs;
      s = DecodeKvs(*range_reply, &kvs);
      if (!s.ok()) return s;
      if (!kvs.empty()) *existing = std::move(kvs.front());
    }
  }
  return lsmkv::Status::OK();
}

lsmkv::Status EtcdClient::DeleteIfCreateRevision(const std::string& key, int64_t create_revision) {
  const std::string key64 = Base64Encode(key);
  const json request{
      {"compare", json::array({json{{"key", key64}, {"target", "CREATE"}, {"result", "EQUAL"},
                                    {"create_revision", std::to_string(create_revision)}}})},
      {"success", json::array({json{{"request_delete_range", json{{"key", key64}}}}})}};
  std::string text;
  lsmkv::Status s = Call("/v3/kv/txn", request.dump(), &text);
  json reply;
  if (s.ok()) s = ParseJson(text, &reply);
  return s;
}

}  // namespace kvcluster
