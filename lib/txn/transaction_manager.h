// TransactionManager: one per DB (made by its first BeginTransaction). Keeps
// the committed-write history while transactions are live and validates
// commits, as the DB's WriteHook, in the write-group leader: validation of a
// commit and the recording of every write happen one writer at a time, in
// sequence order, under the DB mutex, so two commits of one write group
// are checked against each other too.
//
// Locking: mu_ guards the history and the live snapshots. Lock order: the
// DB mutex, then mu_ (the leader calls BeforeSequence holding the DB mutex);
// nothing here calls into the DB while holding mu_.
#ifndef LSMKV_TXN_TRANSACTION_MANAGER_H_
#define LSMKV_TXN_TRANSACTION_MANAGER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "db/write_hook.h"
#include "lsmkv/comparator.h"
#include "lsmkv/db.h"
#include "lsmkv/transaction.h"
#include "txn/commit_history.h"
#include "txn/key_range.h"
#include "util/mutex.h"

namespace lsmkv {

class DBImpl;

// Counters for tests, the bench and docs. Relaxed snapshots of atomics.
struct TransactionStats {
  uint64_t commits_validated = 0;  // commits with writes that reached validation
  uint64_t conflicts = 0;          // commits refused with Busy
  uint64_t db_checks = 0;          // fallbacks to checking the DB (history too short)
  uint64_t history_entries = 0;
  SequenceNumber history_floor = 0;
};

class TransactionManager final : public WriteHook {
 public:
  TransactionManager(DBImpl* db, const Comparator* comparator);
  ~TransactionManager() override;

  // WriteHook (under the DB mutex).
  Status BeforeSequence(const WriteBatch& batch, SequenceNumber first, void* validation) override;
  void OnAcquired(SequenceNumber last_assigned) override;
  void OnReleased() override;

  // A new transaction's snapshot; the history records every write from
  // now until the matching End.
  const Snapshot* Begin() EXCLUDES(mu_);
  void End(const Snapshot* snapshot) EXCLUDES(mu_);

  // Writes batch if no write after check->validated_through touched what
  // check names; Busy (nothing written) otherwise.
  Status Commit(const WriteOptions& options, WriteBatch* batch, CommitCheck* check) EXCLUDES(mu_);

  DBImpl* db() const { return db_; }
  const Comparator* comparator() const { return comparator_; }
  TransactionStats Stats() EXCLUDES(mu_);
  // Test hook: history entries kept (see CommitHistory::SetCapacity).
  void SetHistoryCapacity(size_t entries) EXCLUDES(mu_);

 private:
  // The history fallback: Busy if the DB holds a version newer than
  // check.validated_through of a point key or of a key inside a range; on
  // OK, *through is the sequence the DB was read at.
  Status CheckDatabase(const CommitCheck& check, SequenceNumber* through);
  // Busy naming the conflict when the history shows one.
  Status CheckHistory(const CommitCheck& check) REQUIRES(mu_);

  DBImpl* const db_;
  const Comparator* const comparator_;

  Mutex mu_;
  CommitHistory history_ GUARDED_BY(mu_);
  // Snapshots of the live transactions, sorted (a handful; new ones are
  // usually the newest): the history is trimmed below the oldest.
  std::vector<SequenceNumber> live_snapshots_ GUARDED_BY(mu_);

  std::atomic<uint64_t> commits_validated_{0};
  std::atomic<uint64_t> conflicts_{0};
  std::atomic<uint64_t> db_checks_{0};
};

// For DBImpl (lib/db/db_transaction.cc).
std::unique_ptr<WriteHook> NewTransactionManager(DBImpl* db, const Comparator* comparator);
std::unique_ptr<Transaction> BeginOptimisticTransaction(WriteHook* manager,
                                                        const WriteOptions& options,
                                                        const TransactionOptions& txn_options);

// For tests and the bench: db must be a DB opened by DB::Open.
TransactionStats GetTransactionStats(DB* db);
void SetTransactionHistoryCapacity(DB* db, size_t entries);

}  // namespace lsmkv

#endif  // LSMKV_TXN_TRANSACTION_MANAGER_H_
