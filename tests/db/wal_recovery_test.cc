// WAL recovery modes (Options::wal_recovery_mode): point-in-time replay
// stops at the first break in the history -- a damaged or zeroed record, or
// a batch whose sequence does not follow -- within a WAL and across WALs,
// keeps what it did not replay in lost/, and reports it; the other modes
// fail Open or skip as documented. Also: a synced group makes earlier WALs
// durable before its own record exists, and sync marks tell media damage
// from a power cut.
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

#include "db/write_batch_internal.h"
#include "format/filename.h"
#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/mem_env.h"
#include "support/writable_file_wrapper.h"
#include "wal/log_format.h"
#include "wal/log_writer.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;

std::vector<uint64_t> LogNumbers(Env* env, const std::string& dir) {
  std::vector<std::string> children;
  REQUIRE(env->GetChildren(dir, &children).ok());
  std::vector<uint64_t> logs;
  for (const auto& c : children) {
    uint64_t n;
    FileType t;
    if (ParseFileName(c, &n, &t) && t == FileType::kLogFile) logs.push_back(n);
  }
  std::sort(logs.begin(), logs.end());
  return logs;
}

std::string Value(int i) { return std::string(300, static_cast<char>('a' + i % 26)); }

// k000, k001, ...: keys sort in write order.
std::string Key(int i) {
  char key[16];
  std::snprintf(key, sizeof(key), "k%03d", i);
  return key;
}

struct Fixture {
  Fixture() {
    options.env = &mem;
    options.create_if_missing = true;
  }

  // Writes keys k000..k(n-1), unsynced, then closes the DB without a flush:
  // everything is in the newest WAL only.
  void WriteAndClose(int n, int sync_every = 0) {
    std::unique_ptr<DB> db;
    REQUIRE(DB::Open(options, "/db", &db).ok());
    for (int i = 0; i < n; i++) {
      WriteOptions wo;
      wo.sync = sync_every > 0 && i % sync_every == sync_every - 1;
      REQUIRE(db->Put(wo, Key(i), Value(i)).ok());
    }
  }

  std::string NewestLog() { return LogFileName("/db", LogNumbers(&mem, "/db").back()); }

  // Zeroes [offset, offset + n) of a file, as a lost page reads back.
  void Zero(const std::string& fname, size_t offset, size_t n) {
    std::string data;
    REQUIRE(ReadFileToString(&mem, fname, &data).ok());
    REQUIRE(offset + n <= data.size());
    std::fill(data.begin() + static_cast<long>(offset), data.begin() + static_cast<long>(offset + n), '\0');
    REQUIRE(mem.SetContents(fname, data).ok());
  }

  Status Open(std::unique_ptr<DB>* db) { return DB::Open(options, "/db", db); }

  MemEnv mem;
  Options options;
};

// Keys k000..k(n-1) as the model after the first n writes.
Model Prefix(int n) {
  Model m;
  for (int i = 0; i < n; i++) {
    m[Key(i)] = Value(i);
  }
  return m;
}

// The recovered contents are k000..k(p-1) for some p; returns p.
int PrefixLength(DB* db) {
  const Model got = test::Contents(db);
  const int p = static_cast<int>(got.size());
  REQUIRE(got == Prefix(p));
  return p;
}

std::string Property(DB* db, const std::string& name) {
  std::string v;
  REQUIRE(db->GetProperty(name, &v));
  return v;
}

// Appends batches with the given first sequence numbers (one put each:
// key "s<seq>") to a new WAL `number` in /db.
void CraftLog(Env* env, uint64_t number, const std::vector<SequenceNumber>& sequences) {
  std::unique_ptr<WritableFile> file;
  REQUIRE(env->NewWritableFile(LogFileName("/db", number), &file).ok());
  log::Writer writer(file.get(), number);
  for (SequenceNumber seq : sequences) {
    WriteBatch batch;
    batch.Put("s" + std::to_string(seq), "v");
    WriteBatchInternal::SetSequence(&batch, seq);
    REQUIRE(writer.AddRecord(WriteBatchInternal::Contents(&batch)).ok());
  }
  REQUIRE(file->Close().ok());
}

}  // namespace

TEST_CASE("WAL recovery: a zeroed page in the middle of a WAL", "[recovery][wal-recovery]") {
  Fixture f;
  f.WriteAndClose(200);  // ~64 KiB of WAL: the zeroed page has records after it
  const std::string log = f.NewestLog();
  std::string original;
  REQUIRE(ReadFileToString(&f.mem, log, &original).ok());
  REQUIRE(original.size() > 40000);
  f.Zero(log, 16384, 4096);  // one 4 KiB page, as a power cut can lose it

  SECTION("point-in-time (default): a prefix, the stop reported, the WAL kept in lost/") {
    std::unique_ptr<DB> db;
    REQUIRE(f.Open(&db).ok());
    const int p = PrefixLength(db.get());
    REQUIRE(p > 0);
    REQUIRE(p < 200);
    const std::string report = Property(db.get(), "lsmkv.wal-recovery");
    INFO(report);
    REQUIRE(report.find("mode: point-in-time") != std::string::npos);
    REQUIRE(report.find("stopped: wal") != std::string::npos);
    REQUIRE(report.find("checksum mismatch") != std::string::npos);  // the page cuts a record
    REQUIRE(report.find("not replayed: 0 batches") == std::string::npos);
    REQUIRE(report.find("media damage") == std::string::npos);  // nothing was synced
    uint64_t number;
    FileType type;
    REQUIRE(ParseFileName(log.substr(4), &number, &type));
    std::string kept;
    REQUIRE(ReadFileToString(&f.mem, LogFileName("/db/lost", number), &kept).ok());
    REQUIRE(kept == original.substr(0, 16384) + std::string(4096, '\0') + original.substr(20480));
    // Stable: the next Open recovers the same prefix (the WAL is gone).
    db.reset();
    REQUIRE(f.Open(&db).ok());
    REQUIRE(PrefixLength(db.get()) == p);
    REQUIRE(db->Put(WriteOptions(), "after", "x").ok());
  }
  SECTION("skip any corrupted records: later writes come back (documented reordering)") {
    f.options.wal_recovery_mode = WalRecoveryMode::kSkipAnyCorruptedRecords;
    std::unique_ptr<DB> db;
    REQUIRE(f.Open(&db).ok());
    const Model got = test::Contents(db.get());
    REQUIRE(got.count("k199") == 1);
    REQUIRE(got.size() < 200);
    REQUIRE(std::stoi(Property(db.get(), "lsmkv.wal-corrupted-records")) >= 1);
  }
  SECTION("absolute consistency and paranoid_checks: Corruption naming the WAL and offset") {
    for (bool paranoid : {false, true}) {
      f.options.paranoid_checks = paranoid;
      f.options.wal_recovery_mode =
          paranoid ? WalRecoveryMode::kPointInTime : WalRecoveryMode::kAbsoluteConsistency;
      std::unique_ptr<DB> db;
      const Status s = f.Open(&db);
      INFO(s.ToString());
      REQUIRE(s.IsCorruption());
      REQUIRE(s.ToString().find(".log offset") != std::string::npos);
      REQUIRE(db == nullptr);
    }
  }
  SECTION("tolerate corrupted tail: intact records after the damage fail Open") {
    f.options.wal_recovery_mode = WalRecoveryMode::kTolerateCorruptedTailRecords;
    std::unique_ptr<DB> db;
    const Status s = f.Open(&db);
    INFO(s.ToString());
    REQUIRE(s.IsCorruption());
    REQUIRE(s.ToString().find("intact batches follow") != std::string::npos);
  }
}

namespace {

// A DB of 50 writes whose WAL was changed by `damage`, opened in `mode`.
Status OpenDamaged(WalRecoveryMode mode, const std::function<void(std::string*)>& damage, int* prefix) {
  Fixture f;
  f.WriteAndClose(50);
  const std::string log = f.NewestLog();
  std::string data;
  REQUIRE(ReadFileToString(&f.mem, log, &data).ok());
  damage(&data);
  REQUIRE(f.mem.SetContents(log, data).ok());
  f.options.wal_recovery_mode = mode;
  std::unique_ptr<DB> db;
  const Status s = f.Open(&db);
  if (s.ok()) {
    *prefix = PrefixLength(db.get());
    REQUIRE(Property(db.get(), "lsmkv.wal-recovery").find("mode: ") != std::string::npos);
  }
  return s;
}

}  // namespace

TEST_CASE("WAL recovery: damage at the tail", "[recovery][wal-recovery]") {
  // The last record damaged and garbage after it: not what a cut-short
  // append leaves (that would be a torn tail), but nothing intact follows.
  const auto garbage = [](std::string* data) {
    (*data)[data->size() - 50] ^= 1;
    data->append(40, static_cast<char>(0x5a));
  };
  for (auto mode : {WalRecoveryMode::kPointInTime, WalRecoveryMode::kTolerateCorruptedTailRecords,
                    WalRecoveryMode::kSkipAnyCorruptedRecords}) {
    INFO("mode " << static_cast<int>(mode));
    int prefix = -1;
    const Status s = OpenDamaged(mode, garbage, &prefix);
    INFO(s.ToString());
    REQUIRE(s.ok());
    REQUIRE(prefix == 49);
  }
  int prefix = -1;
  REQUIRE(OpenDamaged(WalRecoveryMode::kAbsoluteConsistency, garbage, &prefix).IsCorruption());
}

TEST_CASE("WAL recovery: a torn tail alone is a clean end in every mode", "[recovery][wal-recovery]") {
  const auto cut = [](std::string* data) { data->resize(data->size() - 150); };  // the last record cut short
  for (auto mode : {WalRecoveryMode::kPointInTime, WalRecoveryMode::kAbsoluteConsistency,
                    WalRecoveryMode::kTolerateCorruptedTailRecords, WalRecoveryMode::kSkipAnyCorruptedRecords}) {
    INFO("mode " << static_cast<int>(mode));
    int prefix = -1;
    const Status s = OpenDamaged(mode, cut, &prefix);
    INFO(s.ToString());
    REQUIRE(s.ok());
    REQUIRE(prefix == 49);
  }
}

TEST_CASE("WAL recovery: a break across WALs stops replay", "[recovery][wal-recovery]") {
  Fixture f;
  {
    std::unique_ptr<DB> db;
    REQUIRE(f.Open(&db).ok());  // an empty DB: the MANIFEST's last sequence is 0
  }
  const uint64_t base = LogNumbers(&f.mem, "/db").back() + 10;

  SECTION("an earlier WAL cut short, a later one whole: nothing of the later one") {
    CraftLog(&f.mem, base, {1, 2, 3, 4});  // 5 and 6 lost with the earlier WAL's tail
    CraftLog(&f.mem, base + 1, {7, 8});
    std::unique_ptr<DB> db;
    REQUIRE(f.Open(&db).ok());
    const Model got = test::Contents(db.get());
    REQUIRE(got.size() == 4);
    REQUIRE(got.count("s4") == 1);
    REQUIRE(got.count("s7") == 0);
    const std::string report = Property(db.get(), "lsmkv.wal-recovery");
    INFO(report);
    REQUIRE(report.find("sequence gap: batch at 7, expected 5") != std::string::npos);
    REQUIRE(report.find("not replayed: 2 batches") != std::string::npos);
    REQUIRE(f.mem.FileExists(LogFileName("/db/lost", base + 1)));
    REQUIRE(Property(db.get(), "lsmkv.stats").find("last sequence: 4\n") != std::string::npos);
  }
  SECTION("the oldest WAL needed is missing: nothing is replayed") {
    CraftLog(&f.mem, base + 1, {3, 4});  // 1 and 2 were in a WAL that is gone
    std::unique_ptr<DB> db;
    REQUIRE(f.Open(&db).ok());
    REQUIRE(test::Contents(db.get()).empty());
    REQUIRE(Property(db.get(), "lsmkv.wal-recovery").find("expected at most 1") != std::string::npos);
  }
  SECTION("a gap inside one WAL") {
    CraftLog(&f.mem, base, {1, 2, 5, 6});
    std::unique_ptr<DB> db;
    REQUIRE(f.Open(&db).ok());
    REQUIRE(test::Contents(db.get()).size() == 2);
  }
  SECTION("absolute consistency refuses the gap") {
    CraftLog(&f.mem, base, {1, 2});
    CraftLog(&f.mem, base + 1, {5});
    f.options.wal_recovery_mode = WalRecoveryMode::kAbsoluteConsistency;
    std::unique_ptr<DB> db;
    const Status s = f.Open(&db);
    INFO(s.ToString());
    REQUIRE(s.IsCorruption());
    REQUIRE(s.ToString().find("sequence gap") != std::string::npos);
  }
}

TEST_CASE("WAL recovery: the MANIFEST's last sequence is the newest sequence in tables",
          "[recovery][wal-recovery]") {
  // With writes in the memtable when a flush of an older memtable finishes,
  // the next Open must still accept the WAL that starts right after the
  // flushed data (checked by replay: a gap would stop it).
  Fixture f;
  f.options.write_buffer_size = 16 << 10;
  std::unique_ptr<DB> db;
  REQUIRE(f.Open(&db).ok());
  for (int i = 0; i < 300; i++) {
    REQUIRE(db->Put(WriteOptions(), Key(i), Value(i)).ok());
  }
  db.reset();  // memtable contents live in the WALs only
  REQUIRE(f.Open(&db).ok());
  INFO(Property(db.get(), "lsmkv.wal-recovery"));
  REQUIRE(PrefixLength(db.get()) == 300);
  REQUIRE(Property(db.get(), "lsmkv.wal-recovery").find("stopped: no") != std::string::npos);
}

TEST_CASE("WAL recovery: damage before a synced offset is reported as media damage",
          "[recovery][wal-recovery]") {
  Fixture f;
  f.WriteAndClose(200, /*sync_every=*/50);  // sync marks follow synced groups
  const std::string log = f.NewestLog();
  SECTION("damage inside synced bytes") {
    f.Zero(log, 8192, 4096);
    std::unique_ptr<DB> db;
    REQUIRE(f.Open(&db).ok());
    const std::string report = Property(db.get(), "lsmkv.wal-recovery");
    INFO(report);
    REQUIRE(report.find("media damage") != std::string::npos);
  }
  SECTION("damage after the last synced offset") {
    std::string data;
    REQUIRE(ReadFileToString(&f.mem, log, &data).ok());
    // Key 149 was the last synced write; its record ends before ~45 KiB.
    // The last 4 KiB page lies past it.
    const size_t page = (data.size() - 1) / 4096 * 4096 - 4096;
    f.Zero(log, page, 4096);
    std::unique_ptr<DB> db;
    REQUIRE(f.Open(&db).ok());
    const std::string report = Property(db.get(), "lsmkv.wal-recovery");
    INFO(report);
    REQUIRE(report.find("stopped: wal") != std::string::npos);
    REQUIRE(report.find("media damage") == std::string::npos);
  }
}

namespace {

// Records the order of appends and syncs of WAL files, and makes table
// creation slow so a flush is still running (its WAL not yet obsolete) when
// the synced write comes.
class OrderEnv final : public EnvWrapper {
 public:
  explicit OrderEnv(Env* base) : EnvWrapper(base) {}

  Status NewWritableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override {
    if (f.find(".sst") != std::string::npos) SleepForMicroseconds(300000);
    std::unique_ptr<WritableFile> file;
    Status s = target()->NewWritableFile(f, &file);
    if (!s.ok()) return s;
    if (f.find(".log") == std::string::npos) {
      *r = std::move(file);
    } else {
      *r = std::make_unique<File>(this, f, std::move(file));
    }
    return s;
  }

  std::vector<std::string> Events() {
    std::lock_guard<std::mutex> l(mu_);
    return events_;
  }
  void Clear() {
    std::lock_guard<std::mutex> l(mu_);
    events_.clear();
  }

 private:
  class File final : public test::WritableFileWrapper {
   public:
    File(OrderEnv* env, std::string name, std::unique_ptr<WritableFile> base)
        : WritableFileWrapper(std::move(base)), env_(env), name_(std::move(name)) {}
    Status Append(const Slice& data) override {
      env_->Record("append " + name_);
      return base()->Append(data);
    }
    Status Sync() override {
      env_->Record("sync " + name_);
      return base()->Sync();
    }

   private:
    OrderEnv* const env_;
    const std::string name_;
  };

  void Record(const std::string& e) {
    std::lock_guard<std::mutex> l(mu_);
    events_.push_back(e);
  }

  std::mutex mu_;
  std::vector<std::string> events_;
};

}  // namespace

TEST_CASE("WAL recovery: a synced group syncs earlier WALs before appending its record",
          "[recovery][wal-recovery][ordering]") {
  MemEnv mem;
  OrderEnv env(&mem);
  Options options;
  options.env = &env;
  options.create_if_missing = true;
  options.write_buffer_size = 16 << 10;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  // Unsynced writes until the WAL switches (the flush then sleeps in the
  // slow table creation, so the old WAL is not yet obsolete).
  const size_t logs_before = LogNumbers(&mem, "/db").size();
  int i = 0;
  while (LogNumbers(&mem, "/db").size() == logs_before) {
    REQUIRE(db->Put(WriteOptions(), "k" + std::to_string(i), Value(i)).ok());
    i++;
  }
  const std::vector<uint64_t> logs = LogNumbers(&mem, "/db");
  const std::string old_log = LogFileName("/db", logs[logs.size() - 2]);
  const std::string new_log = LogFileName("/db", logs.back());
  env.Clear();
  WriteOptions sync;
  sync.sync = true;
  REQUIRE(db->Put(sync, "synced", "x").ok());
  const std::vector<std::string> events = env.Events();
  const auto at = [&](const std::string& e) {
    return std::find(events.begin(), events.end(), e) - events.begin();
  };
  INFO("events: " << events.size());
  REQUIRE(at("sync " + old_log) < static_cast<long>(events.size()));
  REQUIRE(at("append " + new_log) < static_cast<long>(events.size()));
  REQUIRE(at("sync " + old_log) < at("append " + new_log));
  REQUIRE(at("append " + new_log) < at("sync " + new_log));
}

}  // namespace lsmkv
