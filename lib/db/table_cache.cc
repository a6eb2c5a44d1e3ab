#include "db/table_cache.h"

#include "env/readahead_file.h"
#include "format/filename.h"
#include "table/iterator_util.h"

namespace lsmkv {

namespace {

// Owns a Table and counts its pinned bytes for as long as it lives.
struct PinnedTable {
  PinnedTable(std::shared_ptr<Table> t, std::atomic<size_t>* c)
      : table(std::move(t)), counter(c), bytes(table->PinnedBytes()) {
    counter->fetch_add(bytes, std::memory_order_relaxed);
  }
  ~PinnedTable() { counter->fetch_sub(bytes, std::memory_order_relaxed); }
  PinnedTable(const PinnedTable&) = delete;
  PinnedTable& operator=(const PinnedTable&) = delete;

  std::shared_ptr<Table> table;
  std::atomic<size_t>* const counter;
  const size_t bytes;
};

}  // namespace

TableCache::TableCache(std::string dbname, Env* env, const TableOptions& options, size_t capacity)
    : dbname_(std::move(dbname)), env_(env), options_(options), cache_(capacity) {}

Status TableCache::FindTable(uint64_t number, uint64_t file_size, std::shared_ptr<Table>* table) {
  const CacheKey key{number, 0};
  if (std::shared_ptr<void> cached = cache_.Lookup(key)) {
    *table = std::static_pointer_cast<Table>(cached);
    return Status::OK();
  }
  const std::string fname = TableFileName(dbname_, number);
  std::unique_ptr<RandomAccessFile> file;
  RandomAccessFileOptions file_options;
  file_options.allow_mmap_reads = options_.allow_mmap_reads;
  Status s = env_->NewRandomAccessFileWithOptions(fname, file_options, &file);
  // A table the version names is missing: the DB is damaged. Said as
  // Corruption, never as the Env's NotFound, which a Get would pass on
  // as "no such key".
  if (s.IsNotFound()) return Status::Corruption(fname, "table file is missing: " + s.ToString());
  if (!s.ok()) return s;
  std::shared_ptr<Table> t;
  s = Table::Open(options_, fname, std::move(file), file_size, number, &t);
  if (!s.ok()) return s;  // errors are not cached: a later call retries
  // Count the table's pinned memory while the cache or a Get holds it.
  // (Iterators keep the Table itself alive a little longer than the count.)
  auto holder = std::make_shared<PinnedTable>(std::move(t), &pinned_bytes_);
  std::shared_ptr<Table> aliased(holder, holder->table.get());
  cache_.Insert(key, aliased, 1);
  *table = std::move(aliased);
  return Status::OK();
}

Status TableCache::OpenForScan(uint64_t number, size_t readahead, uint64_t data_end,
                               std::unique_ptr<RandomAccessFile>* file) {
  RandomAccessFileOptions file_options;
  file_options.allow_mmap_reads = false;
  std::unique_ptr<RandomAccessFile> below;
  Status s = env_->NewRandomAccessFileWithOptions(TableFileName(dbname_, number), file_options, &below);
  if (!s.ok()) return s;
  *file = std::make_unique<ReadaheadFile>(std::move(below), readahead, data_end);
  return Status::OK();
}

std::unique_ptr<Iterator> TableCache::NewIterator(const ReadOptions& options, uint64_t number,
                                                  uint64_t file_size) {
  std::shared_ptr<Table> table;
  Status s = FindTable(number, file_size, &table);
  if (!s.ok()) return NewErrorIterator(s);
  return table->NewIterator(options);
}

}  // namespace lsmkv
