// RepairDB: rebuilds a database whose MANIFEST (or CURRENT) is lost or
// damaged, salvaging every record it can read.
//
//  1. Every WAL is replayed (damaged records are skipped and counted) into a
//     memtable that is written out as a table.
//  2. Every table is read front to back; a table that fails part way keeps
//     the entries read before the damage (copied to a new table) and the
//     original goes to lost/.
//  3. All salvaged tables are merged into one sorted run at the bottom
//     level: for each key only its newest version survives, and keys whose
//     newest version is a tombstone disappear (nothing older remains
//     anywhere to hide).
//  4. A new MANIFEST naming the run is installed (temp file + fsync + rename
//     + directory fsync for CURRENT); only then are the old files removed.
//
// What was salvaged and dropped is appended to <db>/LOG.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <vector>

#include "db/builder.h"
#include "db/db_impl.h"
#include "db/table_cache.h"
#include "db/write_batch_internal.h"
#include "format/filename.h"
#include "memtable/memtable.h"
#include "table/merging_iterator.h"
#include "version/version_set.h"
#include "wal/log_reader.h"

namespace lsmkv {

namespace {

class Repairer {
 public:
  Repairer(const std::string& dbname, const Options& options)
      : dbname_(dbname),
        wal_dir_(options.wal_dir.empty() ? dbname : options.wal_dir),
        options_(options),
        env_(options.env),
        icmp_(options.comparator) {
    table_options_.comparator = &icmp_;
    table_options_.block_size = options.block_size;
    table_options_.compression = options.compression;
    table_options_.zstd_level = options.zstd_level;
    table_options_.bloom_bits_per_key = options.bloom_bits_per_key;
    table_options_.filter_key = [](const Slice& k) { return ExtractUserKey(k); };
    table_cache_ = std::make_unique<TableCache>(dbname, env_, table_options_, 64);
    versions_ = std::make_unique<VersionSet>(dbname, env_, &icmp_);
  }

  Status Run() {
    std::unique_ptr<FileLock> lock;
    Status s = env_->LockFile(LockFileName(dbname_), &lock);
    if (!s.ok()) return s;
    s = FindFiles();
    if (!s.ok()) return s;
    Log("repair: found " + std::to_string(logs_.size()) + " WAL(s), " +
        std::to_string(tables_.size()) + " table(s), " + std::to_string(manifests_.size()) +
        " MANIFEST(s)");
    for (uint64_t log : logs_) {
      s = ConvertLogToTable(log);
      if (!s.ok()) return s;
    }
    for (uint64_t table : tables_) {
      s = ScanTable(table);
      if (!s.ok()) return s;
    }
    s = MergeAndInstall();
    if (!s.ok()) return s;
    RemoveReplacedFiles();
    Log("repair: done; " + std::to_string(output_entries_) + " live entries in " +
        std::to_string(outputs_.size()) + " table(s), last sequence " + std::to_string(max_sequence_));
    return Status::OK();
  }

 private:
  Status FindFiles() {
    for (const std::string* dir : {&dbname_, &wal_dir_}) {
      std::vector<std::string> children;
      Status s = env_->GetChildren(*dir, &children);
      if (!s.ok()) return s;
      for (const std::string& child : children) {
        uint64_t number;
        FileType type;
        if (!ParseFileName(child, &number, &type)) continue;
        versions_->MarkFileNumberUsed(number);
        if (type == FileType::kLogFile && dir == &wal_dir_) logs_.push_back(number);
        if (type == FileType::kTableFile && dir == &dbname_) tables_.push_back(number);
        if (type == FileType::kDescriptorFile && dir == &dbname_) manifests_.push_back(number);
      }
    }
    std::sort(logs_.begin(), logs_.end());
    logs_.erase(std::unique(logs_.begin(), logs_.end()), logs_.end());
    std::sort(tables_.begin(), tables_.end());
    if (logs_.empty() && tables_.empty() && manifests_.empty() &&
        !env_->FileExists(CurrentFileName(dbname_))) {
      return Status::InvalidArgument(dbname_, "holds no database files to repair");
    }
    return Status::OK();
  }

  // Replays one WAL into a memtable and writes it as a new table.
  Status ConvertLogToTable(uint64_t number) {
    struct Reporter final : log::Reader::Reporter {
      uint64_t records = 0, bytes = 0;
      void Corruption(size_t n, const Status&) override {
        records++;
        bytes += n;
      }
    } reporter;
    const std::string fname = LogFileName(wal_dir_, number);
    std::unique_ptr<SequentialFile> file;
    Status s = env_->NewSequentialFile(fname, &file);
    if (!s.ok()) {
      Log("repair: " + fname + ": cannot open, skipped: " + s.ToString());
      return Status::OK();
    }
    log::Reader reader(file.get(), fname, &reporter, number);
    MemTable mem(&icmp_);
    Slice record;
    std::string scratch;
    WriteBatch batch;
    uint64_t batches = 0, bad_batches = 0;
    while (reader.ReadRecord(&record, &scratch)) {
      if (record.size() < WriteBatchInternal::kHeader) {
        bad_batches++;
        continue;
      }
      WriteBatchInternal::SetContents(&batch, record);
      if (!WriteBatchInternal::Validate(&batch).ok()) {
        bad_batches++;
        continue;
      }
      (void)WriteBatchInternal::InsertInto(&batch, &mem);
      const uint32_t count = WriteBatchInternal::Count(&batch);
      if (count > 0) max_sequence_ = std::max(max_sequence_, WriteBatchInternal::Sequence(&batch) + count - 1);
      batches++;
    }
    Log("repair: " + fname + ": " + std::to_string(batches) + " batches salvaged, " +
        std::to_string(reporter.records) + " damaged records (" + std::to_string(reporter.bytes) +
        " bytes) and " + std::to_string(bad_batches) + " malformed batches dropped" +
        (reader.status().ok() ? "" : ", read error: " + reader.status().ToString()));
    replaced_.push_back(fname);
    if (mem.num_entries() == 0) return Status::OK();
    auto iter = mem.NewIterator();
    FileMetaData meta;
    meta.number = versions_->NewFileNumber();
    s = BuildTable(dbname_, env_, table_options_, table_cache_.get(), iter.get(), &meta);
    if (!s.ok()) return s;
    salvaged_.push_back(meta.number);
    return Status::OK();
  }

  // Reads a table fully; keeps it, or copies its readable prefix.
  Status ScanTable(uint64_t number) {
    const std::string fname = TableFileName(dbname_, number);
    uint64_t size = 0;
    Status s = env_->GetFileSize(fname, &size);
    std::shared_ptr<Table> table;
    if (s.ok()) s = table_cache_->FindTable(number, size, &table);
    if (!s.ok()) {
      Log("repair: " + fname + ": unreadable, moved to lost/: " + s.ToString());
      lost_.push_back(fname);
      return Status::OK();
    }
    ReadOptions ro;
    ro.fill_cache = false;
    auto it = table->NewIterator(ro);
    uint64_t entries = 0;
    SequenceNumber max_seq = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ParsedInternalKey ikey;
      if (!ParseInternalKey(it->key(), &ikey)) break;
      max_seq = std::max(max_seq, ikey.sequence);
      entries++;
    }
    const bool intact = it->status().ok() && !it->Valid();
    if (intact) {
      max_sequence_ = std::max(max_sequence_, max_seq);
      salvaged_.push_back(number);
      replaced_.push_back(fname);
      return Status::OK();
    }
    // Copy what precedes the damage into a new table.
    it.reset();
    it = table->NewIterator(ro);
    TableFileWriter writer(dbname_, env_, table_options_, table_cache_.get());
    const uint64_t copy = versions_->NewFileNumber();
    s = writer.Open(copy);
    if (!s.ok()) return s;
    uint64_t copied = 0;
    for (it->SeekToFirst(); it->Valid() && copied < entries; it->Next(), copied++) {
      writer.Add(it->key(), it->value());
    }
    const std::string why = it->status().ok() ? "a malformed key" : it->status().ToString();
    it.reset();
    if (copied > 0) {
      FileMetaData meta;
      s = writer.Finish(&meta);
      if (!s.ok()) return s;
      salvaged_.push_back(copy);
      max_sequence_ = std::max(max_sequence_, max_seq);
    } else {
      writer.Abandon();
    }
    Log("repair: " + fname + ": damaged (" + why + "); " + std::to_string(copied) +
        " entries before the damage salvaged, the rest dropped; original moved to lost/");
    lost_.push_back(fname);
    return Status::OK();
  }

  // Merges every salvaged table into one sorted run at the bottom level and
  // installs a MANIFEST naming it.
  Status MergeAndInstall() {
    std::vector<std::unique_ptr<Iterator>> children;
    ReadOptions ro;
    ro.fill_cache = false;
    for (uint64_t number : salvaged_) {
      uint64_t size = 0;
      Status s = env_->GetFileSize(TableFileName(dbname_, number), &size);
      if (!s.ok()) return s;
      children.push_back(table_cache_->NewIterator(ro, number, size));
    }
    auto input = NewMergingIterator(&icmp_, std::move(children));
    const Comparator* ucmp = options_.comparator;
    TableFileWriter writer(dbname_, env_, table_options_, table_cache_.get());
    std::string last_user_key;
    bool has_last = false;
    Status s;
    for (input->SeekToFirst(); input->Valid(); input->Next()) {
      ParsedInternalKey ikey;
      if (!ParseInternalKey(input->key(), &ikey)) continue;
      // Internal-key order: the first entry of a user key is its newest.
      if (has_last && ucmp->Compare(ikey.user_key, last_user_key) == 0) continue;
      last_user_key.assign(ikey.user_key.data(), ikey.user_key.size());
      has_last = true;
      if (ikey.type == kTypeDeletion) continue;  // nothing older survives to hide
      if (!writer.is_open()) {
        s = writer.Open(versions_->NewFileNumber());
        if (!s.ok()) return s;
      }
      writer.Add(input->key(), input->value());
      output_entries_++;
      if (writer.FileSize() >= options_.target_file_size) {
        FileMetaData meta;
        s = writer.Finish(&meta);
        if (!s.ok()) return s;
        outputs_.push_back(meta);
      }
    }
    s = input->status();
    if (!s.ok()) return s;  // salvaged tables were read once already
    input.reset();
    if (writer.is_open()) {
      FileMetaData meta;
      s = writer.Finish(&meta);
      if (!s.ok()) return s;
      outputs_.push_back(meta);
    }

    VersionEdit edit;
    for (const auto& meta : outputs_) edit.AddFile(kNumLevels - 1, meta);
    // No WAL holds anything the tables do not: the next WAL starts fresh.
    edit.SetLogNumber(versions_->NewFileNumber());
    edit.SetLastSequence(max_sequence_);
    return versions_->CreateFromRepair(options_.comparator->Name(), edit);
  }

  void RemoveReplacedFiles() {
    // The new MANIFEST is durable: the files it replaced can go. Damaged
    // originals are kept under lost/ for inspection.
    for (uint64_t number : salvaged_) {
      const bool output = std::any_of(outputs_.begin(), outputs_.end(),
                                      [number](const FileMetaData& m) { return m.number == number; });
      if (!output) (void)env_->RemoveFile(TableFileName(dbname_, number));
    }
    for (const std::string& f : replaced_) (void)env_->RemoveFile(f);
    if (!lost_.empty()) (void)env_->CreateDir(dbname_ + "/lost");
    for (const std::string& f : lost_) {
      (void)env_->RenameFile(f, dbname_ + "/lost/" + f.substr(f.rfind('/') + 1));
    }
    for (uint64_t m : manifests_) {
      if (m != versions_->manifest_number()) (void)env_->RemoveFile(DescriptorFileName(dbname_, m));
    }
    (void)env_->SyncDir(dbname_);
  }

  void Log(const std::string& line) {
    std::unique_ptr<WritableFile> file;
    if (!env_->NewAppendableFile(InfoLogFileName(dbname_), &file).ok()) return;
    (void)file->Append(line + "\n");
    (void)file->Close();
  }

  const std::string dbname_;
  const std::string wal_dir_;
  const Options options_;
  Env* const env_;
  const InternalKeyComparator icmp_;
  TableOptions table_options_;
  std::unique_ptr<TableCache> table_cache_;
  std::unique_ptr<VersionSet> versions_;

  std::vector<uint64_t> logs_, tables_, manifests_;
  std::vector<uint64_t> salvaged_;      // tables whose entries are all good
  std::vector<std::string> replaced_;   // inputs fully carried over: deleted
  std::vector<std::string> lost_;       // damaged inputs: moved to lost/
  std::vector<FileMetaData> outputs_;
  SequenceNumber max_sequence_ = 0;
  uint64_t output_entries_ = 0;
};

}  // namespace

Status RepairDB(const std::string& name, const Options& options) {
  Status s = ValidateOptions(options);
  if (!s.ok()) return s;
  if (!options.env->FileExists(name)) return Status::InvalidArgument(name, "does not exist");
  Repairer repairer(name, options);
  return repairer.Run();
}

}  // namespace lsmkv
