// KvService: what the HTTP key-value server does, apart from HTTP. Each
// method takes the request's parts and returns the whole reply, so the
// routing in main.cc stays a thin table.
//
// Thread safety: thread-safe (the DB is; the service holds no other state).
#ifndef LSMKV_EXAMPLES_KVSERVER_KV_SERVICE_H_
#define LSMKV_EXAMPLES_KVSERVER_KV_SERVICE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lsmkv/db.h"

namespace kvserver {

struct Reply {
  Reply() = default;
  Reply(int status_code, std::string type, std::string reply_body)
      : status(status_code), content_type(std::move(type)), body(std::move(reply_body)) {}

  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra response headers
};

// Parameters of GET /scan (absent parameters are nullopt).
struct ScanRequest {
  std::optional<std::string> start, end, limit, encoding, cursor;
};

class KvService {
 public:
  // db must outlive the service. sync: every write is fsynced before its
  // reply. max_body_bytes: larger POST bodies are refused.
  KvService(lsmkv::DB* db, bool sync, size_t max_body_bytes)
      : db_(db), sync_(sync), max_body_bytes_(max_body_bytes) {}

  size_t max_body_bytes() const { return max_body_bytes_; }

  // GET /get?key=K: 200 with the raw value, 404 if absent.
  Reply Get(const std::optional<std::string>& key) const;
  // POST /set (and /test): a JSON {"key": K, "value": V}, an array of
  // those, or an object of K: V pairs, written as one atomic batch. Keys
  // are strings; a value is a string (stored as its bytes) or a number,
  // true, false or null (stored as its JSON text: 5 -> "5", true -> "true",
  // null -> "null", 1.50 -> "1.5"); objects and arrays are refused.
  // Content-Type must be application/json (any case, parameters allowed).
  // 200 {"written": N}; 400 for bad JSON or shape, nothing written.
  Reply Set(const std::string& content_type, const std::string& body) const;
  // DELETE /del?key=K: 200 whether or not the key existed.
  Reply Delete(const std::optional<std::string>& key) const;
  // GET /scan?start=&end=&limit=&encoding=&cursor=: a JSON array of
  // {"key", "value"} for keys in [start, end), at most limit (default 100,
  // at most 10000). encoding=hex: start and end are given in hex, keys and
  // values are returned in hex (lower case); default utf8 (bytes that are
  // not UTF-8 become U+FFFD). When entries remain past the limit, the
  // reply has a header "X-Next-Cursor: C"; the same request with cursor=C
  // returns the next page (C is opaque; it survives writes in between).
  Reply Scan(const ScanRequest& request) const;
  // GET /stats: lsmkv.stats as text.
  Reply Stats() const;
  // GET /health: 200 {"status": "ok"}.
  Reply Health() const;

  // A JSON error reply: {"error": message}.
  static Reply Error(int status, const std::string& message);

 private:
  lsmkv::DB* const db_;
  const bool sync_;
  const size_t max_body_bytes_;
};

}  // namespace kvserver

#endif  // LSMKV_EXAMPLES_KVSERVER_KV_SERVICE_H_
