// RecentJobs (lib/db/recent_jobs.h) and the property
// "lsmkv.recent-background-jobs": a bounded ring, newest first, valid JSON
// (parsed with nlohmann-json), fed by every flush and compaction, failed
// ones with their error.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "db/db_impl.h"
#include "db/recent_jobs.h"
#include "lsmkv/db.h"
#include "support/fault_env.h"
#include "support/mem_env.h"
#include "support/test_util.h"

namespace lsmkv {

namespace {

BackgroundJobRecord Job(uint64_t bytes_written, uint64_t finished_at) {
  BackgroundJobRecord r;
  r.kind = BackgroundJobRecord::Kind::kCompaction;
  r.input_level = 1;
  r.output_level = 2;
  r.input_files = 3;
  r.output_files = 2;
  r.bytes_read = 1000;
  r.bytes_written = bytes_written;
  r.micros = 1500;
  r.finished_at_micros = finished_at;
  return r;
}

nlohmann::json RecentJobsProperty(DB* db) {
  std::string text;
  REQUIRE(db->GetProperty("lsmkv.recent-background-jobs", &text));
  INFO(text);
  nlohmann::json parsed = nlohmann::json::parse(text);  // throws (fails the test) if invalid
  REQUIRE(parsed.is_array());
  return parsed;
}

}  // namespace

TEST_CASE("RecentJobs: bounded, newest first", "[db][recent-jobs]") {
  RecentJobs jobs(3);
  CHECK(jobs.NewestFirst().empty());
  for (uint64_t i = 1; i <= 5; i++) jobs.Add(Job(i, i));
  const auto newest = jobs.NewestFirst();
  REQUIRE(newest.size() == 3);
  CHECK(newest[0].bytes_written == 5);
  CHECK(newest[1].bytes_written == 4);
  CHECK(newest[2].bytes_written == 3);

  RecentJobs none(0);
  none.Add(Job(1, 1));
  CHECK(none.NewestFirst().empty());
}

TEST_CASE("RecentJobs: JSON form", "[db][recent-jobs]") {
  CHECK(FormatRecentJobsJson({}, 0) == "[]");
  BackgroundJobRecord failed = Job(0, 1'000'000);
  failed.kind = BackgroundJobRecord::Kind::kFlush;
  failed.input_level = -1;
  failed.error = "IO error: \"disk\" \\ gone \x01\xff";
  const std::string text = FormatRecentJobsJson({Job(42, 2'000'000), failed}, 3'500'000);
  INFO(text);
  const nlohmann::json j = nlohmann::json::parse(text);
  REQUIRE(j.size() == 2);
  CHECK(j[0]["kind"] == "compaction");
  CHECK(j[0]["input_level"] == 1);
  CHECK(j[0]["output_level"] == 2);
  CHECK(j[0]["input_files"] == 3);
  CHECK(j[0]["output_files"] == 2);
  CHECK(j[0]["bytes_read"] == 1000);
  CHECK(j[0]["bytes_written"] == 42);
  CHECK(j[0]["micros"] == 1500);
  CHECK(j[0]["seconds_ago"].get<double>() == Approx(1.5));
  CHECK(j[0]["error"].is_null());
  CHECK(j[1]["kind"] == "flush");
  CHECK(j[1]["input_level"] == -1);
  CHECK(j[1]["seconds_ago"].get<double>() == Approx(2.5));
  // Quotes and backslashes survive; other bytes are shown as \xNN.
  CHECK(j[1]["error"] == "IO error: \"disk\" \\x5c gone \\x01\\xff");
}

TEST_CASE("RecentJobs: the DB records its flushes and compactions", "[db][recent-jobs]") {
  MemEnv env;
  Options options = test::NewDBOptions(&env);
  options.write_buffer_size = 64 << 10;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  CHECK(RecentJobsProperty(db.get()).empty());

  for (int i = 0; i < 100; i++) REQUIRE(db->Put(WriteOptions(), "a" + std::to_string(i), "v").ok());
  REQUIRE(db->Flush().ok());
  nlohmann::json jobs = RecentJobsProperty(db.get());
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0]["kind"] == "flush");
  CHECK(jobs[0]["output_files"] == 1);
  CHECK(jobs[0]["bytes_written"].get<uint64_t>() > 0);
  CHECK(jobs[0]["bytes_read"].get<uint64_t>() > 0);
  CHECK(jobs[0]["error"].is_null());

  // Overlapping flushes, then a full compaction: a merge into a deeper level.
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 100; i++) REQUIRE(db->Put(WriteOptions(), "a" + std::to_string(i), "w").ok());
    REQUIRE(db->Flush().ok());
  }
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  static_cast<DBImpl*>(db.get())->TEST_WaitForBackgroundWork();
  jobs = RecentJobsProperty(db.get());
  int flushes = 0, compactions = 0;
  for (const auto& job : jobs) {
    if (job["kind"] == "flush") flushes++;
    if (job["kind"] == "compaction") {
      compactions++;
      CHECK(job["input_files"].get<uint64_t>() >= 1);
      CHECK(job["output_level"].get<int>() >= job["input_level"].get<int>());
      CHECK(job["bytes_read"].get<uint64_t>() > 0);
    }
  }
  CHECK(flushes == 4);
  CHECK(compactions >= 1);

  // Bounded: many more flushes keep only the newest kDefaultCapacity.
  for (int round = 0; round < 40; round++) {
    REQUIRE(db->Put(WriteOptions(), "b" + std::to_string(round), "v").ok());
    REQUIRE(db->Flush().ok());
  }
  static_cast<DBImpl*>(db.get())->TEST_WaitForBackgroundWork();
  jobs = RecentJobsProperty(db.get());
  CHECK(jobs.size() == RecentJobs::kDefaultCapacity);
}

TEST_CASE("RecentJobs: a failed flush is recorded with its error", "[db][recent-jobs]") {
  MemEnv mem;
  FaultEnv env(&mem);
  Options options = test::NewDBOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE(db->Put(WriteOptions(), "k", "v").ok());
  env.FailNth(FaultEnv::Op::kSync, 1, /*sticky=*/true);
  CHECK_FALSE(db->Flush().ok());
  const nlohmann::json jobs = RecentJobsProperty(db.get());
  REQUIRE(jobs.size() >= 1);
  CHECK(jobs[0]["kind"] == "flush");
  REQUIRE(jobs[0]["error"].is_string());
  CHECK(jobs[0]["error"].get<std::string>().find("IO error") != std::string::npos);
  CHECK(jobs[0]["output_files"] == 0);
  env.ClearFailures();
}

TEST_CASE("RecentJobs: a flush whose MANIFEST write fails is recorded as failed", "[db][recent-jobs]") {
  MemEnv mem;
  FaultEnv env(&mem);
  Options options = test::NewDBOptions(&env);
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  REQUIRE(db->Put(WriteOptions(), "k", "v").ok());
  // The table is built and synced; appending its edit to the MANIFEST fails.
  env.FailNth(FaultEnv::Op::kWrite, 1, /*sticky=*/true, "MANIFEST");
  const Status s = db->Flush();
  INFO(s.ToString());
  CHECK_FALSE(s.ok());
  const nlohmann::json jobs = RecentJobsProperty(db.get());
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0]["kind"] == "flush");
  REQUIRE(jobs[0]["error"].is_string());
  CHECK(jobs[0]["error"].get<std::string>().find("MANIFEST") != std::string::npos);
  CHECK(jobs[0]["output_files"] == 0);  // the table is not part of the DB
  uint64_t flushes = 0;
  REQUIRE(db->GetIntProperty("lsmkv.flushes", &flushes));
  CHECK(flushes == 0);
  env.ClearFailures();
}

}  // namespace lsmkv
