// Point-in-time WAL recovery (issue 13): a power cut can persist a later
// page of the WAL while an earlier page (or an earlier WAL) is lost, since
// write-back is not in file order. Whatever it keeps, Open must recover a
// prefix of the acknowledged writes: replay stops at the first damaged or
// missing record, and nothing after it is applied, neither later in the
// same WAL nor from a later WAL. Otherwise a deleted key comes back and an
// overwrite is undone.
//
// Each case writes with sync = false on a FaultEnv over a MemEnv, notes
// which WAL bytes every write ended at, and loses chosen 4 KiB pages with
// FaultEnv::PowerLoss::keep_page, so the damage is exact and deterministic.
#include <catch2/catch.hpp>
#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "format/filename.h"
#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/fault_env.h"
#include "support/mem_env.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;
constexpr uint64_t kPage = FaultEnv::kPageSize;

// While closed, table creation waits until the gate opens: keeps a flush
// from making an old WAL obsolete, so a crash finds two WALs to recover.
class GatedTablesEnv final : public EnvWrapper {
 public:
  explicit GatedTablesEnv(Env* base) : EnvWrapper(base) {}

  Status NewWritableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override {
    if (f.find(".sst") != std::string::npos) {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [this] { return open_; });
    }
    return target()->NewWritableFile(f, r);
  }

  void Open() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void Close() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = false;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;  // guarded by mu_
};

// One acknowledged write: a put (value set) or a delete, and where its WAL
// record lies.
struct Write {
  std::string key;
  std::optional<std::string> value;
  std::string wal;     // the WAL file it went to
  uint64_t begin = 0;  // its record's byte range in that WAL
  uint64_t end = 0;
};

class PitrFixture {
 public:
  PitrFixture() : gate(&mem), fault(&gate) {
    options.env = &fault;
    options.create_if_missing = true;
    Open();
  }
  // A failed REQUIRE must not leave the DB waiting for a gated flush.
  ~PitrFixture() {
    gate.Open();
    db.reset();
  }

  void Open() {
    db.reset();
    const Status s = DB::Open(options, "/db", &db);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }

  // The newest WAL.
  std::string CurrentWal() {
    std::vector<std::string> children;
    REQUIRE(mem.GetChildren("/db", &children).ok());
    uint64_t newest = 0;
    for (const auto& c : children) {
      uint64_t n;
      FileType t;
      if (ParseFileName(c, &n, &t) && t == FileType::kLogFile) newest = std::max(newest, n);
    }
    REQUIRE(newest > 0);
    return LogFileName("/db", newest);
  }
  uint64_t SizeOf(const std::string& fname) {
    uint64_t size = 0;
    REQUIRE(mem.GetFileSize(fname, &size).ok());
    return size;
  }

  void Put(const std::string& key, const std::string& value, bool sync = false) {
    Do(key, value, sync);
  }
  void Delete(const std::string& key) { Do(key, std::nullopt, false); }

  // Puts filler0001, filler0002, ... until the current WAL holds `bytes`.
  void FillWalTo(uint64_t bytes) {
    while (SizeOf(CurrentWal()) < bytes) {
      char key[32];
      std::snprintf(key, sizeof(key), "filler%04zu", writes.size());
      Put(key, std::string(40, static_cast<char>('a' + writes.size() % 26)));
    }
  }

  // Power cut that keeps every page but the ones `keep` refuses.
  void PowerCut(std::function<bool(const std::string&, uint64_t)> keep) {
    fault.Freeze();
    gate.Open();  // a blocked flush now fails on the frozen file system
    db.reset();
    FaultEnv::PowerLoss how;
    how.lose_pages_out_of_order = true;
    how.keep_page = std::move(keep);
    FaultEnv::PowerLossReport report;
    REQUIRE(fault.DropUnsyncedData(how, &report).ok());
    crash_report = report.description;
    Open();
  }

  // Writes [0, n) whose records end at or before `offset` of `wal` (or in
  // an earlier WAL): the ones a recovery that stops there keeps.
  size_t WritesBefore(const std::string& wal, uint64_t offset) const {
    size_t n = 0;
    while (n < writes.size() && (writes[n].wal < wal || (writes[n].wal == wal && writes[n].end <= offset))) {
      n++;
    }
    return n;
  }

  // The recovered DB must equal the state after the first `expected`
  // writes. On failure, says which later write it holds and which earlier
  // one it misses.
  void RequirePrefix(size_t expected) {
    const Model recovered = test::Contents(db.get());
    Model state;
    for (size_t i = 0; i < expected; i++) Apply(writes[i], &state);
    INFO("what the power cut left:\n" << crash_report);
    INFO("expected the first " << expected << " of " << writes.size() << " writes ("
                               << state.size() << " keys); recovered " << recovered.size()
                               << " keys: " << Describe(recovered));
    const bool recovered_that_prefix = recovered == state;
    REQUIRE(recovered_that_prefix);
  }

  MemEnv mem;
  GatedTablesEnv gate;
  FaultEnv fault;
  Options options;
  std::unique_ptr<DB> db;
  std::vector<Write> writes;
  std::string crash_report;

 private:
  void Do(const std::string& key, const std::optional<std::string>& value, bool sync) {
    WriteOptions wo;
    wo.sync = sync;
    // The record lands in the WAL current after the write (a write that
    // switches the memtable goes to the new WAL, whose start is 0).
    const std::string wal_before = CurrentWal();
    const uint64_t size_before = SizeOf(wal_before);
    const Status s = value ? db->Put(wo, key, *value) : db->Delete(wo, key);
    INFO(s.ToString());
    REQUIRE(s.ok());
    Write w{key, value, CurrentWal(), 0, 0};
    w.begin = w.wal == wal_before ? size_before : 0;
    w.end = SizeOf(w.wal);
    writes.push_back(std::move(w));
  }

  static void Apply(const Write& w, Model* state) {
    if (w.value) {
      (*state)[w.key] = *w.value;
    } else {
      state->erase(w.key);
    }
  }

  // The prefix the recovered state matches, if any, else the latest write
  // it shows and the first earlier write it lacks.
  std::string Describe(const Model& recovered) const {
    std::ostringstream out;
    Model state;
    for (size_t n = 0;; n++) {
      if (state == recovered) out << "recovered the first " << n << " of " << writes.size() << " writes; ";
      if (n == writes.size()) break;
      Apply(writes[n], &state);
    }
    // The latest put whose value is visible.
    size_t latest = 0;
    bool any = false;
    for (size_t i = 0; i < writes.size(); i++) {
      const auto it = recovered.find(writes[i].key);
      if (writes[i].value && it != recovered.end() && it->second == *writes[i].value) {
        latest = i;
        any = true;
      }
    }
    if (!any) return out.str() + "no write's value is visible";
    out << "holds write " << latest << " (put " << writes[latest].key << ", " << writes[latest].wal
        << " bytes " << writes[latest].begin << ".." << writes[latest].end << ")";
    Model expected;
    for (size_t i = 0; i <= latest; i++) Apply(writes[i], &expected);
    for (size_t i = 0; i <= latest; i++) {
      const Write& w = writes[i];
      const auto e = expected.find(w.key);
      const auto r = recovered.find(w.key);
      const bool same = (e == expected.end()) == (r == recovered.end()) &&
                        (e == expected.end() || e->second == r->second);
      // Report the write only if it is the last one to its key up to latest.
      bool last_to_key = true;
      for (size_t j = i + 1; j <= latest; j++) last_to_key = last_to_key && writes[j].key != w.key;
      if (same || !last_to_key) continue;
      out << " but not the earlier write " << i << " (" << (w.value ? "put " : "delete ") << w.key
          << ", " << w.wal << " bytes " << w.begin << ".." << w.end << "): found "
          << (r == recovered.end() ? std::string("no value") : "value " + r->second.substr(0, 12));
      break;
    }
    return out.str();
  }
};

}  // namespace

TEST_CASE("PITR: a lost middle page of the WAL ends replay, later pages are not applied",
          "[pitr][recovery][fault]") {
  PitrFixture f;
  f.FillWalTo(3 * 32768 + 1000);  // four 32 KiB log blocks: later blocks survive too
  const std::string wal = f.CurrentWal();
  f.PowerCut([&](const std::string& fname, uint64_t page) { return !(fname == wal && page == 2); });
  // Every write wholly before page 2, nothing from the first one it cuts on.
  f.RequirePrefix(f.WritesBefore(wal, 2 * kPage));
}

TEST_CASE("PITR: a lost page of an earlier WAL ends replay, nothing of the later WAL is applied",
          "[pitr][recovery][fault]") {
  PitrFixture f;
  f.options.write_buffer_size = 16 << 10;
  f.Open();
  f.gate.Close();  // the flush of the first memtable cannot finish
  const std::string first_wal = f.CurrentWal();
  for (int i = 0; f.CurrentWal() == first_wal; i++) f.Put("early" + std::to_string(i), std::string(40, 'e'));
  const size_t switch_at = f.writes.size() - 1;  // the first write to the second WAL
  const std::string second_wal = f.CurrentWal();
  for (int i = 0; i < 50; i++) f.Put("late" + std::to_string(i), "in the second WAL");
  const uint64_t first_size = f.SizeOf(first_wal);
  REQUIRE(first_size > 2 * kPage);
  INFO("first WAL " << first_wal << ": " << first_size << " bytes; writes from " << switch_at
                    << " on went to " << second_wal);

  SECTION("its tail page") {
    const uint64_t tail = (first_size - 1) / kPage;
    f.PowerCut([&](const std::string& fname, uint64_t page) { return !(fname == first_wal && page == tail); });
    f.RequirePrefix(f.WritesBefore(first_wal, tail * kPage));
  }
  SECTION("a middle page") {
    f.PowerCut([&](const std::string& fname, uint64_t page) { return !(fname == first_wal && page == 1); });
    f.RequirePrefix(f.WritesBefore(first_wal, kPage));
  }
  SECTION("all of it") {
    f.PowerCut([&](const std::string& fname, uint64_t) { return fname != first_wal; });
    f.RequirePrefix(0);
  }
}

TEST_CASE("PITR: a delete lost with its page does not come back undone behind later writes",
          "[pitr][recovery][fault]") {
  PitrFixture f;
  f.Put("victim", "deleted later", /*sync=*/true);
  f.FillWalTo(2 * kPage + 100);
  f.Delete("victim");
  const Write deletion = f.writes.back();
  REQUIRE(deletion.begin >= 2 * kPage);  // the delete's record lies inside page 2
  REQUIRE(deletion.end <= 3 * kPage);
  f.FillWalTo(3 * 32768 + 1000);
  f.PowerCut([&](const std::string& fname, uint64_t page) { return !(fname == deletion.wal && page == 2); });
  std::string value;
  const bool victim_back = f.db->Get(ReadOptions(), "victim", &value).ok();
  const bool later_write_there =
      f.db->Get(ReadOptions(), f.writes.back().key, &value).ok();
  INFO("victim back: " << victim_back << ", the last write there: " << later_write_there);
  CHECK_FALSE((victim_back && later_write_there));
  f.RequirePrefix(f.WritesBefore(deletion.wal, 2 * kPage));
}

TEST_CASE("PITR: an overwrite lost with its page is not undone behind later writes",
          "[pitr][recovery][fault]") {
  PitrFixture f;
  f.Put("k", "old", /*sync=*/true);
  f.FillWalTo(2 * kPage + 100);
  f.Put("k", "new");
  const Write overwrite = f.writes.back();
  REQUIRE(overwrite.begin >= 2 * kPage);
  REQUIRE(overwrite.end <= 3 * kPage);
  f.FillWalTo(3 * 32768 + 1000);
  f.PowerCut([&](const std::string& fname, uint64_t page) { return !(fname == overwrite.wal && page == 2); });
  std::string value;
  const bool later_write_there = f.db->Get(ReadOptions(), f.writes.back().key, &value).ok();
  std::string k;
  REQUIRE(f.db->Get(ReadOptions(), "k", &k).ok());
  INFO("k = " << k << ", the last write there: " << later_write_there);
  CHECK_FALSE((k == "old" && later_write_there));
  f.RequirePrefix(f.WritesBefore(overwrite.wal, 2 * kPage));
}

}  // namespace lsmkv
