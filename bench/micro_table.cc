// Microbenchmarks of table pieces: bloom filter build and probe, block
// build, seek and scan (both directions), block compression and decoding per codec, block cache
// lookup.
#include <benchmark/benchmark.h>
#include <lz4.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "table/block.h"
#include "table/block_builder.h"
#include "table/format.h"
#include "format/dbformat.h"
#include "util/bloom.h"
#include "util/cache.h"
#include "util/coding.h"
#include "util/random.h"

namespace lsmkv {
namespace {

std::string Key(uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%016llu", static_cast<unsigned long long>(i));
  return buf;
}

void BM_BloomBuild(benchmark::State& state) {
  std::vector<std::string> keys;
  for (int i = 0; i < 10000; i++) keys.push_back(Key(i));
  for (auto _ : state) {
    BloomFilterBuilder b(10);
    for (const auto& k : keys) b.AddKey(k);
    benchmark::DoNotOptimize(b.Finish());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * 10000);
}
BENCHMARK(BM_BloomBuild);

void BM_BloomProbe(benchmark::State& state) {
  BloomFilterBuilder b(10);
  for (int i = 0; i < 100000; i++) b.AddKey(Key(i));
  const std::string filter = b.Finish();
  std::vector<std::string> probes;
  for (int i = 0; i < 1024; i++) probes.push_back(Key(i * 977 + (state.range(0) ? 0 : 1000000)));
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(BloomFilterMayMatch(filter, probes[i++ & 1023]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BloomProbe)->Arg(1)->Arg(0);  // 1: present keys, 0: absent keys

std::shared_ptr<const Block> MakeBlock(int entries) {
  BlockBuilder builder;
  const std::string value(100, 'v');
  for (int i = 0; i < entries; i++) builder.Add(Key(i), value);
  return std::make_shared<const Block>(builder.Finish().ToString());
}

void BM_BlockBuild(benchmark::State& state) {
  const std::string value(100, 'v');
  BlockBuilder builder;
  for (auto _ : state) {
    builder.Reset();
    for (int i = 0; i < 32; i++) builder.Add(Key(i), value);
    benchmark::DoNotOptimize(builder.Finish());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * 32);
}
BENCHMARK(BM_BlockBuild);

void BM_BlockSeek(benchmark::State& state) {
  auto block = MakeBlock(32);  // a ~4 KiB block
  auto it = Block::NewIterator(block, BytewiseComparator());
  Random rnd(1);
  std::vector<std::string> targets;
  for (int i = 0; i < 1024; i++) targets.push_back(Key(rnd.Uniform(32)));
  size_t i = 0;
  for (auto _ : state) {
    it->Seek(targets[i++ & 1023]);
    benchmark::DoNotOptimize(it->Valid());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BlockSeek);

// A whole ~4 KiB block (32 entries, restart interval 16) scanned forward
// (Arg 0) or backward (Arg 1). Prev steps back through the entries of the
// restart interval decoded once, so the two directions cost about the same
// (before, each Prev re-parsed its interval from the restart point).
void BM_BlockScan(benchmark::State& state) {
  auto block = MakeBlock(32);
  auto it = Block::NewIterator(block, BytewiseComparator());
  const bool reverse = state.range(0) != 0;
  int64_t entries = 0;
  for (auto _ : state) {
    if (reverse) {
      for (it->SeekToLast(); it->Valid(); it->Prev()) entries++;
    } else {
      for (it->SeekToFirst(); it->Valid(); it->Next()) entries++;
    }
    benchmark::DoNotOptimize(entries);
  }
  state.SetItemsProcessed(entries);
}
BENCHMARK(BM_BlockScan)->Arg(0)->Arg(1);

// A ~4 KiB data block like db_bench's: sequential 16-byte keys with their
// internal-key trailer, 100-byte values of which the second half repeats
// the first (~50% compressible).
std::string BenchLikeBlock(uint64_t first_key) {
  Random rnd(first_key + 1);
  BlockBuilder builder;
  for (uint64_t k = first_key; builder.CurrentSizeEstimate() < 4096; k++) {
    std::string key;
    AppendInternalKey(&key, Key(k), 1000 + k, kTypeValue);
    std::string value(100, '\0');
    for (int i = 0; i < 50; i++) value[i] = static_cast<char>(' ' + rnd.Uniform(95));
    for (int i = 50; i < 100; i++) value[i] = value[i - 50];
    builder.Add(key, value);
  }
  return builder.Finish().ToString();
}

// A ~4 KiB block of text records, for a second opinion on codec choices
// that the synthetic bench data might flatter: JSON-like values drawn from
// small vocabularies with random numbers, as an application might store.
int Int(uint64_t small) { return static_cast<int>(small); }

std::string RecordLikeBlock(uint64_t first_key) {
  static const char* const kNames[] = {"alice", "bob", "carol", "dave", "erin", "frank", "grace",
                                       "heidi", "ivan", "judy", "mallory", "oscar"};
  static const char* const kCities[] = {"Berlin", "Lisbon", "Osaka", "Quito", "Nairobi", "Oslo",
                                        "Perth", "Toronto"};
  static const char* const kStates[] = {"active", "suspended", "pending", "closed"};
  Random rnd(first_key + 7);
  BlockBuilder builder;
  for (uint64_t k = first_key; builder.CurrentSizeEstimate() < 4096; k++) {
    std::string key;
    AppendInternalKey(&key, "user:" + Key(k), 1000 + k, kTypeValue);
    char value[256];
    std::snprintf(value, sizeof(value),
                  "{\"name\":\"%s %s\",\"city\":\"%s\",\"state\":\"%s\",\"visits\":%d,"
                  "\"balance\":%d.%02d,\"last_login\":\"2026-%02d-%02dT%02d:%02d:%02dZ\"}",
                  kNames[rnd.Uniform(12)], kNames[rnd.Uniform(12)], kCities[rnd.Uniform(8)],
                  kStates[rnd.Uniform(4)], Int(rnd.Uniform(100000)), Int(rnd.Uniform(1000000)),
                  Int(rnd.Uniform(100)), Int(1 + rnd.Uniform(12)), Int(1 + rnd.Uniform(28)),
                  Int(rnd.Uniform(24)), Int(rnd.Uniform(60)), Int(rnd.Uniform(60)));
    builder.Add(key, value);
  }
  return builder.Finish().ToString();
}

// The 64 blocks a codec benchmark cycles through; kind 0: bench-like,
// 1: record-like.
std::vector<std::string> TestBlocks(int64_t kind) {
  std::vector<std::string> blocks;
  for (int b = 0; b < 64; b++) {
    blocks.push_back(kind == 0 ? BenchLikeBlock(b * 1000) : RecordLikeBlock(b * 1000));
  }
  return blocks;
}

// Args: the codec (CompressionType: 1 = zstd at level -1, 3 = LZ4 at
// kLz4Acceleration), the blocks (TestBlocks). Through the table code
// (MaybeCompress, DecodeBlock), as flushes and reads run them.
void BM_BlockCompress(benchmark::State& state) {
  const auto codec = static_cast<CompressionType>(state.range(0));
  const std::vector<std::string> blocks = TestBlocks(state.range(1));
  std::string scratch;
  size_t i = 0, raw = 0, stored = 0;
  for (auto _ : state) {
    CompressionType type;
    const std::string& block = blocks[i++ & 63];
    const Slice out = MaybeCompress(block, codec, -1, &scratch, &type);
    if (type != codec) state.SkipWithError("block not compressed");
    raw += block.size();
    stored += out.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(raw));
  state.counters["ratio"] = raw == 0 ? 0 : static_cast<double>(stored) / static_cast<double>(raw);
}
BENCHMARK(BM_BlockCompress)->ArgsProduct({{kZstdCompression, kLz4Compression}, {0, 1}});

void BM_BlockDecode(benchmark::State& state) {
  const auto codec = static_cast<CompressionType>(state.range(0));
  std::vector<std::string> stored;
  size_t raw = 0;
  for (const std::string& block : TestBlocks(state.range(1))) {
    std::string scratch;
    CompressionType type;
    stored.push_back(MaybeCompress(block, codec, -1, &scratch, &type).ToString());
    if (type != codec) state.SkipWithError("block not compressed");
    raw += block.size();
  }
  size_t i = 0;
  for (auto _ : state) {
    BlockContents contents;
    const char* error = DecodeBlock(stored[i++ & 63], codec, &contents);
    if (error != nullptr) state.SkipWithError(error);
    benchmark::DoNotOptimize(contents.buf.get());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * (raw / 64)));
}
BENCHMARK(BM_BlockDecode)->ArgsProduct({{kZstdCompression, kLz4Compression}, {0, 1}});

// LZ4 on the same blocks straight through liblz4 (stored form: varint32
// raw size, then an LZ4 block) at acceleration state.range(0), blocks
// state.range(1) (TestBlocks): the measurement behind kLz4Acceleration.
void BM_BlockCompressLz4(benchmark::State& state) {
  const int acceleration = static_cast<int>(state.range(0));
  const std::vector<std::string> blocks = TestBlocks(state.range(1));
  std::string scratch;
  size_t i = 0, raw = 0, stored = 0;
  for (auto _ : state) {
    const std::string& block = blocks[i++ & 63];
    scratch.clear();
    PutVarint32(&scratch, static_cast<uint32_t>(block.size()));
    const size_t header = scratch.size();
    const int bound = LZ4_compressBound(static_cast<int>(block.size()));
    scratch.resize(header + static_cast<size_t>(bound));
    const int n = LZ4_compress_fast(block.data(), &scratch[header], static_cast<int>(block.size()),
                                    bound, acceleration);
    if (n <= 0) state.SkipWithError("lz4 failed");
    scratch.resize(header + static_cast<size_t>(n));
    raw += block.size();
    stored += scratch.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(raw));
  state.counters["ratio"] = raw == 0 ? 0 : static_cast<double>(stored) / static_cast<double>(raw);
}
BENCHMARK(BM_BlockCompressLz4)->ArgsProduct({{1, 2, 4, 8}, {0, 1}});

void BM_BlockDecodeLz4(benchmark::State& state) {
  const int acceleration = static_cast<int>(state.range(0));
  std::vector<std::string> stored;
  size_t raw = 0;
  for (const std::string& block : TestBlocks(state.range(1))) {
    std::string out;
    PutVarint32(&out, static_cast<uint32_t>(block.size()));
    const size_t header = out.size();
    const int bound = LZ4_compressBound(static_cast<int>(block.size()));
    out.resize(header + static_cast<size_t>(bound));
    const int n = LZ4_compress_fast(block.data(), &out[header], static_cast<int>(block.size()), bound,
                                    acceleration);
    out.resize(header + static_cast<size_t>(n));
    stored.push_back(out);
    raw += block.size();
  }
  size_t i = 0;
  for (auto _ : state) {
    Slice in(stored[i++ & 63]);
    uint32_t size = 0;
    if (!GetVarint32(&in, &size)) state.SkipWithError("bad size");
    std::unique_ptr<char[]> buf(new char[size]);
    const int got = LZ4_decompress_safe(in.data(), buf.get(), static_cast<int>(in.size()),
                                        static_cast<int>(size));
    if (got != static_cast<int>(size)) state.SkipWithError("lz4 decode failed");
    benchmark::DoNotOptimize(buf.get());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * (raw / 64)));
}
BENCHMARK(BM_BlockDecodeLz4)->ArgsProduct({{1, 2, 4, 8}, {0, 1}});

void BM_CacheLookup(benchmark::State& state) {
  ShardedLRUCache cache(64 << 20);
  for (uint64_t i = 0; i < 10000; i++) cache.Insert({i, i * 4096}, std::make_shared<int>(1), 4096);
  Random rnd(2);
  uint64_t i = 0;
  for (auto _ : state) {
    const uint64_t k = (i++ * 7919) % 10000;
    benchmark::DoNotOptimize(cache.Lookup({k, k * 4096}));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CacheLookup)->ThreadRange(1, 2);

}  // namespace
}  // namespace lsmkv
