// Progress reporting of DB::Verify, DB::Compact and RepairDB: every report
// has done <= total, done never goes back, and the last report is done ==
// total with the documented unit (bytes of table files, compaction steps,
// files found).
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "api/mock_db.h"
#include "lsmkv/db.h"
#include "support/test_util.h"

namespace lsmkv {

namespace {

using Reports = std::vector<std::pair<uint64_t, uint64_t>>;

ProgressCallback Recorder(Reports* reports) {
  return [reports](uint64_t done, uint64_t total) { reports->emplace_back(done, total); };
}

void CheckReports(const Reports& reports) {
  REQUIRE(reports.size() >= 2);
  uint64_t previous = 0;
  for (const auto& [done, total] : reports) {
    INFO(done << " of " << total);
    REQUIRE(done <= total);
    REQUIRE(done >= previous);
    previous = done;
  }
  REQUIRE(reports.front().first == 0);
  REQUIRE(reports.back().first == reports.back().second);
}

int TableFiles(DB* db) {
  int files = 0;
  for (int level = 0; level < 7; level++) {
    std::string n;
    REQUIRE(db->GetProperty("lsmkv.num-files-at-level" + std::to_string(level), &n));
    files += std::stoi(n);
  }
  return files;
}

std::unique_ptr<DB> FilledDB(const std::string& dir) {
  Options options;
  options.create_if_missing = true;
  options.write_buffer_size = 64 << 10;  // several level-0 tables
  options.level0_file_num_compaction_trigger = 100;  // keep them at level 0
  options.level0_slowdown_writes_trigger = 100;
  options.level0_stop_writes_trigger = 100;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, dir, &db).ok());
  for (int i = 0; i < 5000; i++) {
    char key[16];
    std::snprintf(key, sizeof key, "key%06d", i);
    REQUIRE(db->Put(WriteOptions(), key, std::string(100, 'x')).ok());
  }
  REQUIRE(db->Flush().ok());
  return db;
}

}  // namespace

TEST_CASE("Verify reports bytes of table files read, ending at the total", "[progress]") {
  const std::string dir = test::ScratchDir("progress-verify");
  auto db = FilledDB(dir);
  Reports reports;
  VerifyOptions options;
  options.progress = Recorder(&reports);
  REQUIRE(db->Verify(options).ok());
  CheckReports(reports);
  // One report before the first file and one after each.
  REQUIRE(TableFiles(db.get()) > 1);
  REQUIRE(reports.size() == static_cast<size_t>(TableFiles(db.get())) + 1);
  // Bytes: the table files' sizes on disk (no compaction ran meanwhile).
  std::vector<std::string> children;
  REQUIRE(Env::Default()->GetChildren(dir, &children).ok());
  uint64_t table_bytes = 0;
  for (const std::string& name : children) {
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".sst") == 0) {
      uint64_t size = 0;
      REQUIRE(Env::Default()->GetFileSize(dir + "/" + name, &size).ok());
      table_bytes += size;
    }
  }
  REQUIRE(reports.back().second == table_bytes);
  REQUIRE(db->Verify(VerifyOptions()).ok());    // no callback: fine too
  db.reset();
  test::RemoveTree(dir);
}

TEST_CASE("Compact reports its steps and ends at the total", "[progress]") {
  const std::string dir = test::ScratchDir("progress-compact");
  auto db = FilledDB(dir);
  Reports reports;
  CompactOptions options;
  options.progress = Recorder(&reports);
  REQUIRE(db->Compact(options, nullptr, nullptr).ok());
  CheckReports(reports);
  REQUIRE(reports.back().second >= 2);  // at least one level moved plus the bottom rewrite
  // Again, now that everything is at the bottom: the in-place rewrite.
  reports.clear();
  REQUIRE(db->Compact(options, nullptr, nullptr).ok());
  CheckReports(reports);
  db.reset();
  test::RemoveTree(dir);
}

TEST_CASE("RepairDB reports files processed, ending at the total", "[progress]") {
  const std::string dir = test::ScratchDir("progress-repair");
  FilledDB(dir).reset();
  Reports reports;
  RepairOptions repair_options;
  repair_options.progress = Recorder(&reports);
  Options options;
  REQUIRE(RepairDB(dir, options, repair_options).ok());
  CheckReports(reports);
  REQUIRE(reports.back().second >= 3);  // tables + WAL + the merge
  test::RemoveTree(dir);
}

TEST_CASE("Verify and Compact default to VerifyChecksums and CompactRange", "[progress][api]") {
  mock::MockDB db;
  Reports reports;
  VerifyOptions verify;
  verify.progress = Recorder(&reports);
  DB* base = &db;
  REQUIRE(base->Verify(verify).IsNotSupported());  // the mock has no VerifyChecksums
  CompactOptions compact;
  compact.progress = Recorder(&reports);
  REQUIRE(base->Compact(compact, nullptr, nullptr).ok());  // the mock's CompactRange
  REQUIRE(reports.empty());
}

}  // namespace lsmkv
