#include "txn/transaction_manager.h"

#include <algorithm>

#include "db/db_impl.h"
#include "db/snapshot.h"
#include "txn/optimistic_transaction.h"

namespace lsmkv {

TransactionManager::TransactionManager(DBImpl* db, const Comparator* comparator)
    : db_(db), comparator_(comparator), history_(comparator) {}

TransactionManager::~TransactionManager() = default;

void TransactionManager::OnAcquired(SequenceNumber last_assigned) {
  MutexLock l(&mu_);
  history_.Reset(last_assigned);
}

void TransactionManager::OnReleased() {
  MutexLock l(&mu_);
  if (history_.size() > 0) history_.Reset(0);  // frees the memory; OnAcquired sets the floor
}

const Snapshot* TransactionManager::Begin() {
  // The hook with the snapshot: every write sequenced after the snapshot
  // is then recorded, or (a group in flight at the acquire) lies below the
  // floor, which the commit's DB check covers.
  const Snapshot* snapshot = db_->AcquireWriteHook();
  const SequenceNumber seq = static_cast<const SnapshotImpl*>(snapshot)->sequence;
  MutexLock l(&mu_);
  live_snapshots_.insert(std::upper_bound(live_snapshots_.begin(), live_snapshots_.end(), seq), seq);
  return snapshot;
}

void TransactionManager::End(const Snapshot* snapshot) {
  {
    MutexLock l(&mu_);
    const SequenceNumber seq = static_cast<const SnapshotImpl*>(snapshot)->sequence;
    live_snapshots_.erase(std::lower_bound(live_snapshots_.begin(), live_snapshots_.end(), seq));
    // A transaction that registers its snapshot after this trim and is
    // older than the new floor checks the DB: trimming never loses a
    // conflict, it only moves where it is found.
    if (!live_snapshots_.empty()) history_.TrimThrough(live_snapshots_.front());
  }
  db_->ReleaseWriteHook(snapshot);
}

Status TransactionManager::CheckHistory(const CommitCheck& check) {
  const SequenceNumber after = check.validated_through;
  for (const Slice& key : check.point_keys) {
    if (history_.WrittenAfter(key, after)) {
      return Status::Busy("transaction conflict", "a key it read or writes was written since it began");
    }
  }
  if (check.ranges != nullptr) {
    for (const KeyRange& range : *check.ranges) {
      if (history_.RangeWrittenAfter(range, after)) {
        return Status::Busy("transaction conflict", "a key range it scanned was written since it began");
      }
    }
  }
  return Status::OK();
}

Status TransactionManager::BeforeSequence(const WriteBatch& batch, SequenceNumber first,
                                          void* validation) {
  MutexLock l(&mu_);
  if (validation != nullptr) {
    auto* check = static_cast<CommitCheck*>(validation);
    if (check->validated_through < history_.floor()) {
      // The history was trimmed past what the DB check covered: Commit
      // checks the DB again (never surfaces to the caller).
      check->stale = true;
      return Status::Busy("transaction history trimmed");
    }
    commits_validated_.fetch_add(1, std::memory_order_relaxed);
    Status s = CheckHistory(*check);
    if (!s.ok()) {
      conflicts_.fetch_add(1, std::memory_order_relaxed);
      return s;
    }
  }
  if (validation != nullptr && live_snapshots_.size() == 1) {
    // The committer is the only live transaction: nobody needs its keys.
    // Raising the floor past them covers a transaction beginning right now
    // with an older snapshot (it checks the DB).
    history_.SkipThrough(first + batch.Count() - 1);
    return Status::OK();
  }
  // Recorded before the next writer of the group is validated.
  history_.Record(batch, first);
  return Status::OK();
}

Status TransactionManager::Commit(const WriteOptions& options, WriteBatch* batch,
                                  CommitCheck* check) {
  while (true) {
    SequenceNumber floor;
    {
      MutexLock l(&mu_);
      floor = history_.floor();
    }
    if (check->validated_through < floor) {
      db_checks_.fetch_add(1, std::memory_order_relaxed);
      SequenceNumber through;
      Status s = CheckDatabase(*check, &through);
      if (!s.ok()) {
        if (s.IsBusy()) conflicts_.fetch_add(1, std::memory_order_relaxed);
        return s;
      }
      if (through > check->validated_through) check->validated_through = through;
    }
    check->stale = false;
    Status s = db_->WriteValidated(options, batch, check);
    if (!check->stale) return s;
  }
}

Status TransactionManager::CheckDatabase(const CommitCheck& check, SequenceNumber* through) {
  const SequenceNumber after = check.validated_through;
  std::unique_ptr<Iterator> it = db_->NewInternalIterator(through);
  std::string seek_key;
  ParsedInternalKey parsed;
  // Positions `it` at the newest version of the first user key >= key.
  const auto seek = [&](const Slice& key) {
    seek_key.clear();
    AppendInternalKey(&seek_key, key, kMaxSequenceNumber, kValueTypeForSeek);
    it->Seek(seek_key);
  };
  for (const Slice& key : check.point_keys) {
    seek(key);
    // Versions sort newest first: the first entry of key is its newest.
    if (it->Valid() && ParseInternalKey(it->key(), &parsed) &&
        comparator_->Compare(parsed.user_key, key) == 0 && parsed.sequence > after) {
      return Status::Busy("transaction conflict", "a key it read or writes was written since it began");
    }
  }
  if (check.ranges != nullptr) {
    for (const KeyRange& range : *check.ranges) {
      if (range.lo.kind == KeyBound::kUnbounded) {
        it->SeekToFirst();
      } else {
        seek(range.lo.key);
      }
      for (; it->Valid(); it->Next()) {
        if (!ParseInternalKey(it->key(), &parsed)) return Status::Corruption("bad internal key");
        if (!range.BelowHigh(comparator_, parsed.user_key)) break;
        if (parsed.sequence > after && range.AboveLow(comparator_, parsed.user_key)) {
          return Status::Busy("transaction conflict",
                              "a key range it scanned was written since it began");
        }
      }
    }
  }
  return it->status();
}

TransactionStats TransactionManager::Stats() {
  TransactionStats stats;
  stats.commits_validated = commits_validated_.load(std::memory_order_relaxed);
  stats.conflicts = conflicts_.load(std::memory_order_relaxed);
  stats.db_checks = db_checks_.load(std::memory_order_relaxed);
  MutexLock l(&mu_);
  stats.history_entries = history_.size();
  stats.history_floor = history_.floor();
  return stats;
}

void TransactionManager::SetHistoryCapacity(size_t entries) {
  MutexLock l(&mu_);
  history_.SetCapacity(entries);
}

std::unique_ptr<WriteHook> NewTransactionManager(DBImpl* db, const Comparator* comparator) {
  return std::make_unique<TransactionManager>(db, comparator);
}

std::unique_ptr<Transaction> BeginOptimisticTransaction(WriteHook* manager,
                                                        const WriteOptions& options,
                                                        const TransactionOptions& txn_options) {
  return std::make_unique<OptimisticTransaction>(static_cast<TransactionManager*>(manager),
                                                 options, txn_options);
}

TransactionStats GetTransactionStats(DB* db) {
  auto* manager = static_cast<TransactionManager*>(static_cast<DBImpl*>(db)->GetOrCreateWriteHook());
  return manager->Stats();
}

void SetTransactionHistoryCapacity(DB* db, size_t entries) {
  auto* manager = static_cast<TransactionManager*>(static_cast<DBImpl*>(db)->GetOrCreateWriteHook());
  manager->SetHistoryCapacity(entries);
}

}  // namespace lsmkv
