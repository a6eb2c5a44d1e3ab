// Logger: where the DB writes its human-readable event log (opens and
// recoveries, flushes, compactions, write stalls, background errors,
// checkpoints and backups). Options::info_log selects one; by default the
// DB writes a file "LOG" in its directory (docs/statistics.md, "The info
// log").
//
// Thread safety: implementations must be safe for concurrent use; the DB
// calls LogLine from its foreground and background threads at once.
#ifndef LSMKV_LOGGER_H_
#define LSMKV_LOGGER_H_

#include <cstddef>
#include <memory>
#include <string>

#include "lsmkv/export.h"
#include "lsmkv/slice.h"
#include "lsmkv/status.h"

namespace lsmkv {

class Env;

class LSMKV_EXPORT Logger {
 public:
  Logger() = default;
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;
  virtual ~Logger();

  // One event, without a trailing newline and without a timestamp (the
  // logger adds what it wants; the file logger adds the time and the
  // thread). `line` is valid during the call only. Must not throw.
  virtual void LogLine(const Slice& line) = 0;
};

// The logger the DB uses when Options::info_log is null: appends to
// `fname`, each line prefixed "YYYY/MM/DD-HH:MM:SS.uuuuuu <thread id> "
// (local time). An existing `fname` is first renamed to fname + ".old"
// (replacing it); whenever the file grows past max_file_size bytes it is
// rotated the same way, so at most about 2 * max_file_size bytes of log
// are kept. Write errors are ignored (a log must never fail the DB).
// `env` must outlive the logger.
LSMKV_EXPORT Status NewFileLogger(Env* env, const std::string& fname, size_t max_file_size,
                                  std::shared_ptr<Logger>* result);

}  // namespace lsmkv

#endif  // LSMKV_LOGGER_H_
