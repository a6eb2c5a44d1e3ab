// GetProperty: lsmkv.stats and the other properties.
#include "db/db_impl.h"

#include <cinttypes>
#include <cstdio>

#include "util/escape.h"

namespace lsmkv {

std::string DBImpl::LevelStatsTable() {
  const auto version = versions_->current();
  const LevelOptions& lo = versions_->level_options();
  std::string out =
      "level files  size(MB)  score  compactions  read(MB)  write(MB)  seconds\n";
  for (int level = 0; level < kNumLevels; level++) {
    const CompactionStats& st = level_stats_[level];
    if (version->files[level].empty() && st.compactions == 0) continue;
    const double score =
        level == kNumLevels - 1 ? 0.0
        : level == 0            ? version->NumFiles(0) / static_cast<double>(lo.level0_file_num_compaction_trigger)
                                : static_cast<double>(version->LevelBytes(level)) / lo.MaxBytesForLevel(level);
    char buf[160];
    std::snprintf(buf, sizeof(buf), "L%-4d %5d %9.2f %6.2f %12" PRIu64 " %9.2f %10.2f %8.2f\n", level,
                  version->NumFiles(level), version->LevelBytes(level) / 1048576.0, score,
                  st.compactions, st.bytes_read / 1048576.0, st.bytes_written / 1048576.0,
                  st.micros / 1e6);
    out += buf;
  }
  return out;
}

bool DBImpl::GetProperty(const Slice& property, std::string* value) {
  if (value == nullptr || closed_.load()) return false;
  value->clear();
  Slice in = property;
  const Slice prefix("lsmkv.");
  if (!in.starts_with(prefix)) return false;
  in.remove_prefix(prefix.size());

  MutexLock l(&mutex_);
  const auto version = versions_->current();
  const Slice level_prefix("num-files-at-level");
  if (in.starts_with(level_prefix)) {
    in.remove_prefix(level_prefix.size());
    const std::string level = in.ToString();
    if (level.size() != 1 || level[0] < '0' || level[0] >= '0' + kNumLevels) return false;
    *value = std::to_string(version->NumFiles(level[0] - '0'));
    return true;
  }
  if (in == "approximate-memory-usage") {
    size_t total = mem_->ApproximateMemoryUsage();
    for (const auto& imm : imms_) total += imm.mem->ApproximateMemoryUsage();
    if (block_cache_ != nullptr) total += block_cache_->TotalCharge();
    total += table_cache_->PinnedBytes();
    *value = std::to_string(total);
    return true;
  }
  if (in == "sstables") {
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
  if (in == "wal-corrupted-records") {
    *value = std::to_string(wal_corrupted_records_);
    return true;
  }
  if (in == "stats") {
    const uint64_t gets = gets_.load(std::memory_order_relaxed);
    const uint64_t probed = tables_probed_.load(std::memory_order_relaxed);
    const uint64_t useful = bloom_useful_.load(std::memory_order_relaxed);
    const uint64_t useless = bloom_useless_.load(std::memory_order_relaxed);
    uint64_t compaction_bytes = 0;
    for (const CompactionStats& st : level_stats_) compaction_bytes += st.bytes_written;
    const uint64_t disk_bytes = wal_bytes_written_ + flush_bytes_ + compaction_bytes;
    char buf[1400];
    std::snprintf(
        buf, sizeof(buf),
        "memtables: active %" PRIu64 " entries / %zu bytes, %zu immutable\n"
        "last sequence: %" PRIu64 "\n"
        "user bytes written: %" PRIu64 ", WAL bytes: %" PRIu64 ", flushed: %" PRIu64
        ", compacted: %" PRIu64 "\n"
        "write amplification: %.2f (WAL + tables written / user bytes)\n"
        "write groups: %" PRIu64 " (%" PRIu64 " synced)\n"
        "flushes: %" PRIu64 " (%" PRIu64 " placed below level 0) in %.3f s, stall: %.3f s, compactions at once (max): %d\n"
        "gets: %" PRIu64 ", tables probed: %" PRIu64 " (read amplification %.2f per get), "
        "bloom useful: %" PRIu64 ", bloom useless: %" PRIu64 "\n"
        "block cache: %zu bytes, hits %" PRIu64 ", misses %" PRIu64 "\n"
        "wal corrupted records skipped at open: %" PRIu64 " (%" PRIu64 " bytes)\n",
        mem_->num_entries(), mem_->ApproximateMemoryUsage(), imms_.size(), last_sequence_,
        user_bytes_written_, wal_bytes_written_, flush_bytes_, compaction_bytes,
        user_bytes_written_ == 0 ? 0.0 : static_cast<double>(disk_bytes) / user_bytes_written_,
        write_groups_, synced_groups_, flushes_, flushes_below_level0_, flush_micros_ / 1e6, stall_micros_ / 1e6,
        max_compactions_running_, gets,
        probed, gets == 0 ? 0.0 : static_cast<double>(probed) / gets, useful, useless,
        block_cache_ ? block_cache_->TotalCharge() : 0, block_cache_ ? block_cache_->hits() : 0,
        block_cache_ ? block_cache_->misses() : 0, wal_corrupted_records_, wal_corrupted_bytes_);
    *value = buf;
    *value += "background errors: " + (bg_error_.ok() ? std::string("none") : bg_error_.ToString()) +
              ", resumed " + std::to_string(resumes_) + "\n";
    *value += LevelStatsTable();
    return true;
  }
  return false;
}

}  // namespace lsmkv
