// A scratch DB for the transaction tests, and small helpers.
#ifndef LSMKV_TESTS_TXN_TXN_FIXTURE_H_
#define LSMKV_TESTS_TXN_TXN_FIXTURE_H_

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lsmkv/db.h"
#include "lsmkv/transaction.h"
#include "support/test_util.h"

namespace lsmkv::test {

class TxnFixture {
 public:
  explicit TxnFixture(const std::string& name) : dir(ScratchDir(name)) {
    options.create_if_missing = true;
    Reopen();
  }
  ~TxnFixture() {
    db.reset();
    RemoveTree(dir);
  }
  void Reopen() {
    db.reset();
    const Status s = DB::Open(options, dir, &db);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  std::unique_ptr<Transaction> Begin(IsolationLevel level = IsolationLevel::kSerializable) {
    TransactionOptions t;
    t.isolation = level;
    return db->BeginTransaction(WriteOptions(), t);
  }
  // The DB's value of key, or "<none>".
  std::string Get(const Slice& key) {
    std::string value;
    const Status s = db->Get(ReadOptions(), key, &value);
    return s.ok() ? value : s.IsNotFound() ? "<none>" : s.ToString();
  }
  void Put(const Slice& key, const Slice& value) { REQUIRE(db->Put(WriteOptions(), key, value).ok()); }

  Options options;
  std::string dir;
  std::unique_ptr<DB> db;
};

// A transaction's value of key, or "<none>".
inline std::string TxnGet(Transaction* txn, const Slice& key) {
  std::string value;
  const Status s = txn->Get(ReadOptions(), key, &value);
  return s.ok() ? value : s.IsNotFound() ? "<none>" : s.ToString();
}

// key=value pairs an iterator shows, forward from Seek(start) ("" =
// SeekToFirst) or backward from SeekForPrev(start) ("" = SeekToLast).
inline std::vector<std::string> Scan(Iterator* it, bool forward, const std::string& start = "") {
  std::vector<std::string> out;
  if (forward) {
    start.empty() ? it->SeekToFirst() : it->Seek(start);
  } else {
    start.empty() ? it->SeekToLast() : it->SeekForPrev(start);
  }
  for (; it->Valid(); forward ? it->Next() : it->Prev()) {
    out.push_back(it->key().ToString() + "=" + it->value().ToString());
  }
  REQUIRE(it->status().ok());
  return out;
}

}  // namespace lsmkv::test

#endif  // LSMKV_TESTS_TXN_TXN_FIXTURE_H_
