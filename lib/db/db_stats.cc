// DbStats: derived figures and the text, integer and JSON renderings.
#include "db/db_stats.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

namespace lsmkv {

namespace {

// The sum of one per-level figure over every level.
template <typename Field>
Field SumLevels(const DbStats::Level (&levels)[kNumLevels], Field DbStats::Level::*field) {
  Field n = 0;
  for (const DbStats::Level& l : levels) n += l.*field;
  return n;
}

}  // namespace

int DbStats::total_files() const { return SumLevels(levels, &Level::files); }
uint64_t DbStats::total_sst_bytes() const { return SumLevels(levels, &Level::bytes); }
uint64_t DbStats::compaction_bytes_read() const { return SumLevels(levels, &Level::compaction_bytes_read); }
uint64_t DbStats::compaction_bytes_written() const { return SumLevels(levels, &Level::compaction_bytes_written); }
uint64_t DbStats::compactions() const { return SumLevels(levels, &Level::compactions); }
uint64_t DbStats::compaction_micros() const { return SumLevels(levels, &Level::compaction_micros); }

uint64_t DbStats::estimate_num_keys() const { return table_entries + active_memtable_entries; }

double DbStats::write_amplification() const {
  if (user_bytes_written == 0) return 0.0;
  return static_cast<double>(wal_bytes_written + flush_bytes + compaction_bytes_written()) /
         user_bytes_written;
}

double DbStats::read_amplification() const {
  return gets == 0 ? 0.0 : static_cast<double>(tables_probed) / gets;
}

void ForEachLatency(const DbStats& s,
                    const std::function<void(const char*, const LatencyHistogram::Snapshot&)>& fn) {
  fn("get", s.get_latency);
  fn("write", s.write_latency);
  fn("synced-write", s.synced_write_latency);
  fn("flush", s.flush_latency);
  fn("compaction", s.compaction_latency);
}

namespace {

uint64_t Rounded(double v) { return static_cast<uint64_t>(std::llround(v)); }

}  // namespace

void ForEachIntStat(const DbStats& s,
                    const std::function<void(const std::string&, StatKind, uint64_t)>& fn) {
  constexpr StatKind kC = StatKind::kCounter;
  constexpr StatKind kG = StatKind::kGauge;
  const std::string p = "lsmkv.";
  // Memtables, sequence, memory.
  fn(p + "active-memtable-entries", kG, s.active_memtable_entries);
  fn(p + "active-memtable-bytes", kG, s.active_memtable_bytes);
  fn(p + "num-immutable-memtables", kG, s.immutable_memtables);
  fn(p + "last-sequence", kG, s.last_sequence);
  fn(p + "approximate-memory-usage", kG, s.approximate_memory_usage);
  fn(p + "table-cache-pinned-bytes", kG, s.table_cache_pinned_bytes);
  fn(p + "background-error", kG, s.background_error);
  fn(p + "resumes", kC, s.resumes);
  // Tables.
  fn(p + "num-files", kG, static_cast<uint64_t>(s.total_files()));
  fn(p + "total-sst-bytes", kG, s.total_sst_bytes());
  fn(p + "table-entries", kG, s.table_entries);
  fn(p + "estimate-num-keys", kG, s.estimate_num_keys());
  // Writes.
  fn(p + "user-bytes-written", kC, s.user_bytes_written);
  fn(p + "wal-bytes-written", kC, s.wal_bytes_written);
  fn(p + "write-groups", kC, s.write_groups);
  fn(p + "synced-write-groups", kC, s.synced_write_groups);
  // Flushes and compactions.
  fn(p + "flushes", kC, s.flushes);
  fn(p + "flushes-below-level0", kC, s.flushes_below_level0);
  fn(p + "flush-bytes", kC, s.flush_bytes);
  fn(p + "flush-micros", kC, s.flush_micros);
  fn(p + "compactions", kC, s.compactions());
  fn(p + "compaction-bytes-read", kC, s.compaction_bytes_read());
  fn(p + "compaction-bytes-written", kC, s.compaction_bytes_written());
  fn(p + "compaction-micros", kC, s.compaction_micros());
  fn(p + "compaction-entries-dropped", kC, s.compaction_entries_dropped);
  fn(p + "read-triggered-compactions", kC, s.read_triggered_compactions);
  fn(p + "subcompactions", kC, s.subcompactions);
  fn(p + "max-concurrent-compactions", kG, s.max_concurrent_compactions);
  // Stalls.
  fn(p + "stall-micros", kC, s.stall_micros);
  fn(p + "slowdown-micros", kC, s.slowdown_micros);
  fn(p + "write-slowdowns", kC, s.write_slowdowns);
  fn(p + "write-stops", kC, s.write_stops);
  // Reads.
  fn(p + "gets", kC, s.gets);
  fn(p + "tables-probed", kC, s.tables_probed);
  fn(p + "bloom-useful", kC, s.bloom_useful);
  fn(p + "bloom-useless", kC, s.bloom_useless);
  fn(p + "block-cache-bytes", kG, s.block_cache_bytes);
  fn(p + "block-cache-capacity", kG, s.block_cache_capacity);
  fn(p + "block-cache-hits", kC, s.block_cache_hits);
  fn(p + "block-cache-misses", kC, s.block_cache_misses);
  // Recovery.
  fn(p + "wal-corrupted-records", kG, s.wal_corrupted_records);
  fn(p + "wal-corrupted-bytes", kG, s.wal_corrupted_bytes);
  // Levels.
  for (int level = 0; level < kNumLevels; level++) {
    const DbStats::Level& l = s.levels[level];
    const std::string n = std::to_string(level);
    fn(p + "num-files-at-level" + n, kG, static_cast<uint64_t>(l.files));
    fn(p + "bytes-at-level" + n, kG, l.bytes);
    fn(p + "compactions-at-level" + n, kC, l.compactions);
    fn(p + "compaction-bytes-read-at-level" + n, kC, l.compaction_bytes_read);
    fn(p + "compaction-bytes-written-at-level" + n, kC, l.compaction_bytes_written);
    fn(p + "compaction-micros-at-level" + n, kC, l.compaction_micros);
  }
  // Latencies, nanoseconds.
  ForEachLatency(s, [&](const char* name, const LatencyHistogram::Snapshot& h) {
    const std::string q = p + "latency." + name + ".";
    fn(q + "count", kC, h.count);
    fn(q + "sum-nanos", kC, h.sum);
    fn(q + "p50-nanos", kG, Rounded(h.Percentile(50)));
    fn(q + "p99-nanos", kG, Rounded(h.Percentile(99)));
    fn(q + "p999-nanos", kG, Rounded(h.Percentile(99.9)));
    fn(q + "max-nanos", kG, h.max);
  });
}

std::string FormatLatencyText(const DbStats& s) {
  std::string out;
  ForEachLatency(s, [&](const char* name, const LatencyHistogram::Snapshot& h) {
    out += name;
    out += ": ";
    out += h.ToString(1000.0);
    out += '\n';
  });
  return out;
}

std::string FormatStatsText(const DbStats& s) {
  char buf[2000];
  std::snprintf(
      buf, sizeof(buf),
      "memtables: active %" PRIu64 " entries / %" PRIu64 " bytes, %" PRIu64 " immutable\n"
      "last sequence: %" PRIu64 "\n"
      "tables: %d files, %" PRIu64 " bytes, %" PRIu64 " entries (estimated keys %" PRIu64 ")\n"
      "user bytes written: %" PRIu64 ", WAL bytes: %" PRIu64 ", flushed: %" PRIu64
      ", compacted: %" PRIu64 "\n"
      "write amplification: %.2f (WAL + tables written / user bytes)\n"
      "write groups: %" PRIu64 " (%" PRIu64 " synced)\n"
      "flushes: %" PRIu64 " (%" PRIu64 " placed below level 0) in %.3f s, stall: %.3f s, "
      "compactions at once (max): %" PRIu64 "\n"
      "stalls: %" PRIu64 " writes slowed down (%.3f s), %" PRIu64 " stops\n"
      "compactions: %" PRIu64 ", read %" PRIu64 " bytes, wrote %" PRIu64 " bytes, dropped %" PRIu64
      " entries, %.3f s, %" PRIu64 " triggered by reads\n"
      "gets: %" PRIu64 ", tables probed: %" PRIu64 " (read amplification %.2f per get), "
      "bloom useful: %" PRIu64 ", bloom useless: %" PRIu64 "\n"
      "block cache: %" PRIu64 " bytes of %" PRIu64 ", hits %" PRIu64 ", misses %" PRIu64 "\n"
      "memory: %" PRIu64 " bytes (memtables, block cache, %" PRIu64 " bytes pinned by open tables)\n"
      "wal corrupted records skipped at open: %" PRIu64 " (%" PRIu64 " bytes)\n"
      "background errors: %s, resumed %" PRIu64 "\n",
      s.active_memtable_entries, s.active_memtable_bytes, s.immutable_memtables, s.last_sequence,
      s.total_files(), s.total_sst_bytes(), s.table_entries, s.estimate_num_keys(),
      s.user_bytes_written, s.wal_bytes_written, s.flush_bytes, s.compaction_bytes_written(),
      s.write_amplification(), s.write_groups, s.synced_write_groups, s.flushes,
      s.flushes_below_level0, s.flush_micros / 1e6, s.stall_micros / 1e6,
      s.max_concurrent_compactions, s.write_slowdowns, s.slowdown_micros / 1e6, s.write_stops,
      s.compactions(), s.compaction_bytes_read(), s.compaction_bytes_written(),
      s.compaction_entries_dropped, s.compaction_micros() / 1e6, s.read_triggered_compactions, s.gets, s.tables_probed,
      s.read_amplification(), s.bloom_useful, s.bloom_useless, s.block_cache_bytes,
      s.block_cache_capacity, s.block_cache_hits, s.block_cache_misses,
      s.approximate_memory_usage, s.table_cache_pinned_bytes, s.wal_corrupted_records,
      s.wal_corrupted_bytes, s.background_error_message.empty() ? "none" : s.background_error_message.c_str(),
      s.resumes);
  std::string out = buf;
  out += "latency (us):\n";
  ForEachLatency(s, [&](const char* name, const LatencyHistogram::Snapshot& h) {
    out += "  ";
    out += name;
    out += ": ";
    out += h.ToString(1000.0);
    out += '\n';
  });
  out += "level files  size(MB)  score  compactions  read(MB)  write(MB)  seconds\n";
  for (int level = 0; level < kNumLevels; level++) {
    const DbStats::Level& l = s.levels[level];
    if (l.files == 0 && l.compactions == 0) continue;
    std::snprintf(buf, sizeof(buf), "L%-4d %5d %9.2f %6.2f %12" PRIu64 " %9.2f %10.2f %8.2f\n", level,
                  l.files, l.bytes / 1048576.0, l.score, l.compactions,
                  l.compaction_bytes_read / 1048576.0, l.compaction_bytes_written / 1048576.0,
                  l.compaction_micros / 1e6);
    out += buf;
  }
  return out;
}

namespace {

// JSON numbers: integers as they are; doubles with every digit (so a
// reader gets the same double back), and never NaN or infinity (which JSON
// cannot express).
void AppendDouble(std::string* out, double v) {
  if (!std::isfinite(v)) v = 0;
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  *out += buf;
}

void AppendKey(std::string* out, bool* first, const std::string& key) {
  if (!*first) *out += ',';
  *first = false;
  // Every key is one of our own names: letters, digits, '.', '-'. No
  // escaping needed.
  *out += '"';
  *out += key;
  *out += "\":";
}

void AppendHistogram(std::string* out, const LatencyHistogram::Snapshot& h) {
  *out += "{\"unit\":\"nanoseconds\",\"count\":" + std::to_string(h.count) +
          ",\"sum\":" + std::to_string(h.sum) + ",\"mean\":";
  AppendDouble(out, h.Mean());
  const std::pair<const char*, double> percentiles[] = {{"p50", 50}, {"p99", 99}, {"p99.9", 99.9}};
  for (const auto& [name, p] : percentiles) {
    *out += ",\"";
    *out += name;
    *out += "\":";
    AppendDouble(out, h.Percentile(p));
  }
  *out += ",\"max\":" + std::to_string(h.max) + ",\"buckets\":[";
  // Non-empty buckets only: [lower bound, upper bound (exclusive), count].
  bool first = true;
  for (int b = 0; b < LatencyHistogram::kNumBuckets; b++) {
    if (h.buckets[b] == 0) continue;
    if (!first) *out += ',';
    first = false;
    *out += '[';
    AppendDouble(out, LatencyHistogram::BucketLowerBound(b));
    *out += ',';
    AppendDouble(out, LatencyHistogram::BucketLowerBound(b + 1));
    *out += ',' + std::to_string(h.buckets[b]) + ']';
  }
  *out += "]}";
}

}  // namespace

std::string FormatStatsJson(const DbStats& s) {
  std::string counters, gauges;
  bool first_counter = true, first_gauge = true;
  ForEachIntStat(s, [&](const std::string& name, StatKind kind, uint64_t value) {
    std::string* out = kind == StatKind::kCounter ? &counters : &gauges;
    AppendKey(out, kind == StatKind::kCounter ? &first_counter : &first_gauge, name);
    *out += std::to_string(value);
  });
  std::string out = "{\"counters\":{" + counters + "},\"gauges\":{" + gauges + "},\"ratios\":{";
  bool first = true;
  AppendKey(&out, &first, "lsmkv.write-amplification");
  AppendDouble(&out, s.write_amplification());
  AppendKey(&out, &first, "lsmkv.read-amplification");
  AppendDouble(&out, s.read_amplification());
  for (int level = 0; level < kNumLevels; level++) {
    AppendKey(&out, &first, "lsmkv.score-at-level" + std::to_string(level));
    AppendDouble(&out, s.levels[level].score);
  }
  out += "},\"latency\":{";
  first = true;
  ForEachLatency(s, [&](const char* name, const LatencyHistogram::Snapshot& h) {
    AppendKey(&out, &first, name);
    AppendHistogram(&out, h);
  });
  out += "}}";
  return out;
}

}  // namespace lsmkv
