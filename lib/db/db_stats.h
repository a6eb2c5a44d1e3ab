// DbStats: every statistic of a DB at one moment, and its three renderings
// (docs/statistics.md): the "lsmkv.stats" text, the named integers of
// DB::GetIntProperty, and the "lsmkv.stats.json" document. The integer
// list (ForEachIntStat) is the one place that names each figure, so the
// three cannot drift apart.
#ifndef LSMKV_DB_DB_STATS_H_
#define LSMKV_DB_DB_STATS_H_

#include <cstdint>
#include <functional>
#include <string>

#include "util/histogram.h"
#include "version/version_edit.h"

namespace lsmkv {

struct DbStats {
  struct Level {
    int files = 0;
    uint64_t bytes = 0;
    double score = 0;  // compaction score: >= 1 means the level wants compacting
    // Compactions whose output went to this level.
    uint64_t compactions = 0;
    uint64_t compaction_micros = 0;
    uint64_t compaction_bytes_read = 0;
    uint64_t compaction_bytes_written = 0;
  };

  // Gauges (current state).
  uint64_t active_memtable_entries = 0;
  uint64_t active_memtable_bytes = 0;
  uint64_t immutable_memtables = 0;
  uint64_t last_sequence = 0;
  uint64_t approximate_memory_usage = 0;
  uint64_t block_cache_bytes = 0;
  uint64_t block_cache_capacity = 0;
  uint64_t table_cache_pinned_bytes = 0;
  uint64_t max_concurrent_compactions = 0;  // high-water mark since open
  uint64_t background_error = 0;            // 1 while a background error stops writes
  std::string background_error_message;     // its status; empty when none
  // Counters (since open, except where noted).
  uint64_t user_bytes_written = 0;
  uint64_t wal_bytes_written = 0;
  uint64_t write_groups = 0;
  uint64_t synced_write_groups = 0;
  uint64_t flushes = 0;
  uint64_t flushes_below_level0 = 0;
  uint64_t flush_bytes = 0;
  uint64_t flush_micros = 0;
  uint64_t stall_micros = 0;
  uint64_t slowdown_micros = 0;
  uint64_t write_slowdowns = 0;
  uint64_t write_stops = 0;
  uint64_t compaction_entries_dropped = 0;
  uint64_t read_triggered_compactions = 0;  // picked because reads kept consulting a table
  uint64_t subcompactions = 0;  // key ranges merged by compactions split across threads
  uint64_t gets = 0;
  uint64_t tables_probed = 0;
  uint64_t bloom_useful = 0;
  uint64_t bloom_useless = 0;
  uint64_t block_cache_hits = 0;
  uint64_t block_cache_misses = 0;
  uint64_t resumes = 0;  // background errors cleared by Resume
  uint64_t wal_corrupted_records = 0;  // at the last open
  uint64_t wal_corrupted_bytes = 0;
  uint64_t table_entries = 0;  // entries in all live tables (a gauge)

  Level levels[kNumLevels];

  // Nanoseconds.
  LatencyHistogram::Snapshot get_latency, write_latency, synced_write_latency, flush_latency,
      compaction_latency;

  // Derived figures.
  int total_files() const;
  uint64_t total_sst_bytes() const;
  uint64_t compaction_bytes_read() const;
  uint64_t compaction_bytes_written() const;
  uint64_t compactions() const;
  uint64_t compaction_micros() const;
  // Table entries + memtable entries: counts overwritten and deleted keys
  // until compactions drop them.
  uint64_t estimate_num_keys() const;
  // (WAL + flush + compaction bytes written) / user bytes written; 0 before
  // the first write.
  double write_amplification() const;
  // Tables probed per Get (bloom filters and key ranges keep it low).
  double read_amplification() const;
};

enum class StatKind { kCounter, kGauge };

// Calls fn(name, kind, value) for every integer statistic, in a fixed order.
// Names carry the "lsmkv." prefix.
void ForEachIntStat(const DbStats& stats,
                    const std::function<void(const std::string& name, StatKind kind, uint64_t value)>& fn);

// The names of the latency histograms ("get", "write", "synced-write",
// "flush", "compaction") and their snapshots, in that order.
void ForEachLatency(const DbStats& stats,
                    const std::function<void(const char* name, const LatencyHistogram::Snapshot&)>& fn);

std::string FormatStatsText(const DbStats& stats);
std::string FormatStatsJson(const DbStats& stats);
// One line per histogram, in microseconds ("get: count ... max ...").
std::string FormatLatencyText(const DbStats& stats);

}  // namespace lsmkv

#endif  // LSMKV_DB_DB_STATS_H_
