// Microbenchmark of WAL appends (framing + CRC + write(2) to the page cache;
// no fdatasync).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "lsmkv/env.h"
#include "wal/log_writer.h"

namespace lsmkv {
namespace {

void BM_WalAppend(benchmark::State& state) {
  Env* env = Env::Default();
  char path[] = "/tmp/lsmkv-micro-wal-XXXXXX";
  const int fd = mkstemp(path);
  if (fd >= 0) close(fd);
  std::unique_ptr<WritableFile> file;
  if (!env->NewWritableFile(path, &file).ok()) {
    state.SkipWithError("cannot create file");
    return;
  }
  log::Writer writer(file.get(), 1);
  const std::string record(state.range(0), 'r');
  for (auto _ : state) {
    if (!writer.AddRecord(record).ok()) state.SkipWithError("append failed");
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
  (void)file->Close();
  (void)env->RemoveFile(path);
}
BENCHMARK(BM_WalAppend)->Arg(128)->Arg(4096);

}  // namespace
}  // namespace lsmkv
