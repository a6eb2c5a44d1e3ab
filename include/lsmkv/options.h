// Options for opening a DB, reading and writing. Every field has a working
// default. Out-of-range values are rejected by DB::Open with InvalidArgument,
// never silently clamped.
#ifndef LSMKV_OPTIONS_H_
#define LSMKV_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <functional>
#include <string>

#include "lsmkv/comparator.h"
#include "lsmkv/env.h"
#include "lsmkv/export.h"
#include "lsmkv/logger.h"
#include "lsmkv/slice.h"

namespace lsmkv {

class Snapshot;

// Block compression of table files. On disk, never renumber.
enum CompressionType : unsigned char {
  kNoCompression = 0x0,
  kZstdCompression = 0x1,
  // 0x2 was lsmkv's own lz codec (table format 2), replaced by LZ4 before
  // any release kept data in it; never reused.
  // LZ4 (liblz4, block format): decodes a 4 KiB block ~3x faster than
  // zstd -1 and compresses ~2x faster, for ~10% larger blocks.
  kLz4Compression = 0x3,
  // The fast codec under its old name: source written for lz keeps
  // compiling and now gets LZ4.
  kLzCompression [[deprecated("the lz codec was replaced by LZ4: use kLz4Compression")]] =
      kLz4Compression,
};

// What Open does with a WAL that is damaged (docs/reliability.md, "WAL
// recovery modes"). A torn record at the very end of the WALs -- what a
// crash leaves -- is dropped silently in every mode.
enum class WalRecoveryMode : unsigned char {
  // Replay stops at the first damaged, missing or zeroed record and at the
  // first batch whose sequence number does not follow the previous one,
  // within a WAL and across WALs; nothing after the stop point is applied,
  // so the recovered DB is always a prefix of the history. The WALs holding
  // the bytes not replayed are copied to <wal_dir>/lost/ and the stop is
  // reported by the property "lsmkv.wal-recovery".
  kPointInTime,
  // Any damage before the end (or a gap between WALs) fails Open with
  // Corruption. What paranoid_checks selects.
  kAbsoluteConsistency,
  // Damage is accepted only at the tail: Open fails with Corruption if an
  // intact record follows the first damaged one.
  kTolerateCorruptedTailRecords,
  // LevelDB's behaviour, for salvage: damaged records are skipped and
  // replay goes on. Can reorder history (a later write kept while an
  // earlier one is lost: a deleted key may come back).
  kSkipAnyCorruptedRecords,
};

struct LSMKV_EXPORT Options {
  // Create the DB if it is missing.
  bool create_if_missing = false;
  // Fail Open if the DB already exists.
  bool error_if_exists = false;
  // Stop at any detected corruption: Open fails with Corruption on a
  // damaged WAL (wal_recovery_mode is then kAbsoluteConsistency, whatever
  // it is set to) or MANIFEST.
  bool paranoid_checks = false;
  // What Open does with a damaged WAL (see WalRecoveryMode).
  WalRecoveryMode wal_recovery_mode = WalRecoveryMode::kPointInTime;
  // File system and clock. Must outlive the DB.
  Env* env = Env::Default();
  // Directory of the write-ahead logs; empty means the DB directory.
  std::string wal_dir;
  // How the POSIX Env writes the write-ahead log (other Envs, and wrappers
  // that do not forward Env::NewLogFile, ignore it). kAuto: picked per WAL
  // file -- through a shared writable mapping (no system call per record;
  // unsynced single puts ~1.7x faster than kWrite at the median,
  // docs/performance.md), except that the WAL after one whose write groups
  // averaged 1 KiB or more, none of them synced, is written with write(2)
  // (cheaper per byte: batched and large-value loads); switching to
  // write(2) by itself where the file system refuses mappings or
  // fallocate. kMapped: mapping only, a refusal is an IOError. kWrite:
  // write(2) always; choose it where a page of the WAL may fail to read
  // back (docs/reliability.md, "A failing disk and the mapped WAL").
  // Durability is the same in every mode.
  WalWriteMode wal_write_mode = WalWriteMode::kAuto;
  // Memtable bytes before it is flushed.
  size_t write_buffer_size = 4 << 20;
  // Active + immutable memtables whose tables are not yet written: writers
  // wait for a flush beyond that. A memtable whose table is written and
  // being synced no longer counts (the next table is built meanwhile, so
  // the syncs are off the writers' path) but stays readable until its
  // flush is installed: for those few milliseconds up to one more memtable
  // than this is in memory (docs/architecture.md, "Flush").
  int max_write_buffer_number = 2;
  // Flush + compaction threads. Up to max_background_jobs - 1 compactions
  // (at least one) run at once; with two or more compaction threads, one
  // is kept for compactions out of level 0, so level 0 drains while a long
  // compaction of deeper levels runs (writers stall on level 0, never on
  // the deeper levels). Default 3: a flush thread, a level-0 compaction
  // beside one of the deeper levels (docs/performance.md, 2026-11-30).
  int max_background_jobs = 3;
  // Read-triggered compaction: a table that lookups keep consulting and then
  // going on past (to a table below it) is compacted into the next level
  // once it cost about as many lookups as rewriting it costs, so a read-heavy
  // phase flattens a tree left uneven by random writes. Costs background
  // writes while reading; false turns it off.
  bool read_triggered_compaction = true;
  // A compaction out of level 0 (the one writers wait for) is split into up
  // to this many key ranges, merged side by side on extra threads
  // (max_subcompactions - 1 of them) and installed as one. 1: never split.
  int max_subcompactions = 1;
  // Uncompressed bytes of entries per data block (approximate: a block is
  // cut once it reaches this). Default 2 KiB, half LevelDB's 4 KiB: a
  // lookup or seek that misses the block cache reads, checksums and decodes
  // one whole block, so half the block is ~25% fewer instructions and ~30%
  // fewer cache misses per random read, for +8% instructions per Next, an
  // index twice as large (~1.7% of the data) and ~2-4% more disk
  // (docs/performance/2026-12-01-seeks-bytes-per-block.md).
  size_t block_size = 2048;
  // Bloom filter bits per key; 0 disables bloom filters.
  int bloom_bits_per_key = 10;
  // Codec of data blocks. Default kLz4Compression, measured
  // (docs/performance.md): decoding one block is most of a random read, and
  // LZ4 decodes a 4 KiB block in ~0.4 us against zstd -1's ~1.5 us, for
  // files about as large as LevelDB's with snappy. kZstdCompression trades
  // read and flush speed for ~8-12% less disk (more at higher zstd_level).
  CompressionType compression = kLz4Compression;
  // zstd level for data blocks when compression is kZstdCompression,
  // -7..22; negative levels are zstd's fast modes. Against level 1, -1 reads
  // 1.6x faster for 13% more disk.
  int zstd_level = -1;
  // Block cache bytes; 0 disables the block cache.
  size_t block_cache_capacity = 8 << 20;
  // How table files are read (RocksDB's name; LevelDB always maps up to
  // 1000 tables). true: through read-only memory mappings (PosixEnv maps up
  // to 1000 tables, then reads the rest with pread): a block-cache miss
  // decodes the block straight from the mapping, no system call, but every
  // table page a read touched counts in the process's RSS (file-backed)
  // until the table is closed, so after random reads over a large DB the
  // RSS approaches the DB's size. false: a miss is one pread(2) into the
  // buffer the block lives in; the process's memory stays the write
  // buffers + block cache + index/filter blocks, and each open table holds
  // a file descriptor (bounded by max_open_files). Default true: pread
  // costs 1.2-1.5x the CPU per read (the system call); at 1M-2M entries
  // the peak RSS was 34-45 MiB with pread against 118-223 MiB mapped
  // (docs/performance/2026-12-01-table-reads-pread-vs-mmap.md). Choose
  // false where the process's RSS must stay bounded.
  bool allow_mmap_reads = true;
  // Files the DB may keep open; 10 are kept for WALs, the MANIFEST and
  // the like, the rest bound the table cache (tables kept open at once).
  // At least 16. The table cache is split into 16 shards that share that
  // bound exactly (lib/util/cache.h), so with small values (16..25: fewer
  // than 16 tables) some shards hold no table, and a lookup in a table
  // that falls into one of them opens the table (and reads its index)
  // again every time. A bound on the cache, not on descriptors: a table
  // evicted while an iterator (or a running Get or compaction) still reads
  // it stays open until that reader is done, so live iterators may hold
  // more descriptors than max_open_files.
  int max_open_files = 1000;
  size_t target_file_size = 2 << 20;
  uint64_t max_bytes_for_level_base = 10 << 20;
  int level0_file_num_compaction_trigger = 4;
  // Back-pressure from level 0: from level0_slowdown_writes_trigger files on,
  // each write is delayed ~1 ms once; at level0_stop_writes_trigger writers
  // wait for a compaction. Defaults 20 / 36 (RocksDB's; LevelDB's are 8 /
  // 12): while a long L0 -> L1 compaction runs, level 0 keeps taking
  // flushes, and the next compaction merges them all at once with level 1,
  // so level 1 is rewritten once per many flushes instead of once per four.
  // With 4 KiB values that cut table write amplification from 3.3-3.9 to
  // 2.2 and stall time 1.6-2.9x (docs/performance/2026-12-01-large-values.md).
  // The cost: while writes outrun compaction a Get probes up to that many
  // level-0 tables (one bloom filter check each), and a writer running
  // flat out beside readers is held back later, so it takes more of the
  // CPU from them. So while Gets come in beside the writes (at least one
  // per 16 entries flushed, judged at each flush), writes are slowed from
  // 2 x level0_file_num_compaction_trigger level-0 files (LevelDB's 8) or
  // this trigger, whichever is lower (docs/architecture.md, "Back-pressure
  // follows the readers").
  int level0_slowdown_writes_trigger = 20;
  int level0_stop_writes_trigger = 36;
  // Bytes of WALs that flushes made obsolete to keep (in <wal_dir>/archive/)
  // for the change feed (DB::GetUpdatesSince); the oldest are deleted
  // beyond it. 0: none kept. Kept WALs are never replayed at Open.
  uint64_t wal_retention_bytes = 0;
  // Order of user keys. Must outlive the DB; its Name() is recorded on disk.
  const Comparator* comparator = BytewiseComparator();
  // Where the DB logs its events (open/recovery, flushes, compactions,
  // stalls, background errors; docs/statistics.md). Shared: the DB keeps a
  // reference while it is open, so the caller may drop its own. nullptr:
  // the file "LOG" in the DB directory, the previous one renamed to
  // "LOG.old" at open, rotated again whenever it passes max_log_file_size.
  std::shared_ptr<Logger> info_log;
  // Bytes after which the default LOG file is rotated to LOG.old (so at
  // most about twice this is kept). At least 4 KiB. Ignored when info_log
  // is set.
  size_t max_log_file_size = 4 << 20;
};

struct LSMKV_EXPORT ReadOptions {
  // Verify block checksums on every read (not only at open).
  bool verify_checksums = false;
  // Put blocks read by this operation into the block cache.
  bool fill_cache = true;
  // Read as of this snapshot (from DB::GetSnapshot); nullptr means "now".
  const Snapshot* snapshot = nullptr;
  // Iterators only: keys below *iterate_lower_bound (inclusive) and at or
  // above *iterate_upper_bound (exclusive) are invisible, and a scan stops
  // at the bound instead of reading past it. nullptr: unbounded. The bytes
  // are copied when the iterator is created.
  const Slice* iterate_lower_bound = nullptr;
  const Slice* iterate_upper_bound = nullptr;
};

struct LSMKV_EXPORT WriteOptions {
  // true: fdatasync the WAL before acknowledging; the write survives a power
  // loss. false: the WAL record is handed to the OS before acknowledging; the
  // write survives a process crash but may be lost on power loss.
  bool sync = false;
};

// Progress of a long operation: called on the thread running it after each
// step, with how much is done of the total (done <= total; the unit is the
// operation's, see below). It may run while the DB holds internal locks: it
// must not call into the DB, and should return quickly. May be empty.
using ProgressCallback = std::function<void(uint64_t done, uint64_t total)>;

// DB::Verify. progress: bytes of table files read, of all live ones.
struct LSMKV_EXPORT VerifyOptions {
  ProgressCallback progress;
};

// DB::Compact. progress: compaction steps (one per level the range is
// moved out of, plus the rewrite of the bottom level) done, of those
// planned; the plan grows if background compactions push data deeper.
struct LSMKV_EXPORT CompactOptions {
  ProgressCallback progress;
};

// RepairDB. progress: WAL and table files processed, of those found (the
// final merge is the last step).
struct LSMKV_EXPORT RepairOptions {
  ProgressCallback progress;
};

}  // namespace lsmkv

#endif  // LSMKV_OPTIONS_H_
