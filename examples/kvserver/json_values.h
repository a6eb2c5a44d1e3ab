// What the server's JSON routes (/set, /test, /txn) agree on: which
// Content-Type is JSON, and which bytes a JSON value is stored as.
#ifndef LSMKV_EXAMPLES_KVSERVER_JSON_VALUES_H_
#define LSMKV_EXAMPLES_KVSERVER_JSON_VALUES_H_

#include <nlohmann/json.hpp>

#include <string>

namespace kvserver {

// "Application/JSON ; charset=utf-8" -> true: the media type before any
// parameters, trimmed, compared without regard to case (RFC 9110 8.3.1).
bool IsJsonContentType(const std::string& content_type);

// The bytes stored for a JSON value: a string's own bytes; a number,
// boolean or null as its JSON text (5 -> "5", true -> "true", 1.50 ->
// "1.5"). False, with *error naming `what`, for objects and arrays.
bool ValueBytes(const nlohmann::json& value, const std::string& what, std::string* bytes,
                std::string* error);

}  // namespace kvserver

#endif  // LSMKV_EXAMPLES_KVSERVER_JSON_VALUES_H_
