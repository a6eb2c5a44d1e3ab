// Microbenchmarks of the low-level helpers: CRC32C, varints, XXH3.
#include <benchmark/benchmark.h>

#include <string>

#include "util/coding.h"
#include "util/crc32c.h"
#include "util/hash.h"
#include "util/random.h"

namespace lsmkv {
namespace {

void BM_Crc32c(benchmark::State& state) {
  const std::string data(state.range(0), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(crc32c::Value(data.data(), data.size()));
  state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Crc32c)->Arg(64)->Arg(4096)->Arg(1 << 20);

void BM_Crc32cPortable(benchmark::State& state) {
  const std::string data(state.range(0), 'x');
  for (auto _ : state) {
    benchmark::DoNotOptimize(crc32c::ExtendPortable(0, data.data(), data.size()));
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Crc32cPortable)->Arg(4096);

void BM_Hash64(benchmark::State& state) {
  const std::string data(state.range(0), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(Hash64(data.data(), data.size()));
  state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Hash64)->Arg(16)->Arg(4096);

void BM_VarintRoundTrip(benchmark::State& state) {
  Random rnd(1);
  std::string buf;
  for (int i = 0; i < 1000; i++) PutVarint64(&buf, rnd.Next64() >> rnd.Uniform(64));
  for (auto _ : state) {
    Slice in(buf);
    uint64_t v, sum = 0;
    while (GetVarint64(&in, &v)) sum += v;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * 1000);
}
BENCHMARK(BM_VarintRoundTrip);

}  // namespace
}  // namespace lsmkv
