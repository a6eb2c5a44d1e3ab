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

TEST_CASE("WAL: records of another log are refused", "[wal]") {
  LogTest t;
  t.Write("from log 42");
  t.Write(Filler('q', kBlockSize));
  const std::vector<std::string> got = t.ReadAll(/*log_number=*/43);
  REQUIRE(got.empty());
  REQUIRE_FALSE(t.reporter.messages.empty());
  REQUIRE(t.reporter.messages[0].find("another log") != std::string::npos);
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
