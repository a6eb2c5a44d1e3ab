// OptimisticTransaction: buffers writes, reads at its snapshot merged with
// them, remembers what it read (kSerializable), and hands all of it to the
// TransactionManager at commit.
//
// Thread safety: one thread at a time (as lsmkv/transaction.h says).
#ifndef LSMKV_TXN_OPTIMISTIC_TRANSACTION_H_
#define LSMKV_TXN_OPTIMISTIC_TRANSACTION_H_

#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "lsmkv/db.h"
#include "lsmkv/transaction.h"
#include "txn/key_range.h"

namespace lsmkv {

class TransactionManager;

// A buffered write: a value, or a deletion.
struct PendingWrite {
  bool deleted = false;
  std::string value;
};

class OptimisticTransaction final : public Transaction {
 public:
  struct KeyLess {
    const Comparator* comparator;
    bool operator()(const std::string& a, const std::string& b) const {
      return comparator->Compare(a, b) < 0;
    }
  };
  using PendingMap = std::map<std::string, PendingWrite, KeyLess>;

  OptimisticTransaction(TransactionManager* manager, const WriteOptions& options,
                        const TransactionOptions& txn_options);
  ~OptimisticTransaction() override;

  Status Get(const ReadOptions& options, const Slice& key, std::string* value) override;
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) override;
  Status Put(const Slice& key, const Slice& value) override;
  Status Delete(const Slice& key) override;
  void SetSavePoint() override;
  Status RollbackToSavePoint() override;
  Status Commit() override;
  Status Rollback() override;

  // For TransactionIterator: the ranges it covers are validated at commit
  // (kSerializable); returns the index of a new, empty range, or -1 when
  // ranges are not tracked.
  int AddRange();
  // nullptr once the transaction has finished.
  KeyRange* range(int index) {
    return index >= 0 && static_cast<size_t>(index) < ranges_.size() ? &ranges_[index] : nullptr;
  }

 private:
  Status Write(const Slice& key, bool deleted, const Slice& value);
  // Ends the transaction: releases its snapshot and history interest.
  void Finish();

  TransactionManager* const manager_;
  const WriteOptions write_options_;
  const IsolationLevel isolation_;
  const Comparator* const comparator_;
  const Snapshot* snapshot_;  // nullptr once finished

  PendingMap pending_;
  // Keys read from the DB (found or not), kSerializable only.
  std::unordered_set<std::string> reads_;
  std::vector<KeyRange> ranges_;

  // Save points: each is the undo log's length when it was set. The undo
  // log (kept only while a save point exists) holds what a key's pending
  // write was before each write.
  struct Undo {
    std::string key;
    bool existed;
    PendingWrite before;
  };
  std::vector<Undo> undo_;
  std::vector<size_t> save_points_;
};

}  // namespace lsmkv

#endif  // LSMKV_TXN_OPTIMISTIC_TRANSACTION_H_
