// Printable form of arbitrary bytes for messages and properties: bytes
// outside printable ASCII, '\\' and '\'' become \xNN.
#ifndef LSMKV_UTIL_ESCAPE_H_
#define LSMKV_UTIL_ESCAPE_H_

#include <cstdio>
#include <string>

#include "lsmkv/slice.h"

namespace lsmkv {

inline std::string EscapeBytes(const Slice& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); i++) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[5];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace lsmkv

#endif  // LSMKV_UTIL_ESCAPE_H_
