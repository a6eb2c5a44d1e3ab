// Transactions: optimistic, validated at commit, serializable by default.
//
//   std::unique_ptr<Transaction> txn = db->BeginTransaction(WriteOptions());
//   ... txn->Get / NewIterator / Put / Delete ...
//   Status s = txn->Commit();   // IsBusy(): a conflicting write won; retry
//
// A transaction reads the DB as of BeginTransaction (a snapshot) plus its
// own buffered writes; nothing is written before Commit. Commit checks,
// atomically with giving the writes their sequence numbers, that no write
// sequenced after the snapshot touched what the isolation level protects
// (docs/transactions.md). No locks are held while a transaction runs.
#ifndef LSMKV_TRANSACTION_H_
#define LSMKV_TRANSACTION_H_

#include <memory>

#include "lsmkv/export.h"
#include "lsmkv/iterator.h"
#include "lsmkv/options.h"
#include "lsmkv/slice.h"
#include "lsmkv/status.h"

namespace lsmkv {

enum class IsolationLevel {
  // Commit fails when a later write touched a key this transaction writes.
  // Prevents lost updates; allows write skew and phantoms.
  kSnapshot,
  // Commit also fails when a later write touched a key this transaction
  // read (found or not) or a key inside a range one of its iterators
  // covered. Committed transactions are serializable in commit order.
  kSerializable,
};

struct LSMKV_EXPORT TransactionOptions {
  IsolationLevel isolation = IsolationLevel::kSerializable;
};

// One thread at a time; must be destroyed before the DB. After Commit (even
// a failed one) or Rollback, every method returns InvalidArgument.
class LSMKV_EXPORT Transaction {
 public:
  Transaction() = default;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  virtual ~Transaction();  // rolls back if not committed

  // Reads see the DB as of BeginTransaction plus this transaction's own
  // writes. options.snapshot must be nullptr (the transaction's snapshot is
  // used); InvalidArgument otherwise.
  virtual Status Get(const ReadOptions& options, const Slice& key, std::string* value) = 0;
  // Merges the pending writes with the DB view; honours the bounds of
  // options. Must be destroyed before the transaction. Under kSerializable,
  // the key range the iterator covers, from where it was positioned to where
  // it stopped (or the bound / end it ran into), is validated at commit.
  virtual std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) = 0;
  virtual Status Put(const Slice& key, const Slice& value) = 0;
  virtual Status Delete(const Slice& key) = 0;
  virtual void SetSavePoint() = 0;
  // Undoes the writes since the most recent save point and removes that
  // save point; NotFound when there is none. Reads made since stay
  // recorded (they were observed).
  virtual Status RollbackToSavePoint() = 0;
  // Applies every write atomically (durable per the WriteOptions given to
  // BeginTransaction), or returns a status with IsBusy() and writes nothing
  // when a write committed after this transaction began (by a transaction
  // or a plain Put/Delete/Write) touched
  //   kSnapshot:     a key this transaction writes;
  //   kSerializable: that, or a key it read, or a key inside a range one
  //                  of its iterators covered.
  // The caller retries with a new transaction. Any other error is the
  // DB's (e.g. an I/O error of the WAL). A transaction without writes
  // commits without validation.
  virtual Status Commit() = 0;
  // Drops the pending writes. OK.
  virtual Status Rollback() = 0;
};

}  // namespace lsmkv

#endif  // LSMKV_TRANSACTION_H_
