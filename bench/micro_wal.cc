// Microbenchmark of WAL appends (framing + CRC + the append to the page
// cache; no fdatasync), per WAL write mode and record size: the mapped
// file (kAuto) against write(2) (kWrite). Each iteration appends one
// record; a file is rolled every 4 MiB, as a write buffer of the default
// size rolls its WAL, so the cost of creating, reserving and closing
// files is counted.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "lsmkv/env.h"
#include "wal/log_writer.h"

namespace lsmkv {
namespace {

constexpr uint64_t kRollBytes = 4 << 20;

void BM_WalAppend(benchmark::State& state) {
  Env* env = Env::Default();
  const WalWriteMode mode = state.range(0) == 0 ? WalWriteMode::kAuto : WalWriteMode::kWrite;
  char dir[] = "/tmp/lsmkv-micro-wal-XXXXXX";
  if (mkdtemp(dir) == nullptr) {
    state.SkipWithError("cannot create a directory");
    return;
  }
  const std::string path = std::string(dir) + "/000001.log";
  const std::string record(state.range(1), 'r');
  std::unique_ptr<WritableFile> file;
  std::unique_ptr<log::Writer> writer;
  const auto roll = [&]() -> bool {
    if (file != nullptr && !file->Close().ok()) return false;
    writer.reset();
    file.reset();
    (void)env->RemoveFile(path);
    if (!env->NewLogFile(path, mode, &file).ok()) return false;
    writer = std::make_unique<log::Writer>(file.get(), 1);
    return true;
  };
  if (!roll()) {
    state.SkipWithError("cannot create the log file");
    return;
  }
  for (auto _ : state) {
    if (!writer->AddRecord(record).ok()) {
      state.SkipWithError("append failed");
      break;
    }
    if (writer->size() >= kRollBytes && !roll()) {
      state.SkipWithError("cannot roll the log file");
      break;
    }
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * state.range(1));
  state.SetLabel(mode == WalWriteMode::kAuto ? "mapped" : "write(2)");
  if (file != nullptr) (void)file->Close();
  (void)env->RemoveFile(path);
  (void)env->RemoveDir(dir);
}
// range(0): 0 mapped (kAuto), 1 write(2); range(1): record bytes (a write
// group: one 130-byte put up to a 1,000-entry batch).
BENCHMARK(BM_WalAppend)->ArgsProduct({{0, 1}, {128, 256, 512, 1024, 4096, 16384, 131072}});

}  // namespace
}  // namespace lsmkv
