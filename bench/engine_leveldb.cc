// LevelDB 1.23 (Debian's libleveldb-dev) behind the bench Engine interface.
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>

#include <cstdlib>
#include <sstream>

#include "engine.h"

namespace lsmkv_bench {

namespace {

leveldb::Slice S(std::string_view s) { return leveldb::Slice(s.data(), s.size()); }
std::string_view V(const leveldb::Slice& s) { return std::string_view(s.data(), s.size()); }

void Check(const leveldb::Status& s, const char* what) {
  if (!s.ok()) Die(std::string("leveldb ") + what + ": " + s.ToString());
}

class LevelDBIterator final : public EngineIterator {
 public:
  explicit LevelDBIterator(leveldb::Iterator* it) : it_(it) {}
  bool Valid() const override { return it_->Valid(); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  void Seek(std::string_view t) override { it_->Seek(S(t)); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  std::string_view key() const override { return V(it_->key()); }
  std::string_view value() const override { return V(it_->value()); }

 private:
  std::unique_ptr<leveldb::Iterator> it_;
};

class LevelDBEngine final : public Engine {
 public:
  LevelDBEngine(leveldb::DB* db, std::unique_ptr<leveldb::Cache> cache,
                std::unique_ptr<const leveldb::FilterPolicy> filter)
      : cache_(std::move(cache)), filter_(std::move(filter)), db_(db) {}
  ~LevelDBEngine() override { db_.reset(); }  // before the cache and filter it uses

  std::string Name() const override { return "leveldb"; }

  void Put(std::string_view k, std::string_view v, bool sync) override {
    leveldb::WriteOptions wo;
    wo.sync = sync;
    Check(db_->Put(wo, S(k), S(v)), "put");
  }
  void Delete(std::string_view k, bool sync) override {
    leveldb::WriteOptions wo;
    wo.sync = sync;
    Check(db_->Delete(wo, S(k)), "delete");
  }
  void WriteBatch(const std::vector<std::pair<std::string, std::string>>& puts, bool sync) override {
    leveldb::WriteBatch batch;
    for (const auto& [k, v] : puts) batch.Put(k, v);
    leveldb::WriteOptions wo;
    wo.sync = sync;
    Check(db_->Write(wo, &batch), "write");
  }
  bool Get(std::string_view k, std::string* v) override {
    const leveldb::Status s = db_->Get(leveldb::ReadOptions(), S(k), v);
    if (s.IsNotFound()) return false;
    Check(s, "get");
    return true;
  }
  std::unique_ptr<EngineIterator> NewIterator() override {
    return std::make_unique<LevelDBIterator>(db_->NewIterator(leveldb::ReadOptions()));
  }
  std::string Stats() override {
    std::string s;
    db_->GetProperty("leveldb.stats", &s);
    return s;
  }
  Counters GetCounters() override {
    // "leveldb.stats": a header, then per level "Level Files Size(MB)
    // Time(sec) Read(MB) Write(MB)"; Write counts flushes (into their level)
    // and compactions, in whole MB. LevelDB reports no stall time.
    Counters c;
    std::string text;
    if (db_->GetProperty("leveldb.num-files-at-level0", &text)) c.level0_files = std::atoi(text.c_str());
    if (!db_->GetProperty("leveldb.stats", &text)) return c;
    std::istringstream in(text);
    std::string line;
    double written_mb = 0;
    bool any = false;
    while (std::getline(in, line)) {
      std::istringstream row(line);
      double level, files, size, secs, read, write;
      if (row >> level >> files >> size >> secs >> read >> write) {
        written_mb += write;
        any = true;
      }
    }
    if (any) c.table_bytes_written = written_mb * 1048576.0;
    return c;
  }

 private:
  std::unique_ptr<leveldb::Cache> cache_;
  std::unique_ptr<const leveldb::FilterPolicy> filter_;
  std::unique_ptr<leveldb::DB> db_;
};

}  // namespace

std::unique_ptr<Engine> OpenLevelDB(const EngineConfig& config, std::string* error) {
  std::unique_ptr<leveldb::Cache> cache(leveldb::NewLRUCache(config.cache_size));
  std::unique_ptr<const leveldb::FilterPolicy> filter(
      config.bloom_bits > 0 ? leveldb::NewBloomFilterPolicy(config.bloom_bits) : nullptr);
  leveldb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = config.write_buffer_size;
  options.block_cache = cache.get();
  options.filter_policy = filter.get();
  // LevelDB has only snappy: it stands in for both lz4 and zstd.
  options.compression = config.compression == EngineConfig::Compression::kNone
                            ? leveldb::kNoCompression
                            : leveldb::kSnappyCompression;
  if (config.fresh) (void)leveldb::DestroyDB(config.dir, options);
  leveldb::DB* db = nullptr;
  const leveldb::Status s = leveldb::DB::Open(options, config.dir, &db);
  if (!s.ok()) {
    *error = s.ToString();
    return nullptr;
  }
  return std::make_unique<LevelDBEngine>(db, std::move(cache), std::move(filter));
}

}  // namespace lsmkv_bench
