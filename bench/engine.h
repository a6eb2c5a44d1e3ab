// The storage engines lsmkv_bench drives: the same workload code runs on
// lsmkv, LevelDB and RocksDB through this interface.
#ifndef LSMKV_BENCH_ENGINE_H_
#define LSMKV_BENCH_ENGINE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lsmkv_bench {

// Settings every engine is opened with, so the comparison is like for like.
struct EngineConfig {
  std::string dir;
  size_t write_buffer_size = 4 << 20;
  size_t cache_size = 8 << 20;
  int bloom_bits = 10;
  // kFast: each engine's fast codec (lsmkv and RocksDB lz4, LevelDB snappy);
  // kZstd: zstd for lsmkv and RocksDB, snappy for LevelDB (it has no zstd).
  enum class Compression { kFast, kZstd, kNone };
  Compression compression = Compression::kFast;
  int zstd_level = -1;      // lsmkv only; its default
  // lsmkv only: Options::wal_write_mode ("auto", "mapped" or "write"; the
  // others always write(2)).
  std::string wal_write_mode = "auto";
  bool fresh = true;        // destroy any existing DB first
  // RocksDB only: > 0 turns on its integrated BlobDB (key-value
  // separation): values of at least this many bytes go to blob files,
  // with blob garbage collection on (--rocksdb_min_blob_size).
  size_t rocksdb_min_blob_size = 0;
  // lsmkv and RocksDB: flush + compaction threads (LevelDB has one
  // background thread, fixed); -1: each engine's default.
  int background_jobs = -1;
  int subcompactions = -1;  // lsmkv only: Options::max_subcompactions; -1: default
  int read_triggered_compaction = -1;  // lsmkv only: 0 or 1; -1: default
  // How tables are read: 1 through memory mappings, 0 with pread; -1 each
  // engine's default. lsmkv: Options::allow_mmap_reads; RocksDB:
  // allow_mmap_reads (its default is 0). LevelDB has no switch: it always
  // maps up to 1000 tables and preads the rest, whatever this says.
  int mmap_reads = -1;
  size_t block_size = 0;  // lsmkv only: Options::block_size; 0: its default
};

class EngineIterator {
 public:
  virtual ~EngineIterator() = default;
  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  virtual void Seek(std::string_view target) = 0;
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;
  // "lsmkv", "leveldb", "rocksdb".
  virtual std::string Name() const = 0;
  // Failures abort the benchmark with the message.
  virtual void Put(std::string_view key, std::string_view value, bool sync) = 0;
  virtual void Delete(std::string_view key, bool sync) = 0;
  virtual void WriteBatch(const std::vector<std::pair<std::string, std::string>>& puts,
                          bool sync) = 0;
  // True if found.
  virtual bool Get(std::string_view key, std::string* value) = 0;
  virtual std::unique_ptr<EngineIterator> NewIterator() = 0;
  // The engine's own statistics text ("" if none).
  virtual std::string Stats() = 0;
  // Counters since the engine was opened, as the engine itself reports them
  // (-1: the engine does not report it).
  struct Counters {
    // Bytes written to table files by flushes and compactions (WAL bytes
    // left out: LevelDB does not report them).
    double table_bytes_written = -1;
    // Time writers were delayed or stopped by the engine's back-pressure.
    double stall_seconds = -1;
    // Tables in level 0 now (a gauge, not a counter): each one is a table
    // every point read checks.
    int level0_files = -1;
  };
  virtual Counters GetCounters() = 0;
};

// Opens an engine by name; nullptr with *error set when the engine is not
// built in or fails to open.
std::unique_ptr<Engine> OpenEngine(const std::string& name, const EngineConfig& config,
                                   std::string* error);
// Engines compiled into this binary.
std::vector<std::string> AvailableEngines();

std::unique_ptr<Engine> OpenLsmkv(const EngineConfig& config, std::string* error);
// lsmkv's Options::max_background_jobs default (RocksDB runs with the same
// thread budget unless --background_jobs says otherwise).
int LsmkvDefaultBackgroundJobs();
#ifdef LSMKV_BENCH_HAVE_LEVELDB
std::unique_ptr<Engine> OpenLevelDB(const EngineConfig& config, std::string* error);
#endif
#ifdef LSMKV_BENCH_HAVE_ROCKSDB
std::unique_ptr<Engine> OpenRocksDB(const EngineConfig& config, std::string* error);
#endif

[[noreturn]] void Die(const std::string& what);

}  // namespace lsmkv_bench

#endif  // LSMKV_BENCH_ENGINE_H_
