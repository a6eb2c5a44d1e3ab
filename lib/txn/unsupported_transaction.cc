// The public Transaction's destructor and DB::BeginTransaction's default:
// a DB implementation without transactions (a user's subclass or mock)
// hands out a transaction whose every call says NotSupported.
#include "lsmkv/db.h"
#include "lsmkv/transaction.h"
#include "table/iterator_util.h"

namespace lsmkv {

Transaction::~Transaction() = default;

namespace {

class UnsupportedTransaction final : public Transaction {
 public:
  Status Get(const ReadOptions&, const Slice&, std::string*) override { return Unsupported(); }
  std::unique_ptr<Iterator> NewIterator(const ReadOptions&) override {
    return NewErrorIterator(Unsupported());
  }
  Status Put(const Slice&, const Slice&) override { return Unsupported(); }
  Status Delete(const Slice&) override { return Unsupported(); }
  void SetSavePoint() override {}
  Status RollbackToSavePoint() override { return Unsupported(); }
  Status Commit() override { return Unsupported(); }
  Status Rollback() override { return Unsupported(); }

 private:
  static Status Unsupported() { return Status::NotSupported("this DB does not support transactions"); }
};

}  // namespace

std::unique_ptr<Transaction> DB::BeginTransaction(const WriteOptions&, const TransactionOptions&) {
  return std::make_unique<UnsupportedTransaction>();
}

}  // namespace lsmkv
