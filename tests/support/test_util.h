// Helpers shared by the tests: scratch directories, reproducible seeds,
// reading a whole DB, and Options for new DBs.
#ifndef LSMKV_TESTS_SUPPORT_TEST_UTIL_H_
#define LSMKV_TESTS_SUPPORT_TEST_UTIL_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
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

// Polls `done` every 5 ms until it returns true or `guard` has passed;
// returns its last answer. For tests that wait for background work
// (compactions, flushes) instead of assuming how fast a loaded machine runs.
bool WaitUntil(const std::function<bool()>& done,
               std::chrono::milliseconds guard = std::chrono::seconds(60));

// The number of table files at `level` (lsmkv.num-files-at-level<N>).
uint64_t FilesAtLevel(DB* db, int level);

// Removes a directory tree (test cleanup only).
void RemoveTree(const std::string& path);

// Options for a new DB on `env` (create_if_missing), otherwise the
// defaults; its info log goes to `info_log` when one is given, else to the
// DB's LOG file.
Options NewDBOptions(Env* env, std::shared_ptr<Logger> info_log = nullptr);

// Options for a new DB on `env` with small buffers and levels (64 KiB
// memtables and tables, 256 KiB for level 1), so a few thousand writes run
// flushes and compactions into several levels.
Options SmallLevelsOptions(Env* env = Env::Default());

}  // namespace lsmkv::test

#endif  // LSMKV_TESTS_SUPPORT_TEST_UTIL_H_
