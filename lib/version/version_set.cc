#include "version/version_set.h"

#include <algorithm>
#include <map>

#include "format/filename.h"
#include "wal/log_reader.h"

namespace lsmkv {

namespace {

// The first damage met in a MANIFEST; any damage fails recovery.
class FirstErrorReporter final : public log::Reader::Reporter {
 public:
  void Corruption(size_t, const Status& s) override {
    if (status.ok()) status = s;
  }
  Status status;
};

}  // namespace

uint64_t Version::LevelBytes(int level) const {
  uint64_t sum = 0;
  for (const auto& f : files[level]) sum += f->file_size;
  return sum;
}

VersionSet::VersionSet(std::string dbname, Env* env, const InternalKeyComparator* icmp)
    : dbname_(std::move(dbname)), env_(env), icmp_(icmp) {
  Install(std::make_shared<const Version>());
}

void VersionSet::Install(std::shared_ptr<const Version> v) {
  versions_.remove_if([](const std::weak_ptr<const Version>& w) { return w.expired(); });
  versions_.push_back(v);
  current_ = std::move(v);
}

void VersionSet::LiveFiles(std::set<uint64_t>* live) {
  versions_.remove_if([](const std::weak_ptr<const Version>& w) { return w.expired(); });
  for (const auto& weak : versions_) {
    if (auto v = weak.lock()) {
      for (const auto& level : v->files) {
        for (const auto& f : level) live->insert(f->number);
      }
    }
  }
}

Status VersionSet::Apply(const Version& base, const VersionEdit& edit,
                         std::shared_ptr<Version>* result) const {
  auto v = std::make_shared<Version>();
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : base.files[level]) {
      if (edit.deleted_files().count({level, f->number}) == 0) v->files[level].push_back(f);
    }
  }
  for (const auto& [level, number] : edit.deleted_files()) {
    const auto& files = base.files[level];
    if (std::none_of(files.begin(), files.end(), [n = number](const auto& f) { return f->number == n; })) {
      return Status::Corruption("MANIFEST", "edit deletes file " + std::to_string(number) +
                                                " which is not at level " + std::to_string(level));
    }
  }
  for (const auto& [level, meta] : edit.new_files()) {
    for (const auto& existing : v->files) {
      for (const auto& f : existing) {
        if (f->number == meta.number) {
          return Status::Corruption("MANIFEST", "file " + std::to_string(meta.number) + " added twice");
        }
      }
    }
    v->files[level].push_back(std::make_shared<const FileMetaData>(meta));
  }
  // Level 0 by file number (age); deeper levels by smallest key.
  std::sort(v->files[0].begin(), v->files[0].end(),
            [](const auto& a, const auto& b) { return a->number < b->number; });
  for (int level = 1; level < kNumLevels; level++) {
    std::sort(v->files[level].begin(), v->files[level].end(), [this](const auto& a, const auto& b) {
      return icmp_->Compare(a->smallest, b->smallest) < 0;
    });
  }
  *result = std::move(v);
  return Status::OK();
}

Status VersionSet::CreateNew(const std::string& comparator_name) {
  comparator_name_ = comparator_name;
  next_file_number_ = 1;  // the MANIFEST takes number 1
  log_number_ = 0;
  last_sequence_ = 0;
  VersionEdit edit;
  return WriteSnapshot(edit);
}

Status VersionSet::Recover(const std::string& comparator_name) {
  std::string current;
  Status s = ReadFileToString(env_, CurrentFileName(dbname_), &current);
  if (!s.ok()) return s;
  if (current.empty() || current.back() != '\n') {
    return Status::Corruption(CurrentFileName(dbname_), "does not end with a newline");
  }
  current.pop_back();
  uint64_t manifest_number;
  FileType type;
  if (!ParseFileName(current, &manifest_number, &type) || type != FileType::kDescriptorFile) {
    return Status::Corruption(CurrentFileName(dbname_), "does not name a MANIFEST");
  }

  const std::string fname = dbname_ + "/" + current;
  std::unique_ptr<SequentialFile> file;
  s = env_->NewSequentialFile(fname, &file);
  if (!s.ok()) return s;
  FirstErrorReporter reporter;
  log::Reader reader(file.get(), fname, &reporter, manifest_number);
  Slice record;
  std::string scratch;
  std::optional<std::string> comparator;
  std::optional<uint64_t> log_number, next_file, last_sequence;
  std::shared_ptr<const Version> version = std::make_shared<const Version>();
  bool any = false;
  while (reader.ReadRecord(&record, &scratch)) {
    VersionEdit edit;
    s = edit.DecodeFrom(record);
    if (!s.ok()) return Status::Corruption(fname, s.ToString());
    std::shared_ptr<Version> next;
    s = Apply(*version, edit, &next);
    if (!s.ok()) return Status::Corruption(fname, s.ToString());
    version = std::move(next);
    if (edit.comparator()) comparator = edit.comparator();
    if (edit.log_number()) log_number = edit.log_number();
    if (edit.next_file_number()) next_file = edit.next_file_number();
    if (edit.last_sequence()) last_sequence = edit.last_sequence();
    any = true;
  }
  if (!reader.status().ok()) return reader.status();
  if (!reporter.status.ok()) return reporter.status;
  // A torn tail is a clean end: edits are appended and synced one at a
  // time, and nothing acts on an edit (deleting the WALs it covers) before
  // its sync returned, so a torn edit was never relied upon.
  if (!any) return Status::Corruption(fname, "empty MANIFEST");
  if (!comparator || !log_number || !next_file || !last_sequence) {
    return Status::Corruption(fname, "missing a required field");
  }
  if (*comparator != comparator_name) {
    return Status::InvalidArgument(dbname_, "comparator " + comparator_name +
                                                " does not match the DB's comparator " + *comparator);
  }
  comparator_name_ = comparator_name;
  manifest_number_ = manifest_number;
  log_number_ = *log_number;
  next_file_number_ = std::max(*next_file, manifest_number + 1);
  last_sequence_ = *last_sequence;
  for (const auto& level : version->files) {
    for (const auto& f : level) MarkFileNumberUsed(f->number);
  }
  Install(std::move(version));
  return Status::OK();
}

Status VersionSet::WriteSnapshot(const VersionEdit& edit) {
  std::shared_ptr<Version> next;
  Status s = Apply(*current_, edit, &next);
  if (!s.ok()) return s;
  const uint64_t log_number = edit.log_number().value_or(log_number_);
  const SequenceNumber last_sequence = std::max(last_sequence_, edit.last_sequence().value_or(0));
  const uint64_t number = NewFileNumber();

  VersionEdit snapshot;
  snapshot.SetComparatorName(comparator_name_);
  snapshot.SetLogNumber(log_number);
  snapshot.SetNextFileNumber(next_file_number_);
  snapshot.SetLastSequence(last_sequence);
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : next->files[level]) snapshot.AddFile(level, *f);
  }
  std::string record;
  snapshot.EncodeTo(&record);

  const std::string fname = DescriptorFileName(dbname_, number);
  std::unique_ptr<WritableFile> file;
  s = env_->NewWritableFile(fname, &file);
  if (!s.ok()) return s;
  auto writer = std::make_unique<log::Writer>(file.get(), number);
  s = writer->AddRecord(record);
  if (s.ok()) s = file->Sync();

  // CURRENT: temp file, fsync, rename, directory fsync.
  const std::string tmp = CurrentTempFileName(dbname_);
  if (s.ok()) s = WriteStringToFile(env_, fname.substr(dbname_.size() + 1) + "\n", tmp, /*sync=*/true);
  if (s.ok()) s = env_->RenameFile(tmp, CurrentFileName(dbname_));
  if (s.ok()) s = env_->SyncDir(dbname_);
  if (!s.ok()) {
    (void)file->Close();
    (void)env_->RemoveFile(tmp);
    // fname stays: if the rename happened, CURRENT may name it.
    return s;
  }
  if (manifest_file_ != nullptr) (void)manifest_file_->Close();
  manifest_file_ = std::move(file);
  manifest_log_ = std::move(writer);
  manifest_number_ = number;
  log_number_ = log_number;
  last_sequence_ = last_sequence;
  Install(std::move(next));
  return Status::OK();
}

Status VersionSet::LogAndApply(VersionEdit* edit) {
  if (manifest_log_ == nullptr) return Status::IOError("MANIFEST", "not open for writing");
  std::shared_ptr<Version> next;
  Status s = Apply(*current_, *edit, &next);
  if (!s.ok()) return s;
  if (!edit->log_number()) edit->SetLogNumber(log_number_);
  edit->SetNextFileNumber(next_file_number_);
  if (!edit->last_sequence()) edit->SetLastSequence(last_sequence_);
  std::string record;
  edit->EncodeTo(&record);
  s = manifest_log_->AddRecord(record);
  if (s.ok()) s = manifest_file_->Sync();
  if (!s.ok()) {
    // The MANIFEST may hold a partial record now; stop using it. The DB
    // turns the error sticky, and the next Open writes a fresh MANIFEST.
    manifest_log_.reset();
    (void)manifest_file_->Close();
    manifest_file_.reset();
    return s;
  }
  log_number_ = *edit->log_number();
  last_sequence_ = std::max(last_sequence_, *edit->last_sequence());
  Install(std::move(next));
  return Status::OK();
}

}  // namespace lsmkv
