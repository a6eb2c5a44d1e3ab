// Helpers shared by the tests: scratch directories, reproducible seeds, and
// reading a whole DB.
#ifndef LSMKV_TESTS_SUPPORT_TEST_UTIL_H_
#define LSMKV_TESTS_SUPPORT_TEST_UTIL_H_

#include <cstdint>
#include <map>
#include <string>

#include "lsmkv/db.h"

namespace lsmkv::test {

// Everything a full forward scan of db shows (as of options.snapshot), into
// *out; the iterator's final status.
Status ReadAll(DB* db, std::map<std::string, std::string>* out,
               const ReadOptions& options = ReadOptions());

// A fresh, empty directory for one test: $TMPDIR/lsmkv-test-<pid>-<name>.
std::string ScratchDir(const std::string& name);

// The seed for randomized tests: LSMKV_TEST_SEED if set, else `fallback`.
// Tests pass it to Catch2's INFO so a failure prints it.
uint64_t TestSeed(uint64_t fallback);

// Removes a directory tree (test cleanup only).
void RemoveTree(const std::string& path);

}  // namespace lsmkv::test

#endif  // LSMKV_TESTS_SUPPORT_TEST_UTIL_H_
