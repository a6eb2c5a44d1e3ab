#include "kv_service.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <memory>

#include "lsmkv/write_batch.h"

namespace kvserver {

namespace {

using nlohmann::json;

constexpr uint64_t kDefaultScanLimit = 100;
constexpr uint64_t kMaxScanLimit = 10000;

// Values are arbitrary bytes; JSON strings must be UTF-8. Bytes that are not
// valid UTF-8 are replaced by U+FFFD in JSON output (GET /get returns the
// exact bytes).
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Reply Json(int status, const json& j) { return Reply{status, "application/json", Dump(j) + "\n"}; }

// Adds one {"key": K, "value": V} object to *batch, or says what is wrong.
bool AddPair(const json& item, lsmkv::WriteBatch* batch, std::string* error) {
  if (!item.is_object()) {
    *error = "each element must be an object {\"key\": ..., \"value\": ...}";
    return false;
  }
  const auto key = item.find("key");
  const auto value = item.find("value");
  if (key == item.end()) {
    *error = "missing \"key\"";
    return false;
  }
  if (value == item.end()) {
    *error = "missing \"value\"";
    return false;
  }
  if (!key->is_string() || !value->is_string()) {
    *error = "\"key\" and \"value\" must be strings";
    return false;
  }
  if (item.size() != 2) {
    *error = "unexpected members besides \"key\" and \"value\"";
    return false;
  }
  batch->Put(key->get_ref<const std::string&>(), value->get_ref<const std::string&>());
  return true;
}

bool ParseLimit(const std::optional<std::string>& text, uint64_t* limit) {
  if (!text) {
    *limit = kDefaultScanLimit;
    return true;
  }
  if (text->empty() || text->size() > 9 || text->find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  *limit = std::strtoull(text->c_str(), nullptr, 10);
  return *limit <= kMaxScanLimit;
}

}  // namespace

Reply KvService::Error(int status, const std::string& message) {
  return Json(status, json{{"error", message}});
}

Reply KvService::Get(const std::optional<std::string>& key) const {
  if (!key) return Error(400, "missing query parameter \"key\"");
  std::string value;
  const lsmkv::Status s = db_->Get(lsmkv::ReadOptions(), *key, &value);
  if (s.IsNotFound()) return Error(404, "not found");
  if (!s.ok()) return Error(500, s.ToString());
  return Reply{200, "application/octet-stream", std::move(value)};
}

Reply KvService::Set(const std::string& content_type, const std::string& body) const {
  // "application/json" with optional parameters ("; charset=utf-8").
  if (content_type.compare(0, content_type.find(';'), "application/json") != 0) {
    return Error(415, "Content-Type must be application/json");
  }
  if (body.size() > max_body_bytes_) {
    return Error(400, "body larger than " + std::to_string(max_body_bytes_) + " bytes");
  }
  const json request = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded()) return Error(400, "invalid JSON");

  lsmkv::WriteBatch batch;
  std::string error;
  if (request.is_array()) {
    for (const json& item : request) {
      if (!AddPair(item, &batch, &error)) return Error(400, error);
    }
  } else if (request.is_object() && (request.contains("key") || request.contains("value"))) {
    if (!AddPair(request, &batch, &error)) return Error(400, error);
  } else if (request.is_object()) {
    for (const auto& [key, value] : request.items()) {
      if (!value.is_string()) return Error(400, "the value of \"" + key + "\" must be a string");
      batch.Put(key, value.get_ref<const std::string&>());
    }
  } else {
    return Error(400, "expected an object or an array of objects");
  }
  lsmkv::WriteOptions options;
  options.sync = sync_;
  const lsmkv::Status s = db_->Write(options, &batch);
  if (s.IsInvalidArgument()) return Error(400, s.ToString());
  if (!s.ok()) return Error(500, s.ToString());
  return Json(200, json{{"written", batch.Count()}});
}

Reply KvService::Delete(const std::optional<std::string>& key) const {
  if (!key) return Error(400, "missing query parameter \"key\"");
  lsmkv::WriteOptions options;
  options.sync = sync_;
  const lsmkv::Status s = db_->Delete(options, *key);
  if (s.IsInvalidArgument()) return Error(400, s.ToString());
  if (!s.ok()) return Error(500, s.ToString());
  return Json(200, json{{"deleted", *key}});
}

Reply KvService::Scan(const std::optional<std::string>& start, const std::optional<std::string>& end,
                      const std::optional<std::string>& limit_text) const {
  uint64_t limit = 0;
  if (!ParseLimit(limit_text, &limit)) {
    return Error(400, "limit must be a number from 0 to " + std::to_string(kMaxScanLimit));
  }
  lsmkv::ReadOptions options;
  lsmkv::Slice lower, upper;
  if (start && !start->empty()) {
    lower = *start;
    options.iterate_lower_bound = &lower;
  }
  if (end && !end->empty()) {
    upper = *end;
    options.iterate_upper_bound = &upper;
  }
  json entries = json::array();
  auto it = db_->NewIterator(options);
  for (it->SeekToFirst(); it->Valid() && entries.size() < limit; it->Next()) {
    entries.push_back(json{{"key", it->key().ToString()}, {"value", it->value().ToString()}});
  }
  if (!it->status().ok()) return Error(500, it->status().ToString());
  return Json(200, entries);
}

Reply KvService::Stats() const {
  std::string stats;
  if (!db_->GetProperty("lsmkv.stats", &stats)) return Error(500, "lsmkv.stats unavailable");
  return Reply{200, "text/plain", std::move(stats)};
}

Reply KvService::Health() const { return Json(200, json{{"status", "ok"}}); }

}  // namespace kvserver
