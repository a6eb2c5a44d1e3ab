// A DB implemented outside the library the way a user's test double would
// be: it overrides exactly the core methods (docs/compatibility.md) and
// nothing else. If lsmkv adds a pure virtual method to DB, this stops
// compiling; tests/api/api_growth_test.cc and the package test
// (tests/package/consumer_test.cmake, against the installed headers and the
// shared library) build it. Public headers only.
#ifndef LSMKV_TESTS_API_MOCK_DB_H_
#define LSMKV_TESTS_API_MOCK_DB_H_

#include <map>
#include <memory>
#include <string>

#include "lsmkv/db.h"

namespace mock {

// An in-memory map behind the DB interface; snapshots are not supported
// (GetSnapshot returns nullptr), iterators are not offered.
class MockDB : public lsmkv::DB {
 public:
  lsmkv::Status Put(const lsmkv::WriteOptions&, const lsmkv::Slice& key,
                    const lsmkv::Slice& value) override {
    data_[key.ToString()] = value.ToString();
    return lsmkv::Status::OK();
  }
  lsmkv::Status Delete(const lsmkv::WriteOptions&, const lsmkv::Slice& key) override {
    data_.erase(key.ToString());
    return lsmkv::Status::OK();
  }
  lsmkv::Status Write(const lsmkv::WriteOptions& options, lsmkv::WriteBatch* updates) override {
    struct Apply : lsmkv::WriteBatch::Handler {  // only the core Handler methods
      MockDB* db;
      lsmkv::WriteOptions options;
      void Put(const lsmkv::Slice& k, const lsmkv::Slice& v) override {
        (void)db->Put(options, k, v);
      }
      void Delete(const lsmkv::Slice& k) override { (void)db->Delete(options, k); }
    } apply;
    apply.db = this;
    apply.options = options;
    return updates->Iterate(&apply);
  }
  lsmkv::Status Get(const lsmkv::ReadOptions&, const lsmkv::Slice& key,
                    std::string* value) override {
    const auto it = data_.find(key.ToString());
    if (it == data_.end()) return lsmkv::Status::NotFound(key);
    *value = it->second;
    return lsmkv::Status::OK();
  }
  std::unique_ptr<lsmkv::Iterator> NewIterator(const lsmkv::ReadOptions&) override {
    return nullptr;
  }
  const lsmkv::Snapshot* GetSnapshot() override { return nullptr; }
  void ReleaseSnapshot(const lsmkv::Snapshot*) override {}
  bool GetProperty(const lsmkv::Slice&, std::string*) override { return false; }
  lsmkv::Status Flush() override { return lsmkv::Status::OK(); }
  lsmkv::Status CompactRange(const lsmkv::Slice*, const lsmkv::Slice*) override {
    return lsmkv::Status::OK();
  }

 private:
  std::map<std::string, std::string> data_;
};

// A comparator with only the required methods: reverse byte order.
class ReverseComparator : public lsmkv::Comparator {
 public:
  int Compare(const lsmkv::Slice& a, const lsmkv::Slice& b) const override {
    return b.compare(a);
  }
  const char* Name() const override { return "mock.ReverseComparator"; }
};

}  // namespace mock

#endif  // LSMKV_TESTS_API_MOCK_DB_H_
