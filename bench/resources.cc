#include "resources.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <bitset>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace lsmkv_bench {

void LiveKeys::Reset(uint64_t n) {
  num_words_ = (n + 63) / 64;
  words_ = std::make_unique<std::atomic<uint64_t>[]>(num_words_);
  for (uint64_t i = 0; i < num_words_; i++) words_[i].store(0, std::memory_order_relaxed);
}

uint64_t LiveKeys::Count() const {
  uint64_t count = 0;
  for (uint64_t i = 0; i < num_words_; i++) {
    count += std::bitset<64>(words_[i].load(std::memory_order_relaxed)).count();
  }
  return count;
}

int64_t DiskBytes(const std::string& dir) {
  std::error_code ec;
  int64_t total = 0;
  for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    struct stat st;
    // A file a background compaction deletes meanwhile is simply not counted.
    if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      total += static_cast<int64_t>(st.st_blocks) * 512;
    }
  }
  return ec ? -1 : total;
}

namespace {

// A "VmRSS:" or "VmHWM:" line of /proc/self/status, in MiB; -1 if absent.
double StatusMiB(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t len = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, len, field) == 0) return std::strtod(line.c_str() + len, nullptr) / 1024.0;
  }
  return -1;
}

bool ResetPeak() {
  std::FILE* f = std::fopen("/proc/self/clear_refs", "w");
  if (f == nullptr) return false;
  const bool written = std::fputs("5", f) >= 0;  // 5: reset the peak RSS
  return std::fclose(f) == 0 && written;
}

}  // namespace

RssMeter::RssMeter() : can_reset_(ResetPeak() && StatusMiB("VmHWM:") >= 0) {}

const char* RssMeter::Method() const {
  return can_reset_ ? "VmHWM reset per run" : "ru_maxrss (process lifetime)";
}

void RssMeter::StartRun() {
  if (can_reset_) (void)ResetPeak();
  start_mib_ = StatusMiB("VmRSS:");
}

double RssMeter::AnonMiB() { return StatusMiB("RssAnon:"); }
double RssMeter::FileMiB() { return StatusMiB("RssFile:"); }

double RssMeter::PeakMiB() const {
  if (can_reset_) return StatusMiB("VmHWM:");
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

}  // namespace lsmkv_bench
