// CLI commands that read one file directly, without opening the DB (so
// they also work on a DB that no longer opens): dump-sst, dump-wal,
// dump-manifest. Tables are read with the default (bytewise) comparator.
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>

#include "cli.h"
#include "db/write_batch_internal.h"
#include "format/dbformat.h"
#include "format/filename.h"
#include "lsmkv/env.h"
#include "table/format.h"
#include "table/table.h"
#include "version/version_edit.h"
#include "wal/log_reader.h"

namespace lsmkv::cli {

namespace {

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// "put 'key' @12" for an internal key.
std::string DescribeInternalKey(const CommandLine& cl, const Slice& internal_key) {
  ParsedInternalKey parsed;
  if (!ParseInternalKey(internal_key, &parsed)) return "(malformed key " + Encode(cl, internal_key) + ")";
  return std::string(parsed.type == kTypeValue ? "put " : "del ") + Encode(cl, parsed.user_key) +
         " @" + std::to_string(parsed.sequence);
}

// Prints corruption as it is met and remembers that there was some.
class PrintingReporter final : public log::Reader::Reporter {
 public:
  void Corruption(size_t, const Status& s) override {
    std::fprintf(stderr, "lsmkv: %s\n", s.ToString().c_str());
    damaged = true;
  }
  bool damaged = false;
};

// The log number a WAL or MANIFEST records carry: its file number.
bool LogNumberOf(const std::string& path, FileType expected, uint64_t* number) {
  FileType type;
  return ParseFileName(BaseName(path), number, &type) && type == expected;
}

// Reads every record of a log file, calling print(offset, record).
template <typename PrintRecord>
int DumpLog(const std::string& path, uint64_t log_number, bool synced_one_by_one,
            PrintRecord print) {
  std::unique_ptr<SequentialFile> file;
  Status s = Env::Default()->NewSequentialFile(path, &file);
  if (!s.ok()) return Fail("open " + path, s);
  PrintingReporter reporter;
  log::Reader reader(file.get(), path, &reporter, log_number);
  if (synced_one_by_one) reader.set_records_synced_one_by_one();
  Slice record;
  std::string scratch;
  bool ok = true;
  while (reader.ReadRecord(&record, &scratch)) ok = print(reader.LastRecordOffset(), record) && ok;
  if (!reader.status().ok()) return Fail("read " + path, reader.status());
  if (reader.torn_tail_bytes() > 0) {
    std::printf("torn tail: %" PRIu64 " bytes (a write cut short by a crash)\n", reader.torn_tail_bytes());
  }
  return ok && !reporter.damaged ? kExitOk : kExitFailed;
}

}  // namespace

int CmdDumpSst(const CommandLine& cl) {
  if (cl.args.size() != 1) return UsageError("usage: lsmkv dump-sst FILE");
  const std::string& path = cl.args[0];
  Env* env = Env::Default();
  uint64_t size = 0;
  Status s = env->GetFileSize(path, &size);
  std::unique_ptr<RandomAccessFile> file;
  if (s.ok()) s = env->NewRandomAccessFile(path, &file);
  const InternalKeyComparator icmp(BytewiseComparator());
  TableOptions options;
  options.comparator = &icmp;
  options.filter_key = ExtractUserKey;
  std::shared_ptr<Table> table;
  if (s.ok()) s = Table::Open(options, path, std::move(file), size, /*cache_id=*/0, &table);
  if (!s.ok()) return Fail("dump-sst", s);

  std::printf("file: %s (%" PRIu64 " bytes)\nproperties: %s\n", path.c_str(), size,
              table->properties().ToString().c_str());
  std::printf("index (last key of each data block -> offset, size):\n");
  auto index = table->NewIndexIterator();
  for (index->SeekToFirst(); index->Valid(); index->Next()) {
    Slice encoded = index->value();
    BlockHandle handle;
    s = handle.DecodeFrom(&encoded);
    if (!s.ok()) return Fail("dump-sst: index", s);
    std::printf("  %s -> %" PRIu64 ", %" PRIu64 "\n", DescribeInternalKey(cl, index->key()).c_str(),
                handle.offset, handle.size);
  }
  if (!index->status().ok()) return Fail("dump-sst: index", index->status());

  std::printf("entries:\n");
  ReadOptions read;
  read.verify_checksums = true;
  auto it = table->NewIterator(read);
  uint64_t entries = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), entries++) {
    const std::string key = DescribeInternalKey(cl, it->key());
    if (key.compare(0, 4, "put ") == 0) {
      std::printf("  %s = %s\n", key.c_str(), Encode(cl, it->value()).c_str());
    } else {
      std::printf("  %s\n", key.c_str());
    }
  }
  if (!it->status().ok()) return Fail("dump-sst: entries", it->status());
  std::printf("%" PRIu64 " entries\n", entries);
  return kExitOk;
}

int CmdDumpWal(const CommandLine& cl) {
  if (cl.args.size() != 1) return UsageError("usage: lsmkv dump-wal FILE");
  const std::string& path = cl.args[0];
  uint64_t number;
  if (!LogNumberOf(path, FileType::kLogFile, &number)) {
    return UsageError("not a WAL file name (NNNNNN.log): " + path);
  }
  // Prints each update of a batch.
  struct Printer final : WriteBatch::Handler {
    explicit Printer(const CommandLine& c) : cl(c) {}
    void Put(const Slice& key, const Slice& value) override {
      std::printf("  put %s = %s\n", Encode(cl, key).c_str(), Encode(cl, value).c_str());
    }
    void Delete(const Slice& key) override { std::printf("  del %s\n", Encode(cl, key).c_str()); }
    const CommandLine& cl;
  } printer(cl);
  return DumpLog(path, number, /*synced_one_by_one=*/false, [&](uint64_t offset, const Slice& record) {
    if (record.size() < WriteBatchInternal::kHeader) {
      std::fprintf(stderr, "lsmkv: record at offset %" PRIu64 ": too short for a batch\n", offset);
      return false;
    }
    WriteBatch batch;
    WriteBatchInternal::SetContents(&batch, record);
    std::printf("record at offset %" PRIu64 ": sequence %" PRIu64 ", %u updates\n", offset,
                WriteBatchInternal::Sequence(&batch), WriteBatchInternal::Count(&batch));
    const Status s = batch.Iterate(&printer);
    if (!s.ok()) std::fprintf(stderr, "lsmkv: record at offset %" PRIu64 ": %s\n", offset, s.ToString().c_str());
    return s.ok();
  });
}

// The MANIFEST named by --db's CURRENT, or FILE.
int CmdDumpManifest(const CommandLine& cl) {
  if (cl.args.size() > 1) return UsageError("usage: lsmkv dump-manifest [FILE]   (default: the --db's CURRENT)");
  std::string path;
  if (cl.args.size() == 1) {
    path = cl.args[0];
  } else {
    if (cl.db.empty()) return UsageError("dump-manifest needs --db DIR or a MANIFEST file");
    std::string current;
    const Status s = ReadFileToString(Env::Default(), CurrentFileName(cl.db), &current);
    if (!s.ok()) return Fail("dump-manifest: read CURRENT", s);
    while (!current.empty() && current.back() == '\n') current.pop_back();
    path = cl.db + "/" + current;
  }
  uint64_t number;
  if (!LogNumberOf(path, FileType::kDescriptorFile, &number)) {
    return UsageError("not a MANIFEST file name (MANIFEST-NNNNNN): " + path);
  }
  std::printf("file: %s\n", path.c_str());
  return DumpLog(path, number, /*synced_one_by_one=*/true, [&](uint64_t offset, const Slice& record) {
    VersionEdit edit;
    const Status s = edit.DecodeFrom(record);
    if (!s.ok()) {
      std::fprintf(stderr, "lsmkv: edit at offset %" PRIu64 ": %s\n", offset, s.ToString().c_str());
      return false;
    }
    std::printf("edit at offset %" PRIu64 ":\n", offset);
    if (edit.comparator()) std::printf("  comparator %s\n", edit.comparator()->c_str());
    if (edit.log_number()) std::printf("  log number %" PRIu64 "\n", *edit.log_number());
    if (edit.next_file_number()) std::printf("  next file %" PRIu64 "\n", *edit.next_file_number());
    if (edit.last_sequence()) std::printf("  last sequence %" PRIu64 "\n", *edit.last_sequence());
    for (const auto& [level, key] : edit.compact_pointers()) {
      std::printf("  compact pointer L%d %s\n", level, DescribeInternalKey(cl, key).c_str());
    }
    for (const auto& [level, file] : edit.deleted_files()) {
      std::printf("  delete L%d #%" PRIu64 "\n", level, file);
    }
    for (const auto& [level, f] : edit.new_files()) {
      std::printf("  add L%d #%" PRIu64 " %" PRIu64 " bytes, %" PRIu64 " entries, %s .. %s\n", level,
                  f.number, f.file_size, f.num_entries, DescribeInternalKey(cl, f.smallest).c_str(),
                  DescribeInternalKey(cl, f.largest).c_str());
    }
    return true;
  });
}

}  // namespace lsmkv::cli
