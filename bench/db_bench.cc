// lsmkv_bench: db_bench-style workloads run on lsmkv, LevelDB or RocksDB
// with the same key/value generator and comparable settings.
//
//   lsmkv_bench --engine=all --num=1000000 --benchmarks=fillseq,readrandom
//
// Output, one line per engine and workload:
//   engine   workload     :    X micros/op;   Y ops/sec;   Z MB/s  [shape: ...]
// With --engine=all the engines run interleaved, workload by workload, and a
// ratio line (lsmkv / other) follows each workload.
//
// The default set measures two DB shapes, each on a fresh DB:
//  - sorted: fillseq, fillbatch (sorted keys in batches of 1000, flushed
//    straight to the bottom level), then the reads, deleterandom and
//    readwhilewriting on the fillbatch DB;
//  - random: LevelDB's db_bench order, fillsync (its own small DB), then
//    fillrandom, overwrite and the reads on the DB those two leave (tables
//    on several levels, two versions of most keys).
// Every line ends with the shape of the DB it ran on: "sorted" or "random",
// and the writes that made it since the last fresh fill (e.g. "random:
// fillrandom+overwrite"). With --warm_reads=1 (the default) each read
// workload runs twice per engine, back to back: the first (cold, printed as
// "<workload>-cold") warms the caches and is not counted; the second is the
// one reported and compared.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine.h"
#include "histogram.h"
#include "resources.h"

namespace lsmkv_bench {

void Die(const std::string& what) {
  std::fprintf(stderr, "lsmkv_bench: %s\n", what.c_str());
  std::exit(1);
}

std::vector<std::string> AvailableEngines() {
  std::vector<std::string> engines = {"lsmkv"};
#ifdef LSMKV_BENCH_HAVE_LEVELDB
  engines.push_back("leveldb");
#endif
#ifdef LSMKV_BENCH_HAVE_ROCKSDB
  engines.push_back("rocksdb");
#endif
  return engines;
}

std::unique_ptr<Engine> OpenEngine(const std::string& name, const EngineConfig& config,
                                   std::string* error) {
  if (name == "lsmkv") return OpenLsmkv(config, error);
#ifdef LSMKV_BENCH_HAVE_LEVELDB
  if (name == "leveldb") return OpenLevelDB(config, error);
#endif
#ifdef LSMKV_BENCH_HAVE_ROCKSDB
  if (name == "rocksdb") return OpenRocksDB(config, error);
#endif
  *error = "engine '" + name + "' is not built into this binary";
  return nullptr;
}

namespace {

struct Flags {
  std::string benchmarks =
      // sorted shape
      "fillseq,fillbatch,readrandom,readmissing,readhot,readseq,readreverse,seekrandom,"
      "deleterandom,readwhilewriting,"
      // random shape (LevelDB's db_bench order)
      "fillsync,fillrandom,overwrite,readrandom,readmissing,readhot,readseq,readreverse,seekrandom";
  std::string engine = "lsmkv";
  std::string db = "/tmp/lsmkv_bench";
  int64_t num = 1000000;
  int64_t reads = -1;  // -1: num
  int value_size = 100;
  int key_size = 16;
  int threads = 1;
  bool use_existing_db = false;
  bool warm_reads = true;  // each read workload twice per engine, the second counted
  EngineConfig::Compression compression = EngineConfig::Compression::kFast;
  int zstd_level = -1;  // lsmkv's default (Options::zstd_level)
  std::string wal_write_mode = "auto";  // lsmkv's Options::wal_write_mode
  int bloom_bits = 10;
  int64_t cache_size = 8 << 20;
  int64_t write_buffer_size = 4 << 20;
  int64_t rocksdb_min_blob_size = 0;  // > 0: RocksDB's BlobDB for values this large
  int background_jobs = -1;  // lsmkv and RocksDB; -1: lsmkv's default for both
  int subcompactions = -1;   // lsmkv's Options::max_subcompactions; -1: default
  int read_triggered_compaction = -1;  // lsmkv; -1: default
  int mmap_reads = -1;  // lsmkv and RocksDB: allow_mmap_reads; -1: each one's default
  int64_t block_size = 0;  // lsmkv's Options::block_size; 0: its default
  bool histogram = false;
  bool stats = false;
  uint64_t seed = 301;
  std::string csv;  // results as CSV (one row per engine and workload); empty: none
};

[[noreturn]] void Usage(const std::string& error) {
  std::fprintf(stderr,
               "lsmkv_bench: %s\n"
               "usage: lsmkv_bench [--benchmarks=a,b,...] [--engine=lsmkv|leveldb|rocksdb|all]\n"
               "  [--num=N] [--reads=N] [--value_size=N] [--key_size=N] [--threads=N]\n"
               "  [--db=DIR] [--use_existing_db=0|1] [--warm_reads=0|1]\n"
               "  [--compression=lz4|zstd|none] [--zstd_level=N]\n"
               "  [--bloom_bits=N] [--cache_size=BYTES] [--write_buffer_size=BYTES]\n"
               "  [--wal_write_mode=auto|mapped|write] [--histogram=0|1] [--stats=0|1] [--seed=N]\n"
               "  [--csv=FILE] [--rocksdb_min_blob_size=BYTES]\n"
               "  [--background_jobs=N] [--subcompactions=N] [--read_triggered_compaction=0|1]\n"
               "  [--block_size=BYTES] (lsmkv's data block size; default: its own)\n"
               "  [--mmap_reads=0|1] (tables read through mappings or with pread; lsmkv and\n"
               "   RocksDB allow_mmap_reads; LevelDB has no switch and always maps)\n"
               "a workload may name its own thread count: --benchmarks=fillrandom,readrandom:4\n",
               error.c_str());
  std::exit(2);
}

int64_t ParseInt(const std::string& name, const std::string& v) {
  char* end = nullptr;
  const long long x = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0') Usage("--" + name + " needs a number, got '" + v + "'");
  return x;
}

bool ParseBool(const std::string& name, const std::string& v) {
  if (v == "1" || v == "true") return true;
  if (v == "0" || v == "false") return false;
  Usage("--" + name + " needs 0 or 1, got '" + v + "'");
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; i++) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    if (arg.rfind("--", 0) != 0 || eq == std::string::npos) Usage("bad argument '" + arg + "'");
    const std::string name = arg.substr(2, eq - 2), v = arg.substr(eq + 1);
    if (name == "benchmarks") f.benchmarks = v;
    else if (name == "engine") f.engine = v;
    else if (name == "db") f.db = v;
    else if (name == "num") f.num = ParseInt(name, v);
    else if (name == "reads") f.reads = ParseInt(name, v);
    else if (name == "value_size") f.value_size = static_cast<int>(ParseInt(name, v));
    else if (name == "key_size") f.key_size = static_cast<int>(ParseInt(name, v));
    else if (name == "threads") f.threads = static_cast<int>(ParseInt(name, v));
    else if (name == "use_existing_db") f.use_existing_db = ParseBool(name, v);
    else if (name == "warm_reads") f.warm_reads = ParseBool(name, v);
    else if (name == "compression") {
      if (v == "lz4") f.compression = EngineConfig::Compression::kFast;
      else if (v == "zstd") f.compression = EngineConfig::Compression::kZstd;
      else if (v == "none") f.compression = EngineConfig::Compression::kNone;
      else Usage("--compression is lz4, zstd or none");
    } else if (name == "wal_write_mode") {
      if (v != "auto" && v != "mapped" && v != "write") {
        Usage("--wal_write_mode is auto, mapped or write");
      }
      f.wal_write_mode = v;
    } else if (name == "zstd_level") f.zstd_level = static_cast<int>(ParseInt(name, v));
    else if (name == "bloom_bits") f.bloom_bits = static_cast<int>(ParseInt(name, v));
    else if (name == "cache_size") f.cache_size = ParseInt(name, v);
    else if (name == "write_buffer_size") f.write_buffer_size = ParseInt(name, v);
    else if (name == "rocksdb_min_blob_size") f.rocksdb_min_blob_size = ParseInt(name, v);
    else if (name == "histogram") f.histogram = ParseBool(name, v);
    else if (name == "background_jobs") f.background_jobs = static_cast<int>(ParseInt(name, v));
    else if (name == "subcompactions") f.subcompactions = static_cast<int>(ParseInt(name, v));
    else if (name == "read_triggered_compaction") f.read_triggered_compaction = ParseBool(name, v) ? 1 : 0;
    else if (name == "mmap_reads") f.mmap_reads = ParseBool(name, v) ? 1 : 0;
    else if (name == "block_size") f.block_size = ParseInt(name, v);
    else if (name == "stats") f.stats = ParseBool(name, v);
    else if (name == "seed") f.seed = static_cast<uint64_t>(ParseInt(name, v));
    else if (name == "csv") f.csv = v;
    else Usage("unknown flag --" + name);
  }
  if (f.num <= 0) Usage("--num must be positive");
  if (f.threads <= 0) Usage("--threads must be positive");
  if (f.key_size < 8) Usage("--key_size must be at least 8");
  if (f.value_size < 0) Usage("--value_size must not be negative");
  if (f.block_size < 0) Usage("--block_size must not be negative");
  if (f.reads < 0) f.reads = f.num;
  return f;
}

// Values: half random bytes, half repeats (compressible to ~50%, as in
// LevelDB's db_bench), cut from one pre-generated buffer.
class ValueGenerator {
 public:
  explicit ValueGenerator(uint64_t seed) {
    std::mt19937_64 rnd(seed);
    while (data_.size() < (1 << 20)) {
      std::string piece(100, '\0');
      for (int i = 0; i < 50; i++) piece[i] = static_cast<char>(' ' + rnd() % 95);
      for (int i = 50; i < 100; i++) piece[i] = piece[i % 50];
      data_ += piece;
    }
  }
  std::string_view Next(size_t len) {
    if (pos_ + len > data_.size()) pos_ = 0;
    pos_ += len;
    return std::string_view(data_.data() + pos_ - len, len);
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};

// Keys: the number in decimal, zero-padded to key_size bytes.
std::string MakeKey(uint64_t k, int key_size) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%0*" PRIu64, key_size, k);
  return std::string(buf, key_size);
}

using Clock = std::chrono::steady_clock;

struct ThreadState {
  int id = 0;
  std::mt19937_64 rnd;
  ValueGenerator values;
  Histogram hist;
  int64_t ops = 0;
  int64_t bytes = 0;
  int64_t found = 0;
  ThreadState(int i, uint64_t seed) : id(i), rnd(seed + i * 7919), values(seed + i) {}
};

struct Result {
  double micros_per_op = 0;
  double ops_per_sec = 0;
  double mb_per_sec = 0;
  // Latency percentiles in microseconds; negative without --histogram=1.
  double p50 = -1, p99 = -1, p999 = -1;
  std::string note;
  // Resources (the "resources" line); negative where not known.
  double write_amp = -1;   // table bytes written / user bytes, since the fill
  double stall_seconds = -1;  // writers stalled during this run
  int level0_files_at_start = -1;  // level-0 tables when the run began
  double disk_mib = -1, live_mib = -1, space_amp = -1;  // after the run
  double rss_start_mib = -1, rss_peak_mib = -1;
  double rss_anon_mib = -1, rss_file_mib = -1;  // at the end of the run
  // CPU seconds (user + system) the whole process spent during the run,
  // every thread (background flushes and compactions included), per
  // operation: unlike micros/op, a busy machine does not inflate it.
  double cpu_micros_per_op = -1;
  int threads = 1;
};

// --csv=FILE: one row per engine and workload, for bench/plot.py (warm
// runs only: a read's cold run is not a row). Columns are named in the
// header; db_shape is the shape's kind ("sorted", "random"), since a read
// workload runs on both; the latency columns are empty without
// --histogram=1. threads is the workload's own ("readrandom:4" -> 4); the
// resource columns (write_amp ... rss_peak_mib, as on the "resources" line)
// are empty where the engine does not report the figure.
class CsvWriter {
 public:
  CsvWriter(const std::string& path, const Flags& flags) : flags_(flags) {
    if (path.empty()) return;
    out_ = std::fopen(path.c_str(), "w");
    if (out_ == nullptr) Die("cannot write " + path + ": " + std::strerror(errno));
    std::fprintf(out_,
                 "engine,workload,db_shape,num,key_size,value_size,threads,compression,micros_per_op,"
                 "ops_per_sec,mb_per_sec,p50_us,p99_us,p999_us,write_amp,stall_s,space_amp,"
                 "disk_mib,live_mib,rss_start_mib,rss_peak_mib,rss_anon_mib,rss_file_mib\n");
  }
  ~CsvWriter() {
    if (out_ != nullptr && std::fclose(out_) != 0) Die("writing the CSV file failed");
  }
  void Row(const std::string& engine, const std::string& workload, const std::string& db_shape,
           const Result& r) {
    if (out_ == nullptr) return;
    const auto opt = [](double v) { return v < 0 ? std::string() : std::to_string(v); };
    std::fprintf(out_,
                 "%s,%s,%s,%" PRId64 ",%d,%d,%d,%s,%.4f,%.1f,%.3f,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n",
                 engine.c_str(), workload.c_str(), db_shape.c_str(), flags_.num, flags_.key_size,
                 flags_.value_size, r.threads, CompressionName(flags_.compression),
                 r.micros_per_op, r.ops_per_sec, r.mb_per_sec, opt(r.p50).c_str(),
                 opt(r.p99).c_str(), opt(r.p999).c_str(), opt(r.write_amp).c_str(),
                 opt(r.stall_seconds).c_str(), opt(r.space_amp).c_str(), opt(r.disk_mib).c_str(),
                 opt(r.live_mib).c_str(), opt(r.rss_start_mib).c_str(),
                 opt(r.rss_peak_mib).c_str(), opt(r.rss_anon_mib).c_str(),
                 opt(r.rss_file_mib).c_str());
    std::fflush(out_);  // a long run that dies keeps the rows so far
  }

 private:
  static const char* CompressionName(EngineConfig::Compression c) {
    switch (c) {
      case EngineConfig::Compression::kFast: return "fast";
      case EngineConfig::Compression::kZstd: return "zstd";
      case EngineConfig::Compression::kNone: return "none";
    }
    return "?";
  }

  const Flags& flags_;
  std::FILE* out_ = nullptr;
};

// Read-only workloads: the ones --warm_reads runs twice.
bool IsReadWorkload(const std::string& w) {
  return w == "readrandom" || w == "readmissing" || w == "readhot" || w == "readseq" ||
         w == "readreverse" || w == "seekrandom";
}

class Benchmark {
 public:
  explicit Benchmark(const Flags& flags) : f_(flags) {}

  const RssMeter& rss() const { return rss_; }
  // The largest RSS peak of all runs so far (with the peak reset per run,
  // ru_maxrss no longer holds the process's).
  double max_rss_mib() const { return max_rss_mib_; }

  // Runs `workload` with `threads` threads on `engine_name` and prints its
  // line, ending with `shape` (the DB it ran on), then its resources line.
  // `position` (the workload's place in --benchmarks) seeds the run, so
  // every engine sees the same keys and different workloads see different
  // ones (deleterandom must not delete exactly the keys a later readrandom
  // reads). A `cold` run is the uncounted first of two: the same keys as
  // the counted run after it.
  Result Run(const std::string& engine_name, const std::string& workload, int threads,
             uint64_t position, const std::string& shape, bool cold = false) {
    EngineConfig config;
    config.dir = f_.db + "/" + engine_name;
    config.write_buffer_size = static_cast<size_t>(f_.write_buffer_size);
    config.cache_size = static_cast<size_t>(f_.cache_size);
    config.bloom_bits = f_.bloom_bits;
    config.compression = f_.compression;
    config.wal_write_mode = f_.wal_write_mode;
    config.zstd_level = f_.zstd_level;
    config.rocksdb_min_blob_size = static_cast<size_t>(std::max<int64_t>(f_.rocksdb_min_blob_size, 0));
    config.background_jobs = f_.background_jobs;
    if (config.background_jobs <= 0 && engine_name == "rocksdb") {
      config.background_jobs = LsmkvDefaultBackgroundJobs();  // the same thread budget as lsmkv
    }
    config.subcompactions = f_.subcompactions;
    config.read_triggered_compaction = f_.read_triggered_compaction;
    config.block_size = static_cast<size_t>(f_.block_size);
    config.mmap_reads = f_.mmap_reads;
    const bool fresh = workload.rfind("fill", 0) == 0;
    config.fresh = fresh && !f_.use_existing_db;
    if (fresh || slots_.count(engine_name) == 0) {
      slots_.erase(engine_name);
      std::filesystem::create_directories(f_.db);
      std::string error;
      auto engine = OpenEngine(engine_name, config, &error);
      if (engine == nullptr) Die("cannot open " + engine_name + ": " + error);
      EngineSlot& slot = slots_[engine_name];
      slot.engine = std::move(engine);
      slot.dir = config.dir;
      // An existing DB's keys are unknown: no space amplification for it.
      slot.keys_known = config.fresh;
      slot.live.Reset(static_cast<uint64_t>(f_.num));
    }
    EngineSlot& slot = slots_[engine_name];
    Engine* engine = slot.engine.get();
    live_ = &slot.live;

    std::function<void(ThreadState*)> body;
    int64_t total = f_.num;
    bool writer_thread = false;
    const int64_t reads = f_.reads;
    if (workload == "fillseq") {
      body = [&](ThreadState* t) { Write(engine, t, total, threads, /*seq=*/true, false, 1); };
    } else if (workload == "fillrandom" || workload == "overwrite") {
      body = [&](ThreadState* t) { Write(engine, t, total, threads, false, false, 1); };
    } else if (workload == "fillsync") {
      total = std::max<int64_t>(f_.num / 100, 100);  // fdatasync-bound: fewer ops
      body = [&](ThreadState* t) { Write(engine, t, total, threads, false, true, 1); };
    } else if (workload == "fillbatch") {
      body = [&](ThreadState* t) { Write(engine, t, total, threads, true, false, 1000); };
    } else if (workload == "readrandom" || workload == "readmissing" || workload == "readhot") {
      total = reads;
      const uint64_t range = workload == "readhot" ? std::max<int64_t>(f_.num / 100, 1) : f_.num;
      const bool missing = workload == "readmissing";
      body = [&, range, missing](ThreadState* t) { Read(engine, t, total, threads, range, missing); };
    } else if (workload == "readseq" || workload == "readreverse") {
      total = std::min(reads, f_.num);
      const bool reverse = workload == "readreverse";
      body = [&, reverse](ThreadState* t) { Scan(engine, t, total, reverse); };
    } else if (workload == "seekrandom") {
      total = reads;
      body = [&](ThreadState* t) { Seek(engine, t, total, threads); };
    } else if (workload == "deleterandom") {
      body = [&](ThreadState* t) { DeleteRandom(engine, t, total, threads); };
    } else if (workload == "readwhilewriting") {
      total = reads;
      writer_thread = true;
      body = [&](ThreadState* t) { Read(engine, t, total, threads, f_.num, false); };
    } else {
      Usage("unknown benchmark '" + workload + "'");
    }

    const uint64_t run_seed = f_.seed + 1000003 * position;
    std::vector<std::unique_ptr<ThreadState>> states;
    for (int i = 0; i < threads; i++) states.push_back(std::make_unique<ThreadState>(i, run_seed));
    std::atomic<bool> stop_writer{false};
    std::thread writer;
    if (writer_thread) {
      // One extra thread writes random keys for as long as the readers read.
      writer = std::thread([&] {
        ThreadState t(threads, run_seed + 99);
        while (!stop_writer.load(std::memory_order_relaxed)) {
          const uint64_t k = t.rnd() % f_.num;
          engine->Put(MakeKey(k, f_.key_size), t.values.Next(f_.value_size), false);
          live_->Set(k);
          writer_bytes_.fetch_add(f_.key_size + f_.value_size, std::memory_order_relaxed);
        }
      });
    }
    const Engine::Counters counters_before = engine->GetCounters();
    writer_bytes_ = 0;
    // Write back every dirty page first: the engine that ran before (or the
    // DB just destroyed) must not have its write-back land in this timing.
    ::sync();
    rss_.StartRun();
    const double cpu_start = ProcessCpuSeconds();
    const auto start = Clock::now();
    std::vector<std::thread> workers;
    for (auto& s : states) workers.emplace_back([&body, t = s.get()] { body(t); });
    for (auto& w : workers) w.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const double cpu_seconds = ProcessCpuSeconds() - cpu_start;
    stop_writer = true;
    if (writer.joinable()) writer.join();

    Histogram hist;
    int64_t ops = 0, bytes = 0, found = 0;
    for (auto& s : states) {
      hist.Merge(s->hist);
      ops += s->ops;
      bytes += s->bytes;
      found += s->found;
    }
    Result r;
    r.threads = threads;
    r.ops_per_sec = ops / seconds;
    r.micros_per_op = seconds * 1e6 / std::max<int64_t>(ops, 1) * threads;
    r.mb_per_sec = bytes / 1048576.0 / seconds;
    r.cpu_micros_per_op = cpu_seconds * 1e6 / std::max<int64_t>(ops, 1);
    if (workload.rfind("read", 0) == 0 || workload == "seekrandom") {
      r.note = "(" + std::to_string(found) + " of " + std::to_string(ops) + " found)";
    }
    std::string shown = workload;
    if (threads != 1) shown += ":" + std::to_string(threads);
    if (cold) shown += "-cold";
    std::printf("%-8s %-16s : %11.3f micros/op; %10.0f ops/sec; %8.1f MB/s %s [%s]\n",
                engine_name.c_str(), shown.c_str(), r.micros_per_op, r.ops_per_sec,
                r.mb_per_sec, r.note.c_str(), shape.c_str());
    if (f_.histogram && hist.count() > 0) {
      r.p50 = hist.Percentile(50);
      r.p99 = hist.Percentile(99);
      r.p999 = hist.Percentile(99.9);
      std::printf("%-8s %-16s   latency micros: p50 %.2f  p99 %.2f  p99.9 %.2f\n",
                  engine_name.c_str(), "", hist.Percentile(50), hist.Percentile(99),
                  hist.Percentile(99.9));
    }
    if (!IsReadWorkload(workload)) slot.user_bytes += writer_bytes_ + (writer_thread ? 0 : bytes);
    MeasureResources(slot, counters_before, &r);
    PrintResources(engine_name, r);
    if (f_.stats) std::printf("%s\n", engine->Stats().c_str());
    std::fflush(stdout);
    return r;
  }

  void CloseAll() { slots_.clear(); }

 private:
  // Times one operation into the histogram when --histogram is on.
  template <typename Fn>
  void Timed(ThreadState* t, Fn&& fn) {
    if (!f_.histogram) {
      fn();
      return;
    }
    const auto start = Clock::now();
    fn();
    t->hist.Add(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }

  // Thread t's share of `total` operations.
  static int64_t Share(const ThreadState* t, int64_t total, int threads) {
    return total / threads + (t->id < total % threads ? 1 : 0);
  }

  void Write(Engine* e, ThreadState* t, int64_t total, int threads, bool seq, bool sync, int batch) {
    const int64_t n = Share(t, total, threads);
    std::vector<std::pair<std::string, std::string>> puts;
    for (int64_t i = 0; i < n; i += batch) {
      puts.clear();
      for (int j = 0; j < batch && i + j < n; j++) {
        const uint64_t k = seq ? static_cast<uint64_t>((i + j) * threads + t->id) : t->rnd() % f_.num;
        puts.emplace_back(MakeKey(k, f_.key_size), std::string(t->values.Next(f_.value_size)));
        live_->Set(k);
      }
      Timed(t, [&] {
        if (batch == 1) {
          e->Put(puts[0].first, puts[0].second, sync);
        } else {
          e->WriteBatch(puts, sync);
        }
      });
      t->ops += static_cast<int64_t>(puts.size());
      t->bytes += static_cast<int64_t>(puts.size()) * (f_.key_size + f_.value_size);
    }
  }

  void Read(Engine* e, ThreadState* t, int64_t total, int threads, uint64_t range, bool missing) {
    const int64_t n = Share(t, total, threads);
    std::string value;
    for (int64_t i = 0; i < n; i++) {
      std::string key = MakeKey(t->rnd() % range, f_.key_size);
      if (missing) key.push_back('.');  // sorts among real keys, never written
      bool found = false;
      Timed(t, [&] { found = e->Get(key, &value); });
      t->ops++;
      if (found) {
        t->found++;
        t->bytes += static_cast<int64_t>(key.size() + value.size());
      }
    }
  }

  void Scan(Engine* e, ThreadState* t, int64_t total, bool reverse) {
    auto it = e->NewIterator();
    int64_t i = 0;
    if (reverse) {
      for (it->SeekToLast(); i < total && it->Valid(); it->Prev(), i++) {
        t->bytes += static_cast<int64_t>(it->key().size() + it->value().size());
      }
    } else {
      for (it->SeekToFirst(); i < total && it->Valid(); it->Next(), i++) {
        t->bytes += static_cast<int64_t>(it->key().size() + it->value().size());
      }
    }
    t->ops += i;
    t->found += i;
  }

  void Seek(Engine* e, ThreadState* t, int64_t total, int threads) {
    const int64_t n = Share(t, total, threads);
    auto it = e->NewIterator();
    for (int64_t i = 0; i < n; i++) {
      const std::string key = MakeKey(t->rnd() % f_.num, f_.key_size);
      Timed(t, [&] { it->Seek(key); });
      t->ops++;
      if (it->Valid() && it->key() == key) t->found++;
    }
  }

  void DeleteRandom(Engine* e, ThreadState* t, int64_t total, int threads) {
    const int64_t n = Share(t, total, threads);
    for (int64_t i = 0; i < n; i++) {
      const uint64_t k = t->rnd() % f_.num;
      const std::string key = MakeKey(k, f_.key_size);
      Timed(t, [&] { e->Delete(key, false); });
      live_->Clear(k);
      t->ops++;
    }
  }

  // An open engine and what the bench knows about the DB it holds since
  // its fresh fill (or its opening).
  struct EngineSlot {
    std::unique_ptr<Engine> engine;
    std::string dir;
    LiveKeys live;            // keys the DB holds
    bool keys_known = false;  // false for --use_existing_db
    int64_t user_bytes = 0;   // key + value bytes written to it
  };

  // Fills r's resource fields: write amplification of the tables (engine's
  // own counters since open / user bytes since the fill), stall time of
  // this run, space amplification now (bytes on disk / live user bytes)
  // and the RSS of this run.
  void MeasureResources(const EngineSlot& slot, const Engine::Counters& before, Result* r) {
    const Engine::Counters after = slot.engine->GetCounters();
    if (after.table_bytes_written >= 0 && slot.user_bytes > 0) {
      r->write_amp = after.table_bytes_written / static_cast<double>(slot.user_bytes);
    }
    r->level0_files_at_start = before.level0_files;
    if (after.stall_seconds >= 0 && before.stall_seconds >= 0) {
      r->stall_seconds = after.stall_seconds - before.stall_seconds;
    }
    const int64_t disk = DiskBytes(slot.dir);
    if (disk >= 0) r->disk_mib = disk / 1048576.0;
    if (slot.keys_known) {
      const double live = static_cast<double>(slot.live.Count()) * (f_.key_size + f_.value_size);
      r->live_mib = live / 1048576.0;
      if (disk >= 0 && live > 0) r->space_amp = disk / live;
    }
    r->rss_start_mib = rss_.StartMiB();
    // The kernel's RSS counters are batched per thread (a few hundred KiB
    // late), so VmHWM may read a little below the RSS read at the start.
    r->rss_peak_mib = std::max(rss_.PeakMiB(), r->rss_start_mib);
    max_rss_mib_ = std::max(max_rss_mib_, r->rss_peak_mib);
    r->rss_anon_mib = RssMeter::AnonMiB();
    r->rss_file_mib = RssMeter::FileMiB();
  }

  static std::string Figure(double v, const char* format) {
    if (v < 0) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof(buf), format, v);
    return buf;
  }

  void PrintResources(const std::string& engine_name, const Result& r) {
    std::printf("%-8s %-16s   resources: write-amp %s, stall %s s, L0 files at start %s, space-amp %s "
                "(disk %s MiB / live %s MiB), RSS peak %s MiB (run start %s MiB; at the end anon %s MiB, "
                "file-backed %s MiB), cpu %s micros/op\n",
                engine_name.c_str(), "", Figure(r.write_amp, "%.2f").c_str(),
                Figure(r.stall_seconds, "%.2f").c_str(), Figure(r.level0_files_at_start, "%.0f").c_str(),
                Figure(r.space_amp, "%.2f").c_str(),
                Figure(r.disk_mib, "%.1f").c_str(), Figure(r.live_mib, "%.1f").c_str(),
                Figure(r.rss_peak_mib, "%.1f").c_str(), Figure(r.rss_start_mib, "%.1f").c_str(),
                Figure(r.rss_anon_mib, "%.1f").c_str(), Figure(r.rss_file_mib, "%.1f").c_str(),
                Figure(r.cpu_micros_per_op, "%.3f").c_str());
  }

  // User + system CPU seconds of the whole process so far.
  static double ProcessCpuSeconds() {
    timespec ts;
    if (::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0;
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  }

  const Flags f_;
  std::map<std::string, EngineSlot> slots_;
  LiveKeys* live_ = nullptr;  // the running engine's; set by Run
  std::atomic<int64_t> writer_bytes_{0};  // readwhilewriting's writer, this run
  RssMeter rss_;
  double max_rss_mib_ = 0;
};

// Tracks the shape of the DB the workloads run on: "sorted" or "random"
// after a fresh fill, and the writes since it ("random: fillrandom+overwrite").
class DbShape {
 public:
  explicit DbShape(bool existing) : label_(existing ? "existing" : "empty") {}

  // The shape `workload` runs on (for a fill or a write, the DB it builds);
  // becomes the current shape.
  std::string Next(const std::string& workload) {
    if (workload == "fillseq" || workload == "fillbatch") {
      kind_ = "sorted";
      writes_ = workload;
    } else if (workload == "fillrandom" || workload == "fillsync") {
      kind_ = "random";
      writes_ = workload;
    } else if (!IsReadWorkload(workload)) {  // overwrite, deleterandom, readwhilewriting
      writes_ += (writes_.empty() ? "" : "+") + workload;
    }
    if (!kind_.empty()) label_ = kind_ + ": " + writes_;
    return label_;
  }

 private:
  std::string kind_;    // "sorted" or "random"; empty before the first fill
  std::string writes_;  // the fill and the writes after it
  std::string label_;
};

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = s.find(',', start);
    const std::string part = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) out.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// One entry of --benchmarks: "readrandom" runs with --threads threads,
// "readrandom:4" with 4.
struct WorkloadSpec {
  std::string name;
  int threads = 1;
};

WorkloadSpec ParseWorkload(const std::string& entry, int default_threads) {
  WorkloadSpec spec;
  const size_t colon = entry.find(':');
  spec.name = entry.substr(0, colon);
  spec.threads = default_threads;
  if (colon != std::string::npos) {
    const int64_t n = ParseInt("benchmarks (threads of " + spec.name + ")", entry.substr(colon + 1));
    if (n <= 0 || n > 1024) Usage("threads in '" + entry + "' must be 1..1024");
    spec.threads = static_cast<int>(n);
  }
  return spec;
}

// The codec each engine runs with, for the report header.
std::string CompressionDescription(const Flags& f) {
  switch (f.compression) {
    case EngineConfig::Compression::kFast:
      return "lz4 (leveldb: snappy)";
    case EngineConfig::Compression::kZstd:
      return "zstd level " + std::to_string(f.zstd_level) + " (rocksdb: zstd, leveldb: snappy)";
    case EngineConfig::Compression::kNone:
      return "none";
  }
  return "?";
}

}  // namespace
}  // namespace lsmkv_bench

int main(int argc, char** argv) {
  using namespace lsmkv_bench;
  const Flags flags = ParseFlags(argc, argv);
  std::vector<std::string> engines =
      flags.engine == "all" ? AvailableEngines() : Split(flags.engine);
  for (const auto& e : engines) {
    const auto available = AvailableEngines();
    if (std::find(available.begin(), available.end(), e) == available.end()) {
      Die("engine '" + e + "' is not built into this binary (built in: lsmkv" +
#ifdef LSMKV_BENCH_HAVE_LEVELDB
          std::string(", leveldb") +
#endif
#ifdef LSMKV_BENCH_HAVE_ROCKSDB
          std::string(", rocksdb") +
#endif
          ")");
    }
  }
  std::printf("keys: %d bytes, values: %d bytes (~50%% compressible), entries: %" PRId64
              ", threads: %d\n",
              flags.key_size, flags.value_size, flags.num, flags.threads);
  if (flags.rocksdb_min_blob_size > 0) {
    std::printf("rocksdb: BlobDB on, values of %" PRId64 " bytes or more in blob files\n",
                flags.rocksdb_min_blob_size);
  }
  std::printf("write buffer: %" PRId64 " bytes, block cache: %" PRId64
              " bytes, bloom: %d bits/key, compression: %s, lsmkv WAL: %s\n",
              flags.write_buffer_size, flags.cache_size, flags.bloom_bits,
              CompressionDescription(flags).c_str(), flags.wal_write_mode.c_str());
  if (flags.mmap_reads >= 0) {
    const bool leveldb =
        std::find(engines.begin(), engines.end(), std::string("leveldb")) != engines.end();
    std::printf("table reads: %s for lsmkv and rocksdb (allow_mmap_reads=%d)%s\n",
                flags.mmap_reads != 0 ? "memory-mapped" : "pread", flags.mmap_reads,
                leveldb ? "; leveldb has no switch: it always maps up to 1000 tables" : "");
  }
  Benchmark bench(flags);
  std::printf("resources after each run: write-amp = table bytes written by flushes and "
              "compactions since the fill / key+value bytes written (WAL not counted), stall = "
              "writers delayed or stopped in this run, L0 files at start = level-0 tables when the run "
              "began (each is a table every point read checks), space-amp = bytes on disk / live "
              "key+value bytes, RSS: %s (the whole process: every engine open; anon/file-backed: "
              "RssAnon/RssFile at the end of the run), cpu = user+system CPU time of the whole "
              "process during the run per operation (background threads included; a busy "
              "machine does not inflate it as it does micros/op)\n",
              bench.rss().Method());
  std::printf("------------------------------------------------\n");
  CsvWriter csv(flags.csv, flags);
  const std::vector<std::string> workloads = Split(flags.benchmarks);
  DbShape shapes(flags.use_existing_db);
  std::string previous_shape;
  for (size_t position = 0; position < workloads.size(); position++) {
    const WorkloadSpec spec = ParseWorkload(workloads[position], flags.threads);
    const std::string& workload = spec.name;
    const std::string shape = shapes.Next(workload);
    const std::string kind = shape.substr(0, shape.find(':'));
    if (kind != previous_shape) {
      std::printf("=== DB shape: %s\n", kind.c_str());
      previous_shape = kind;
    }
    std::map<std::string, Result> results;
    for (const auto& engine : engines) {
      if (flags.warm_reads && IsReadWorkload(workload)) {
        (void)bench.Run(engine, workload, spec.threads, position, shape, /*cold=*/true);
      }
      results[engine] = bench.Run(engine, workload, spec.threads, position, shape);
      csv.Row(engine, workload, kind, results[engine]);
    }
    if (engines.size() > 1 && results.count("lsmkv") > 0) {
      std::string line = "ratio    " + workloads[position] + " :";
      for (const auto& e : engines) {
        if (e == "lsmkv") continue;
        char buf[64];
        std::snprintf(buf, sizeof(buf), " lsmkv/%s %.2fx", e.c_str(),
                      results["lsmkv"].ops_per_sec / std::max(results[e].ops_per_sec, 1e-9));
        line += buf;
      }
      std::printf("%s [%s]\n", line.c_str(), shape.c_str());
    }
  }
  std::printf("peak RSS: %.1f MiB (the largest of the runs' peaks)\n", bench.max_rss_mib());
  bench.CloseAll();
  return 0;
}
