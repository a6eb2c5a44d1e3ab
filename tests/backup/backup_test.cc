// BackupEngine: backups taken while a writer runs (flushes, compactions)
// restore to exactly their sequence's writes; backups are incremental and
// share files; damage is found by VerifyBackup and refused by
// RestoreBackup for exactly the backups that need the damaged file; purge
// and delete keep what the remaining backups need; ids are never reused;
// a separate wal_dir restores with or without one.
#include <catch2/catch.hpp>
#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "backup/backup_meta.h"
#include "lsmkv/backup.h"
#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/mem_env.h"
#include "support/sequenced_writer.h"
#include "support/test_util.h"
#include "support/writable_file_wrapper.h"

namespace lsmkv {

namespace {

using test::Contents;
using Model = std::map<std::string, std::string>;

Options BusyOptions(Env* env) {
  Options o = test::SmallLevelsOptions(env);
  o.block_cache_capacity = 0;
  return o;
}

// Counts the bytes appended to files whose path starts with `prefix`.
class CountingEnv final : public EnvWrapper {
 public:
  CountingEnv(Env* base, std::string prefix) : EnvWrapper(base), prefix_(std::move(prefix)) {}
  std::atomic<uint64_t> bytes_written{0};

  Status NewWritableFile(const std::string& f, std::unique_ptr<WritableFile>* r) override {
    Status s = EnvWrapper::NewWritableFile(f, r);
    if (s.ok() && f.compare(0, prefix_.size(), prefix_) == 0) {
      *r = std::make_unique<Counting>(std::move(*r), &bytes_written);
    }
    return s;
  }

 private:
  class Counting final : public test::WritableFileWrapper {
   public:
    Counting(std::unique_ptr<WritableFile> base, std::atomic<uint64_t>* n)
        : WritableFileWrapper(std::move(base)), n_(n) {}
    Status Append(const Slice& d) override {
      n_->fetch_add(d.size());
      return base()->Append(d);
    }

   private:
    std::atomic<uint64_t>* n_;
  };
  const std::string prefix_;
};

Model RestoreAndRead(BackupEngine* engine, Env* env, uint32_t id, const std::string& dir,
                     uint64_t* sequence = nullptr) {
  const Status s = engine->RestoreBackup(id, dir);
  INFO("restore " << id << ": " << s.ToString());
  REQUIRE(s.ok());
  Options o;
  o.env = env;
  std::unique_ptr<DB> db;
  const Status opened = DB::Open(o, dir, &db);
  INFO(opened.ToString());
  REQUIRE(opened.ok());
  if (sequence != nullptr) *sequence = db->GetLatestSequenceNumber();
  return Contents(db.get());
}

// The stored file names a backup refers to (read from its metadata).
std::set<std::string> StoredFilesOf(Env* env, const std::string& backup_dir, uint32_t id) {
  std::string data;
  const std::string path = backup_dir + "/meta/" + std::to_string(id);
  REQUIRE(ReadFileToString(env, path, &data).ok());
  backup::BackupMeta meta;
  REQUIRE(backup::DecodeBackupMeta(data, path, &meta).ok());
  std::set<std::string> out;
  for (const auto& f : meta.files) out.insert(f.StoredName());
  return out;
}

// Puts keys [first, first + count) with 200 incompressible bytes each.
void FillDB(DB* db, int first, int count, const std::string& tag) {
  std::mt19937_64 rnd(static_cast<uint64_t>(first) * 7919 + tag.size());
  for (int i = first; i < first + count; i++) {
    std::string value = tag;
    while (value.size() < 200) value.push_back(static_cast<char>('!' + rnd() % 90));
    REQUIRE(db->Put(WriteOptions(), "key" + std::to_string(i), value).ok());
  }
}

}  // namespace

TEST_CASE("Backups taken during writes with flushes and compactions restore exactly their sequence's writes",
          "[backup]") {
  const uint64_t seed = test::TestSeed(20261130);
  INFO("seed " << seed);
  MemEnv mem;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(BusyOptions(&mem), "/db", &db).ok());
  std::unique_ptr<BackupEngine> engine;
  REQUIRE(BackupEngine::Open("/backups", &engine, &mem).ok());
  test::SequencedWriter writer(db.get(), seed);
  struct Taken {
    BackupInfo info;
    uint64_t acked_before, issued_after;
  };
  std::vector<Taken> taken;
  const auto take = [&] {
    Taken t;
    t.acked_before = writer.acked();
    const Status s = engine->CreateBackup(db.get(), &t.info);
    t.issued_after = writer.issued();
    INFO(s.ToString());
    REQUIRE(s.ok());
    taken.push_back(t);
  };
  for (int i = 0; i < 10; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(15));
    take();
  }
  // One more backup once a compaction has really moved tables into level
  // 1, so compactions ran between the first backup and the last.
  test::WriteUntilCompacted(db.get(), writer);
  take();
  writer.Stop();
  REQUIRE(writer.status().ok());

  std::vector<BackupInfo> listed;
  REQUIRE(engine->ListBackups(&listed).ok());
  REQUIRE(listed.size() == taken.size());
  for (size_t i = 0; i < taken.size(); i++) {
    const BackupInfo& info = taken[i].info;
    INFO("backup " << info.id << " at " << info.sequence << ": acked before "
                   << taken[i].acked_before << ", issued after " << taken[i].issued_after);
    CHECK(info.id == i + 1);
    CHECK(listed[i].id == info.id);
    CHECK(listed[i].sequence == info.sequence);
    CHECK(listed[i].size_bytes == info.size_bytes);
    CHECK(listed[i].num_files == info.num_files);
    CHECK(taken[i].acked_before <= info.sequence);
    CHECK(info.sequence <= taken[i].issued_after);
    REQUIRE(writer.EndsBatch(info.sequence));
    REQUIRE(engine->VerifyBackup(info.id).ok());
    uint64_t restored_sequence = 0;
    const Model restored =
        RestoreAndRead(engine.get(), &mem, info.id, "/restore-" + std::to_string(info.id), &restored_sequence);
    CHECK(restored_sequence == info.sequence);
    CHECK(restored == writer.StateAt(info.sequence));
  }
}

TEST_CASE("The second of two close backups copies less than half the DB's bytes", "[backup]") {
  MemEnv mem;
  CountingEnv counting(&mem, "/backups/");
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(BusyOptions(&mem), "/db", &db).ok());
  FillDB(db.get(), 0, 5000, "first");
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  std::unique_ptr<BackupEngine> engine;
  REQUIRE(BackupEngine::Open("/backups", &engine, &counting).ok());
  BackupInfo first, second;
  REQUIRE(engine->CreateBackup(db.get(), &first).ok());
  const uint64_t written_first = counting.bytes_written.exchange(0);
  FillDB(db.get(), 100, 20, "second");  // a few writes: a small WAL tail
  REQUIRE(engine->CreateBackup(db.get(), &second).ok());
  const uint64_t written_second = counting.bytes_written.load();
  INFO("first backup " << first.size_bytes << " bytes, wrote " << written_first << " (reported "
                       << first.bytes_copied << "); second " << second.size_bytes << " bytes, wrote "
                       << written_second << " (reported " << second.bytes_copied << ")");
  CHECK(first.size_bytes > 500000);
  CHECK(written_first >= first.size_bytes);
  CHECK(first.bytes_copied == first.size_bytes);
  CHECK(written_second < second.size_bytes / 2);
  CHECK(second.bytes_copied < second.size_bytes / 2);
  // Every table is shared.
  const auto files1 = StoredFilesOf(&mem, "/backups", first.id);
  const auto files2 = StoredFilesOf(&mem, "/backups", second.id);
  int shared = 0;
  for (const auto& f : files2) shared += files1.count(f);
  CHECK(shared >= static_cast<int>(files2.size()) - 2);  // all but the WAL and the MANIFEST
}

TEST_CASE("A damaged backed-up table fails verify and restore of exactly the backups needing it",
          "[backup]") {
  MemEnv mem;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(BusyOptions(&mem), "/db", &db).ok());
  std::unique_ptr<BackupEngine> engine;
  REQUIRE(BackupEngine::Open("/backups", &engine, &mem).ok());
  FillDB(db.get(), 0, 1000, "a");
  REQUIRE(db->Flush().ok());
  REQUIRE(engine->CreateBackup(db.get()).ok());  // 1
  FillDB(db.get(), 1000, 50, "b");
  REQUIRE(engine->CreateBackup(db.get()).ok());  // 2
  FillDB(db.get(), 0, 1000, "c");                // rewrites every key
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  REQUIRE(engine->CreateBackup(db.get()).ok());  // 3: none of 1's tables survive
  const Model state3 = Contents(db.get());

  const auto files1 = StoredFilesOf(&mem, "/backups", 1);
  const auto files2 = StoredFilesOf(&mem, "/backups", 2);
  const auto files3 = StoredFilesOf(&mem, "/backups", 3);
  std::string victim;
  for (const auto& f : files1) {
    if (f.find(".sst_") != std::string::npos && files2.count(f) > 0 && files3.count(f) == 0) victim = f;
  }
  INFO("damaging " << victim);
  REQUIRE(!victim.empty());
  std::string data;
  REQUIRE(ReadFileToString(&mem, "/backups/files/" + victim, &data).ok());
  data[data.size() / 2] ^= 0x01;
  REQUIRE(mem.SetContents("/backups/files/" + victim, data).ok());

  for (uint32_t id : {1u, 2u}) {
    const Status v = engine->VerifyBackup(id);
    INFO(v.ToString());
    CHECK(v.IsCorruption());
    CHECK(v.ToString().find(victim) != std::string::npos);
    const Status r = engine->RestoreBackup(id, "/restore-" + std::to_string(id));
    INFO(r.ToString());
    CHECK(r.IsCorruption());
    CHECK(r.ToString().find(victim) != std::string::npos);
    std::vector<std::string> left;
    CHECK((!mem.GetChildren("/restore-" + std::to_string(id), &left).ok() || left.empty()));
  }
  CHECK(engine->VerifyBackup(3).ok());
  CHECK(RestoreAndRead(engine.get(), &mem, 3, "/restore-3") == state3);
  // A missing file is named too.
  REQUIRE(mem.RemoveFile("/backups/files/" + victim).ok());
  const Status missing = engine->VerifyBackup(1);
  CHECK(missing.IsCorruption());
  CHECK(missing.ToString().find("missing") != std::string::npos);
}

TEST_CASE("Purge and delete keep exactly what the remaining backups need and ids are never reused",
          "[backup]") {
  MemEnv mem;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(BusyOptions(&mem), "/db", &db).ok());
  std::unique_ptr<BackupEngine> engine;
  REQUIRE(BackupEngine::Open("/backups", &engine, &mem).ok());
  std::vector<Model> states;
  for (int i = 0; i < 4; i++) {
    FillDB(db.get(), i * 300, 600, "round" + std::to_string(i));
    if (i == 2) REQUIRE(db->CompactRange(nullptr, nullptr).ok());
    REQUIRE(engine->CreateBackup(db.get()).ok());
    states.push_back(Contents(db.get()));
  }
  REQUIRE(engine->PurgeOldBackups(2).ok());
  std::vector<BackupInfo> listed;
  REQUIRE(engine->ListBackups(&listed).ok());
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].id == 3);
  CHECK(listed[1].id == 4);
  std::set<std::string> needed = StoredFilesOf(&mem, "/backups", 3);
  for (const auto& f : StoredFilesOf(&mem, "/backups", 4)) needed.insert(f);
  std::vector<std::string> stored;
  REQUIRE(mem.GetChildren("/backups/files", &stored).ok());
  CHECK(std::set<std::string>(stored.begin(), stored.end()) == needed);
  for (uint32_t id : {3u, 4u}) {
    CHECK(engine->VerifyBackup(id).ok());
    CHECK(RestoreAndRead(engine.get(), &mem, id, "/restore-" + std::to_string(id)) == states[id - 1]);
  }
  CHECK(engine->VerifyBackup(1).IsNotFound());
  CHECK(engine->DeleteBackup(1).IsNotFound());

  REQUIRE(engine->DeleteBackup(4).ok());
  REQUIRE(engine->ListBackups(&listed).ok());
  REQUIRE(listed.size() == 1);
  stored.clear();
  REQUIRE(mem.GetChildren("/backups/files", &stored).ok());
  CHECK(std::set<std::string>(stored.begin(), stored.end()) == StoredFilesOf(&mem, "/backups", 3));
  // A new engine on the same directory continues the ids: 4 is not reused.
  engine.reset();
  REQUIRE(BackupEngine::Open("/backups", &engine, &mem).ok());
  BackupInfo info;
  REQUIRE(engine->CreateBackup(db.get(), &info).ok());
  CHECK(info.id == 5);
  REQUIRE(engine->PurgeOldBackups(0).ok());
  REQUIRE(engine->ListBackups(&listed).ok());
  CHECK(listed.empty());
  stored.clear();
  REQUIRE(mem.GetChildren("/backups/files", &stored).ok());
  CHECK(stored.empty());
}

TEST_CASE("Restore refuses a non-empty target and a second engine on the directory is refused",
          "[backup]") {
  MemEnv mem;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(BusyOptions(&mem), "/db", &db).ok());
  REQUIRE(db->Put(WriteOptions(), "k", "v").ok());
  std::unique_ptr<BackupEngine> engine;
  REQUIRE(BackupEngine::Open("/backups", &engine, &mem).ok());
  std::unique_ptr<BackupEngine> second;
  CHECK(BackupEngine::Open("/backups", &second, &mem).IsBusy());
  REQUIRE(engine->CreateBackup(db.get()).ok());
  REQUIRE(WriteStringToFile(&mem, "x", "/full/somefile", false).ok());
  CHECK(engine->RestoreBackup(1, "/full").IsInvalidArgument());
  CHECK(engine->RestoreBackup(1, "/db").IsInvalidArgument());
  CHECK(engine->RestoreBackup(1, "/ok", "/full").IsInvalidArgument());
  CHECK(engine->RestoreBackup(7, "/ok").IsNotFound());
  CHECK(RestoreAndRead(engine.get(), &mem, 1, "/ok") == Model{{"k", "v"}});
}

TEST_CASE("A backup of a DB with a separate wal_dir restores with or without one", "[backup]") {
  MemEnv mem;
  Options options = BusyOptions(&mem);
  options.wal_dir = "/wal";
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  FillDB(db.get(), 0, 500, "t");
  REQUIRE(db->Flush().ok());
  FillDB(db.get(), 400, 20, "in-wal");  // only in the WAL
  const Model expected = Contents(db.get());
  std::unique_ptr<BackupEngine> engine;
  REQUIRE(BackupEngine::Open("/backups", &engine, &mem).ok());
  REQUIRE(engine->CreateBackup(db.get()).ok());

  REQUIRE(engine->RestoreBackup(1, "/plain").ok());
  std::vector<std::string> children;
  REQUIRE(mem.GetChildren("/plain", &children).ok());
  CHECK(std::count_if(children.begin(), children.end(),
                      [](const std::string& c) { return c.size() > 4 && c.substr(c.size() - 4) == ".log"; }) > 0);
  Options plain;
  plain.env = &mem;
  std::unique_ptr<DB> restored;
  REQUIRE(DB::Open(plain, "/plain", &restored).ok());
  CHECK(Contents(restored.get()) == expected);
  restored.reset();

  REQUIRE(engine->RestoreBackup(1, "/split", "/split-wal").ok());
  children.clear();
  REQUIRE(mem.GetChildren("/split-wal", &children).ok());
  CHECK(!children.empty());
  Options split = plain;
  split.wal_dir = "/split-wal";
  REQUIRE(DB::Open(split, "/split", &restored).ok());
  CHECK(Contents(restored.get()) == expected);
}

TEST_CASE("A damaged metadata file is reported and never listed as a backup", "[backup]") {
  MemEnv mem;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(BusyOptions(&mem), "/db", &db).ok());
  REQUIRE(db->Put(WriteOptions(), "k", "v").ok());
  std::unique_ptr<BackupEngine> engine;
  REQUIRE(BackupEngine::Open("/backups", &engine, &mem).ok());
  REQUIRE(engine->CreateBackup(db.get()).ok());
  std::string data;
  REQUIRE(ReadFileToString(&mem, "/backups/meta/1", &data).ok());
  backup::BackupMeta meta;
  REQUIRE(backup::DecodeBackupMeta(data, "meta/1", &meta).ok());
  CHECK(backup::EncodeBackupMeta(meta) == data);
  for (size_t i = 0; i < data.size(); i++) {
    std::string bad = data;
    bad[i] ^= 0x20;
    CHECK(backup::DecodeBackupMeta(bad, "meta/1", &meta).IsCorruption());
  }
  CHECK(backup::DecodeBackupMeta(Slice(data.data(), data.size() - 1), "meta/1", &meta).IsCorruption());
  data[10] ^= 0x01;
  REQUIRE(mem.SetContents("/backups/meta/1", data).ok());
  std::vector<BackupInfo> listed;
  const Status s = engine->ListBackups(&listed);
  CHECK(s.IsCorruption());
  CHECK(s.ToString().find("meta/1") != std::string::npos);
  CHECK(engine->VerifyBackup(1).IsCorruption());
  CHECK(engine->PurgeOldBackups(0).IsCorruption());  // deletes nothing it cannot account for
  REQUIRE(engine->DeleteBackup(1).ok());  // deleting the damaged backup itself works
  REQUIRE(engine->ListBackups(&listed).ok());
  CHECK(listed.empty());
}

}  // namespace lsmkv
