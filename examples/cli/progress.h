// TerminalProgress: one self-overwriting status line on a terminal for long
// commands (verify, compact, repair):
//   verify: 12.0 MiB of 40.0 MiB (30%), 5.1 MiB/s, 6 s left
// Nothing at all when stdout is not a terminal (scripts, pipes, files).
#ifndef LSMKV_EXAMPLES_CLI_PROGRESS_H_
#define LSMKV_EXAMPLES_CLI_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "lsmkv/options.h"

namespace lsmkv::cli {

class TerminalProgress {
 public:
  // what: the line's prefix ("verify"); unit: "bytes" (printed as KiB,
  // MiB, ...) or a noun for counted things ("files", "steps").
  // enabled: draw at all; the default asks whether stdout is a terminal.
  TerminalProgress(std::string what, std::string unit, bool enabled = StdoutIsTerminal());
  TerminalProgress(const TerminalProgress&) = delete;
  TerminalProgress& operator=(const TerminalProgress&) = delete;
  // Ends the line if one was drawn.
  ~TerminalProgress();

  // For VerifyOptions/CompactOptions/RepairOptions::progress; valid while
  // this object lives.
  ProgressCallback Callback();

  // The line for a state, without drawing it (for tests): "what: D of T
  // (P%), R/s, S s left".
  std::string Line(uint64_t done, uint64_t total, double seconds) const;

  static bool StdoutIsTerminal();

 private:
  void Update(uint64_t done, uint64_t total);
  std::string Amount(double amount) const;

  const std::string what_, unit_;
  const bool enabled_;
  const std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
  size_t last_width_ = 0;
};

}  // namespace lsmkv::cli

#endif  // LSMKV_EXAMPLES_CLI_PROGRESS_H_
