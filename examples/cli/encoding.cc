// How the CLI spells bytes: escaped text or hex (see cli.h).
#include <cstdio>

#include "cli.h"

namespace lsmkv::cli {

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool DecodeHex(const std::string& text, std::string* bytes) {
  if (text.size() % 2 != 0) return false;
  bytes->clear();
  for (size_t i = 0; i < text.size(); i += 2) {
    const int hi = HexDigit(text[i]), lo = HexDigit(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    bytes->push_back(static_cast<char>(hi << 4 | lo));
  }
  return true;
}

bool Unescape(const std::string& text, std::string* bytes) {
  bytes->clear();
  for (size_t i = 0; i < text.size(); i++) {
    if (text[i] != '\\') {
      bytes->push_back(text[i]);
      continue;
    }
    if (++i == text.size()) return false;  // a lone trailing backslash
    switch (text[i]) {
      case '\\': bytes->push_back('\\'); break;
      case 'n': bytes->push_back('\n'); break;
      case 't': bytes->push_back('\t'); break;
      case '0': bytes->push_back('\0'); break;
      case 'x': {
        if (i + 2 >= text.size()) return false;  // needs two digits after 'x'
        const int hi = HexDigit(text[i + 1]), lo = HexDigit(text[i + 2]);
        if (hi < 0 || lo < 0) return false;
        bytes->push_back(static_cast<char>(hi << 4 | lo));
        i += 2;
        break;
      }
      default: return false;
    }
  }
  return true;
}

}  // namespace

std::string Encode(const CommandLine& cl, const Slice& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  if (!cl.hex) {
    // Space is escaped too, so an encoded string is one word (batch input).
    for (size_t i = 0; i < bytes.size(); i++) {
      const unsigned char c = static_cast<unsigned char>(bytes[i]);
      if (c > 0x20 && c < 0x7f && c != '\\') {
        out.push_back(static_cast<char>(c));
      } else {
        out += "\\x";
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 15]);
      }
    }
    return out;
  }
  out.reserve(bytes.size() * 2);
  for (size_t i = 0; i < bytes.size(); i++) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

bool Decode(const CommandLine& cl, const std::string& text, std::string* bytes) {
  return cl.hex ? DecodeHex(text, bytes) : Unescape(text, bytes);
}

int Fail(const std::string& what, const Status& s) {
  std::fprintf(stderr, "lsmkv: %s: %s\n", what.c_str(), s.ToString().c_str());
  return kExitFailed;
}

int UsageError(const std::string& message) {
  std::fprintf(stderr, "lsmkv: %s\n(run `lsmkv help` for usage)\n", message.c_str());
  return kExitUsage;
}

}  // namespace lsmkv::cli
