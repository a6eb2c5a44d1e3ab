#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "support/mem_env.h"
#include "util/coding.h"
#include "util/random.h"
#include "wal/log_reader.h"
#include "wal/log_writer.h"

namespace lsmkv::log {

namespace {

constexpr uint64_t kLogNumber = 42;
const std::string kFile = "/wal/000042.log";

class CollectingReporter final : public Reader::Reporter {
 public:
  void Corruption(size_t bytes, const Status& s) override {
    dropped_bytes += bytes;
    messages.push_back(s.ToString());
  }
  size_t dropped_bytes = 0;
  std::vector<std::string> messages;
};

// Writes records into kFile of a fresh MemEnv.
class LogTest {
 public:
  LogTest() {
    REQUIRE(env.NewWritableFile(kFile, &file).ok());
    writer = std::make_unique<Writer>(file.get(), kLogNumber);
  }

  void Write(const std::string& record) { REQUIRE(writer->AddRecord(record).ok()); }

  std::string Contents() {
    std::string data;
    REQUIRE(ReadFileToString(&env, kFile, &data).ok());
    return data;
  }
  void SetContents(const std::string& data) { REQUIRE(env.SetContents(kFile, data).ok()); }

  // Reads every record; *reporter collects damage.
  std::vector<std::string> ReadAll(uint64_t log_number = kLogNumber,
                                   uint64_t* torn_tail = nullptr, bool synced_one_by_one = false) {
    std::unique_ptr<SequentialFile> in;
    REQUIRE(env.NewSequentialFile(kFile, &in).ok());
    Reader reader(in.get(), kFile, &reporter, log_number);
    if (synced_one_by_one) reader.set_records_synced_one_by_one();
    std::vector<std::string> records;
    Slice record;
    std::string scratch;
    while (reader.ReadRecord(&record, &scratch)) records.push_back(record.ToString());
    REQUIRE(reader.status().ok());
    if (torn_tail != nullptr) *torn_tail = reader.torn_tail_bytes();
    return records;
  }

  MemEnv env;
  std::unique_ptr<WritableFile> file;
  std::unique_ptr<Writer> writer;
  CollectingReporter reporter;
};

std::string Filler(char c, size_t n) { return std::string(n, c); }

}  // namespace

TEST_CASE("WAL: records of every interesting size round-trip", "[wal]") {
  LogTest t;
  const size_t remainder = kBlockSize - kHeaderSize;
  const std::vector<std::string> records = {
      "",
      "x",
      Filler('a', remainder - 1 - kHeaderSize),  // leaves exactly one header of room... in block 0
      Filler('b', 0),
      Filler('c', remainder),       // exactly one block's payload
      Filler('d', remainder + 1),   // spills one byte into the next block
      Filler('e', 100 << 10),       // 100 KiB: FIRST, MIDDLE..., LAST
      Filler('f', 1 << 20),         // 1 MiB
      std::string("bin\0ary", 7),
  };
  for (const auto& r : records) t.Write(r);
  uint64_t torn = 1;
  REQUIRE(t.ReadAll(kLogNumber, &torn) == records);
  REQUIRE(torn == 0);
  REQUIRE(t.reporter.messages.empty());
  REQUIRE(t.writer->size() == t.Contents().size());
}

TEST_CASE("WAL: a block tail too small for a header is zero-filled", "[wal]") {
  LogTest t;
  const size_t first = kBlockSize - 2 * kHeaderSize - 4;  // leaves header + 4 bytes
  t.Write(Filler('a', first));
  t.Write("");  // fits exactly: 4 bytes left, less than a header
  t.Write("next");
  const std::string data = t.Contents();
  REQUIRE(data.size() == kBlockSize + kHeaderSize + 4);
  REQUIRE(data.substr(kBlockSize - 4, 4) == std::string(4, '\0'));
  REQUIRE(t.ReadAll() == std::vector<std::string>{Filler('a', first), "", "next"});
  REQUIRE(t.reporter.messages.empty());
}

TEST_CASE("WAL: a torn last record is a clean end at every cut", "[wal]") {
  LogTest t;
  t.Write("first");
  t.Write(Filler('s', 50000));  // FIRST + LAST across blocks
  t.Write("third record");
  const std::string full = t.Contents();
  const size_t third_start = full.size() - kHeaderSize - 12;
  for (size_t cut = 1; cut < kHeaderSize + 12; cut++) {
    t.SetContents(full.substr(0, full.size() - cut));
    t.reporter.messages.clear();
    uint64_t torn = 0;
    INFO("cut " << cut);
    REQUIRE(t.ReadAll(kLogNumber, &torn) ==
            std::vector<std::string>{"first", Filler('s', 50000)});
    REQUIRE(t.reporter.messages.empty());
    REQUIRE(torn == full.size() - cut - third_start);
  }
  // Cut inside the fragmented record: only "first" survives, silently.
  t.SetContents(full.substr(0, kBlockSize + 100));
  REQUIRE(t.ReadAll() == std::vector<std::string>{"first"});
  REQUIRE(t.reporter.messages.empty());
}

TEST_CASE("WAL: a damaged final record with nothing after it is a torn tail", "[wal]") {
  LogTest t;
  t.Write("keep");
  t.Write("garbled by a crash");
  std::string data = t.Contents();
  data[data.size() - 3] ^= 0x20;
  t.SetContents(data + std::string(100, '\0'));  // the file system also zero-extended it
  REQUIRE(t.ReadAll() == std::vector<std::string>{"keep"});
  REQUIRE(t.reporter.messages.empty());
}

TEST_CASE("WAL: a zero-filled tail is a clean end", "[wal]") {
  LogTest t;
  t.Write("one");
  t.Write("two");
  SECTION("within the block") { t.SetContents(t.Contents() + std::string(1000, '\0')); }
  SECTION("several blocks") { t.SetContents(t.Contents() + std::string(3 * kBlockSize, '\0')); }
  uint64_t torn = 0;
  REQUIRE(t.ReadAll(kLogNumber, &torn) == std::vector<std::string>{"one", "two"});
  REQUIRE(t.reporter.messages.empty());
  REQUIRE(torn > 0);
}

TEST_CASE("WAL: a flipped bit in a middle record is reported and later blocks still read", "[wal]") {
  LogTest t;
  std::vector<std::string> records;
  for (int i = 0; i < 10; i++) {
    records.push_back(Filler(static_cast<char>('a' + i), 20000));  // ~1.6 records per block
    t.Write(records.back());
  }
  std::string data = t.Contents();
  const size_t damaged = kHeaderSize + 20000 + kHeaderSize + 10;  // inside record 1
  data[damaged] ^= 0x01;
  t.SetContents(data);
  const std::vector<std::string> got = t.ReadAll();
  REQUIRE(t.reporter.messages.size() >= 1);
  REQUIRE(t.reporter.messages[0].find("checksum mismatch at offset " +
                                      std::to_string(kHeaderSize + 20000)) != std::string::npos);
  REQUIRE(t.reporter.messages[0].find("000042.log") != std::string::npos);
  REQUIRE(t.reporter.dropped_bytes > 0);
  // Record 0 survives, record 1 is gone, and every record that starts in a
  // later block is read.
  REQUIRE(got.front() == records[0]);
  REQUIRE(got.back() == records.back());
  for (const auto& r : got) REQUIRE(r != records[1]);
  REQUIRE(got.size() >= records.size() - 3);
}

TEST_CASE("WAL: a damaged length field is caught by the checksum", "[wal]") {
  LogTest t;
  t.Write("aaaa");
  t.Write("bbbbbbbb");
  t.Write("cccc");
  for (int block = 1; block <= 3; block++) t.Write(Filler('z', kBlockSize));  // later blocks
  std::string data = t.Contents();
  // Shrink the second record's length from 8 to 4: the data still fits, only
  // the CRC can tell.
  const size_t second = kHeaderSize + 4;
  data[second + 4] = 4;
  t.SetContents(data);
  const std::vector<std::string> got = t.ReadAll();
  REQUIRE(got.front() == "aaaa");
  REQUIRE(std::find(got.begin(), got.end(), "bbbb") == got.end());
  REQUIRE_FALSE(t.reporter.messages.empty());
  REQUIRE(t.reporter.messages[0].find("checksum mismatch") != std::string::npos);
  REQUIRE(got.back() == Filler('z', kBlockSize));
}

// A length grown past the end of the file hides the records after it. In
// a WAL that reads as a torn tail (unsynced later pages may outlive earlier
// ones); in a log synced record by record (the MANIFEST) the intact record
// behind it proves damage.
TEST_CASE("WAL: a length run past the end hides later records unless synced one by one", "[wal]") {
  LogTest t;
  t.Write("first");
  t.Write("second");
  t.Write("third");
  const std::string good = t.Contents();
  std::string data = good;
  const size_t second = kHeaderSize + 5;
  data[second + 5] ^= 0x01;  // high byte of the length: 6 + 256
  t.SetContents(data);
  uint64_t torn = 0;
  REQUIRE(t.ReadAll(kLogNumber, &torn) == std::vector<std::string>{"first"});
  REQUIRE(t.reporter.messages.empty());
  REQUIRE(torn == data.size() - second);

  REQUIRE(t.ReadAll(kLogNumber, &torn, /*synced_one_by_one=*/true) == std::vector<std::string>{"first"});
  REQUIRE(t.reporter.messages.size() == 1);
  REQUIRE(t.reporter.messages[0].find("bad record length at offset " + std::to_string(second)) !=
          std::string::npos);

  // A genuinely torn last record is still a clean end in that mode.
  t.reporter.messages.clear();
  t.SetContents(good.substr(0, good.size() - 2));
  REQUIRE(t.ReadAll(kLogNumber, &torn, true) == std::vector<std::string>{"first", "second"});
  REQUIRE(t.reporter.messages.empty());
}

TEST_CASE("WAL: records of another log are refused where the file is never recycled", "[wal]") {
  LogTest t;
  t.Write("from log 42");
  t.Write(Filler('q', kBlockSize));
  std::unique_ptr<SequentialFile> in;
  REQUIRE(t.env.NewSequentialFile(kFile, &in).ok());
  Reader reader(in.get(), kFile, &t.reporter, /*log_number=*/43);
  reader.set_never_recycled();
  Slice record;
  std::string scratch;
  REQUIRE_FALSE(reader.ReadRecord(&record, &scratch));
  REQUIRE_FALSE(t.reporter.messages.empty());
  REQUIRE(t.reporter.messages[0].find("another log") != std::string::npos);
}

// Recycled WAL files (docs/format.md, "Recycled WAL files"): log 42 reuses
// the file of log 40, overwriting it from offset 0.
namespace {

constexpr uint64_t kOldLogNumber = 40;

// The bytes a Writer for `log_number` produces for `records`, and, in
// *offsets, where each record starts.
std::string LogBytes(uint64_t log_number, const std::vector<std::string>& records,
                     std::vector<uint64_t>* offsets = nullptr, uint64_t sync_mark = 0) {
  MemEnv env;
  std::unique_ptr<WritableFile> file;
  REQUIRE(env.NewWritableFile("/x.log", &file).ok());
  Writer writer(file.get(), log_number);
  if (sync_mark > 0) REQUIRE(writer.AddSyncMark(sync_mark).ok());
  for (const std::string& r : records) {
    if (offsets != nullptr) offsets->push_back(writer.size());
    REQUIRE(writer.AddRecord(r).ok());
  }
  std::string data;
  REQUIRE(ReadFileToString(&env, "/x.log", &data).ok());
  return data;
}

// `fresh` written over `old` from offset 0, as a reused file holds them.
std::string Overwrite(const std::string& old, const std::string& fresh) {
  return fresh.size() >= old.size() ? fresh : fresh + old.substr(fresh.size());
}

std::vector<std::string> OldRecords() {
  std::vector<std::string> records;
  Random rnd(77);
  for (int i = 0; i < 400; i++) records.push_back(rnd.Bytes(50 + rnd.Uniform(400)));
  records.push_back(Filler('o', kBlockSize + 100));  // fragmented too
  for (int i = 0; i < 100; i++) records.push_back(rnd.Bytes(50 + rnd.Uniform(400)));
  return records;
}

}  // namespace

TEST_CASE("WAL: a recycled file's older records after the new ones end the log cleanly", "[wal][recycle]") {
  const std::string old = LogBytes(kOldLogNumber, OldRecords());
  // New logs ending in every kind of place: before the first old block
  // ends, across blocks, and nothing written at all.
  for (const int n : {0, 1, 7, 120, 300}) {
    INFO(n << " new records");
    std::vector<std::string> fresh_records;
    for (int i = 0; i < n; i++) fresh_records.push_back("new-" + std::to_string(i) + Filler('n', i % 300));
    LogTest t;
    t.SetContents(Overwrite(old, LogBytes(kLogNumber, fresh_records)));
    uint64_t torn = 0;
    REQUIRE(t.ReadAll(kLogNumber, &torn) == fresh_records);
    REQUIRE(t.reporter.messages.empty());
    REQUIRE(torn > 0);
  }
}

TEST_CASE("WAL: a new record torn over a recycled file's bytes is a clean end", "[wal][recycle]") {
  const std::string old = LogBytes(kOldLogNumber, OldRecords());
  std::vector<uint64_t> offsets;
  const std::vector<std::string> fresh_records = {"alpha", Filler('b', 1000), Filler('c', 40000), "delta"};
  const std::string fresh = LogBytes(kLogNumber, fresh_records, &offsets);
  // The last write only partly landed: every cut inside the last record,
  // the old bytes after it.
  for (uint64_t cut = offsets.back() + 1; cut < fresh.size(); cut++) {
    INFO("cut at " << cut);
    LogTest t;
    t.SetContents(Overwrite(old, fresh.substr(0, cut)));
    REQUIRE(t.ReadAll() == std::vector<std::string>(fresh_records.begin(), fresh_records.end() - 1));
    REQUIRE(t.reporter.messages.empty());
  }
  // A torn fragment of the 40,000-byte record (it spans two blocks).
  LogTest t;
  t.SetContents(Overwrite(old, fresh.substr(0, offsets[2] + 33000)));
  REQUIRE(t.ReadAll() == std::vector<std::string>(fresh_records.begin(), fresh_records.begin() + 2));
  REQUIRE(t.reporter.messages.empty());
}

TEST_CASE("WAL: damage in a recycled file's new records is still reported", "[wal][recycle]") {
  const std::string old = LogBytes(kOldLogNumber, OldRecords());
  std::vector<std::string> fresh_records;
  for (int i = 0; i < 300; i++) fresh_records.push_back("new-" + std::to_string(i) + Filler('n', 100));
  std::vector<uint64_t> offsets;
  std::string fresh = LogBytes(kLogNumber, fresh_records, &offsets);
  fresh[offsets[10] + kHeaderSize + 3] ^= 0x20;  // record 10's payload
  LogTest t;
  t.SetContents(Overwrite(old, fresh));
  const std::vector<std::string> got = t.ReadAll();
  for (const std::string& m : t.reporter.messages) UNSCOPED_INFO(m);
  REQUIRE_FALSE(t.reporter.messages.empty());
  REQUIRE(t.reporter.messages[0].find("checksum mismatch at offset " + std::to_string(offsets[10])) !=
          std::string::npos);
  // At most the fragment the dropped block cut in two is reported besides
  // (at the next block's start); nothing in the old bytes.
  REQUIRE(t.reporter.messages.size() <= 2);
  if (t.reporter.messages.size() == 2) {
    REQUIRE(t.reporter.messages[1].find("without start at offset " + std::to_string(kBlockSize)) !=
            std::string::npos);
  }
  // The rest of that block is dropped; the later blocks read on, up to the
  // old bytes.
  REQUIRE(got.size() < fresh_records.size());
  REQUIRE(got.back() == fresh_records.back());
}

TEST_CASE("WAL: a reader of a live WAL ends at an older log's record without reading on",
          "[wal][recycle]") {
  const std::string old = LogBytes(kOldLogNumber, OldRecords());
  const std::vector<std::string> fresh_records = {"one", "two"};
  const std::string fresh = LogBytes(kLogNumber, fresh_records);
  // A record of this log two blocks on (what a page written out of order
  // leaves): damage for recovery, nothing a live reader waits for.
  const std::string later = LogBytes(kLogNumber, {"later"});
  std::string contents = Overwrite(old, fresh);
  contents.replace(2 * kBlockSize, later.size(), later);
  LogTest t;
  t.SetContents(contents);
  REQUIRE(t.ReadAll().size() == 3);  // "later" read after the reported damage
  REQUIRE_FALSE(t.reporter.messages.empty());

  t.reporter.messages.clear();
  std::unique_ptr<SequentialFile> in;
  REQUIRE(t.env.NewSequentialFile(kFile, &in).ok());
  Reader reader(in.get(), kFile, &t.reporter, kLogNumber);
  reader.set_end_at_older_records();
  std::vector<std::string> got;
  Slice record;
  std::string scratch;
  while (reader.ReadRecord(&record, &scratch)) got.push_back(record.ToString());
  REQUIRE(got == fresh_records);
  REQUIRE(t.reporter.messages.empty());
  REQUIRE(reader.torn_tail_bytes() < kBlockSize);  // stopped in the first block
}

TEST_CASE("WAL: another log's record before the synced offset is damage, not a recycled tail",
          "[wal][recycle]") {
  const std::string old = LogBytes(kOldLogNumber, OldRecords());
  // A sync mark vouching for the first 20,000 bytes, then one record: the
  // bytes after it, below 20,000, should have been this log's.
  const std::string fresh = LogBytes(kLogNumber, {"only"}, nullptr, /*sync_mark=*/20000);
  LogTest t;
  t.SetContents(Overwrite(old, fresh));
  REQUIRE(t.ReadAll() == std::vector<std::string>{"only"});
  REQUIRE_FALSE(t.reporter.messages.empty());
  REQUIRE(t.reporter.messages[0].find("at offset " + std::to_string(fresh.size())) != std::string::npos);
}

TEST_CASE("WAL: random records round-trip, including across reopened writers", "[wal]") {
  const uint64_t seed = 1234;
  INFO("seed " << seed);
  Random rnd(seed);
  LogTest t;
  std::vector<std::string> records;
  for (int i = 0; i < 500; i++) {
    records.push_back(rnd.Bytes(rnd.Skewed(17)));
    t.Write(records.back());
    if (i == 250) {
      // Continue the same log with a new Writer, as after reopening.
      const uint64_t size = t.writer->size();
      REQUIRE(t.env.NewAppendableFile(kFile, &t.file).ok());
      t.writer = std::make_unique<Writer>(t.file.get(), kLogNumber, size);
    }
  }
  REQUIRE(t.ReadAll() == records);
  REQUIRE(t.reporter.messages.empty());
}

}  // namespace lsmkv::log

namespace lsmkv::log {

TEST_CASE("WAL: sync marks are not returned and raise synced_offset", "[wal]") {
  LogTest t;
  t.Write("first");
  const uint64_t synced = t.writer->size();
  REQUIRE(t.writer->SyncMarkFits());
  REQUIRE(t.writer->AddSyncMark(synced).ok());
  t.Write(Filler('x', 40000));  // spans blocks
  REQUIRE(t.writer->AddSyncMark(t.writer->size()).ok());
  t.Write("last");

  std::unique_ptr<SequentialFile> in;
  REQUIRE(t.env.NewSequentialFile(kFile, &in).ok());
  Reader reader(in.get(), kFile, &t.reporter, kLogNumber);
  Slice record;
  std::string scratch;
  REQUIRE(reader.ReadRecord(&record, &scratch));
  REQUIRE(record == Slice("first"));
  REQUIRE(reader.synced_offset() == 0);
  REQUIRE(reader.ReadRecord(&record, &scratch));
  REQUIRE(record.size() == 40000);
  REQUIRE(reader.synced_offset() == synced);
  REQUIRE(reader.ReadRecord(&record, &scratch));
  REQUIRE(record == Slice("last"));
  REQUIRE(reader.synced_offset() > 40000);
  REQUIRE(!reader.ReadRecord(&record, &scratch));
  REQUIRE(t.reporter.messages.empty());
}

TEST_CASE("WAL: a sync mark is only written where it fits in the block", "[wal]") {
  LogTest t;
  // Leave 11..18 bytes in the first block: room for a header, not a mark.
  t.Write(Filler('a', kBlockSize - kHeaderSize - (kHeaderSize + 4)));
  REQUIRE(kBlockSize - t.writer->size() == kHeaderSize + 4);
  REQUIRE(!t.writer->SyncMarkFits());
  t.Write("b");  // fits in the 15 bytes left
  REQUIRE(t.ReadAll().size() == 2);
  REQUIRE(t.reporter.messages.empty());
}

TEST_CASE("WAL: a damaged sync mark is reported", "[wal]") {
  LogTest t;
  t.Write("one");
  const uint64_t mark_at = t.writer->size();
  REQUIRE(t.writer->AddSyncMark(mark_at).ok());
  t.Write("two");
  std::string data = t.Contents();
  data[mark_at + kHeaderSize + 2] ^= 1;
  t.SetContents(data);
  const auto records = t.ReadAll();
  REQUIRE(records.size() == 1);  // the rest of the block is dropped with it
  REQUIRE(t.reporter.messages.size() == 1);
}

}  // namespace lsmkv::log
