// For Catch2 tests: a DB's whole visible contents as a map, requiring the
// scan to end cleanly.
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

}  // namespace lsmkv::test

#endif  // LSMKV_TESTS_SUPPORT_DB_CONTENTS_H_
