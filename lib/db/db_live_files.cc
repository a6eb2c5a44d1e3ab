// DBImpl::PinLiveFiles / UnpinLiveFiles: the consistent file set behind
// checkpoints and backups (see db/live_files.h).
#include "db/db_impl.h"
#include "format/filename.h"
#include "version/version_edit.h"
#include "wal/log_writer.h"

namespace lsmkv {

Status DBImpl::PinLiveFiles(LiveFileSet* files) {
  *files = LiveFileSet();
  if (Status closed = CheckNotClosed(); !closed.ok()) return closed;
  MutexLock l(&mutex_);
  // After a background error a WAL may end in a torn record that is not
  // its last: nothing consistent can be copied.
  if (!bg_error_.ok()) return bg_error_;
  // Everything below is read in one critical section. The write-group
  // leader appends to the WAL without mutex_, but it publishes
  // last_sequence_ and wal_published_bytes_ together under mutex_ only
  // once its whole group is in the WAL and the memtable; immutable
  // memtables' WALs are complete (a switch happens under mutex_ between
  // groups); tables hold only flushed (so published) writes. So the
  // Version, the older WALs whole and the active WAL up to
  // wal_published_bytes_ hold exactly the writes up to last_sequence_.
  files->db_dir = dbname_;
  files->wal_dir = wal_dir_;
  files->sequence = last_sequence_;
  files->version = versions_->current();
  for (const auto& level : files->version->files) {
    for (const auto& f : level) files->tables.push_back({f->number, f->file_size});
  }
  for (const Immutable& imm : imms_) files->wals.push_back({imm.log_number, imm.log_bytes});
  files->wals.push_back({mem_log_number_, wal_published_bytes_});
  files->pinned_log_number = files->wals.front().number;
  pinned_log_numbers_.insert(files->pinned_log_number);

  // The copy's MANIFEST: the whole state in one edit. Its number and the
  // next file number come after every number the set uses.
  files->manifest_number = versions_->next_file_number();
  VersionEdit state;
  state.SetFormatVersion(kDbFormatVersion);
  state.SetComparatorName(options_.comparator->Name());
  state.SetLogNumber(versions_->log_number());
  state.SetNextFileNumber(files->manifest_number + 1);
  // The newest sequence in the tables (not files->sequence): the oldest
  // copied WAL starts right after it, as recovery checks (wal_replay.h).
  state.SetLastSequence(versions_->last_sequence());
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : files->version->files[level]) state.AddFile(level, *f);
  }
  state.EncodeTo(&files->manifest_record);
  return Status::OK();
}

void DBImpl::UnpinLiveFiles(LiveFileSet* files) {
  MutexLock l(&mutex_);
  files->version.reset();
  auto it = pinned_log_numbers_.find(files->pinned_log_number);
  if (it != pinned_log_numbers_.end()) pinned_log_numbers_.erase(it);
  // WALs and tables that became obsolete while pinned go now.
  if (!closed_.load()) RemoveObsoleteFiles();
}

namespace {

// A WritableFile collecting its bytes in a string.
class StringSink final : public WritableFile {
 public:
  explicit StringSink(std::string* dst) : dst_(dst) {}
  Status Append(const Slice& data) override {
    dst_->append(data.data(), data.size());
    return Status::OK();
  }
  Status Flush() override { return Status::OK(); }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }

 private:
  std::string* const dst_;
};

std::string BaseName(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace

std::string ManifestFileContents(const LiveFileSet& files) {
  std::string contents;
  StringSink sink(&contents);
  log::Writer writer(&sink, files.manifest_number);
  (void)writer.AddRecord(files.manifest_record);  // cannot fail: the sink always succeeds
  return contents;
}

std::string TableName(uint64_t number) { return BaseName(TableFileName(".", number)); }
std::string WalName(uint64_t number) { return BaseName(LogFileName(".", number)); }
std::string ManifestName(uint64_t number) { return BaseName(DescriptorFileName(".", number)); }
std::string CurrentContents(uint64_t manifest_number) { return ManifestName(manifest_number) + "\n"; }

}  // namespace lsmkv
