#include "db/wal_replay.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "db/write_batch_internal.h"
#include "env/file_copy.h"
#include "format/filename.h"
#include "wal/log_reader.h"

namespace lsmkv {

namespace {

const char* ModeName(WalRecoveryMode mode) {
  switch (mode) {
    case WalRecoveryMode::kPointInTime: return "point-in-time";
    case WalRecoveryMode::kAbsoluteConsistency: return "absolute-consistency";
    case WalRecoveryMode::kTolerateCorruptedTailRecords: return "tolerate-corrupted-tail";
    case WalRecoveryMode::kSkipAnyCorruptedRecords: return "skip-any-corrupted";
  }
  return "?";
}

// Remembers the first damage the log reader reports since the last take().
class DamageReporter final : public log::Reader::Reporter {
 public:
  void Corruption(size_t bytes, const Status& status) override { CorruptionAt(0, bytes, status); }
  void CorruptionAt(uint64_t offset, size_t bytes, const Status& status) override {
    records++;
    this->bytes += bytes;
    if (!pending) {
      pending = true;
      offset_ = offset;
      reason_ = status.ToString();
    }
  }
  // True (with the first damage's offset and reason) if damage was
  // reported since the last call.
  bool Take(uint64_t* offset, std::string* reason) {
    if (!pending) return false;
    pending = false;
    *offset = offset_;
    *reason = reason_;
    return true;
  }

  uint64_t records = 0;
  uint64_t bytes = 0;

 private:
  bool pending = false;
  uint64_t offset_ = 0;
  std::string reason_;
};

}  // namespace

std::string WalReplayReport::ToString() const {
  std::string out = "mode: " + std::string(ModeName(mode)) + "\n";
  out += "wals read: " + std::to_string(logs) + ", batches replayed: " + std::to_string(records_replayed) +
         ", last sequence replayed: " + std::to_string(last_replayed) + "\n";
  out += "torn tail bytes dropped: " + std::to_string(torn_tail_bytes) + "\n";
  out += "damaged records: " + std::to_string(damaged_records) + " (" + std::to_string(damaged_bytes) +
         " bytes)\n";
  if (stopped) {
    out += "stopped: wal " + std::to_string(stop_log) + " at offset " + std::to_string(stop_offset) + ": " +
           stop_reason + "\n";
    out += "not replayed: " + std::to_string(records_not_replayed) + " batches, " +
           std::to_string(bytes_not_replayed) + " bytes\n";
  } else {
    out += "stopped: no\n";
  }
  if (media_damage) {
    out += "media damage: the damaged bytes had been synced (not the losses of a power cut)\n";
  }
  for (uint64_t n : logs_to_keep) out += "kept: lost/" + LogFileName("", n).substr(1) + "\n";
  return out;
}

WalReplayer::WalReplayer(Env* env, std::string wal_dir, WalRecoveryMode mode, SequenceNumber flushed_sequence)
    : env_(env), wal_dir_(std::move(wal_dir)), mode_(mode), flushed_sequence_(flushed_sequence) {}

Status WalReplayer::Break(uint64_t log, uint64_t offset, const std::string& reason, WalReplayReport* report) {
  if (std::find(report->logs_to_keep.begin(), report->logs_to_keep.end(), log) == report->logs_to_keep.end()) {
    report->logs_to_keep.push_back(log);
  }
  const std::string where = LogFileName(wal_dir_, log) + " offset " + std::to_string(offset) + ": " + reason;
  switch (mode_) {
    case WalRecoveryMode::kAbsoluteConsistency:
      return Status::Corruption("WAL damaged before its end (wal_recovery_mode absolute consistency)", where);
    case WalRecoveryMode::kSkipAnyCorruptedRecords:
      return Status::OK();  // skipped; replay goes on
    case WalRecoveryMode::kPointInTime:
    case WalRecoveryMode::kTolerateCorruptedTailRecords:
      // Tolerate-tail stops like point-in-time; Replay fails afterwards if
      // anything intact follows the stop.
      report->stopped = true;
      report->stop_log = log;
      report->stop_offset = offset;
      report->stop_reason = reason;
      return Status::OK();
  }
  return Status::OK();
}

Status WalReplayer::Replay(const std::vector<uint64_t>& logs, const ApplyFn& apply, WalReplayReport* report) {
  *report = WalReplayReport();
  report->mode = mode_;
  const bool skip_mode = mode_ == WalRecoveryMode::kSkipAnyCorruptedRecords;
  std::optional<SequenceNumber> expected;  // next batch's sequence; unset before the first
  // Where the first break lies, and the sync marks read at and after it.
  bool any_break = false;
  uint64_t first_break_log = 0, first_break_offset = 0;

  for (const uint64_t number : logs) {
    const std::string fname = LogFileName(wal_dir_, number);
    uint64_t file_size = 0;
    Status s = env_->GetFileSize(fname, &file_size);
    std::unique_ptr<SequentialFile> file;
    if (s.ok()) s = env_->NewSequentialFile(fname, &file);
    if (!s.ok()) return s;
    report->logs++;
    if (report->stopped) {
      report->bytes_not_replayed += file_size;
      report->logs_to_keep.push_back(number);
    }
    DamageReporter damage;
    log::Reader reader(file.get(), fname, &damage, number);
    const auto on_break = [&](uint64_t offset, const std::string& reason) {
      if (!any_break) {
        any_break = true;
        first_break_log = number;
        first_break_offset = offset;
      }
      const bool was_stopped = report->stopped;
      Status b = Break(number, offset, reason, report);
      if (!was_stopped && report->stopped) report->bytes_not_replayed += file_size - std::min(offset, file_size);
      return b;
    };

    Slice record;
    std::string scratch;
    WriteBatch batch;
    uint64_t offset;
    std::string reason;
    while (reader.ReadRecord(&record, &scratch)) {
      if (report->stopped) {
        report->records_not_replayed++;
        continue;  // read on only to count, and to see sync marks
      }
      if (damage.Take(&offset, &reason)) {  // damage before this record
        s = on_break(offset, reason);
        if (!s.ok()) return s;
        if (report->stopped) {
          report->records_not_replayed++;
          continue;
        }
      }
      const uint64_t record_offset = reader.LastRecordOffset();
      if (record.size() < WriteBatchInternal::kHeader) {
        s = on_break(record_offset, "log record too small for a write batch");
      } else {
        WriteBatchInternal::SetContents(&batch, record);
        Status valid = WriteBatchInternal::Validate(&batch);
        if (!valid.ok()) {
          s = on_break(record_offset, "malformed write batch: " + valid.ToString());
        } else {
          const SequenceNumber seq = WriteBatchInternal::Sequence(&batch);
          const bool follows = expected ? seq == *expected : seq >= 1 && seq <= flushed_sequence_ + 1;
          if (!follows && !skip_mode) {
            const SequenceNumber want = expected ? *expected : flushed_sequence_ + 1;
            s = on_break(record_offset, "sequence gap: batch at " + std::to_string(seq) + ", expected " +
                                            (expected ? "" : "at most ") + std::to_string(want) +
                                            " (an earlier part of the WAL is missing)");
          } else {
            s = apply(&batch);
            if (!s.ok()) return s;
            const uint32_t count = WriteBatchInternal::Count(&batch);
            expected = seq + count;
            report->records_replayed++;
            if (count > 0) report->last_replayed = std::max(report->last_replayed, seq + count - 1);
            continue;
          }
        }
      }
      if (!s.ok()) return s;
      if (report->stopped) report->records_not_replayed++;
    }
    if (!reader.status().ok()) return reader.status();
    if (!report->stopped && damage.Take(&offset, &reason)) {  // damage after the last record
      s = on_break(offset, reason);
      if (!s.ok()) return s;
    }
    if (!any_break || number != first_break_log) {
      // A break in an earlier WAL and a sync mark in this one: every
      // earlier WAL had been synced, so the break is media damage.
      if (any_break && reader.synced_offset() > 0) report->media_damage = true;
    } else if (reader.synced_offset() > first_break_offset) {
      report->media_damage = true;
    }
    report->torn_tail_bytes += reader.torn_tail_bytes();
    report->damaged_records += damage.records;
    report->damaged_bytes += damage.bytes;
  }
  if (mode_ == WalRecoveryMode::kTolerateCorruptedTailRecords && report->stopped &&
      report->records_not_replayed > 0) {
    return Status::Corruption("WAL damaged before its tail (wal_recovery_mode tolerate corrupted tail)",
                              LogFileName(wal_dir_, report->stop_log) + " offset " +
                                  std::to_string(report->stop_offset) + ": " + report->stop_reason + "; " +
                                  std::to_string(report->records_not_replayed) + " intact batches follow");
  }
  return Status::OK();
}

Status CopyLogToLost(Env* env, const std::string& wal_dir, uint64_t number) {
  const std::string lost_dir = wal_dir + "/lost";
  Status s = env->CreateDir(lost_dir);
  // Streamed, not read whole: a WAL can be as large as the memtables.
  FileDigest digest;
  if (s.ok()) {
    s = CopyFileContents(env, LogFileName(wal_dir, number), LogFileName(lost_dir, number), kWholeFile,
                         /*sync=*/true, &digest);
  }
  if (s.ok()) s = env->SyncDir(lost_dir);
  if (s.ok()) s = env->SyncDir(wal_dir);  // lost/ itself
  return s;
}

}  // namespace lsmkv
