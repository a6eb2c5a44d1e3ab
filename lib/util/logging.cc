#include "util/logging.h"

#include <cstdio>
#include <string>

namespace lsmkv {

Logger::~Logger() = default;

void LogV(Logger* logger, const char* format, va_list ap) {
  if (logger == nullptr) return;
  // Most lines fit the stack buffer; longer ones are formatted again into
  // a string of the right size.
  char stack_buf[512];
  va_list again;
  va_copy(again, ap);
  const int n = std::vsnprintf(stack_buf, sizeof(stack_buf), format, ap);
  if (n < 0) {
    va_end(again);
    return;
  }
  std::string line;
  if (static_cast<size_t>(n) < sizeof(stack_buf)) {
    line.assign(stack_buf, static_cast<size_t>(n));
  } else {
    line.resize(static_cast<size_t>(n) + 1);
    std::vsnprintf(&line[0], line.size(), format, again);
    line.resize(static_cast<size_t>(n));
  }
  va_end(again);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  logger->LogLine(line);
}

void Log(Logger* logger, const char* format, ...) {
  if (logger == nullptr) return;
  va_list ap;
  va_start(ap, format);
  LogV(logger, format, ap);
  va_end(ap);
}

}  // namespace lsmkv
