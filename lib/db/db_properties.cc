// GetProperty, GetIntProperty (every figure of lsmkv.stats as a number),
// the JSON form of the statistics, and GetApproximateSizes. The figures
// are gathered by CollectStats and rendered by db_stats.cc.
#include <cinttypes>
#include <cstdio>

#include "db/db_impl.h"
#include "util/escape.h"
#include "util/logging.h"

namespace lsmkv {

bool DB::GetIntProperty(const Slice&, uint64_t*) { return false; }

Status DB::GetApproximateSizes(const Range*, int, uint64_t*) {
  return Status::NotSupported("GetApproximateSizes");
}

DbStats DBImpl::CollectStats() {
  DbStats s;
  const auto version = versions_->current();
  const LevelOptions& lo = versions_->level_options();
  s.active_memtable_entries = mem_->num_entries();
  s.active_memtable_bytes = mem_->ApproximateMemoryUsage();
  s.immutable_memtables = imms_.size();
  s.last_sequence = last_sequence_;
  // Memtables: arenas and their bloom filters.
  uint64_t memory = mem_->ApproximateMemoryUsage() + mem_->FilterBytes();
  for (const auto& imm : imms_) memory += imm.mem->ApproximateMemoryUsage() + imm.mem->FilterBytes();
  if (block_cache_ != nullptr) {
    s.block_cache_bytes = block_cache_->TotalCharge();
    s.block_cache_capacity = block_cache_->capacity();
    s.block_cache_hits = block_cache_->hits();
    s.block_cache_misses = block_cache_->misses();
  }
  s.table_cache_pinned_bytes = table_cache_->PinnedBytes();
  s.approximate_memory_usage = memory + s.block_cache_bytes + s.table_cache_pinned_bytes;
  s.max_concurrent_compactions = static_cast<uint64_t>(max_compactions_running_);
  s.background_error = bg_error_.ok() ? 0 : 1;
  if (!bg_error_.ok()) s.background_error_message = bg_error_.ToString();
  s.resumes = resumes_;
  s.user_bytes_written = user_bytes_written_;
  s.wal_bytes_written = wal_bytes_written_;
  s.write_groups = write_groups_;
  s.synced_write_groups = synced_groups_;
  s.flushes = flushes_;
  s.flushes_below_level0 = flushes_below_level0_;
  s.flush_bytes = flush_bytes_;
  s.flush_micros = flush_micros_;
  s.stall_micros = stall_micros_;
  s.slowdown_micros = slowdown_micros_;
  s.write_slowdowns = write_slowdowns_;
  s.write_stops = write_stops_;
  s.compaction_entries_dropped = compaction_entries_dropped_;
  s.read_triggered_compactions = read_triggered_compactions_;
  s.subcompactions = subcompactions_;
  s.gets = gets_.load(std::memory_order_relaxed);
  s.tables_probed = tables_probed_.load(std::memory_order_relaxed);
  s.bloom_useful = bloom_useful_.load(std::memory_order_relaxed);
  s.bloom_useless = bloom_useless_.load(std::memory_order_relaxed);
  s.wal_corrupted_records = wal_corrupted_records_;
  s.wal_corrupted_bytes = wal_corrupted_bytes_;
  for (int level = 0; level < kNumLevels; level++) {
    DbStats::Level& l = s.levels[level];
    l.files = version->NumFiles(level);
    l.bytes = version->LevelBytes(level);
    for (const auto& f : version->files[level]) s.table_entries += f->num_entries;
    l.score = level == kNumLevels - 1 ? 0.0
              : level == 0
                  ? l.files / static_cast<double>(lo.level0_file_num_compaction_trigger)
                  : static_cast<double>(l.bytes) / lo.MaxBytesForLevel(level);
    const CompactionStats& c = level_stats_[level];
    l.compactions = c.compactions;
    l.compaction_micros = c.micros;
    l.compaction_bytes_read = c.bytes_read;
    l.compaction_bytes_written = c.bytes_written;
  }
  s.get_latency = get_latency_.Take();
  s.write_latency = write_latency_.Take();
  s.synced_write_latency = synced_write_latency_.Take();
  s.flush_latency = flush_latency_.Take();
  s.compaction_latency = compaction_latency_.Take();
  return s;
}

bool DBImpl::GetIntProperty(const Slice& property, uint64_t* value) {
  if (value == nullptr) return false;
  DbStats stats;
  {
    MutexLock l(&mutex_);
    stats = CollectStats();
  }
  bool found = false;
  ForEachIntStat(stats, [&](const std::string& name, StatKind, uint64_t v) {
    if (!found && property == Slice(name)) {
      *value = v;
      found = true;
    }
  });
  return found;
}

bool DBImpl::GetProperty(const Slice& property, std::string* value) {
  if (value == nullptr || closed_.load()) return false;
  value->clear();
  Slice in = property;
  const Slice prefix("lsmkv.");
  if (!in.starts_with(prefix)) return false;
  in.remove_prefix(prefix.size());

  DbStats stats;
  {
    MutexLock l(&mutex_);
    if (in == "sstables") {
      const auto version = versions_->current();
      for (int level = 0; level < kNumLevels; level++) {
        for (const auto& f : version->files[level]) {
          char buf[128];
          std::snprintf(buf, sizeof(buf), "level=%d file=%06" PRIu64 ".sst size=%" PRIu64
                        " entries=%" PRIu64 " ",
                        level, f->number, f->file_size, f->num_entries);
          *value += buf;
          *value += "smallest='" + EscapeBytes(ExtractUserKey(f->smallest)) + "' largest='" +
                    EscapeBytes(ExtractUserKey(f->largest)) + "'\n";
        }
      }
      return true;
    }
    if (in == "wal-recovery") {
      *value = wal_recovery_.ToString();
      return true;
    }
    if (in == "recent-background-jobs") {
      const std::vector<BackgroundJobRecord> jobs = recent_jobs_.NewestFirst();
      *value = FormatRecentJobsJson(jobs, env_->NowMicros());
      return true;
    }
    stats = CollectStats();
  }
  // Rendering happens outside the lock.
  if (in == "stats") {
    *value = FormatStatsText(stats);
    return true;
  }
  if (in == "stats.json") {
    *value = FormatStatsJson(stats);
    return true;
  }
  if (in == "latency") {
    *value = FormatLatencyText(stats);
    return true;
  }
  const Slice latency_prefix("latency.");
  if (in.starts_with(latency_prefix)) {
    bool found = false;
    ForEachLatency(stats, [&](const char* name, const LatencyHistogram::Snapshot& h) {
      if (!found && in == Slice(std::string("latency.") + name)) {
        *value = h.ToString(1000.0) + " (us)";
        found = true;
      }
    });
    if (found) return true;
  }
  // Every integer statistic, as decimal text.
  bool found = false;
  ForEachIntStat(stats, [&](const std::string& name, StatKind, uint64_t v) {
    if (!found && property == Slice(name)) {
      *value = std::to_string(v);
      found = true;
    }
  });
  return found;
}

uint64_t DBImpl::ApproximateOffsetOf(const Version& v, const Slice& user_key) {
  // Bytes of every table that lies wholly before the key, plus the offset
  // of the key's block inside the tables that span it.
  const Comparator* ucmp = options_.comparator;
  // An internal key sorting before every version of user_key.
  std::string target;
  AppendInternalKey(&target, user_key, kMaxSequenceNumber, kValueTypeForSeek);
  uint64_t result = 0;
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : v.files[level]) {
      if (ucmp->Compare(ExtractUserKey(f->largest), user_key) < 0) {
        result += f->file_size;  // wholly before the key
      } else if (ucmp->Compare(ExtractUserKey(f->smallest), user_key) >= 0) {
        // Wholly at or after it; deeper levels are sorted, so nothing after
        // this file is before the key either.
        if (level > 0) break;
      } else {
        std::shared_ptr<Table> table;
        if (table_cache_->FindTable(f->number, f->file_size, &table).ok()) {
          result += table->ApproximateOffsetOf(target);
        }
      }
    }
  }
  return result;
}

Status DBImpl::GetApproximateSizes(const Range* ranges, int n, uint64_t* sizes) {
  if (n < 0) return Status::InvalidArgument("GetApproximateSizes", "n must not be negative");
  if (n > 0 && (ranges == nullptr || sizes == nullptr)) {
    return Status::InvalidArgument("GetApproximateSizes", "ranges and sizes must not be null");
  }
  std::shared_ptr<const Version> version;
  {
    MutexLock l(&mutex_);
    version = versions_->current();  // pins the files while we read their indexes
  }
  const Comparator* ucmp = options_.comparator;
  for (int i = 0; i < n; i++) {
    if (ucmp->Compare(ranges[i].start, ranges[i].limit) >= 0) {
      sizes[i] = 0;
      continue;
    }
    const uint64_t start = ApproximateOffsetOf(*version, ranges[i].start);
    const uint64_t limit = ApproximateOffsetOf(*version, ranges[i].limit);
    sizes[i] = limit >= start ? limit - start : 0;
  }
  return Status::OK();
}

}  // namespace lsmkv
