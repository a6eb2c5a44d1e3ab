// Options::allow_mmap_reads end to end on the POSIX Env: tables read
// through mappings and with pread give the same answers (and a DB written
// in one mode reads in the other), a missing or truncated table is a clear
// Corruption or IOError naming the file in both modes, and under pread the
// table files held open stay within the table cache's capacity
// (max_open_files - 10).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/test_util.h"
#include "util/random.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;

// Seeded puts (some values incompressible, so both stored-raw and LZ4
// blocks occur) and deletes over 3000 keys, applied to db and model.
void RunWorkload(DB* db, uint64_t seed, int ops, Model* model) {
  Random rnd(seed);
  for (int i = 0; i < ops; i++) {
    char key[16];
    std::snprintf(key, sizeof(key), "key%06u", static_cast<unsigned>(rnd.Uniform(3000)));
    if (rnd.OneIn(10)) {
      REQUIRE(db->Delete(WriteOptions(), key).ok());
      model->erase(key);
    } else {
      const std::string value = rnd.OneIn(2) ? rnd.Bytes(50 + rnd.Uniform(200))
                                             : std::string(50 + rnd.Uniform(200), 'v');
      REQUIRE(db->Put(WriteOptions(), key, value).ok());
      (*model)[key] = value;
    }
  }
}

// Every key of the model, a sample of absent keys, and seeks, against db.
void CheckAgainstModel(DB* db, const Model& model, uint64_t seed) {
  REQUIRE(test::Contents(db) == model);
  std::string value;
  for (const auto& [k, v] : model) {
    const Status s = db->Get(ReadOptions(), k, &value);
    INFO(k << ": " << s.ToString());
    REQUIRE(s.ok());
    REQUIRE(value == v);
  }
  Random rnd(seed);
  auto it = db->NewIterator(ReadOptions());
  for (int i = 0; i < 500; i++) {
    char key[16];
    std::snprintf(key, sizeof(key), "key%06u", static_cast<unsigned>(rnd.Uniform(3100)));
    const bool present = model.count(key) > 0;
    const Status s = db->Get(ReadOptions(), key, &value);
    REQUIRE((present ? s.ok() : s.IsNotFound()));
    it->Seek(key);
    auto lb = model.lower_bound(key);
    REQUIRE(it->Valid() == (lb != model.end()));
    if (it->Valid()) REQUIRE(it->key().ToString() == lb->first);
  }
  REQUIRE(it->status().ok());
}

std::vector<std::string> TableFiles(const std::string& dir) {
  std::vector<std::string> children, tables;
  REQUIRE(Env::Default()->GetChildren(dir, &children).ok());
  for (const auto& c : children) {
    if (c.size() > 4 && c.compare(c.size() - 4, 4, ".sst") == 0) tables.push_back(dir + "/" + c);
  }
  std::sort(tables.begin(), tables.end());
  return tables;
}

Options SmallTableOptions(bool mmap_reads) {
  Options options;
  options.create_if_missing = true;
  options.allow_mmap_reads = mmap_reads;
  options.write_buffer_size = 64 << 10;
  options.target_file_size = 32 << 10;
  options.max_bytes_for_level_base = 128 << 10;
  return options;
}

// Counts the random-access files open through it (live and most at once)
// and remembers whether any open asked for a mapping.
class OpenFileCountingEnv final : public EnvWrapper {
 public:
  explicit OpenFileCountingEnv(Env* base) : EnvWrapper(base) {}

  Status NewRandomAccessFileWithOptions(const std::string& f, const RandomAccessFileOptions& o,
                                        std::unique_ptr<RandomAccessFile>* r) override {
    std::unique_ptr<RandomAccessFile> file;
    Status s = target()->NewRandomAccessFileWithOptions(f, o, &file);
    if (!s.ok()) return s;
    if (o.allow_mmap_reads) mmap_asked_.store(true);
    opens_.fetch_add(1);
    *r = std::make_unique<CountedFile>(this, std::move(file));
    return Status::OK();
  }

  int live() const { return live_.load(); }
  int most() const { return most_.load(); }
  int opens() const { return opens_.load(); }
  bool mmap_asked() const { return mmap_asked_.load(); }
  void ResetCounts() {
    most_.store(live_.load());
    opens_.store(0);
  }

 private:
  class CountedFile final : public RandomAccessFile {
   public:
    CountedFile(OpenFileCountingEnv* env, std::unique_ptr<RandomAccessFile> base)
        : env_(env), base_(std::move(base)) {
      const int now = env_->live_.fetch_add(1) + 1;
      int most = env_->most_.load();
      while (now > most && !env_->most_.compare_exchange_weak(most, now)) {
      }
    }
    ~CountedFile() override { env_->live_.fetch_sub(1); }
    Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
      return base_->Read(offset, n, result, scratch);
    }

   private:
    OpenFileCountingEnv* const env_;
    const std::unique_ptr<RandomAccessFile> base_;
  };

  std::atomic<int> live_{0};
  std::atomic<int> most_{0};
  std::atomic<int> opens_{0};
  std::atomic<bool> mmap_asked_{false};
};

}  // namespace

TEST_CASE("Table reads: mapped and pread give the same answers, across a reopen in the other mode",
          "[db][table-reads]") {
  const bool mmap_reads = GENERATE(false, true);
  const CompressionType compression = GENERATE(kNoCompression, kLz4Compression);
  const uint64_t seed = test::TestSeed(1201);
  INFO("seed " << seed << " allow_mmap_reads " << mmap_reads << " compression "
               << int(compression));
  const std::string dir = test::ScratchDir("table_reads_modes");
  Model model;
  {
    Options options = SmallTableOptions(mmap_reads);
    options.compression = compression;
    options.block_cache_capacity = 64 << 10;  // small: most reads go to the files
    std::unique_ptr<DB> db;
    REQUIRE(DB::Open(options, dir, &db).ok());
    RunWorkload(db.get(), seed, 20000, &model);
    REQUIRE(db->Flush().ok());
    REQUIRE(TableFiles(dir).size() > 5);
    CheckAgainstModel(db.get(), model, seed + 1);
    REQUIRE(db->CompactRange(nullptr, nullptr).ok());
    CheckAgainstModel(db.get(), model, seed + 2);
  }
  {
    Options options = SmallTableOptions(!mmap_reads);
    options.block_cache_capacity = 0;  // every read goes to the files
    std::unique_ptr<DB> db;
    REQUIRE(DB::Open(options, dir, &db).ok());
    CheckAgainstModel(db.get(), model, seed + 3);
  }
  test::RemoveTree(dir);
}

TEST_CASE("Table reads: a missing table file is Corruption naming it, never NotFound",
          "[db][table-reads][corruption]") {
  const bool mmap_reads = GENERATE(false, true);
  INFO("allow_mmap_reads " << mmap_reads);
  const std::string dir = test::ScratchDir("table_reads_missing");
  {
    std::unique_ptr<DB> db;
    REQUIRE(DB::Open(SmallTableOptions(mmap_reads), dir, &db).ok());
    REQUIRE(db->Put(WriteOptions(), "k", "v").ok());
    REQUIRE(db->Flush().ok());
  }
  const std::vector<std::string> tables = TableFiles(dir);
  REQUIRE(tables.size() == 1);
  const std::string saved = tables[0] + ".saved";
  REQUIRE(Env::Default()->RenameFile(tables[0], saved).ok());
  {
    // Gone before Open: Open checks that every table it names exists.
    std::unique_ptr<DB> db;
    const Status s = DB::Open(SmallTableOptions(mmap_reads), dir, &db);
    INFO(s.ToString());
    REQUIRE(s.IsCorruption());
    REQUIRE(s.ToString().find(tables[0]) != std::string::npos);
    REQUIRE(s.ToString().find("missing") != std::string::npos);
  }
  REQUIRE(Env::Default()->RenameFile(saved, tables[0]).ok());
  {
    // Gone after Open, before the table was first read: the table cache's
    // open fails with the Env's NotFound, which must not reach the caller
    // as "no such key".
    std::unique_ptr<DB> db;
    REQUIRE(DB::Open(SmallTableOptions(mmap_reads), dir, &db).ok());
    REQUIRE(Env::Default()->RemoveFile(tables[0]).ok());
    std::string value;
    const Status s = db->Get(ReadOptions(), "k", &value);
    INFO(s.ToString());
    REQUIRE(s.IsCorruption());
    REQUIRE(s.ToString().find(tables[0]) != std::string::npos);
    REQUIRE(s.ToString().find("missing") != std::string::npos);
  }
  test::RemoveTree(dir);
}

TEST_CASE("Table reads: a table truncated before it is opened is Corruption or IOError naming it",
          "[db][table-reads][corruption]") {
  const bool mmap_reads = GENERATE(false, true);
  INFO("allow_mmap_reads " << mmap_reads);
  const std::string dir = test::ScratchDir("table_reads_truncated");
  Model model;
  {
    std::unique_ptr<DB> db;
    REQUIRE(DB::Open(SmallTableOptions(mmap_reads), dir, &db).ok());
    RunWorkload(db.get(), 7, 300, &model);
    REQUIRE(db->Flush().ok());
  }
  const std::vector<std::string> tables = TableFiles(dir);
  REQUIRE(tables.size() == 1);
  uint64_t size = 0;
  REQUIRE(Env::Default()->GetFileSize(tables[0], &size).ok());
  REQUIRE(::truncate(tables[0].c_str(), static_cast<off_t>(size / 2)) == 0);
  std::unique_ptr<DB> db;
  Status s = DB::Open(SmallTableOptions(mmap_reads), dir, &db);
  if (s.ok()) {
    std::string value;
    s = db->Get(ReadOptions(), model.begin()->first, &value);
  }
  INFO(s.ToString());
  REQUIRE((s.IsCorruption() || s.IsIOError()));
  REQUIRE(s.ToString().find(tables[0]) != std::string::npos);
  db.reset();
  test::RemoveTree(dir);
}

// Only under pread: a mapped file that shrinks under its mapping faults
// (SIGBUS) on the next touch of a page past the new end -- a hazard of
// mapping that pread does not have.
TEST_CASE("Table reads: under pread, a table truncated while open reads as Corruption, never wrong data",
          "[db][table-reads][corruption]") {
  const std::string dir = test::ScratchDir("table_reads_truncated_open");
  Options options = SmallTableOptions(false);
  options.block_cache_capacity = 0;  // every Get reads its data block from the file
  options.compression = kNoCompression;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, dir, &db).ok());
  Model model;
  RunWorkload(db.get(), 11, 300, &model);
  REQUIRE(db->Flush().ok());
  const std::vector<std::string> tables = TableFiles(dir);
  REQUIRE(tables.size() == 1);
  std::string value;
  REQUIRE(db->Get(ReadOptions(), model.begin()->first, &value).ok());  // the table is open now
  uint64_t size = 0;
  REQUIRE(Env::Default()->GetFileSize(tables[0], &size).ok());
  REQUIRE(::truncate(tables[0].c_str(), static_cast<off_t>(size / 3)) == 0);
  int corrupt = 0;
  for (const auto& [k, v] : model) {
    const Status s = db->Get(ReadOptions(), k, &value);
    INFO(k << ": " << s.ToString());
    if (s.ok()) {
      REQUIRE(value == v);  // a block still wholly inside the file
    } else {
      REQUIRE(s.IsCorruption());
      REQUIRE(s.ToString().find("truncated block") != std::string::npos);
      REQUIRE(s.ToString().find(tables[0]) != std::string::npos);
      corrupt++;
    }
  }
  REQUIRE(corrupt > 0);
  db.reset();
  test::RemoveTree(dir);
}

TEST_CASE("Table reads: under pread, table files held open stay within max_open_files - 10",
          "[db][table-reads]") {
  const std::string dir = test::ScratchDir("table_reads_open_files");
  OpenFileCountingEnv env(Env::Default());
  Options options = SmallTableOptions(false);
  options.env = &env;
  options.max_open_files = 16;  // the least allowed: a table cache of 6
  options.read_triggered_compaction = false;  // no background opens while counting
  options.target_file_size = 4096;  // many small tables
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, dir, &db).ok());
  Model model;
  RunWorkload(db.get(), 5, 20000, &model);
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  const size_t tables = TableFiles(dir).size();
  REQUIRE(tables > 30);
  REQUIRE_FALSE(env.mmap_asked());

  env.ResetCounts();
  const int capacity = options.max_open_files - 10;
  std::string value;
  for (int round = 0; round < 3; round++) {
    for (const auto& [k, v] : model) {
      REQUIRE(db->Get(ReadOptions(), k, &value).ok());
      // The cache holds at most `capacity` tables; a lookup that misses
      // opens its table before the least recently used one is evicted, so
      // one more is open for that moment.
      REQUIRE(env.live() <= capacity + 1);
    }
  }
  INFO("tables " << tables << ", most open at once " << env.most() << ", opens " << env.opens());
  REQUIRE(env.most() <= capacity + 1);
  REQUIRE(env.most() >= capacity);  // the cache did fill up
  REQUIRE(env.opens() > static_cast<int>(tables));  // and evicted: tables were reopened
  db.reset();
  REQUIRE(env.live() == 0);
  test::RemoveTree(dir);
}

namespace {

// A wrapper written before NewRandomAccessFileWithOptions existed: it
// overrides only the two-argument open (as a decrypting or checksumming
// wrapper would) and counts the opens it sees.
class OldStyleCountingEnv final : public EnvWrapper {
 public:
  explicit OldStyleCountingEnv(Env* base) : EnvWrapper(base) {}
  Status NewRandomAccessFile(const std::string& f, std::unique_ptr<RandomAccessFile>* r) override {
    opens.fetch_add(1);
    return target()->NewRandomAccessFile(f, r);
  }
  std::atomic<int> opens{0};
};

}  // namespace

// EnvWrapper must not forward the options-taking open past a subclass's
// override of the old one: the DB's table opens reach the override.
TEST_CASE("Table reads: a wrapper overriding only NewRandomAccessFile sees every table open",
          "[table-reads]") {
  const bool mmap_reads = GENERATE(true, false);
  INFO("allow_mmap_reads " << mmap_reads);
  const std::string dir = test::ScratchDir("table_reads_old_wrapper");
  OldStyleCountingEnv env(Env::Default());
  Options options = SmallTableOptions(mmap_reads);
  options.env = &env;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, dir, &db).ok());
  REQUIRE(db->Put(WriteOptions(), "k", "v").ok());
  REQUIRE(db->Flush().ok());
  db.reset();
  env.opens.store(0);
  REQUIRE(DB::Open(options, dir, &db).ok());
  std::string value;
  REQUIRE(db->Get(ReadOptions(), "k", &value).ok());
  CHECK(value == "v");
  CHECK(env.opens.load() >= 1);
  db.reset();
  test::RemoveTree(dir);
}

}  // namespace lsmkv
