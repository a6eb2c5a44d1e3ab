// SlowTablesEnv: an Env whose table-file creation takes a while, to make
// flushes and compactions slow enough for tests about stalls and overlap.
#ifndef LSMKV_TESTS_SUPPORT_SLOW_TABLES_ENV_H_
#define LSMKV_TESTS_SUPPORT_SLOW_TABLES_ENV_H_

#include <memory>
#include <string>

#include "lsmkv/env.h"

namespace lsmkv {

class SlowTablesEnv final : public EnvWrapper {
 public:
  // Creating a file whose name contains ".sst" sleeps delay_micros first.
  SlowTablesEnv(Env* base, int delay_micros) : EnvWrapper(base), delay_micros_(delay_micros) {}

  Status NewWritableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override {
    if (f.find(".sst") != std::string::npos) SleepForMicroseconds(delay_micros_);
    return target()->NewWritableFile(f, r);
  }

 private:
  const int delay_micros_;
};

}  // namespace lsmkv

#endif  // LSMKV_TESTS_SUPPORT_SLOW_TABLES_ENV_H_
