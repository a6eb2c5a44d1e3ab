// Standard base64 (RFC 4648, with '=' padding), as etcd's JSON gateway
// spells keys and values.
#ifndef LSMKV_EXAMPLES_KVSERVER_CLUSTER_BASE64_H_
#define LSMKV_EXAMPLES_KVSERVER_CLUSTER_BASE64_H_

#include <string>

namespace kvcluster {

std::string Base64Encode(const std::string& bytes);
// False (and *bytes unspecified) for text that is not padded
// base64.
bool Base64Decode(const std::string& text, std::string* bytes);

}  // namespace kvcluster

#endif  // LSMKV_EXAMPLES_KVSERVER_CLUSTER_BASE64_H_
