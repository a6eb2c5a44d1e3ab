// Options for building and reading table files. The DB fills them from
// Options; tests use them directly.
#ifndef LSMKV_TABLE_TABLE_OPTIONS_H_
#define LSMKV_TABLE_TABLE_OPTIONS_H_

#include <cstddef>

#include "lsmkv/comparator.h"
#include "lsmkv/options.h"
#include "table/format.h"
#include "util/cache.h"

namespace lsmkv {

struct TableOptions {
  // Order of the keys in the table. Must outlive every table using it.
  const Comparator* comparator = BytewiseComparator();
  // Uncompressed bytes of data per block (approximate).
  size_t block_size = 2048;  // Options::block_size's default
  CompressionType compression = kLz4Compression;
  int zstd_level = -1;  // as Options::zstd_level
  // LZ4's acceleration when compression is kLz4Compression (format.h:
  // kLz4Acceleration, or kLz4FlushAcceleration for the tables of flushes).
  int lz4_acceleration = kLz4Acceleration;
  // 0: no filter block.
  int bloom_bits_per_key = 10;
  // The part of a key the bloom filter covers; nullptr means the whole key.
  // The DB filters on user keys (it passes ExtractUserKey).
  Slice (*filter_key)(const Slice& key) = nullptr;
  // Cache of decoded data blocks; nullptr disables caching. Borrowed.
  ShardedLRUCache* block_cache = nullptr;
  // How the table cache opens table files (Options::allow_mmap_reads).
  bool allow_mmap_reads = true;
};

}  // namespace lsmkv

#endif  // LSMKV_TABLE_TABLE_OPTIONS_H_
