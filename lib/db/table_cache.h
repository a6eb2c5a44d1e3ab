// TableCache: open Table readers by file number, bounded by
// Options::max_open_files. Tables are shared: an evicted table stays open
// until the last reader using it lets go.
//
// Thread safety: thread-safe.
#ifndef LSMKV_DB_TABLE_CACHE_H_
#define LSMKV_DB_TABLE_CACHE_H_

#include <atomic>
#include <memory>
#include <string>

#include "lsmkv/env.h"
#include "lsmkv/iterator.h"
#include "lsmkv/options.h"
#include "table/table.h"
#include "table/table_options.h"
#include "util/cache.h"

namespace lsmkv {

class TableCache {
 public:
  // options is copied; its block cache and comparator are borrowed.
  TableCache(std::string dbname, Env* env, const TableOptions& options, size_t capacity);
  TableCache(const TableCache&) = delete;
  TableCache& operator=(const TableCache&) = delete;

  Status FindTable(uint64_t number, uint64_t file_size, std::shared_ptr<Table>* table);

  // A second reader of table `number`'s file for one scan front to back (a
  // compaction input): reads go through a buffer of `readahead` bytes
  // filled by pread (the file is opened with allow_mmap_reads = false; an
  // Env that ignores that may still map it), so the scan adds no mapped
  // pages to the process's RSS and costs one system call per `readahead`
  // bytes (env/readahead_file.h; one reader at a time). Refills stop at
  // `data_end` (Table::data_end), so the buffer is not filled with the
  // index and filter, which the scan reads through the cached table.
  Status OpenForScan(uint64_t number, size_t readahead, uint64_t data_end,
                     std::unique_ptr<RandomAccessFile>* file);

  // An iterator over the table; it keeps the table open.
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options, uint64_t number,
                                        uint64_t file_size);

  void Evict(uint64_t number) { cache_.Erase(CacheKey{number, 0}); }

  // Memory pinned by open tables (index, filter, properties).
  size_t PinnedBytes() const { return pinned_bytes_.load(std::memory_order_relaxed); }

 private:
  const std::string dbname_;
  Env* const env_;
  const TableOptions options_;
  ShardedLRUCache cache_;  // charge 1 per table
  // Relaxed: a statistic. Updated by the tables' holders, which the DB
  // (owner of this cache) outlives.
  std::atomic<size_t> pinned_bytes_{0};
};

}  // namespace lsmkv

#endif  // LSMKV_DB_TABLE_CACHE_H_
