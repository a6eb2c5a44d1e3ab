// A compaction reads each input table once, front to back, through a
// reader of its own with a readahead buffer (not the table cache's mapped
// file), and then tells the table's file it is done with its pages
// (RandomAccessFile::DropResidentPages): with mapped tables the pages leave
// the process's resident set, so a compaction's RSS holds one buffer per
// input and about one input table per level of mapped pages rather than
// every table it has read (level_iterator.h).
#include <catch2/catch.hpp>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "db/level_iterator.h"
#include "format/filename.h"
#include "lsmkv/db.h"
#include "lsmkv/env.h"
#include "lsmkv/write_batch.h"
#include "support/db_contents.h"
#include "support/db_files.h"
#include "support/mem_env.h"
#include "support/test_util.h"
#include "table/table.h"
#include "util/random.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;

// Whether fname names a table file; its number in *number.
bool IsTableFile(const std::string& fname, uint64_t* number) {
  FileType type;
  return ParseFileName(fname.substr(fname.rfind('/') + 1), number, &type) && type == FileType::kTableFile;
}

// Counts DropResidentPages calls per table number; forwards everything.
class DropRecordingEnv final : public EnvWrapper {
 public:
  explicit DropRecordingEnv(Env* target) : EnvWrapper(target) {}

  // The DB opens tables with NewRandomAccessFileWithOptions, whose default
  // (EnvWrapper does not forward it) calls this.
  Status NewRandomAccessFile(const std::string& fname, std::unique_ptr<RandomAccessFile>* result) override {
    std::unique_ptr<RandomAccessFile> file;
    Status s = target()->NewRandomAccessFile(fname, &file);
    if (!s.ok()) return s;
    uint64_t number = 0;
    if (!IsTableFile(fname, &number)) {
      *result = std::move(file);
      return s;
    }
    *result = std::make_unique<RecordingFile>(std::move(file), this, number);
    return s;
  }

  std::map<uint64_t, int> drops() const {
    std::lock_guard<std::mutex> l(mu_);
    return drops_;
  }

 private:
  class RecordingFile final : public RandomAccessFile {
   public:
    RecordingFile(std::unique_ptr<RandomAccessFile> target, DropRecordingEnv* env, uint64_t number)
        : target_(std::move(target)), env_(env), number_(number) {}
    Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
      return target_->Read(offset, n, result, scratch);
    }
    void DropResidentPages() const override {
      {
        std::lock_guard<std::mutex> l(env_->mu_);
        env_->drops_[number_]++;
      }
      target_->DropResidentPages();
    }

   private:
    const std::unique_ptr<RandomAccessFile> target_;
    DropRecordingEnv* const env_;
    const uint64_t number_;
  };

  mutable std::mutex mu_;
  std::map<uint64_t, int> drops_;  // guarded by mu_
};

// Counts, per table file opened, the reads and bytes asked of it; every
// open of a table gets its own counters (the table cache's reader and a
// compaction's readers of the same file are told apart by open order).
class ReadCountingEnv final : public EnvWrapper {
 public:
  explicit ReadCountingEnv(Env* target) : EnvWrapper(target) {}

  struct Opened {
    uint64_t number;
    std::shared_ptr<std::atomic<uint64_t>> reads, bytes;
    std::shared_ptr<std::atomic<uint64_t>> end;  // the furthest offset + n asked for
  };

  Status NewRandomAccessFile(const std::string& fname, std::unique_ptr<RandomAccessFile>* result) override {
    std::unique_ptr<RandomAccessFile> file;
    Status s = target()->NewRandomAccessFile(fname, &file);
    if (!s.ok()) return s;
    uint64_t number = 0;
    if (!IsTableFile(fname, &number)) {
      *result = std::move(file);
      return s;
    }
    Opened o{number, std::make_shared<std::atomic<uint64_t>>(0), std::make_shared<std::atomic<uint64_t>>(0),
             std::make_shared<std::atomic<uint64_t>>(0)};
    {
      std::lock_guard<std::mutex> l(mu_);
      opened_.push_back(o);
    }
    *result = std::make_unique<CountingFile>(std::move(file), o);
    return s;
  }

  std::vector<Opened> opened() const {
    std::lock_guard<std::mutex> l(mu_);
    return opened_;
  }

 private:
  class CountingFile final : public RandomAccessFile {
   public:
    CountingFile(std::unique_ptr<RandomAccessFile> target, Opened o) : target_(std::move(target)), o_(std::move(o)) {}
    Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
      o_.reads->fetch_add(1);
      o_.bytes->fetch_add(n);
      uint64_t end = o_.end->load();
      while (offset + n > end && !o_.end->compare_exchange_weak(end, offset + n)) {
      }
      return target_->Read(offset, n, result, scratch);
    }

   private:
    const std::unique_ptr<RandomAccessFile> target_;
    const Opened o_;
  };

  mutable std::mutex mu_;
  std::vector<Opened> opened_;  // guarded by mu_
};

// Puts `count` keys of the seeded stream into db and model, then flushes:
// one level-0 table.
void WriteTable(DB* db, Random* rnd, int count, Model* model) {
  WriteBatch batch;
  for (int i = 0; i < count; i++) {
    const std::string key = "key" + std::to_string(rnd->Uniform(20000));
    const std::string value(100, static_cast<char>('a' + rnd->Uniform(26)));
    batch.Put(key, value);
    (*model)[key] = value;
  }
  REQUIRE(db->Write(WriteOptions(), &batch).ok());
  REQUIRE(db->Flush().ok());
}

// Small tables (several per level) in a DB over env.
Options ManyTablesOptions(Env* env) {
  Options options;
  options.create_if_missing = true;
  options.env = env;
  options.target_file_size = 64 << 10;  // several tables per level
  return options;
}

// Tables below level 0 first, then level-0 tables over the same keys, so
// that the next full compaction takes both kinds of input; then a full
// scan, so every table is open and no Table::Open runs during that
// compaction.
void WriteInputsForFullCompaction(DB* db, Random* rnd, Model* model) {
  for (int t = 0; t < 4; t++) WriteTable(db, rnd, 3000, model);
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  for (int t = 0; t < 3; t++) WriteTable(db, rnd, 3000, model);
  REQUIRE(test::Contents(db) == *model);
}

}  // namespace

TEST_CASE("DB: a compaction drops the resident pages of every input table it has read",
          "[db][compaction]") {
  const uint64_t seed = test::TestSeed(4242);
  INFO("seed " << seed);
  Random rnd(seed);
  MemEnv mem;
  DropRecordingEnv env(&mem);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(ManyTablesOptions(&env), "/db", &db).ok());
  Model model;
  // What the compaction below drops, only the compaction drops.
  WriteInputsForFullCompaction(db.get(), &rnd, &model);
  const std::set<uint64_t> before = test::TablesInManifest(db.get());
  REQUIRE(before.size() >= 6);
  const std::map<uint64_t, int> drops_before = env.drops();

  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  const std::set<uint64_t> after = test::TablesInManifest(db.get());
  const std::map<uint64_t, int> drops_after = env.drops();
  int inputs = 0;
  for (uint64_t number : before) {
    if (after.count(number) > 0) continue;  // not an input (or moved whole)
    inputs++;
    INFO("input table " << number);
    const int was = drops_before.count(number) > 0 ? drops_before.at(number) : 0;
    const int now = drops_after.count(number) > 0 ? drops_after.at(number) : 0;
    REQUIRE(now > was);
  }
  REQUIRE(inputs >= 6);
  REQUIRE(test::Contents(db.get()) == model);
  db.reset();
}

TEST_CASE("DB: a compaction reads its inputs through readahead readers of its own, not the table cache's",
          "[db][compaction]") {
  const uint64_t seed = test::TestSeed(4343);
  INFO("seed " << seed);
  Random rnd(seed);
  MemEnv mem;
  ReadCountingEnv env(&mem);
  Options options = ManyTablesOptions(&env);
  options.block_cache_capacity = 0;  // every data block is read from a file
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Model model;
  WriteInputsForFullCompaction(db.get(), &rnd, &model);
  const std::set<uint64_t> before = test::TablesInManifest(db.get());
  const std::vector<ReadCountingEnv::Opened> opened_before = env.opened();
  std::map<uint64_t, uint64_t> cache_reads_before;  // table number -> reads of its first reader
  for (const auto& o : opened_before) {
    if (cache_reads_before.count(o.number) == 0) cache_reads_before[o.number] = o.reads->load();
  }
  REQUIRE(before.size() >= 6);
  std::map<uint64_t, uint64_t> file_sizes;  // the inputs are gone after the compaction
  std::map<uint64_t, uint64_t> data_ends;   // where each input's data blocks end
  for (uint64_t number : before) {
    const std::string fname = TableFileName("/db", number);
    REQUIRE(mem.GetFileSize(fname, &file_sizes[number]).ok());
    std::unique_ptr<RandomAccessFile> file;
    REQUIRE(mem.NewRandomAccessFile(fname, &file).ok());
    std::shared_ptr<Table> table;
    REQUIRE(Table::Open(TableOptions(), fname, std::move(file), file_sizes[number], 0, &table).ok());
    data_ends[number] = table->data_end();
  }

  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  const std::set<uint64_t> after = test::TablesInManifest(db.get());
  const std::vector<ReadCountingEnv::Opened> opened_after = env.opened();
  int inputs = 0;
  for (uint64_t number : before) {
    if (after.count(number) > 0) continue;  // not an input
    inputs++;
    INFO("input table " << number);
    const uint64_t file_size = file_sizes[number];
    // The table cache's reader (the first open of the file) read nothing
    // during the compaction.
    bool first = true;
    int scan_readers = 0;
    uint64_t scan_reads = 0;
    for (size_t i = 0; i < opened_after.size(); i++) {
      const auto& o = opened_after[i];
      if (o.number != number) continue;
      if (first) {
        CHECK(o.reads->load() == cache_reads_before[number]);
        first = false;
      } else if (i >= opened_before.size()) {
        scan_readers++;
        scan_reads += o.reads->load();
        // Its windows stop where the data blocks end: the index and filter
        // after them are not fetched again.
        CHECK(o.end->load() <= data_ends[number]);
      }
    }
    // Opened again for the compaction (once per subcompaction that reaches
    // it), and read in windows: about one read per kCompactionReadaheadBytes
    // of the file, far fewer than its data blocks.
    CHECK(scan_readers >= 1);
    CHECK(scan_reads >= 1);
    CHECK(scan_reads <= static_cast<uint64_t>(scan_readers) * (2 * (file_size / kCompactionReadaheadBytes) + 2));
  }
  REQUIRE(inputs >= 6);
  REQUIRE(test::Contents(db.get()) == model);
  db.reset();
}

}  // namespace lsmkv
