// A power cut while a flush's MANIFEST edit is written but not yet synced,
// that loses the page holding the edit's start and keeps the next page
// (write-back in any order): Open must read the rest of the edit as a torn
// last edit and recover every acknowledged write. (Before ManifestDamage,
// Open failed with "zeroed bytes": found by crash:powerloss-pages-long.)
#include <catch2/catch.hpp>

#include <cstdio>
#include <map>
#include <string>
#include <thread>

#include "format/filename.h"
#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/fault_env.h"
#include "support/mem_env.h"

namespace lsmkv {

namespace {

std::string CurrentManifest(Env* env) {
  std::string current;
  REQUIRE(ReadFileToString(env, CurrentFileName("/db"), &current).ok());
  return "/db/" + current.substr(0, current.size() - 1);
}

uint64_t SizeOf(Env* env, const std::string& fname) {
  uint64_t size = 0;
  REQUIRE(env->GetFileSize(fname, &size).ok());
  return size;
}

}  // namespace

TEST_CASE("DB: a power cut that keeps the later page of an unsynced MANIFEST edit and loses its start",
          "[recovery][manifest]") {
  constexpr uint64_t kPage = FaultEnv::kPageSize;
  // How many bytes of its page the edit starts in: few, so that it runs
  // into the next page (a flush edit is ~60 bytes); fewer than the 11-byte
  // record header puts the header itself across the page boundary.
  const auto room = GENERATE(std::make_pair<uint64_t, uint64_t>(1, 10), std::make_pair<uint64_t, uint64_t>(11, 40));
  CAPTURE(room.first, room.second);
  MemEnv mem;
  FaultEnv fault(&mem);
  Options options;
  options.env = &fault;
  options.create_if_missing = true;
  options.level0_file_num_compaction_trigger = 1000;  // no compaction edits
  options.level0_slowdown_writes_trigger = 1000;
  options.level0_stop_writes_trigger = 1000;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  std::map<std::string, std::string> acknowledged;
  WriteOptions synced;
  synced.sync = true;
  int n = 0;
  auto put = [&] {
    char key[16];
    std::snprintf(key, sizeof(key), "k%06d", n++);
    const std::string value(20, static_cast<char>('a' + n % 26));
    REQUIRE(db->Put(synced, key, value).ok());
    acknowledged[key] = value;
  };

  // Flush until the MANIFEST ends `room` bytes or fewer before a page end
  // (each flush appends one edit).
  std::string manifest = CurrentManifest(&fault);
  for (int i = 0;; i++) {
    REQUIRE(i < 2000);
    const uint64_t size = SizeOf(&fault, manifest);
    const uint64_t left = kPage - size % kPage;
    if (left >= room.first && left <= room.second) break;
    put();
    REQUIRE(db->Flush().ok());
    REQUIRE(CurrentManifest(&fault) == manifest);  // no roll-over
  }
  const uint64_t edit_start = SizeOf(&fault, manifest);
  put();
  put();

  // The next flush appends its edit; hold the MANIFEST's sync and cut the
  // power while it waits.
  fault.HoldNext(FaultEnv::Op::kSync, "MANIFEST");
  Status flushed;
  std::thread flusher([&] { flushed = db->Flush(); });
  REQUIRE(fault.WaitUntilHeld(10000));
  fault.Freeze();
  fault.ReleaseHeld();
  flusher.join();
  REQUIRE_FALSE(flushed.ok());
  const uint64_t edit_end = SizeOf(&mem, manifest);
  REQUIRE(edit_end > (edit_start / kPage + 1) * kPage);  // the edit runs into the next page
  db.reset();

  FaultEnv::PowerLoss how;
  how.lose_pages_out_of_order = true;
  const uint64_t lost_page = edit_start / kPage;
  how.keep_page = [&](const std::string& fname, uint64_t page) {
    return !(fname == manifest && page == lost_page);
  };
  FaultEnv::PowerLossReport report;
  REQUIRE(fault.DropUnsyncedData(how, &report).ok());
  INFO(report.description);
  // The lost page now reads as zeros from the edit's start, the next page
  // holds the rest of the edit.
  std::string data;
  REQUIRE(ReadFileToString(&mem, manifest, &data).ok());
  REQUIRE(data.size() == edit_end);
  REQUIRE(data.substr(edit_start, (lost_page + 1) * kPage - edit_start) ==
          std::string((lost_page + 1) * kPage - edit_start, '\0'));

  const Status opened = DB::Open(options, "/db", &db);
  INFO(opened.ToString());
  REQUIRE(opened.ok());
  REQUIRE(test::Contents(db.get()) == acknowledged);
}

}  // namespace lsmkv
