// Microbenchmarks of the memtable: insert, and Get on a filled table.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "memtable/memtable.h"
#include "memtable/memtable_filter.h"
#include "memtable/skiplist.h"
#include "util/random.h"

namespace lsmkv {
namespace {

std::string Key(uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%016llu", static_cast<unsigned long long>(i));
  return buf;
}

void BM_MemTableInsertRandom(benchmark::State& state) {
  InternalKeyComparator cmp(BytewiseComparator());
  const std::string value(100, 'v');
  for (auto _ : state) {
    state.PauseTiming();
    MemTable mem(&cmp);
    Random rnd(42);
    state.ResumeTiming();
    for (int i = 0; i < 100000; i++) mem.Add(i + 1, kTypeValue, Key(rnd.Uniform(1000000)), value);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * 100000);
}
BENCHMARK(BM_MemTableInsertRandom)->Unit(benchmark::kMillisecond);

// One memtable of a batched sorted fill (bench fillbatch): ~27,000 sorted
// keys with 100-byte values into a memtable with the bloom filter the DB
// gives a 4 MiB write buffer (4 Mi / 8 bits). Keys are made outside the
// timed loop.
constexpr int kFillKeys = 27000;
constexpr size_t kFillFilterBits = (size_t{4} << 20) / 8;

void BM_MemTableInsertSortedWithFilter(benchmark::State& state) {
  InternalKeyComparator cmp(BytewiseComparator());
  const std::string value(100, 'v');
  std::vector<std::string> keys;
  for (int i = 0; i < kFillKeys; i++) keys.push_back(Key(static_cast<uint64_t>(i) * 37));
  for (auto _ : state) {
    state.PauseTiming();
    auto mem = std::make_unique<MemTable>(&cmp, kFillFilterBits);
    state.ResumeTiming();
    for (int i = 0; i < kFillKeys; i++) mem->Add(static_cast<SequenceNumber>(i + 1), kTypeValue, keys[i], value);
    state.PauseTiming();
    mem.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * kFillKeys);
}
BENCHMARK(BM_MemTableInsertSortedWithFilter)->Unit(benchmark::kMicrosecond);

void BM_MemTableFilterAdd(benchmark::State& state) {
  std::vector<std::string> keys;
  for (int i = 0; i < kFillKeys; i++) keys.push_back(Key(static_cast<uint64_t>(i) * 37));
  for (auto _ : state) {
    state.PauseTiming();
    auto filter = std::make_unique<MemTableFilter>(kFillFilterBits);
    state.ResumeTiming();
    for (const std::string& k : keys) filter->Add(k);
    benchmark::DoNotOptimize(filter->MayContain(keys[0]));
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * kFillKeys);
}
BENCHMARK(BM_MemTableFilterAdd)->Unit(benchmark::kMicrosecond);

void BM_MemTableGet(benchmark::State& state) {
  InternalKeyComparator cmp(BytewiseComparator());
  MemTable mem(&cmp);
  const std::string value(100, 'v');
  constexpr int kN = 200000;
  for (int i = 0; i < kN; i++) mem.Add(i + 1, kTypeValue, Key(i), value);
  Random rnd(7);
  std::string out;
  Status s;
  for (auto _ : state) {
    const LookupKey lk(Key(rnd.Uniform(kN)), kN + 1);
    benchmark::DoNotOptimize(mem.Get(lk, &out, &s));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MemTableGet);

struct U64Cmp {
  int operator()(uint64_t a, uint64_t b) const { return a < b ? -1 : (a > b ? 1 : 0); }
};

void BM_SkipListInsert(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    Arena arena;
    SkipList<uint64_t, U64Cmp> list(U64Cmp(), &arena);
    Random rnd(3);
    state.ResumeTiming();
    for (int i = 0; i < 100000; i++) list.Insert(rnd.Next64());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * 100000);
}
BENCHMARK(BM_SkipListInsert)->Unit(benchmark::kMillisecond);

void BM_SkipListContains(benchmark::State& state) {
  Arena arena;
  SkipList<uint64_t, U64Cmp> list(U64Cmp(), &arena);
  for (uint64_t i = 0; i < 200000; i++) list.Insert(i * 2);
  Random rnd(4);
  for (auto _ : state) benchmark::DoNotOptimize(list.Contains(rnd.Uniform(400000)));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SkipListContains);

}  // namespace
}  // namespace lsmkv
