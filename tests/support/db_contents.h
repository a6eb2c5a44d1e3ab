// For Catch2 tests: a DB's whole visible contents as a map, requiring the
// scan to end cleanly; filling a DB and its model with numbered keys.
#ifndef LSMKV_TESTS_SUPPORT_DB_CONTENTS_H_
#define LSMKV_TESTS_SUPPORT_DB_CONTENTS_H_

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "lsmkv/db.h"
#include "support/test_util.h"

namespace lsmkv::test {

inline std::map<std::string, std::string> Contents(DB* db, const Snapshot* snapshot = nullptr) {
  ReadOptions options;
  options.snapshot = snapshot;
  std::map<std::string, std::string> out;
  const Status s = ReadAll(db, &out, options);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return out;
}

// "k<10000 + i>": numbered keys that sort in i's order (for i < 90000).
inline std::string NumberedKey(int i) { return "k" + std::to_string(10000 + i); }

// Puts NumberedKey(i) -> value(i) for i in [0, n) into db, requiring each
// write to succeed, and into *model.
template <typename ValueFn>
void PutNumberedKeys(DB* db, int n, ValueFn value, std::map<std::string, std::string>* model,
                     const WriteOptions& options = WriteOptions()) {
  for (int i = 0; i < n; i++) {
    const std::string k = NumberedKey(i);
    const std::string v = value(i);
    REQUIRE(db->Put(options, k, v).ok());
    (*model)[k] = v;
  }
}

}  // namespace lsmkv::test

#endif  // LSMKV_TESTS_SUPPORT_DB_CONTENTS_H_
