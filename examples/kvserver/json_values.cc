#include "json_values.h"

#include <algorithm>
#include <cctype>

namespace kvserver {

bool IsJsonContentType(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  type.erase(type.begin(), std::find_if(type.begin(), type.end(), not_space));
  type.erase(std::find_if(type.rbegin(), type.rend(), not_space).base(), type.end());
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type == "application/json";
}

bool ValueBytes(const nlohmann::json& value, const std::string& what, std::string* bytes,
                std::string* error) {
  if (value.is_string()) {
    *bytes = value.get_ref<const std::string&>();
    return true;
  }
  if (value.is_number() || value.is_boolean() || value.is_null()) {
    *bytes = value.dump();
    return true;
  }
  *error = what + " must be a string, number, boolean or null";
  return false;
}

}  // namespace kvserver
