#include "format/filename.h"

#include <cstdio>

namespace lsmkv {

namespace {

std::string NumberedName(const std::string& dir, uint64_t number, const char* suffix) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "/%06llu%s", static_cast<unsigned long long>(number), suffix);
  return dir + buf;
}

// Parses a decimal number filling all of `digits`; false on overflow or junk.
bool ParseNumber(Slice digits, uint64_t* number) {
  if (digits.empty() || digits.size() > 20) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < digits.size(); i++) {
    const char c = digits[i];
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *number = v;
  return true;
}

bool EndsWith(const Slice& s, const Slice& suffix) {
  return s.size() >= suffix.size() &&
         Slice(s.data() + s.size() - suffix.size(), suffix.size()) == suffix;
}

}  // namespace

std::string LogFileName(const std::string& dir, uint64_t number) {
  return NumberedName(dir, number, ".log");
}
std::string TableFileName(const std::string& dir, uint64_t number) {
  return NumberedName(dir, number, ".sst");
}
std::string TableTempFileName(const std::string& dir, uint64_t number) {
  return NumberedName(dir, number, ".sst.tmp");
}
std::string DescriptorFileName(const std::string& dir, uint64_t number) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "/MANIFEST-%06llu", static_cast<unsigned long long>(number));
  return dir + buf;
}
std::string CurrentFileName(const std::string& dir) { return dir + "/CURRENT"; }
std::string CurrentTempFileName(const std::string& dir) { return dir + "/CURRENT.tmp"; }
std::string LockFileName(const std::string& dir) { return dir + "/LOCK"; }
std::string InfoLogFileName(const std::string& dir) { return dir + "/LOG"; }
std::string OldInfoLogFileName(const std::string& dir) { return dir + "/LOG.old"; }

bool ParseFileName(const std::string& name, uint64_t* number, FileType* type) {
  const Slice s(name);
  *number = 0;
  if (s == "CURRENT") {
    *type = FileType::kCurrentFile;
    return true;
  }
  if (s == "CURRENT.tmp") {
    *type = FileType::kCurrentTempFile;
    return true;
  }
  if (s == "LOCK") {
    *type = FileType::kLockFile;
    return true;
  }
  if (s == "LOG" || s == "LOG.old") {
    *type = FileType::kInfoLogFile;
    return true;
  }
  const Slice manifest_prefix("MANIFEST-");
  if (s.starts_with(manifest_prefix)) {
    *type = FileType::kDescriptorFile;
    return ParseNumber(Slice(s.data() + manifest_prefix.size(), s.size() - manifest_prefix.size()),
                       number);
  }
  struct Suffix {
    const char* text;
    FileType type;
  };
  // ".sst.tmp" before ".sst" would not matter (".sst" does not match it), but
  // keep the longest first for clarity.
  static const Suffix kSuffixes[] = {{".sst.tmp", FileType::kTableTempFile},
                                     {".sst", FileType::kTableFile},
                                     {".log", FileType::kLogFile}};
  for (const Suffix& suffix : kSuffixes) {
    const Slice sfx(suffix.text);
    if (EndsWith(s, sfx)) {
      *type = suffix.type;
      return ParseNumber(Slice(s.data(), s.size() - sfx.size()), number);
    }
  }
  return false;
}

}  // namespace lsmkv
