// RepairDB: rebuilds a database whose MANIFEST (or CURRENT) is lost or
// damaged, salvaging every record it can read.
//
//  0. If a MANIFEST can still be read (the one CURRENT names; with no usable
//     CURRENT, the newest), it decides which files hold the DB's state (see
//     "Files a readable MANIFEST rules out" below).
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
//     + directory fsync for CURRENT); only then are the old files removed or
//     moved to lost/, so the only copy of anything is never lost before the
//     repaired state is durable.
//
// What goes to lost/ (<dir>/lost/ of the directory the file was in, moved,
// never deleted): tables with damage, tables and WALs ruled out by a readable
// MANIFEST, and WALs that were damaged (records skipped as corrupt or as
// malformed batches) or cut short by an I/O error. A WAL whose only flaw is
// a torn tail (the end of a write a crash interrupted) is clean: every
// complete record was salvaged, and it is deleted like any replaced input.
//
// Files a readable MANIFEST rules out. A table the MANIFEST does not list
// is either (a) an input of a compaction, or a table of a deleted range,
// whose deletion was cut short (a crash between the MANIFEST edit and the
// unlink), or (b) an output of a flush or compaction whose edit never
// landed. Merging (a) can bring back a value whose tombstone the compaction
// already dropped. Leaving out (b) loses nothing: the inputs of that
// compaction are still listed (files an edit makes obsolete are deleted
// only after the edit is durable), and a flush output's writes are still in
// its WAL, which is numbered at or above the MANIFEST's log number (a WAL is
// deleted only once an edit moved the log number past it) and is replayed.
// So unlisted tables are set aside, but only those numbered below the
// MANIFEST's next file number: a table created after the MANIFEST's last
// edit cannot be (a), and keeping it covers the case that the MANIFEST is
// not the latest one after all. Likewise a WAL numbered below the log
// number is already in the listed tables (Open ignores it too) and, if it
// were replayed, could also resurrect what a compaction later dropped.
// The MANIFEST is trusted only if every table it lists is present: one that
// is missing means it does not describe this directory (an older MANIFEST,
// or lost files), and then everything is merged.
//
// With no readable MANIFEST nothing tells a leftover compaction input from
// a live table: everything is merged, and a deleted key whose tombstone and
// value a compaction had already dropped comes back if a leftover input
// still holds the value. Nothing better is possible without the MANIFEST;
// the LOG says so.
//
// What was salvaged, set aside and dropped goes to Options::info_log, or is
// appended to <db>/LOG. LOG and LOG.old are not database files: repair
// leaves them be.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <optional>
#include <vector>

#include "db/builder.h"
#include "db/db_impl.h"
#include "db/repair_manifest.h"
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

  Status Run(const ProgressCallback& progress) {
    std::unique_ptr<FileLock> lock;
    Status s = env_->LockFile(LockFileName(dbname_), &lock);
    if (!s.ok()) return s;
    s = FindFiles();
    if (!s.ok()) return s;
    std::string manifest_note;
    s = ReadManifest(&manifest_note);
    if (!s.ok()) return s;  // refused: nothing written, not even to LOG
    Log("repair: found " + std::to_string(logs_.size()) + " WAL(s), " +
        std::to_string(tables_.size()) + " table(s), " + std::to_string(manifests_.size()) +
        " MANIFEST(s)");
    Log("repair: " + manifest_note);
    // Progress in files: each WAL and table found, then the merge as one.
    const uint64_t steps = logs_.size() + tables_.size() + 1;
    uint64_t done = 0;
    const auto report = [&] {
      if (progress) progress(done, steps);
    };
    report();
    for (uint64_t log : logs_) {
      if (trusted_ && log < trusted_->log_number) {
        SetAside(LogFileName(wal_dir_, log), "below the MANIFEST's log number " +
                                                 std::to_string(trusted_->log_number) +
                                                 ": already in its tables");
        done++;
        report();
        continue;
      }
      s = ConvertLogToTable(log);
      if (!s.ok()) return s;
      done++;
      report();
    }
    for (uint64_t table : tables_) {
      if (RuledOutByManifest(table)) {
        SetAside(TableFileName(dbname_, table),
                 "not listed by MANIFEST-" + std::to_string(trusted_->manifest_number) +
                     " (a compaction input whose deletion was cut short, or an output whose edit "
                     "never landed)");
        done++;
        report();
        continue;
      }
      s = ScanTable(table);
      if (!s.ok()) return s;
      done++;
      report();
    }
    s = MergeAndInstall();
    if (!s.ok()) return s;
    done++;
    report();
    s = RemoveReplacedFiles();
    Log("repair: done; " + std::to_string(output_entries_) + " live entries in " +
        std::to_string(outputs_.size()) + " table(s), last sequence " + std::to_string(max_sequence_) +
        ", " + std::to_string(lost_.size()) + " file(s) set aside in lost/" +
        (s.ok() ? "" : "; " + s.ToString()));
    return s;
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
    std::sort(manifests_.begin(), manifests_.end());
    if (logs_.empty() && tables_.empty() && manifests_.empty() &&
        !env_->FileExists(CurrentFileName(dbname_))) {
      return Status::InvalidArgument(dbname_, "holds no database files to repair");
    }
    return Status::OK();
  }

  // Reads the MANIFEST that should describe the latest state: the one
  // CURRENT names or, with no usable CURRENT, the newest. Sets trusted_ if
  // it is readable and every table it lists is present. Fails only where
  // repairing would do harm: a MANIFEST of a newer format (NotSupported) or
  // of another comparator (InvalidArgument); nothing has changed then.
  // *note says what was decided, for the LOG.
  Status ReadManifest(std::string* note) {
    uint64_t number = 0;
    std::string current;
    FileType type;
    bool named = ReadFileToString(env_, CurrentFileName(dbname_), &current).ok() &&
                 !current.empty() && current.back() == '\n';
    if (named) {
      current.pop_back();
      named = ParseFileName(current, &number, &type) && type == FileType::kDescriptorFile;
    }
    if (!named) {
      if (manifests_.empty()) {
        *note = "no MANIFEST: every table and WAL is merged (a key deleted by a compaction "
                "can come back if an old table still holds it)";
        return Status::OK();
      }
      number = manifests_.back();
    }
    ManifestState state;
    Status s = ReadManifestState(env_, dbname_, number, &state);
    if (s.IsNotSupported()) return s;
    if (!s.ok()) {
      *note = "MANIFEST-" + std::to_string(number) + " unreadable (" + s.ToString() +
              "): every table and WAL is merged (a key deleted by a compaction can come back if an "
              "old table still holds it)";
      return Status::OK();
    }
    if (state.comparator != options_.comparator->Name()) {
      return Status::InvalidArgument(dbname_, "comparator " + std::string(options_.comparator->Name()) +
                                                  " does not match the DB's comparator " + state.comparator);
    }
    for (uint64_t table : state.tables) {
      if (!std::binary_search(tables_.begin(), tables_.end(), table)) {
        *note = "MANIFEST-" + std::to_string(number) + " lists table " + std::to_string(table) +
                ", which is missing: it does not describe this directory; every table and WAL is merged";
        return Status::OK();
      }
    }
    if (state.next_file_number > 0) versions_->MarkFileNumberUsed(state.next_file_number - 1);
    max_sequence_ = std::max(max_sequence_, state.last_sequence);
    *note = "using MANIFEST-" + std::to_string(number) + ": " + std::to_string(state.tables.size()) +
            " table(s), log number " + std::to_string(state.log_number) + ", next file number " +
            std::to_string(state.next_file_number);
    trusted_ = std::move(state);
    return Status::OK();
  }

  // A table the trusted MANIFEST does not list although it existed (its
  // number was handed out) before the MANIFEST's last edit.
  bool RuledOutByManifest(uint64_t table) const {
    return trusted_ && trusted_->tables.count(table) == 0 && table < trusted_->next_file_number;
  }

  // Schedules fname for lost/, once the new MANIFEST is durable.
  void SetAside(const std::string& fname, const std::string& why) {
    Log("repair: " + fname + ": " + why + "; moved to lost/");
    lost_.push_back(fname);
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
      SetAside(fname, "cannot open: " + s.ToString());
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
        (reader.status().ok() ? "" : ", read error: " + reader.status().ToString()) +
        (reader.torn_tail_bytes() > 0 ? ", torn tail of " + std::to_string(reader.torn_tail_bytes()) + " bytes" : ""));
    // A torn tail is how a crash ends a WAL: not damage. Anything else
    // means records may be missing, so the original is kept in lost/.
    const bool damaged = reporter.records > 0 || bad_batches > 0 || !reader.status().ok();
    if (damaged) {
      SetAside(fname, "damaged or cut short");
    } else {
      replaced_.push_back(fname);
    }
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

  // The new MANIFEST is durable: the files it replaced can go, and the set
  // aside ones move to lost/. A file that cannot be moved stays where it is
  // (the next Open would delete it as obsolete): that is returned as an
  // error naming it, after everything else is done.
  Status RemoveReplacedFiles() {
    for (uint64_t number : salvaged_) {
      const bool output = std::any_of(outputs_.begin(), outputs_.end(),
                                      [number](const FileMetaData& m) { return m.number == number; });
      if (!output) (void)env_->RemoveFile(TableFileName(dbname_, number));
    }
    for (const std::string& f : replaced_) (void)env_->RemoveFile(f);
    Status result;
    std::vector<std::string> touched_dirs;
    for (const std::string& f : lost_) {
      const std::string dir = f.substr(0, f.rfind('/'));
      const std::string lost_dir = dir + "/lost";
      Status s = env_->CreateDir(lost_dir);
      if (s.ok()) s = env_->RenameFile(f, LostName(lost_dir, f.substr(f.rfind('/') + 1)));
      if (!s.ok()) {
        Log("repair: " + f + ": could not be moved to lost/: " + s.ToString());
        if (result.ok()) {
          result = Status::IOError(f, "the DB was repaired, but this file could not be moved to lost/ "
                                      "(move it away before the next Open deletes it): " + s.ToString());
        }
        continue;
      }
      for (const std::string& d : {dir, lost_dir}) {
        if (std::find(touched_dirs.begin(), touched_dirs.end(), d) == touched_dirs.end()) {
          touched_dirs.push_back(d);
        }
      }
    }
    for (uint64_t m : manifests_) {
      if (m != versions_->manifest_number()) (void)env_->RemoveFile(DescriptorFileName(dbname_, m));
    }
    (void)env_->SyncDir(dbname_);
    for (const std::string& d : touched_dirs) (void)env_->SyncDir(d);
    return result;
  }

  // A name in lost_dir for `name` that no earlier repair used.
  std::string LostName(const std::string& lost_dir, const std::string& name) {
    std::string target = lost_dir + "/" + name;
    for (int i = 1; env_->FileExists(target); i++) target = lost_dir + "/" + name + "." + std::to_string(i);
    return target;
  }

  // To Options::info_log when set; else appended to <db>/LOG (not rotated:
  // the repair report stays next to what the last run logged).
  void Log(const std::string& line) {
    if (options_.info_log != nullptr) {
      options_.info_log->LogLine(line);
      return;
    }
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
  std::vector<std::string> lost_;       // damaged or ruled-out inputs: moved to lost/
  std::optional<ManifestState> trusted_;  // the readable MANIFEST, if any
  std::vector<FileMetaData> outputs_;
  SequenceNumber max_sequence_ = 0;
  uint64_t output_entries_ = 0;
};

}  // namespace

Status RepairDB(const std::string& name, const Options& options) {
  return RepairDB(name, options, RepairOptions());
}

Status RepairDB(const std::string& name, const Options& options,
                const RepairOptions& repair_options) {
  Status s = ValidateOptions(options);
  if (!s.ok()) return s;
  if (!options.env->FileExists(name)) return Status::InvalidArgument(name, "does not exist");
  Repairer repairer(name, options);
  return repairer.Run(repair_options.progress);
}

}  // namespace lsmkv
