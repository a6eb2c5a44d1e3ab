// WalReplayer: reads the WALs a DB needs at Open, in order, and decides
// which batches may be applied under a WalRecoveryMode (see
// include/lsmkv/options.h and docs/reliability.md).
//
// What counts as a break in the history:
//  - a record the log reader reports as damaged (checksum, zeroed bytes,
//    bad length, a fragment out of place), or one that is not a valid
//    write batch;
//  - a batch whose sequence number is not the previous batch's + count,
//    within one WAL or across WALs (a WAL cut short, or missing, before a
//    later one). The first batch must not start past flushed_sequence + 1:
//    the MANIFEST's last sequence is the newest sequence in tables, and the
//    oldest WAL still needed starts right after it.
// A torn tail (the remains of an append cut short at the end of a WAL) is
// not a break by itself; if a later WAL exists, the sequence check decides.
//
// Thread safety: externally synchronized (Open holds the DB mutex).
#ifndef LSMKV_DB_WAL_REPLAY_H_
#define LSMKV_DB_WAL_REPLAY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "format/dbformat.h"
#include "lsmkv/env.h"
#include "lsmkv/options.h"
#include "lsmkv/status.h"
#include "lsmkv/write_batch.h"

namespace lsmkv {

// What one Open's replay did; the property "lsmkv.wal-recovery" prints it.
struct WalReplayReport {
  WalRecoveryMode mode = WalRecoveryMode::kPointInTime;
  int logs = 0;                    // WALs read
  uint64_t records_replayed = 0;   // batches applied
  SequenceNumber last_replayed = 0;  // newest sequence applied (0: none)
  uint64_t torn_tail_bytes = 0;    // at the ends of WALs: what crashes leave
  // Damage met (kSkipAnyCorruptedRecords and kTolerateCorruptedTailRecords
  // go past it): records and bytes the log reader dropped.
  uint64_t damaged_records = 0;
  uint64_t damaged_bytes = 0;
  // Point-in-time stop: where, why, and what was not replayed after it.
  bool stopped = false;
  uint64_t stop_log = 0;
  uint64_t stop_offset = 0;
  std::string stop_reason;
  uint64_t records_not_replayed = 0;  // intact batches after the stop point
  uint64_t bytes_not_replayed = 0;    // bytes of WAL after the stop point
  // The first damage lies before an offset a sync mark vouches for: the
  // bytes were durable once, so this is media damage, not a power cut.
  bool media_damage = false;
  // WALs with bytes not replayed, to be kept in lost/ (numbers).
  std::vector<uint64_t> logs_to_keep;

  std::string ToString() const;
};

class WalReplayer {
 public:
  // apply is called for each batch to apply, in order; its error ends the
  // replay and is returned.
  using ApplyFn = std::function<Status(WriteBatch* batch)>;

  WalReplayer(Env* env, std::string wal_dir, WalRecoveryMode mode, SequenceNumber flushed_sequence);

  // Replays the WALs `logs` (ascending numbers). Corruption when the mode
  // does not accept the damage found; IOError when a WAL cannot be read.
  Status Replay(const std::vector<uint64_t>& logs, const ApplyFn& apply, WalReplayReport* report);

 private:
  // A break in the history at (log, offset). Returns non-OK when the mode
  // refuses it; otherwise records it (a point-in-time stop, or a skip).
  Status Break(uint64_t log, uint64_t offset, const std::string& reason, WalReplayReport* report);

  Env* const env_;
  const std::string wal_dir_;
  const WalRecoveryMode mode_;
  const SequenceNumber flushed_sequence_;
  // kTolerateCorruptedTailRecords: the first damage, pending proof that
  // nothing intact follows it.
  std::string pending_tail_damage_;
};

// Copies WAL `number` from wal_dir into wal_dir/lost/ (created if needed),
// synced, keeping bytes Open did not replay once the WAL itself is deleted.
Status CopyLogToLost(Env* env, const std::string& wal_dir, uint64_t number);

}  // namespace lsmkv

#endif  // LSMKV_DB_WAL_REPLAY_H_
