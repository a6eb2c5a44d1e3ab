// The DB's side of transactions (lib/txn does the rest): BeginTransaction,
// the WriteHook's acquire/release, and the internal-key view the commit
// validation falls back on when its in-memory history is too short.
#include "db/db_impl.h"

#include "txn/transaction_manager.h"

namespace lsmkv {

namespace {

// Keeps a ReadView (memtables, Version) alive under its merged iterator.
class PinnedIterator final : public Iterator {
 public:
  PinnedIterator(std::shared_ptr<const void> pinned, std::unique_ptr<Iterator> iter)
      : pinned_(std::move(pinned)), iter_(std::move(iter)) {}
  ~PinnedIterator() override {
    iter_.reset();  // before the view it reads
  }
  bool Valid() const override { return iter_->Valid(); }
  void SeekToFirst() override { iter_->SeekToFirst(); }
  void SeekToLast() override { iter_->SeekToLast(); }
  void Seek(const Slice& target) override { iter_->Seek(target); }
  void SeekForPrev(const Slice& target) override { iter_->SeekForPrev(target); }
  void Next() override { iter_->Next(); }
  void Prev() override { iter_->Prev(); }
  Slice key() const override { return iter_->key(); }
  Slice value() const override { return iter_->value(); }
  Status status() const override { return iter_->status(); }

 private:
  std::shared_ptr<const void> pinned_;
  std::unique_ptr<Iterator> iter_;
};

}  // namespace

WriteHook* DBImpl::GetOrCreateWriteHook() {
  MutexLock l(&mutex_);
  if (write_hook_ == nullptr) write_hook_ = NewTransactionManager(this, options_.comparator);
  return write_hook_.get();
}

std::unique_ptr<Transaction> DBImpl::BeginTransaction(const WriteOptions& options,
                                                      const TransactionOptions& txn_options) {
  return BeginOptimisticTransaction(GetOrCreateWriteHook(), options, txn_options);
}

const Snapshot* DBImpl::AcquireWriteHook() {
  MutexLock l(&mutex_);
  if (write_hook_users_++ == 0) {
    write_hook_->OnAcquired(std::max(last_assigned_sequence_, last_sequence_));
  }
  return snapshots_.New(last_sequence_);
}

void DBImpl::ReleaseWriteHook(const Snapshot* snapshot) {
  MutexLock l(&mutex_);
  snapshots_.Release(static_cast<const SnapshotImpl*>(snapshot));
  if (--write_hook_users_ == 0) write_hook_->OnReleased();
}

std::unique_ptr<Iterator> DBImpl::NewInternalIterator(SequenceNumber* sequence) {
  ReadOptions options;
  options.fill_cache = false;  // a validation scan, not a hot read
  auto view = std::make_shared<ReadView>(GetReadView(options));
  *sequence = view->sequence;
  auto merged = NewMergedIterator(options, *view);
  return std::make_unique<PinnedIterator>(std::move(view), std::move(merged));
}

}  // namespace lsmkv
