#include "txn_handler.h"

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "json_values.h"
#include "lsmkv/transaction.h"

namespace kvserver {

namespace {

using nlohmann::json;

struct Compare {
  std::string key;
  std::optional<std::string> value;  // nullopt: the key must be absent
};

struct Operation {
  bool is_delete = false;
  std::string key;
  std::string value;
};

struct Request {
  std::vector<Compare> compare;
  std::vector<Operation> success;
  std::vector<Operation> failure;
};

// A conflicting commit is retried this many times before the server gives
// up with 503 (only under extreme contention on the same keys).
constexpr int kMaxAttempts = 100;

Reply JsonReply(int status, const json& j) {
  return Reply{status, "application/json", j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"};
}

const std::string* StringMember(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return nullptr;
  return &it->get_ref<const std::string&>();
}

bool ParseCompare(const json& item, Compare* out, std::string* error) {
  const std::string* key = item.is_object() ? StringMember(item, "key") : nullptr;
  if (key == nullptr) {
    *error = "each compare must be an object with a string \"key\"";
    return false;
  }
  out->key = *key;
  if (item.size() != 2) {
    *error = "a compare has \"key\" and exactly one of \"value\" or \"absent\"";
    return false;
  }
  if (const auto value = item.find("value"); value != item.end()) {
    out->value.emplace();
    return ValueBytes(*value, "a compare's \"value\"", &*out->value, error);
  }
  const auto absent = item.find("absent");
  if (absent != item.end() && absent->is_boolean() && absent->get<bool>()) return true;
  *error = "a compare needs a \"value\" or \"absent\": true";
  return false;
}

bool ParseOperation(const json& item, Operation* out, std::string* error) {
  if (!item.is_object() || item.size() != 1) {
    *error = "each operation must be {\"put\": {...}} or {\"delete\": {...}}";
    return false;
  }
  const std::string& verb = item.begin().key();
  const json& body = item.begin().value();
  const std::string* key = body.is_object() ? StringMember(body, "key") : nullptr;
  if (verb == "put") {
    const auto value = key != nullptr ? body.find("value") : body.end();
    if (value == body.end() || body.size() != 2) {
      *error = "\"put\" takes {\"key\": string, \"value\": value}";
      return false;
    }
    *out = Operation{false, *key, ""};
    return ValueBytes(*value, "a put's \"value\"", &out->value, error);
  }
  if (verb == "delete") {
    if (key == nullptr || body.size() != 1) {
      *error = "\"delete\" takes {\"key\": string}";
      return false;
    }
    *out = Operation{true, *key, ""};
    return true;
  }
  *error = "unknown operation \"" + verb + "\" (put or delete)";
  return false;
}

bool ParseRequest(const json& j, Request* request, std::string* error) {
  if (!j.is_object()) {
    *error = "the body must be an object {\"compare\", \"success\", \"failure\"}";
    return false;
  }
  for (const auto& [name, member] : j.items()) {
    if (!member.is_array()) {
      *error = "\"" + name + "\" must be an array";
      return false;
    }
    if (name == "compare") {
      for (const json& item : member) {
        request->compare.emplace_back();
        if (!ParseCompare(item, &request->compare.back(), error)) return false;
      }
    } else if (name == "success" || name == "failure") {
      auto* ops = name == "success" ? &request->success : &request->failure;
      for (const json& item : member) {
        ops->emplace_back();
        if (!ParseOperation(item, &ops->back(), error)) return false;
      }
    } else {
      *error = "unexpected member \"" + name + "\"";
      return false;
    }
  }
  return true;
}

// One attempt: *succeeded says which branch was applied.
lsmkv::Status Attempt(lsmkv::DB* db, bool sync, const Request& request, bool* succeeded) {
  lsmkv::WriteOptions write_options;
  write_options.sync = sync;
  std::unique_ptr<lsmkv::Transaction> txn = db->BeginTransaction(write_options);
  *succeeded = true;
  for (const Compare& c : request.compare) {
    std::string value;
    const lsmkv::Status s = txn->Get(lsmkv::ReadOptions(), c.key, &value);
    if (!s.ok() && !s.IsNotFound()) return s;
    const bool holds = c.value ? (s.ok() && value == *c.value) : s.IsNotFound();
    if (!holds) *succeeded = false;  // every compare is still read: all are validated
  }
  for (const Operation& op : *succeeded ? request.success : request.failure) {
    const lsmkv::Status s = op.is_delete ? txn->Delete(op.key) : txn->Put(op.key, op.value);
    if (!s.ok()) return s;
  }
  return txn->Commit();
}

}  // namespace

Reply HandleTxn(lsmkv::DB* db, bool sync, const std::string& content_type, const std::string& body) {
  if (!IsJsonContentType(content_type)) {
    return KvService::Error(415, "Content-Type must be application/json");
  }
  const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return KvService::Error(400, "body is not valid JSON");
  Request request;
  std::string error;
  if (!ParseRequest(j, &request, &error)) return KvService::Error(400, error);
  for (int attempt = 0; attempt < kMaxAttempts; attempt++) {
    bool succeeded = false;
    const lsmkv::Status s = Attempt(db, sync, request, &succeeded);
    if (s.ok()) return JsonReply(200, json{{"succeeded", succeeded}});
    if (s.IsInvalidArgument()) return KvService::Error(400, s.ToString());  // e.g. a key too large
    if (!s.IsBusy()) return KvService::Error(500, s.ToString());
  }
  return KvService::Error(503, "too many conflicting writes; try again");
}

void AddTxnRoute(lsmkv::DB* db, bool sync, size_t max_body_bytes, RouteTable* routes) {
  routes->Post("/txn", [=](const httplib::Request& req, httplib::Response& res,
                           const httplib::ContentReader& content_reader) {
    std::string body;
    bool too_long = false;
    content_reader([&](const char* data, size_t length) {
      if (body.size() + length > max_body_bytes) {
        too_long = true;
        return false;
      }
      body.append(data, length);
      return true;
    });
    const Reply reply = too_long ? KvService::Error(400, "body larger than " + std::to_string(max_body_bytes) + " bytes")
                                 : HandleTxn(db, sync, req.get_header_value("Content-Type"), body);
    res.status = reply.status;
    res.set_content(reply.body, reply.content_type.c_str());
  });
}

}  // namespace kvserver
