// RocksDB 7.8 (Debian's librocksdb-dev) behind the bench Engine interface.
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <cstdio>
#include <cstdlib>
#include <map>

#include "engine.h"

namespace lsmkv_bench {

namespace {

rocksdb::Slice S(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view V(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

void Check(const rocksdb::Status& s, const char* what) {
  if (!s.ok()) Die(std::string("rocksdb ") + what + ": " + s.ToString());
}

class RocksDBIterator final : public EngineIterator {
 public:
  explicit RocksDBIterator(rocksdb::Iterator* it) : it_(it) {}
  bool Valid() const override { return it_->Valid(); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  void Seek(std::string_view t) override { it_->Seek(S(t)); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  std::string_view key() const override { return V(it_->key()); }
  std::string_view value() const override { return V(it_->value()); }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
};

class RocksDBEngine final : public Engine {
 public:
  explicit RocksDBEngine(rocksdb::DB* db) : db_(db) {}

  std::string Name() const override { return "rocksdb"; }

  void Put(std::string_view k, std::string_view v, bool sync) override {
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    Check(db_->Put(wo, S(k), S(v)), "put");
  }
  void Delete(std::string_view k, bool sync) override {
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    Check(db_->Delete(wo, S(k)), "delete");
  }
  void WriteBatch(const std::vector<std::pair<std::string, std::string>>& puts, bool sync) override {
    rocksdb::WriteBatch batch;
    for (const auto& [k, v] : puts) batch.Put(k, v);
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    Check(db_->Write(wo, &batch), "write");
  }
  bool Get(std::string_view k, std::string* v) override {
    const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), S(k), v);
    if (s.IsNotFound()) return false;
    Check(s, "get");
    return true;
  }
  std::unique_ptr<EngineIterator> NewIterator() override {
    return std::make_unique<RocksDBIterator>(db_->NewIterator(rocksdb::ReadOptions()));
  }
  std::string Stats() override {
    std::string s;
    db_->GetProperty("rocksdb.stats", &s);
    return s;
  }
  Counters GetCounters() override {
    Counters c;
    // Compaction stats per level; L0's "Write" includes flushes.
    std::map<std::string, std::string> cf;
    if (db_->GetMapProperty(rocksdb::DB::Properties::kCFStats, &cf)) {
      auto it = cf.find("compaction.Sum.WriteGB");
      if (it != cf.end()) c.table_bytes_written = std::stod(it->second) * 1073741824.0;
    }
    std::string level0;
    if (db_->GetProperty("rocksdb.num-files-at-level0", &level0)) c.level0_files = std::atoi(level0.c_str());
    // "Cumulative stall: HH:MM:SS.sss H:M:S, P percent" in the DB stats.
    std::string db_stats;
    if (db_->GetProperty(rocksdb::DB::Properties::kDBStats, &db_stats)) {
      const size_t p = db_stats.find("Cumulative stall: ");
      int h = 0, m = 0;
      double sec = 0;
      if (p != std::string::npos &&
          std::sscanf(db_stats.c_str() + p, "Cumulative stall: %d:%d:%lf", &h, &m, &sec) == 3) {
        c.stall_seconds = h * 3600.0 + m * 60.0 + sec;
      }
    }
    return c;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace

std::unique_ptr<Engine> OpenRocksDB(const EngineConfig& config, std::string* error) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = config.write_buffer_size;
  options.max_write_buffer_number = 2;
  if (config.mmap_reads >= 0) options.allow_mmap_reads = config.mmap_reads != 0;
  // Like lsmkv's thread budget when given (--background_jobs), else
  // RocksDB's default.
  options.max_background_jobs = config.background_jobs > 0 ? config.background_jobs : 2;
  switch (config.compression) {
    case EngineConfig::Compression::kFast:
      options.compression = rocksdb::kLZ4Compression;
      break;
    case EngineConfig::Compression::kZstd:
      options.compression = rocksdb::kZSTD;
      break;
    case EngineConfig::Compression::kNone:
      options.compression = rocksdb::kNoCompression;
      break;
  }
  if (config.rocksdb_min_blob_size > 0) {
    options.enable_blob_files = true;
    options.min_blob_size = config.rocksdb_min_blob_size;
    options.enable_blob_garbage_collection = true;
    options.blob_compression_type = options.compression;
  }
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(config.cache_size);
  if (config.bloom_bits > 0) {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(config.bloom_bits));
  }
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  if (config.fresh) (void)rocksdb::DestroyDB(config.dir, options);
  rocksdb::DB* db = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(options, config.dir, &db);
  if (!s.ok()) {
    *error = s.ToString();
    return nullptr;
  }
  return std::make_unique<RocksDBEngine>(db);
}

}  // namespace lsmkv_bench
