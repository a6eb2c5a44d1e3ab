// Log: printf-style lines to an info log (lsmkv/logger.h). The one call
// every layer uses for events worth keeping (flushes, compactions, stalls,
// errors, checkpoints, backups):
//
//   Log(info_log, "checkpoint: %s at sequence %" PRIu64, dir.c_str(), seq);
//
// A null logger makes it a no-op. Meant for background events and Open,
// never for a per-read or per-write path: formatting costs a few
// microseconds and the file logger takes a mutex and writes.
#ifndef LSMKV_UTIL_LOGGING_H_
#define LSMKV_UTIL_LOGGING_H_

#include <cstdarg>

#include "lsmkv/logger.h"

namespace lsmkv {

#if defined(__GNUC__)
#define LSMKV_PRINTF_FORMAT(fmt_index, args_index) \
  __attribute__((format(printf, fmt_index, args_index)))
#else
#define LSMKV_PRINTF_FORMAT(fmt_index, args_index)
#endif

// Formats one line and hands it to logger->LogLine. Newlines in the result
// are replaced by spaces so one call is one line.
void Log(Logger* logger, const char* format, ...) LSMKV_PRINTF_FORMAT(2, 3);
void LogV(Logger* logger, const char* format, va_list ap);

}  // namespace lsmkv

#endif  // LSMKV_UTIL_LOGGING_H_
