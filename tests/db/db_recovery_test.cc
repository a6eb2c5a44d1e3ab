// Crash recovery with the fault-injecting Env: simulated power loss (only
// synced bytes survive), process crashes (everything handed to the OS
// survives), torn and damaged WAL records, and I/O errors.
#include <catch2/catch.hpp>
#include <map>
#include <vector>

#include "format/filename.h"
#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/fault_env.h"
#include "support/mem_env.h"
#include "support/test_util.h"
#include "util/random.h"
#include "version/version_edit.h"
#include "wal/log_reader.h"
#include "wal/log_writer.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;

class RecoveryFixture {
 public:
  RecoveryFixture() : fault(&mem) {
    options.env = &fault;
    options.create_if_missing = true;
    Open();
  }

  void Open() {
    db.reset();
    const Status s = DB::Open(options, "/db", &db);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }

  // Power loss: the dying DB can write nothing more, then every unsynced
  // byte (and optionally unsynced directory entry) disappears.
  void PowerLoss(bool drop_dir_entries = false) {
    fault.Freeze();
    db.reset();
    REQUIRE(fault.DropUnsyncedData(drop_dir_entries).ok());
    Open();
  }

  // kill -9: nothing more is written, but what reached the OS stays (and
  // stays unsynced: a later power loss can still take it unless the DB
  // syncs it).
  void ProcessCrash() {
    fault.Freeze();
    db.reset();
    fault.Reset();
    Open();
  }

  Model Contents() { return test::Contents(db.get()); }

  std::vector<std::string> Logs() {
    std::vector<std::string> children, logs;
    REQUIRE(mem.GetChildren("/db", &children).ok());
    for (const auto& c : children) {
      uint64_t n;
      FileType t;
      if (ParseFileName(c, &n, &t) && t == FileType::kLogFile) logs.push_back("/db/" + c);
    }
    std::sort(logs.begin(), logs.end());
    return logs;
  }

  MemEnv mem;
  FaultEnv fault;
  Options options;
  std::unique_ptr<DB> db;
};

// One acknowledged write in a history, and the model state right after it.
struct Step {
  bool synced;
  Model after;
};

// The recovered state must equal the state after some prefix of the
// acknowledged history that includes every synced write. Returns the prefix
// length.
size_t CheckPrefix(const Model& recovered, const Model& before, const std::vector<Step>& history) {
  size_t last_synced = 0;
  for (size_t i = 0; i < history.size(); i++) {
    if (history[i].synced) last_synced = i + 1;
  }
  for (size_t n = history.size() + 1; n-- > 0;) {
    const Model& state = n == 0 ? before : history[n - 1].after;
    if (state == recovered) {
      INFO("recovered prefix " << n << ", last synced write " << last_synced);
      REQUIRE(n >= last_synced);
      return n;
    }
  }
  FAIL("recovered state is not a prefix of the acknowledged writes");
  return 0;
}

}  // namespace

TEST_CASE("Recovery: synced writes survive crashes and power loss and the result is a prefix",
          "[recovery][fault]") {
  const uint64_t seed = test::TestSeed(9001);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  RecoveryFixture f;
  Model model;
  for (int cycle = 0; cycle < 30; cycle++) {
    INFO("cycle " << cycle);
    const Model before = model;
    std::vector<Step> history;
    const int writes = static_cast<int>(rnd.Uniform(60));
    for (int i = 0; i < writes; i++) {
      WriteOptions wo;
      wo.sync = rnd.OneIn(5);
      WriteBatch batch;
      const int n = 1 + static_cast<int>(rnd.Uniform(4));
      for (int j = 0; j < n; j++) {
        const std::string k = "k" + std::to_string(rnd.Uniform(100));
        if (rnd.OneIn(4)) {
          batch.Delete(k);
          model.erase(k);
        } else {
          const std::string v = std::to_string(cycle) + ":" + rnd.Bytes(rnd.Skewed(12));
          batch.Put(k, v);
          model[k] = v;
        }
      }
      REQUIRE(f.db->Write(wo, &batch).ok());
      history.push_back({wo.sync, model});
    }
    if (rnd.OneIn(3)) {
      // Everything acknowledged survives a process crash. What it recovers
      // must then stay durable through later power losses.
      f.ProcessCrash();
      REQUIRE(f.Contents() == model);
      continue;
    }
    f.PowerLoss(/*drop_dir_entries=*/rnd.OneIn(2));
    const Model recovered = f.Contents();
    const size_t n = CheckPrefix(recovered, before, history);
    model = n == 0 ? before : history[n - 1].after;
  }
}

TEST_CASE("Recovery: a process crash keeps every acknowledged write", "[recovery][fault]") {
  RecoveryFixture f;
  Model model;
  for (int i = 0; i < 2000; i++) {
    const std::string k = "key" + std::to_string(i % 300);
    REQUIRE(f.db->Put(WriteOptions(), k, std::to_string(i)).ok());
    model[k] = std::to_string(i);
  }
  f.ProcessCrash();
  REQUIRE(f.Contents() == model);
}

TEST_CASE("Recovery: a batch cut anywhere by a crash is all there or all absent",
          "[recovery][fault]") {
  // Build the same history for each cut: one small synced batch, then one
  // large batch (many WAL fragments), then truncate the newest log inside
  // the large batch's record.
  WriteBatch big;
  for (int i = 0; i < 2000; i++) big.Put("big" + std::to_string(i), std::string(50, 'x'));
  const size_t big_record = big.ApproximateSize();
  for (size_t cut : {size_t{1}, size_t{7}, size_t{11}, size_t{12}, size_t{100}, size_t{32768},
                     big_record / 2, big_record - 1, big_record + 5}) {
    INFO("cut " << cut);
    RecoveryFixture f;
    WriteOptions sync;
    sync.sync = true;
    REQUIRE(f.db->Put(sync, "small", "1").ok());
    REQUIRE(f.db->Write(WriteOptions(), &big).ok());
    f.db.reset();
    const std::vector<std::string> logs = f.Logs();
    REQUIRE(!logs.empty());
    std::string data;
    REQUIRE(ReadFileToString(&f.mem, logs.back(), &data).ok());
    REQUIRE(data.size() > big_record);
    REQUIRE(f.mem.SetContents(logs.back(), data.substr(0, data.size() - std::min(cut, data.size()))).ok());
    f.Open();
    const Model got = f.Contents();
    const size_t big_keys = got.size() - got.count("small");
    REQUIRE((big_keys == 0 || big_keys == 2000));
    if (got.count("small") == 0) REQUIRE(big_keys == 0);  // a prefix, never a hole
    if (cut == 1 || cut == 7) REQUIRE(big_keys == 0);
    std::string corrupted;
    REQUIRE(f.db->GetProperty("lsmkv.wal-corrupted-records", &corrupted));
    REQUIRE(corrupted == "0");  // a torn tail is not corruption
  }
}

TEST_CASE("Recovery: a batch interrupted by power loss or a failed write is atomic",
          "[recovery][fault]") {
  WriteBatch big;
  for (int i = 0; i < 3000; i++) big.Put("big" + std::to_string(i), std::string(40, 'y'));
  WriteOptions sync;
  sync.sync = true;

  SECTION("power loss before the batch was synced: all absent") {
    RecoveryFixture f;
    REQUIRE(f.db->Put(sync, "small", "1").ok());
    REQUIRE(f.db->Write(WriteOptions(), &big).ok());
    f.PowerLoss();
    REQUIRE(f.Contents() == Model{{"small", "1"}});
  }
  SECTION("power loss after a synced batch: all there") {
    RecoveryFixture f;
    REQUIRE(f.db->Write(sync, &big).ok());
    f.PowerLoss(/*drop_dir_entries=*/true);
    REQUIRE(f.Contents().size() == 3000);
  }
  SECTION("the n-th append of the record fails, then a crash: all absent") {
    for (int n : {1, 2, 3, 5, 8}) {
      INFO("failing append " << n);
      RecoveryFixture f;
      REQUIRE(f.db->Put(sync, "small", "1").ok());
      f.fault.FailNth(FaultEnv::Op::kWrite, n, /*sticky=*/true);
      REQUIRE(f.db->Write(sync, &big).IsIOError());
      f.fault.ClearFailures();
      // kill -9 keeps the partial record in the file: a torn tail.
      f.ProcessCrash();
      REQUIRE(f.Contents() == Model{{"small", "1"}});
      f.PowerLoss();
      REQUIRE(f.Contents() == Model{{"small", "1"}});
    }
  }
}

TEST_CASE("Recovery: damage in the middle of a WAL stops replay, or fails paranoid Open",
          "[recovery][fault]") {
  RecoveryFixture f;
  for (int i = 0; i < 10; i++) {
    REQUIRE(f.db->Put(WriteOptions(), "k" + std::to_string(i), std::string(20000, 'a' + i)).ok());
  }
  f.db.reset();
  const std::string log = f.Logs().back();
  std::string data;
  REQUIRE(ReadFileToString(&f.mem, log, &data).ok());
  data[20000 + 11 + 11 + 100] ^= 0x40;  // inside the second record
  REQUIRE(f.mem.SetContents(log, data).ok());

  SECTION("paranoid_checks: Open fails with Corruption naming the file") {
    f.options.paranoid_checks = true;
    std::unique_ptr<DB> db;
    const Status s = DB::Open(f.options, "/db", &db);
    REQUIRE(s.IsCorruption());
    REQUIRE(s.ToString().find(".log") != std::string::npos);
    REQUIRE(s.ToString().find("offset") != std::string::npos);
  }
  SECTION("default (point-in-time): counted, replay stops before the damage") {
    f.Open();
    std::string value;
    REQUIRE(f.db->GetProperty("lsmkv.wal-corrupted-records", &value));
    REQUIRE(std::stoi(value) >= 1);
    REQUIRE(f.db->Get(ReadOptions(), "k0", &value).ok());
    REQUIRE(f.db->Get(ReadOptions(), "k1", &value).IsNotFound());
    REQUIRE(f.db->Get(ReadOptions(), "k9", &value).IsNotFound());
    // Stable across reopens.
    f.Open();
    REQUIRE(f.db->Get(ReadOptions(), "k0", &value).ok());
    REQUIRE(f.db->Get(ReadOptions(), "k9", &value).IsNotFound());
  }
  SECTION("skip any corrupted records: skipped and counted, the rest recovered") {
    f.options.wal_recovery_mode = WalRecoveryMode::kSkipAnyCorruptedRecords;
    f.Open();
    std::string value;
    REQUIRE(f.db->GetProperty("lsmkv.wal-corrupted-records", &value));
    REQUIRE(std::stoi(value) >= 1);
    REQUIRE(f.db->Get(ReadOptions(), "k0", &value).ok());
    REQUIRE(f.db->Get(ReadOptions(), "k1", &value).IsNotFound());
    REQUIRE(f.db->Get(ReadOptions(), "k9", &value).ok());
    REQUIRE(value == std::string(20000, 'a' + 9));
  }
}

TEST_CASE("Recovery: a failed WAL write or sync is returned and sticks", "[recovery][fault]") {
  RecoveryFixture f;
  REQUIRE(f.db->Put(WriteOptions(), "before", "1").ok());
  SECTION("write") { f.fault.FailNth(FaultEnv::Op::kWrite, 1); }
  SECTION("sync") { f.fault.FailNth(FaultEnv::Op::kSync, 1); }
  WriteOptions sync;
  sync.sync = true;
  const Status s = f.db->Put(sync, "failed", "x");
  REQUIRE(s.IsIOError());
  // Later writes get the same error until reopen (the WAL state is unknown).
  REQUIRE(f.db->Put(WriteOptions(), "after", "2").IsIOError());
  std::string value;
  REQUIRE(f.db->Get(ReadOptions(), "before", &value).ok());
  REQUIRE(f.db->Get(ReadOptions(), "after", &value).IsNotFound());
  f.fault.ClearFailures();
  f.Open();
  REQUIRE(f.db->Get(ReadOptions(), "before", &value).ok());
  REQUIRE(f.db->Put(WriteOptions(), "after", "2").ok());
  REQUIRE(f.db->Get(ReadOptions(), "after", &value).ok());
}

TEST_CASE("Recovery: failures while opening leave a DB that opens later", "[recovery][fault]") {
  RecoveryFixture f;
  WriteOptions sync;
  sync.sync = true;  // the test simulates power losses: only synced data must survive
  REQUIRE(f.db->Put(sync, "k", "v").ok());
  f.db.reset();
  for (FaultEnv::Op op : {FaultEnv::Op::kRename, FaultEnv::Op::kSync, FaultEnv::Op::kOpen,
                          FaultEnv::Op::kWrite}) {
    for (int n = 1; n <= 4; n++) {
      INFO("op " << static_cast<int>(op) << " n " << n);
      f.fault.FailNth(op, n);
      std::unique_ptr<DB> db;
      const Status s = DB::Open(f.options, "/db", &db);
      f.fault.ClearFailures();
      if (!s.ok()) {
        REQUIRE(db == nullptr);
        // Simulate the power loss that may follow a failed open.
        f.fault.Freeze();
        REQUIRE(f.fault.DropUnsyncedData(true).ok());
      }
      db.reset();
      f.Open();
      std::string value;
      REQUIRE(f.db->Get(ReadOptions(), "k", &value).ok());
      REQUIRE(value == "v");
      f.db.reset();
    }
  }
}

}  // namespace lsmkv

namespace lsmkv {

// A full disk in the middle of WAL appends, flushes and compactions: the
// write that hits it fails with an error naming the cause, later writes
// fail too, and after space is freed the DB reopens with every
// acknowledged write.
TEST_CASE("Recovery: a full disk fails writes cleanly and loses nothing acknowledged",
          "[recovery][fault]") {
  for (int64_t space : {int64_t{500}, int64_t{20} << 10, int64_t{150} << 10, int64_t{600} << 10}) {
    INFO("disk space " << space);
    MemEnv mem;
    FaultEnv env(&mem);
    Options options;
    options.env = &env;
    options.create_if_missing = true;
    options.write_buffer_size = 16 << 10;  // flushes and compactions hit it too
    std::unique_ptr<DB> db;
    REQUIRE(DB::Open(options, "/db", &db).ok());
    env.SetDiskSpace(space);
    Model acknowledged;
    Status s;
    for (int i = 0; i < 20000 && s.ok(); i++) {
      const std::string k = "k" + std::to_string(i % 3000);
      WriteOptions wo;
      wo.sync = i % 10 == 0;
      s = db->Put(wo, k, std::string(40, 'a' + i % 26));
      if (s.ok()) acknowledged[k] = std::string(40, 'a' + i % 26);
    }
    INFO(s.ToString());
    REQUIRE(s.IsIOError());
    REQUIRE(s.ToString().find("No space left") != std::string::npos);
    REQUIRE(db->Put(WriteOptions(), "later", "x").IsIOError());  // sticky
    env.SetDiskSpace(-1);  // the operator frees space
    db.reset();
    REQUIRE(DB::Open(options, "/db", &db).ok());
    Model got;
    auto it = db->NewIterator(ReadOptions());
    for (it->SeekToFirst(); it->Valid(); it->Next()) got[it->key().ToString()] = it->value().ToString();
    REQUIRE(it->status().ok());
    // Every acknowledged write is there; at most the failed one more.
    for (const auto& [k, v] : acknowledged) {
      INFO(k);
      REQUIRE(got.count(k) == 1);
    }
    REQUIRE(got.size() <= acknowledged.size() + 1);
    REQUIRE(db->Put(WriteOptions(), "later", "x").ok());
  }
}

// Bit flips in the MANIFEST: every record but the last is covered by the
// checksum and a later record, so damage there fails Open with Corruption.
// (A damaged last record is indistinguishable from a torn tail: the next
// test.)
TEST_CASE("Recovery: a damaged MANIFEST record fails Open with Corruption", "[recovery][corruption]") {
  MemEnv mem;
  Options options;
  options.env = &mem;
  options.create_if_missing = true;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  for (int round = 0; round < 6; round++) {
    for (int i = 0; i < 100; i++) REQUIRE(db->Put(WriteOptions(), "k" + std::to_string(round * 100 + i), "v").ok());
    REQUIRE(db->Flush().ok());  // one MANIFEST edit each
  }
  db.reset();
  std::string current;
  REQUIRE(ReadFileToString(&mem, "/db/CURRENT", &current).ok());
  const std::string manifest = "/db/" + current.substr(0, current.size() - 1);
  std::string good;
  REQUIRE(ReadFileToString(&mem, manifest, &good).ok());
  // The last record starts at this offset: a 11-byte header, then its edit.
  size_t offset = 0, last_record = 0;
  while (offset + 11 <= good.size()) {
    const size_t length = static_cast<uint8_t>(good[offset + 4]) | (static_cast<uint8_t>(good[offset + 5]) << 8);
    last_record = offset;
    offset += 11 + length;
  }
  REQUIRE(last_record > 0);
  Random rnd(11);
  for (int trial = 0; trial < 60; trial++) {
    const size_t pos = rnd.Uniform(last_record);
    std::string bad = good;
    bad[pos] ^= static_cast<char>(1 << rnd.Uniform(8));
    REQUIRE(mem.SetContents(manifest, bad).ok());
    const Status s = DB::Open(options, "/db", &db);
    INFO("flipped byte " << pos << ": " << s.ToString());
    REQUIRE(s.IsCorruption());
    REQUIRE(db == nullptr);
  }
  REQUIRE(mem.SetContents(manifest, good).ok());
  REQUIRE(DB::Open(options, "/db", &db).ok());
  std::string value;
  REQUIRE(db->Get(ReadOptions(), "k599", &value).ok());
}

namespace {

using DirImage = std::map<std::string, std::string>;

DirImage TakeImage(MemEnv* mem, const std::string& dir) {
  DirImage image;
  std::vector<std::string> children;
  REQUIRE(mem->GetChildren(dir, &children).ok());
  for (const std::string& child : children) {
    REQUIRE(ReadFileToString(mem, dir + "/" + child, &image[child]).ok());
  }
  return image;
}

void RestoreImage(MemEnv* mem, const std::string& dir, const DirImage& image) {
  std::vector<std::string> children;
  REQUIRE(mem->GetChildren(dir, &children).ok());
  for (const std::string& child : children) REQUIRE(mem->RemoveFile(dir + "/" + child).ok());
  for (const auto& [name, data] : image) {
    REQUIRE(WriteStringToFile(mem, data, dir + "/" + name, /*sync=*/false).ok());
  }
}

// Offset of the last record of a log file (records of 11-byte header +
// payload, none fragmented in these small MANIFESTs).
size_t LastRecordOffset(const std::string& log) {
  size_t offset = 0, last = 0;
  while (offset + 11 <= log.size()) {
    const size_t length = static_cast<uint8_t>(log[offset + 4]) | (static_cast<uint8_t>(log[offset + 5]) << 8);
    last = offset;
    offset += 11 + length;
  }
  return last;
}

}  // namespace

// Damage to the last MANIFEST record reads as a torn tail and that edit is
// dropped. Files the edit made obsolete (the WAL a flush covered, the inputs
// of a compaction) are kept until the next edit is durable, so recovery
// rebuilds everything: every flip either fails Open with Corruption or
// opens with every acknowledged write. (After a clean close the last record
// is an empty edit confirming the one before.) Without that lag, a flipped flush
// edit loses the flushed keys and a flipped compaction edit fails Open on a
// missing table.
TEST_CASE("Recovery: a damaged last MANIFEST record loses no acknowledged write",
          "[recovery][corruption]") {
  const bool compact_last = GENERATE(false, true);
  INFO("last edit is " << (compact_last ? "a compaction" : "a flush"));
  MemEnv mem;
  FaultEnv fault(&mem);
  Options options;
  options.env = &fault;
  options.create_if_missing = true;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Model expected;
  for (int round = 0; round < 6; round++) {
    for (int i = 0; i < 100; i++) {
      const std::string key = "k" + std::to_string(round * 100 + i);
      const std::string value = "v" + std::to_string(round);
      REQUIRE(db->Put(WriteOptions(), key, value).ok());
      expected[key] = value;
    }
    if (round % 2 == 1) {  // overwrite and delete some, so compaction drops versions
      for (int i = 0; i < 50; i++) {
        const std::string key = "k" + std::to_string(i * 7);
        REQUIRE(db->Delete(WriteOptions(), key).ok());
        expected.erase(key);
      }
    }
    REQUIRE(db->Flush().ok());  // one MANIFEST edit each
  }
  if (compact_last) REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  // kill -9: a clean close would append one more (empty) edit.
  fault.Freeze();
  db.reset();
  fault.Reset();

  const DirImage image = TakeImage(&mem, "/db");
  const std::string manifest = image.at("CURRENT").substr(0, image.at("CURRENT").size() - 1);
  const std::string& good = image.at(manifest);
  const size_t last_record = LastRecordOffset(good);
  REQUIRE(last_record > 0);
  int opened = 0;
  for (size_t pos = last_record; pos < good.size(); pos++) {
    for (int bit : {0, 5}) {
      DirImage damaged = image;
      damaged[manifest][pos] ^= static_cast<char>(1 << bit);
      RestoreImage(&mem, "/db", damaged);
      const Status s = DB::Open(options, "/db", &db);
      INFO("flipped bit " << bit << " of byte " << pos << ": " << s.ToString());
      if (!s.ok()) {
        REQUIRE(s.IsCorruption());
        continue;
      }
      opened++;
      REQUIRE(test::Contents(db.get()) == expected);
      db.reset();
    }
  }
  REQUIRE(opened > 0);  // most flips hit the payload: the edit is dropped as torn
}

// A bit flip at every byte of a WAL, opened with paranoid_checks: Open
// either fails with Corruption or recovers the state after a prefix of the
// writes, never wrong data. A prefix shorter than everything is the
// documented torn-tail limit (docs/format.md): damage that makes the rest
// of the last block look like a write cut short.
TEST_CASE("Recovery: a bit flip anywhere in a WAL is Corruption or a clean prefix, never wrong data",
          "[recovery][corruption]") {
  MemEnv mem;
  Options options;
  options.env = &mem;
  options.create_if_missing = true;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Random rnd(21);
  std::vector<Model> states{Model()};  // states[k]: after the first k writes
  for (int i = 0; i < 120; i++) {
    Model next = states.back();
    WriteBatch batch;
    const int n = 1 + static_cast<int>(rnd.Uniform(3));
    for (int j = 0; j < n; j++) {
      const std::string key = "k" + std::to_string(rnd.Uniform(40));
      if (rnd.OneIn(4)) {
        batch.Delete(key);
        next.erase(key);
      } else {
        const std::string value = "v" + std::to_string(i) + std::string(rnd.Uniform(20), 'x');
        batch.Put(key, value);
        next[key] = value;
      }
    }
    REQUIRE(db->Write(WriteOptions(), &batch).ok());
    states.push_back(std::move(next));
  }
  db.reset();  // the memtable stays in the WAL

  const DirImage image = TakeImage(&mem, "/db");
  std::string wal;
  for (const auto& [name, data] : image) {
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".log") == 0 && !data.empty()) wal = name;
  }
  REQUIRE(!wal.empty());
  const std::string good = image.at(wal);
  options.paranoid_checks = true;
  int corruption = 0, full = 0, shorter = 0;
  for (size_t pos = 0; pos < good.size(); pos++) {
    DirImage damaged = image;
    damaged[wal][pos] ^= static_cast<char>(1 << (pos % 8));
    RestoreImage(&mem, "/db", damaged);
    const Status s = DB::Open(options, "/db", &db);
    INFO("flipped bit " << pos % 8 << " of byte " << pos << " of " << good.size() << ": " << s.ToString());
    if (!s.ok()) {
      REQUIRE(s.IsCorruption());
      corruption++;
      continue;
    }
    const Model recovered = test::Contents(db.get());
    db.reset();
    size_t k = states.size();
    for (size_t i = 0; i < states.size(); i++) {
      if (states[i] == recovered) k = i;
    }
    REQUIRE(k < states.size());  // some prefix, not wrong data
    if (k == states.size() - 1) {
      full++;
    } else {
      shorter++;
    }
  }
  WARN("WAL of " << good.size() << " bytes: " << corruption << " flips -> Corruption, " << shorter
                 << " -> a shorter prefix (torn-tail limit), " << full << " -> everything");
  REQUIRE(corruption > 0);
}

namespace {

// A MANIFEST naming DB format `version` (0: without the version tag, as
// version 1 wrote it) over the DB at /db, and CURRENT naming it. Log number
// 0, so the WALs already there are replayed.
void WriteManifestOfVersion(MemEnv* mem, uint32_t version) {
  VersionEdit edit;
  if (version != 0) edit.SetFormatVersion(version);
  edit.SetComparatorName(BytewiseComparator()->Name());
  edit.SetLogNumber(0);
  edit.SetNextFileNumber(1000);
  edit.SetLastSequence(0);
  std::string record;
  edit.EncodeTo(&record);
  std::unique_ptr<WritableFile> file;
  REQUIRE(mem->NewWritableFile("/db/MANIFEST-000999", &file).ok());
  log::Writer writer(file.get(), 999);
  REQUIRE(writer.AddRecord(record).ok());
  REQUIRE(file->Close().ok());
  REQUIRE(WriteStringToFile(mem, "MANIFEST-000999\n", "/db/CURRENT", false).ok());
}

// The DB format version named by the opening record of /db's MANIFEST.
uint32_t CurrentFormatVersion(MemEnv* mem) {
  std::string current;
  REQUIRE(ReadFileToString(mem, "/db/CURRENT", &current).ok());
  const std::string name = current.substr(0, current.size() - 1);
  uint64_t number;
  FileType type;
  REQUIRE(ParseFileName(name, &number, &type));
  std::unique_ptr<SequentialFile> file;
  REQUIRE(mem->NewSequentialFile("/db/" + name, &file).ok());
  log::Reader reader(file.get(), name, nullptr, number);
  Slice record;
  std::string scratch;
  REQUIRE(reader.ReadRecord(&record, &scratch));
  VersionEdit edit;
  REQUIRE(edit.DecodeFrom(record).ok());
  return edit.format_version().value_or(1);
}

}  // namespace

// DB format versions: 1 (before the version tag) opens and is rewritten as
// the current version; 2 and 3 (whose tables may hold blocks of the retired
// lz codec) and versions newer than this build are refused with
// NotSupported saying why, and the DB is left untouched.
TEST_CASE("Recovery: DB format 1 opens, 2 and 3 (retired lz) and newer are refused clearly",
          "[recovery]") {
  for (uint32_t version : {0u, 2u, 3u, kDbFormatVersion + 1}) {
    INFO("MANIFEST of DB format version " << version << " (0: no version tag)");
    MemEnv mem;
    Options options;
    options.env = &mem;
    options.create_if_missing = true;
    std::unique_ptr<DB> db;
    REQUIRE(DB::Open(options, "/db", &db).ok());
    REQUIRE(db->Put(WriteOptions(), "k", "v").ok());
    db.reset();
    WriteManifestOfVersion(&mem, version);
    const DirImage before = TakeImage(&mem, "/db");

    const Status s = DB::Open(options, "/db", &db);
    INFO(s.ToString());
    if (version == 0) {
      REQUIRE(s.ok());
      std::string value;
      REQUIRE(db->Get(ReadOptions(), "k", &value).ok());
      REQUIRE(value == "v");
      REQUIRE(CurrentFormatVersion(&mem) == kDbFormatVersion);
      continue;
    }
    REQUIRE(s.IsNotSupported());
    REQUIRE(s.ToString().find(version <= 3 ? "retired lz codec" : "newer lsmkv") != std::string::npos);
    REQUIRE(db == nullptr);
    // Nothing deleted or rewritten, apart from the info log, which rotated
    // and says why the open failed.
    DirImage after = TakeImage(&mem, "/db");
    REQUIRE(after["LOG"].find("open: failed: Not supported") != std::string::npos);
    DirImage data_before = before;
    for (DirImage* image : {&after, &data_before}) {
      image->erase("LOG");
      image->erase("LOG.old");
    }
    REQUIRE(after == data_before);
  }
}

}  // namespace lsmkv
