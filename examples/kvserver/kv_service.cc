#include "kv_service.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>

#include "json_values.h"
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
  if (!key->is_string()) {
    *error = "\"key\" must be a string";
    return false;
  }
  std::string bytes;
  if (!ValueBytes(*value, "\"value\"", &bytes, error)) return false;
  if (item.size() != 2) {
    *error = "unexpected members besides \"key\" and \"value\"";
    return false;
  }
  batch->Put(key->get_ref<const std::string&>(), bytes);
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

std::string ToHex(const lsmkv::Slice& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (size_t i = 0; i < bytes.size(); i++) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 0xf];
  }
  return hex;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool FromHex(const std::string& hex, std::string* bytes) {
  if (hex.size() % 2 != 0) return false;
  bytes->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int high = HexDigit(hex[i]), low = HexDigit(hex[i + 1]);
    if (high < 0 || low < 0) return false;
    bytes->push_back(static_cast<char>(high << 4 | low));
  }
  return true;
}

// A query parameter's bytes: as given, or hex-decoded; absent is "".
bool DecodeParam(const std::optional<std::string>& param, bool hex, std::string* bytes) {
  bytes->clear();
  if (!param) return true;
  if (hex) return FromHex(*param, bytes);
  *bytes = *param;
  return true;
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
  if (!IsJsonContentType(content_type)) {
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
    std::string bytes;
    for (const auto& [key, value] : request.items()) {
      if (!ValueBytes(value, "the value of \"" + key + "\"", &bytes, &error)) {
        return Error(400, error);
      }
      batch.Put(key, bytes);
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

Reply KvService::Scan(const ScanRequest& request) const {
  uint64_t limit = 0;
  if (!ParseLimit(request.limit, &limit)) {
    return Error(400, "limit must be a number from 0 to " + std::to_string(kMaxScanLimit));
  }
  const std::string encoding = request.encoding.value_or("utf8");
  if (encoding != "utf8" && encoding != "hex") return Error(400, "encoding must be utf8 or hex");
  const bool hex = encoding == "hex";
  // start/end as given (hex-decoded with encoding=hex); empty = unbounded.
  std::string start, end, cursor;
  if (!DecodeParam(request.start, hex, &start)) return Error(400, "start is not hex");
  if (!DecodeParam(request.end, hex, &end)) return Error(400, "end is not hex");
  // The cursor is the hex of the first key not yet returned; it only moves
  // the lower bound up.
  if (request.cursor && !FromHex(*request.cursor, &cursor)) return Error(400, "bad cursor");
  if (cursor > start) start = cursor;

  lsmkv::ReadOptions options;
  lsmkv::Slice lower(start), upper(end);
  if (!start.empty()) options.iterate_lower_bound = &lower;
  if (!end.empty()) options.iterate_upper_bound = &upper;
  json entries = json::array();
  auto it = db_->NewIterator(options);
  for (it->SeekToFirst(); it->Valid() && entries.size() < limit; it->Next()) {
    if (hex) {
      entries.push_back(json{{"key", ToHex(it->key())}, {"value", ToHex(it->value())}});
    } else {
      entries.push_back(json{{"key", it->key().ToString()}, {"value", it->value().ToString()}});
    }
  }
  if (!it->status().ok()) return Error(500, it->status().ToString());
  Reply reply = Json(200, entries);
  if (it->Valid()) reply.headers.emplace_back("X-Next-Cursor", ToHex(it->key()));
  return reply;
}

Reply KvService::Stats() const {
  std::string stats;
  if (!db_->GetProperty("lsmkv.stats", &stats)) return Error(500, "lsmkv.stats unavailable");
  return Reply{200, "text/plain", std::move(stats)};
}

Reply KvService::Health() const { return Json(200, json{{"status", "ok"}}); }

}  // namespace kvserver
