#include "txn/optimistic_transaction.h"

#include "db/db_impl.h"
#include "db/snapshot.h"
#include "table/iterator_util.h"
#include "txn/transaction_iterator.h"
#include "txn/transaction_manager.h"

namespace lsmkv {

namespace {

Status Finished() { return Status::InvalidArgument("transaction already committed or rolled back"); }

}  // namespace

OptimisticTransaction::OptimisticTransaction(TransactionManager* manager, const WriteOptions& options,
                                             const TransactionOptions& txn_options)
    : manager_(manager),
      write_options_(options),
      isolation_(txn_options.isolation),
      comparator_(manager->comparator()),
      snapshot_(manager->Begin()),
      pending_(KeyLess{comparator_}) {}

OptimisticTransaction::~OptimisticTransaction() {
  if (snapshot_ != nullptr) Finish();  // rolls back: nothing was written
}

void OptimisticTransaction::Finish() {
  manager_->End(snapshot_);
  snapshot_ = nullptr;
  pending_.clear();
  reads_.clear();
  ranges_.clear();
  undo_.clear();
  save_points_.clear();
}

Status OptimisticTransaction::Get(const ReadOptions& options, const Slice& key, std::string* value) {
  if (snapshot_ == nullptr) return Finished();
  if (value == nullptr) return Status::InvalidArgument("Get", "value must not be null");
  if (options.snapshot != nullptr) {
    return Status::InvalidArgument("Get", "a transaction reads at its own snapshot");
  }
  const auto it = pending_.find(key.ToString());
  if (it != pending_.end()) {  // its own write: no dependency on the DB
    if (it->second.deleted) return Status::NotFound(Slice());
    *value = it->second.value;
    return Status::OK();
  }
  ReadOptions read = options;
  read.snapshot = snapshot_;
  Status s = manager_->db()->Get(read, key, value);
  if ((s.ok() || s.IsNotFound()) && isolation_ == IsolationLevel::kSerializable) {
    reads_.insert(key.ToString());
  }
  return s;
}

std::unique_ptr<Iterator> OptimisticTransaction::NewIterator(const ReadOptions& options) {
  if (snapshot_ == nullptr) return NewErrorIterator(Finished());
  if (options.snapshot != nullptr) {
    return NewErrorIterator(Status::InvalidArgument("NewIterator", "a transaction reads at its own snapshot"));
  }
  ReadOptions read = options;
  read.snapshot = snapshot_;
  return NewTransactionIterator(this, comparator_, manager_->db()->NewIterator(read), &pending_,
                                options.iterate_lower_bound, options.iterate_upper_bound);
}

int OptimisticTransaction::AddRange() {
  if (isolation_ != IsolationLevel::kSerializable || snapshot_ == nullptr) return -1;
  ranges_.emplace_back();
  return static_cast<int>(ranges_.size()) - 1;
}

Status OptimisticTransaction::Put(const Slice& key, const Slice& value) {
  return Write(key, /*deleted=*/false, value);
}

Status OptimisticTransaction::Delete(const Slice& key) { return Write(key, /*deleted=*/true, Slice()); }

Status OptimisticTransaction::Write(const Slice& key, bool deleted, const Slice& value) {
  if (snapshot_ == nullptr) return Finished();
  // The engine's own limits (WriteBatch's), checked now rather than at commit.
  if (key.size() > WriteBatch::kMaxKeySize || value.size() > WriteBatch::kMaxValueSize) {
    return Status::InvalidArgument("Transaction", "a key is over 64 MiB or a value over 3 GiB");
  }
  auto [it, inserted] = pending_.try_emplace(key.ToString());
  if (!save_points_.empty()) undo_.push_back(Undo{it->first, !inserted, it->second});
  it->second.deleted = deleted;
  it->second.value.assign(value.data(), value.size());
  return Status::OK();
}

void OptimisticTransaction::SetSavePoint() {
  if (snapshot_ == nullptr) return;
  save_points_.push_back(undo_.size());
}

Status OptimisticTransaction::RollbackToSavePoint() {
  if (snapshot_ == nullptr) return Finished();
  if (save_points_.empty()) return Status::NotFound("no save point");
  const size_t mark = save_points_.back();
  save_points_.pop_back();
  while (undo_.size() > mark) {
    Undo& u = undo_.back();
    if (u.existed) {
      pending_[u.key] = std::move(u.before);
    } else {
      pending_.erase(u.key);
    }
    undo_.pop_back();
  }
  if (save_points_.empty()) undo_.clear();
  return Status::OK();
}

Status OptimisticTransaction::Commit() {
  if (snapshot_ == nullptr) return Finished();
  if (pending_.empty()) {
    // Read-only: it saw one consistent snapshot, a prefix of the commit
    // order, so it is serializable without any check.
    Finish();
    return Status::OK();
  }
  WriteBatch batch;
  CommitCheck check;
  check.point_keys.reserve(pending_.size() + reads_.size());
  for (const auto& [key, write] : pending_) {
    if (write.deleted) {
      batch.Delete(key);
    } else {
      batch.Put(key, write.value);
    }
    check.point_keys.emplace_back(key);
  }
  if (isolation_ == IsolationLevel::kSerializable) {
    for (const std::string& key : reads_) check.point_keys.emplace_back(key);
    check.ranges = &ranges_;
  }
  check.validated_through = static_cast<const SnapshotImpl*>(snapshot_)->sequence;
  Status s = manager_->Commit(write_options_, &batch, &check);
  Finish();
  return s;
}

Status OptimisticTransaction::Rollback() {
  if (snapshot_ == nullptr) return Finished();
  Finish();
  return Status::OK();
}

}  // namespace lsmkv
