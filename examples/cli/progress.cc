#include "progress.h"

#include <unistd.h>

#include <cstdio>

namespace lsmkv::cli {

namespace {
// Redraws at most this often (the final state is always drawn).
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);
}  // namespace

TerminalProgress::TerminalProgress(std::string what, std::string unit, bool enabled)
    : what_(std::move(what)),
      unit_(std::move(unit)),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()) {}

TerminalProgress::~TerminalProgress() {
  if (drawn_) {
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }
}

bool TerminalProgress::StdoutIsTerminal() { return isatty(STDOUT_FILENO) == 1; }

ProgressCallback TerminalProgress::Callback() {
  if (!enabled_) return ProgressCallback();
  return [this](uint64_t done, uint64_t total) { Update(done, total); };
}

std::string TerminalProgress::Amount(double amount) const {
  char buf[64];
  if (unit_ != "bytes") {
    std::snprintf(buf, sizeof buf, "%.0f", amount);
    return buf;
  }
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (amount >= 1024 && u < 4) {
    amount /= 1024;
    u++;
  }
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", amount, kUnits[u]);
  return buf;
}

std::string TerminalProgress::Line(uint64_t done, uint64_t total, double seconds) const {
  std::string line = what_ + ": " + Amount(static_cast<double>(done)) + " of " +
                     Amount(static_cast<double>(total));
  if (unit_ != "bytes") line += " " + unit_;
  char buf[96];
  const double fraction = total == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total);
  std::snprintf(buf, sizeof buf, " (%.0f%%)", fraction * 100);
  line += buf;
  if (seconds > 0 && done > 0) {
    const double rate = static_cast<double>(done) / seconds;
    line += ", " + Amount(rate) + (unit_ == "bytes" ? "/s" : " " + unit_ + "/s");
    if (done < total) {
      std::snprintf(buf, sizeof buf, ", %.0f s left",
                    static_cast<double>(total - done) / rate);
      line += buf;
    }
  }
  return line;
}

void TerminalProgress::Update(uint64_t done, uint64_t total) {
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && done < total && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  const std::string line =
      Line(done, total, std::chrono::duration<double>(now - start_).count());
  // \r back to the start; pad over a longer previous line.
  std::printf("\r%s%*s", line.c_str(),
              static_cast<int>(last_width_ > line.size() ? last_width_ - line.size() : 0), "");
  std::fflush(stdout);
  last_width_ = line.size();
  drawn_ = true;
}

}  // namespace lsmkv::cli
