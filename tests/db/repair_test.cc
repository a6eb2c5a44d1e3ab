// RepairDB: rebuilding a DB whose MANIFEST is lost or whose files are
// damaged, salvaging everything readable.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

#include "db/repair_manifest.h"
#include "format/filename.h"
#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/mem_env.h"
#include "table/format.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;

using test::Contents;

std::vector<std::string> Children(Env* env, const std::string& dir, FileType wanted) {
  std::vector<std::string> children, out;
  if (!env->GetChildren(dir, &children).ok()) return out;
  for (const auto& c : children) {
    uint64_t n;
    FileType t;
    if (ParseFileName(c, &n, &t) && t == wanted) out.push_back(dir + "/" + c);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Stages the failures these tests need over a MemEnv: removals that do not
// happen (an unlink a crash cut short), sequential reads that fail part way
// (an I/O error in a WAL), and a CURRENT that cannot be replaced (a repair
// that fails before its MANIFEST is installed).
class StagedEnv final : public EnvWrapper {
 public:
  explicit StagedEnv(Env* base) : EnvWrapper(base) {}

  void KeepOnRemove(const std::string& f) {
    std::lock_guard<std::mutex> l(mu_);
    kept_.insert(f);
  }
  void FailReadsPast(const std::string& f, size_t bytes) {
    std::lock_guard<std::mutex> l(mu_);
    read_limits_[f] = bytes;
  }
  void FailCurrentRename(bool fail) {
    std::lock_guard<std::mutex> l(mu_);
    fail_current_rename_ = fail;
  }

  Status RemoveFile(const std::string& f) override {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (kept_.count(f) > 0) return Status::IOError(f, "removal cut short (test)");
    }
    return target()->RemoveFile(f);
  }
  Status RenameFile(const std::string& from, const std::string& to) override {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (fail_current_rename_ && to.size() >= 8 && to.compare(to.size() - 8, 8, "/CURRENT") == 0) {
        return Status::IOError(to, "rename failed (test)");
      }
    }
    return target()->RenameFile(from, to);
  }
  Status NewSequentialFile(const std::string& f, std::unique_ptr<SequentialFile>* r) override {
    Status s = target()->NewSequentialFile(f, r);
    std::lock_guard<std::mutex> l(mu_);
    auto it = read_limits_.find(f);
    if (s.ok() && it != read_limits_.end()) *r = std::make_unique<FailingFile>(std::move(*r), it->second);
    return s;
  }

 private:
  // Reads up to `limit` bytes, then fails every read.
  class FailingFile final : public SequentialFile {
   public:
    FailingFile(std::unique_ptr<SequentialFile> base, size_t limit) : base_(std::move(base)), left_(limit) {}
    Status Read(size_t n, Slice* result, char* scratch) override {
      if (left_ == 0) return Status::IOError("read failed (test)");
      Status s = base_->Read(std::min(n, left_), result, scratch);
      left_ -= std::min(left_, result->size());
      return s;
    }
    Status Skip(uint64_t n) override { return base_->Skip(n); }

   private:
    std::unique_ptr<SequentialFile> base_;
    size_t left_;
  };

  std::mutex mu_;
  std::set<std::string> kept_;                // guarded by mu_
  std::map<std::string, size_t> read_limits_;  // guarded by mu_
  bool fail_current_rename_ = false;          // guarded by mu_
};

std::string FileText(Env* env, const std::string& f) {
  std::string data;
  REQUIRE(ReadFileToString(env, f, &data).ok());
  return data;
}

struct Fixture {
  MemEnv mem;
  StagedEnv env{&mem};
  Options options;
  std::unique_ptr<DB> db;
  Model model;

  explicit Fixture(const std::string& wal_dir = "") {
    options.env = &env;
    options.create_if_missing = true;
    options.compression = kNoCompression;  // so a flipped byte hits data
    options.wal_dir = wal_dir;
    REQUIRE(DB::Open(options, "/db", &db).ok());
  }
  void Put(const std::string& k, const std::string& v) {
    REQUIRE(db->Put(WriteOptions(), k, v).ok());
    model[k] = v;
  }
  void Delete(const std::string& k) {
    REQUIRE(db->Delete(WriteOptions(), k).ok());
    model.erase(k);
  }
  void RepairAndReopen() {
    db.reset();
    const Status s = RepairDB("/db", options);
    INFO(s.ToString());
    REQUIRE(s.ok());
    REQUIRE(DB::Open(options, "/db", &db).ok());
  }
  // The repair report and what the opens since logged: the first open
  // after the repair rotated the report to LOG.old.
  std::string LogText() {
    std::string old_log, log;
    if (env.FileExists("/db/LOG.old")) REQUIRE(ReadFileToString(&env, "/db/LOG.old", &old_log).ok());
    REQUIRE(ReadFileToString(&env, "/db/LOG", &log).ok());
    return old_log + log;
  }
};

}  // namespace

TEST_CASE("RepairDB: a lost MANIFEST and CURRENT are rebuilt from tables and WALs", "[repair]") {
  Fixture f;
  for (int i = 0; i < 3000; i++) f.Put("a" + std::to_string(i), "v" + std::to_string(i));
  REQUIRE(f.db->Flush().ok());
  for (int i = 0; i < 3000; i += 3) f.Delete("a" + std::to_string(i));  // tombstones over a table
  REQUIRE(f.db->Flush().ok());
  for (int i = 0; i < 500; i++) f.Put("b" + std::to_string(i), "in the WAL only");
  f.db.reset();
  REQUIRE(f.env.RemoveFile("/db/CURRENT").ok());
  for (const auto& m : Children(&f.env, "/db", FileType::kDescriptorFile)) REQUIRE(f.env.RemoveFile(m).ok());

  f.RepairAndReopen();
  REQUIRE(f.LogText().find("repair: done") != std::string::npos);
  REQUIRE(Contents(f.db.get()) == f.model);  // deleted keys stayed deleted
  std::string value;
  REQUIRE(f.db->Get(ReadOptions(), "a1", &value).ok());
  REQUIRE(f.db->Get(ReadOptions(), "a0", &value).IsNotFound());
  // The repaired DB keeps working: writes, flushes, compactions, reopen.
  f.Put("c", "after repair");
  REQUIRE(f.db->CompactRange(nullptr, nullptr).ok());
  f.db.reset();
  REQUIRE(DB::Open(f.options, "/db", &f.db).ok());
  REQUIRE(Contents(f.db.get()) == f.model);
}

TEST_CASE("RepairDB: a damaged table keeps what precedes the damage", "[repair]") {
  Fixture f;
  for (int t = 0; t < 3; t++) {
    for (int i = 0; i < 2000; i++) f.Put("t" + std::to_string(t) + "-" + std::to_string(10000 + i), std::string(30, 'x'));
    REQUIRE(f.db->Flush().ok());
  }
  f.db.reset();
  const auto tables = Children(&f.env, "/db", FileType::kTableFile);
  REQUIRE(tables.size() == 3);
  std::string data;
  REQUIRE(ReadFileToString(&f.env, tables[1], &data).ok());
  data[data.size() / 2] ^= 0x04;
  REQUIRE(f.mem.SetContents(tables[1], data).ok());

  f.RepairAndReopen();
  const Model got = Contents(f.db.get());
  // Every entry that survived is right, both undamaged tables are complete,
  // and the damaged one lost only what follows the damage.
  for (const auto& [k, v] : got) REQUIRE(f.model.at(k) == v);
  int from_damaged = 0;
  for (const auto& [k, v] : f.model) {
    if (k.rfind("t1-", 0) == 0) {
      from_damaged += got.count(k);
    } else {
      REQUIRE(got.count(k) == 1);
    }
  }
  REQUIRE(from_damaged > 0);
  REQUIRE(from_damaged < 2000);
  REQUIRE(f.LogText().find("damaged") != std::string::npos);
  REQUIRE(f.env.FileExists("/db/lost/" + tables[1].substr(4)));
}

// A table of the retired format 2 (lz codec) cannot be read: RepairDB sets
// it aside in lost/ with the NotSupported reason in the LOG, deletes
// nothing, and keeps every other table.
TEST_CASE("RepairDB: a table of the retired lz format is set aside, not deleted", "[repair]") {
  Fixture f;
  for (int t = 0; t < 2; t++) {
    for (int i = 0; i < 500; i++) f.Put("t" + std::to_string(t) + "-" + std::to_string(1000 + i), "v");
    REQUIRE(f.db->Flush().ok());
  }
  f.db.reset();
  const auto tables = Children(&f.env, "/db", FileType::kTableFile);
  REQUIRE(tables.size() == 2);
  std::string data;
  REQUIRE(ReadFileToString(&f.env, tables[0], &data).ok());
  Footer footer;
  const size_t footer_at = data.size() - Footer::kEncodedLength;
  REQUIRE(footer.DecodeFrom(Slice(data.data() + footer_at, Footer::kEncodedLength), tables[0]).ok());
  footer.format_version = 2;
  data.resize(footer_at);
  footer.EncodeTo(&data);
  REQUIRE(f.mem.SetContents(tables[0], data).ok());

  f.RepairAndReopen();
  const Model got = Contents(f.db.get());
  for (const auto& [k, v] : f.model) REQUIRE(got.count(k) == (k.rfind("t0-", 0) == 0 ? 0u : 1u));
  REQUIRE(f.LogText().find("retired lz codec") != std::string::npos);
  std::string kept;
  REQUIRE(ReadFileToString(&f.env, "/db/lost/" + tables[0].substr(4), &kept).ok());
  REQUIRE(kept == data);
}

TEST_CASE("RepairDB: damaged WAL records are dropped, the rest salvaged", "[repair]") {
  Fixture f;
  for (int i = 0; i < 10; i++) f.Put("w" + std::to_string(i), std::string(20000, 'a' + i));
  f.db.reset();
  const auto logs = Children(&f.env, "/db", FileType::kLogFile);
  REQUIRE(logs.size() == 1);
  std::string data;
  REQUIRE(ReadFileToString(&f.env, logs[0], &data).ok());
  data[20000 + 11 + 11 + 100] ^= 0x01;  // inside the second record
  REQUIRE(f.mem.SetContents(logs[0], data).ok());
  REQUIRE(f.env.RemoveFile("/db/CURRENT").ok());

  f.RepairAndReopen();
  const Model got = Contents(f.db.get());
  REQUIRE(got.count("w1") == 0);
  REQUIRE(got.count("w0") == 1);
  REQUIRE(got.at("w9") == std::string(20000, 'a' + 9));
  for (const auto& [k, v] : got) REQUIRE(f.model.at(k) == v);
  REQUIRE(f.LogText().find("damaged records") != std::string::npos);
  // The damaged original is kept, byte for byte, in lost/.
  REQUIRE(!f.mem.FileExists(logs[0]));
  REQUIRE(FileText(&f.mem, "/db/lost/" + logs[0].substr(4)) == data);
}

TEST_CASE("RepairDB: refuses an open DB and a directory without a DB", "[repair]") {
  Fixture f;
  f.Put("k", "v");
  REQUIRE(RepairDB("/db", f.options).IsBusy());
  REQUIRE(f.env.CreateDir("/empty").ok());
  REQUIRE(RepairDB("/empty", f.options).IsInvalidArgument());
  REQUIRE(RepairDB("/missing", f.options).IsInvalidArgument());
}

namespace {

// Ten 20,000-byte records in one WAL, the DB closed (no flush at close).
std::string TenRecordWal(Fixture* f, const std::string& wal_dir) {
  for (int i = 0; i < 10; i++) f->Put("w" + std::to_string(i), std::string(20000, 'a' + i));
  f->db.reset();
  const auto logs = Children(&f->mem, wal_dir, FileType::kLogFile);
  REQUIRE(logs.size() == 1);
  return logs[0];
}

// The tables the MANIFEST that CURRENT names lists.
std::set<uint64_t> LiveTables(Env* env) {
  std::string current;
  REQUIRE(ReadFileToString(env, "/db/CURRENT", &current).ok());
  uint64_t number;
  FileType type;
  REQUIRE(ParseFileName(current.substr(0, current.size() - 1), &number, &type));
  ManifestState state;
  REQUIRE(ReadManifestState(env, "/db", number, &state).ok());
  return state.tables;
}

// Another order under another name.
struct ReverseComparator final : Comparator {
  int Compare(const Slice& a, const Slice& b) const override { return b.compare(a); }
  const char* Name() const override { return "test.Reverse"; }
  void FindShortestSeparator(std::string*, const Slice&) const override {}
  void FindShortSuccessor(std::string*) const override {}
};

uint64_t NumberOf(const std::string& path) {
  uint64_t number;
  FileType type;
  REQUIRE(ParseFileName(path.substr(path.rfind('/') + 1), &number, &type));
  return number;
}

}  // namespace

TEST_CASE("RepairDB: a WAL cut short by a read error goes to lost/, what precedes it salvaged", "[repair]") {
  Fixture f;
  const std::string log = TenRecordWal(&f, "/db");
  const std::string original = FileText(&f.mem, log);
  f.env.FailReadsPast(log, 2 * 32768);  // the third 32 KiB block fails

  f.RepairAndReopen();
  const Model got = Contents(f.db.get());
  REQUIRE(got.count("w0") == 1);   // in the first block
  REQUIRE(got.count("w9") == 0);   // after the failed read
  for (const auto& [k, v] : got) REQUIRE(f.model.at(k) == v);
  REQUIRE(f.LogText().find("read error") != std::string::npos);
  REQUIRE(!f.mem.FileExists(log));
  REQUIRE(FileText(&f.mem, "/db/lost/" + log.substr(4)) == original);
}

TEST_CASE("RepairDB: a WAL whose only flaw is a torn tail is salvaged and deleted", "[repair]") {
  Fixture f;
  const std::string log = TenRecordWal(&f, "/db");
  std::string data = FileText(&f.mem, log);
  data.resize(data.size() - 5000);  // the last record, cut short by a crash
  REQUIRE(f.mem.SetContents(log, data).ok());

  f.RepairAndReopen();
  Model expected = f.model;
  expected.erase("w9");
  REQUIRE(Contents(f.db.get()) == expected);
  REQUIRE(f.LogText().find("torn tail") != std::string::npos);
  REQUIRE(!f.mem.FileExists(log));
  REQUIRE(!f.mem.FileExists("/db/lost/" + log.substr(4)));
}

TEST_CASE("RepairDB: a damaged WAL in a separate wal_dir goes to that directory's lost/", "[repair]") {
  Fixture f("/wal");
  const std::string log = TenRecordWal(&f, "/wal");
  std::string data = FileText(&f.mem, log);
  data[20000 + 11 + 11 + 100] ^= 0x01;  // inside the second record
  REQUIRE(f.mem.SetContents(log, data).ok());

  f.RepairAndReopen();
  const Model got = Contents(f.db.get());
  REQUIRE(got.count("w1") == 0);
  REQUIRE(got.at("w9") == std::string(20000, 'a' + 9));
  REQUIRE(!f.mem.FileExists(log));
  REQUIRE(FileText(&f.mem, "/wal/lost/" + log.substr(5)) == data);
}

TEST_CASE("RepairDB: nothing moves to lost/ before the new MANIFEST is installed", "[repair]") {
  Fixture f;
  const std::string log = TenRecordWal(&f, "/db");
  std::string data = FileText(&f.mem, log);
  data[20000 + 11 + 11 + 100] ^= 0x01;
  REQUIRE(f.mem.SetContents(log, data).ok());

  f.env.FailCurrentRename(true);
  REQUIRE(!RepairDB("/db", f.options).ok());
  REQUIRE(FileText(&f.mem, log) == data);  // the only copy stays where it was
  REQUIRE(!f.mem.FileExists("/db/lost/" + log.substr(4)));

  // A second repair (CURRENT still names the old MANIFEST; the first
  // attempt's tables are newer than it and merge harmlessly) completes.
  f.env.FailCurrentRename(false);
  f.RepairAndReopen();
  const Model got = Contents(f.db.get());
  REQUIRE(got.count("w1") == 0);
  REQUIRE(got.count("w0") == 1);
  for (const auto& [k, v] : got) REQUIRE(f.model.at(k) == v);
  REQUIRE(FileText(&f.mem, "/db/lost/" + log.substr(4)) == data);
}

// The resurrection case: a compaction dropped "k" (its tombstone and its
// value), but the unlink of the old table holding the value was cut short.
TEST_CASE("RepairDB: a table the MANIFEST no longer lists does not bring a deleted key back", "[repair]") {
  Fixture f;
  for (int i = 0; i < 200; i++) f.Put("a" + std::to_string(1000 + i), "filler");
  f.Put("k", "old value of k");
  REQUIRE(f.db->Flush().ok());
  const auto tables = Children(&f.mem, "/db", FileType::kTableFile);
  REQUIRE(tables.size() == 1);
  const std::string old_table = tables[0];
  const std::string old_bytes = FileText(&f.mem, old_table);
  f.env.KeepOnRemove(old_table);  // its deletion will be cut short
  f.Delete("k");
  REQUIRE(f.db->Flush().ok());
  REQUIRE(f.db->CompactRange(nullptr, nullptr).ok());
  std::string value;
  REQUIRE(f.db->Get(ReadOptions(), "k", &value).IsNotFound());
  f.db.reset();

  // The compaction dropped k: no live table holds its value; the old table
  // is still on disk, unlisted.
  const std::set<uint64_t> live = LiveTables(&f.mem);
  REQUIRE(live.count(NumberOf(old_table)) == 0);
  REQUIRE(!live.empty());
  for (uint64_t t : live) REQUIRE(FileText(&f.mem, TableFileName("/db", t)).find("old value of k") == std::string::npos);
  REQUIRE(FileText(&f.mem, old_table) == old_bytes);

  const std::string lost = "/db/lost/" + old_table.substr(4);
  SECTION("the MANIFEST CURRENT names rules it out") {
    f.RepairAndReopen();
    REQUIRE(f.db->Get(ReadOptions(), "k", &value).IsNotFound());
    REQUIRE(Contents(f.db.get()) == f.model);
    REQUIRE(FileText(&f.mem, lost) == old_bytes);
    REQUIRE(f.LogText().find("not listed by MANIFEST") != std::string::npos);
  }
  SECTION("without CURRENT, the newest MANIFEST rules it out") {
    REQUIRE(f.env.RemoveFile("/db/CURRENT").ok());
    f.RepairAndReopen();
    REQUIRE(f.db->Get(ReadOptions(), "k", &value).IsNotFound());
    REQUIRE(Contents(f.db.get()) == f.model);
    REQUIRE(FileText(&f.mem, lost) == old_bytes);
  }
  // Without a readable MANIFEST nothing tells the leftover from a live
  // table: everything is merged and k comes back (documented in
  // docs/reliability.md; this pins that behaviour, it is not a goal).
  SECTION("with no MANIFEST at all, everything is merged") {
    REQUIRE(f.env.RemoveFile("/db/CURRENT").ok());
    for (const auto& m : Children(&f.mem, "/db", FileType::kDescriptorFile)) REQUIRE(f.env.RemoveFile(m).ok());
    f.RepairAndReopen();
    REQUIRE(f.db->Get(ReadOptions(), "k", &value).ok());
    REQUIRE(value == "old value of k");
    REQUIRE(!f.mem.FileExists(lost));
    REQUIRE(f.LogText().find("no MANIFEST") != std::string::npos);
  }
  SECTION("with a damaged MANIFEST, everything is merged") {
    std::string current = FileText(&f.mem, "/db/CURRENT");
    current.pop_back();
    std::string manifest = FileText(&f.mem, "/db/" + current);
    manifest[20] ^= 0x01;  // in the first record, with more after it
    REQUIRE(f.mem.SetContents("/db/" + current, manifest).ok());
    f.RepairAndReopen();
    REQUIRE(f.db->Get(ReadOptions(), "k", &value).ok());
    REQUIRE(f.LogText().find("unreadable") != std::string::npos);
  }
  SECTION("a MANIFEST listing a missing table is not trusted") {
    for (uint64_t t : live) REQUIRE(f.env.RemoveFile(TableFileName("/db", t)).ok());
    f.RepairAndReopen();
    REQUIRE(f.db->Get(ReadOptions(), "k", &value).ok());  // only the leftover is left
    REQUIRE(f.LogText().find("which is missing") != std::string::npos);
  }
}

TEST_CASE("RepairDB: a WAL below the MANIFEST's log number does not bring a deleted key back", "[repair]") {
  Fixture f;
  f.Put("k", "old value of k");
  const auto logs = Children(&f.mem, "/db", FileType::kLogFile);
  REQUIRE(logs.size() == 1);
  const std::string old_log = logs[0];
  const std::string old_bytes = FileText(&f.mem, old_log);
  f.env.KeepOnRemove(old_log);  // its deletion will be cut short
  REQUIRE(f.db->Flush().ok());
  f.Delete("k");
  f.Put("z", "after");
  REQUIRE(f.db->Flush().ok());
  REQUIRE(f.db->CompactRange(nullptr, nullptr).ok());
  f.db.reset();
  REQUIRE(FileText(&f.mem, old_log) == old_bytes);
  for (uint64_t t : LiveTables(&f.mem)) {
    REQUIRE(FileText(&f.mem, TableFileName("/db", t)).find("old value of k") == std::string::npos);
  }

  f.RepairAndReopen();
  std::string value;
  REQUIRE(f.db->Get(ReadOptions(), "k", &value).IsNotFound());
  REQUIRE(Contents(f.db.get()) == f.model);
  REQUIRE(FileText(&f.mem, "/db/lost/" + old_log.substr(4)) == old_bytes);
  REQUIRE(f.LogText().find("below the MANIFEST's log number") != std::string::npos);
}

// A table numbered at or above the MANIFEST's next file number was created
// after its last edit (a flush or compaction output whose edit never
// landed): it is merged, so a MANIFEST that is not the latest one after
// all cannot make repair drop data.
TEST_CASE("RepairDB: a table newer than the MANIFEST's last edit is merged", "[repair]") {
  Fixture f;
  f.Put("a", "1");
  REQUIRE(f.db->Flush().ok());
  f.db.reset();
  {
    Options other = f.options;
    std::unique_ptr<DB> db;
    REQUIRE(DB::Open(other, "/other", &db).ok());
    REQUIRE(db->Put(WriteOptions(), "late", "from a table no MANIFEST names").ok());
    REQUIRE(db->Flush().ok());
  }
  const auto tables = Children(&f.mem, "/other", FileType::kTableFile);
  REQUIRE(tables.size() == 1);
  REQUIRE(WriteStringToFile(&f.mem, FileText(&f.mem, tables[0]), TableFileName("/db", 900000), true).ok());

  f.RepairAndReopen();
  std::string value;
  REQUIRE(f.db->Get(ReadOptions(), "late", &value).ok());
  REQUIRE(value == "from a table no MANIFEST names");
  REQUIRE(f.db->Get(ReadOptions(), "a", &value).ok());
  REQUIRE(!f.mem.FileExists("/db/lost/900000.sst"));
}

TEST_CASE("RepairDB: refuses a MANIFEST of another comparator, changing nothing", "[repair]") {
  Fixture f;
  f.Put("a", "1");
  f.db.reset();
  std::vector<std::string> before;
  REQUIRE(f.mem.GetChildren("/db", &before).ok());
  Options other = f.options;
  ReverseComparator reverse;
  other.comparator = &reverse;
  const Status s = RepairDB("/db", other);
  INFO(s.ToString());
  REQUIRE(s.IsInvalidArgument());
  std::vector<std::string> after;
  REQUIRE(f.mem.GetChildren("/db", &after).ok());
  REQUIRE(after == before);
}

}  // namespace lsmkv
