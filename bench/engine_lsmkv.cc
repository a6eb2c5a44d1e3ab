#include <cstdio>
#include <cstdlib>

#include "engine.h"
#include "lsmkv/db.h"

namespace lsmkv_bench {

namespace {

lsmkv::Slice S(std::string_view s) { return lsmkv::Slice(s.data(), s.size()); }

void Check(const lsmkv::Status& s, const char* what) {
  if (!s.ok()) Die(std::string("lsmkv ") + what + ": " + s.ToString());
}

class LsmkvIterator final : public EngineIterator {
 public:
  explicit LsmkvIterator(std::unique_ptr<lsmkv::Iterator> it) : it_(std::move(it)) {}
  bool Valid() const override { return it_->Valid(); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  void Seek(std::string_view t) override { it_->Seek(S(t)); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  std::string_view key() const override { return it_->key().ToStringView(); }
  std::string_view value() const override { return it_->value().ToStringView(); }

 private:
  std::unique_ptr<lsmkv::Iterator> it_;
};

class LsmkvEngine final : public Engine {
 public:
  explicit LsmkvEngine(std::unique_ptr<lsmkv::DB> db) : db_(std::move(db)) {}
  std::string Name() const override { return "lsmkv"; }

  void Put(std::string_view k, std::string_view v, bool sync) override {
    lsmkv::WriteOptions wo;
    wo.sync = sync;
    Check(db_->Put(wo, S(k), S(v)), "put");
  }
  void Delete(std::string_view k, bool sync) override {
    lsmkv::WriteOptions wo;
    wo.sync = sync;
    Check(db_->Delete(wo, S(k)), "delete");
  }
  void WriteBatch(const std::vector<std::pair<std::string, std::string>>& puts, bool sync) override {
    lsmkv::WriteBatch batch;
    for (const auto& [k, v] : puts) batch.Put(k, v);
    lsmkv::WriteOptions wo;
    wo.sync = sync;
    Check(db_->Write(wo, &batch), "write");
  }
  bool Get(std::string_view k, std::string* v) override {
    const lsmkv::Status s = db_->Get(lsmkv::ReadOptions(), S(k), v);
    if (s.IsNotFound()) return false;
    Check(s, "get");
    return true;
  }
  std::unique_ptr<EngineIterator> NewIterator() override {
    return std::make_unique<LsmkvIterator>(db_->NewIterator(lsmkv::ReadOptions()));
  }
  std::string Stats() override {
    std::string s;
    db_->GetProperty("lsmkv.stats", &s);
    return s;
  }
  Counters GetCounters() override {
    Counters c;
    uint64_t flushed = 0, compacted = 0, stall = 0;
    if (db_->GetIntProperty("lsmkv.flush-bytes", &flushed) &&
        db_->GetIntProperty("lsmkv.compaction-bytes-written", &compacted)) {
      c.table_bytes_written = static_cast<double>(flushed + compacted);
    }
    if (db_->GetIntProperty("lsmkv.stall-micros", &stall)) c.stall_seconds = stall / 1e6;
    uint64_t level0 = 0;
    if (db_->GetIntProperty("lsmkv.num-files-at-level0", &level0)) c.level0_files = static_cast<int>(level0);
    return c;
  }

 private:
  std::unique_ptr<lsmkv::DB> db_;
};

}  // namespace

int LsmkvDefaultBackgroundJobs() { return lsmkv::Options().max_background_jobs; }

std::unique_ptr<Engine> OpenLsmkv(const EngineConfig& config, std::string* error) {
  lsmkv::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = config.write_buffer_size;
  options.block_cache_capacity = config.cache_size;
  options.bloom_bits_per_key = config.bloom_bits;
  switch (config.compression) {
    case EngineConfig::Compression::kFast:
      options.compression = lsmkv::kLz4Compression;
      break;
    case EngineConfig::Compression::kZstd:
      options.compression = lsmkv::kZstdCompression;
      break;
    case EngineConfig::Compression::kNone:
      options.compression = lsmkv::kNoCompression;
      break;
  }
  options.zstd_level = config.zstd_level;
  if (config.background_jobs > 0) options.max_background_jobs = config.background_jobs;
  if (config.subcompactions > 0) options.max_subcompactions = config.subcompactions;
  if (config.block_size > 0) options.block_size = config.block_size;
  if (config.read_triggered_compaction >= 0) {
    options.read_triggered_compaction = config.read_triggered_compaction != 0;
  }
  if (config.mmap_reads >= 0) options.allow_mmap_reads = config.mmap_reads != 0;
  if (config.wal_write_mode == "mapped") {
    options.wal_write_mode = lsmkv::WalWriteMode::kMapped;
  } else if (config.wal_write_mode == "write") {
    options.wal_write_mode = lsmkv::WalWriteMode::kWrite;
  } else {
    options.wal_write_mode = lsmkv::WalWriteMode::kAuto;
  }
  if (config.fresh) (void)lsmkv::DestroyDB(config.dir, options);
  std::unique_ptr<lsmkv::DB> db;
  const lsmkv::Status s = lsmkv::DB::Open(options, config.dir, &db);
  if (!s.ok()) {
    *error = s.ToString();
    return nullptr;
  }
  return std::make_unique<LsmkvEngine>(std::move(db));
}

}  // namespace lsmkv_bench
