#include "version/manifest.h"

#include "format/filename.h"
#include "wal/log_reader.h"
#include "wal/log_writer.h"

namespace lsmkv {

namespace {

// The first damage met in a MANIFEST; any damage fails the read.
class FirstErrorReporter final : public log::Reader::Reporter {
 public:
  void Corruption(size_t, const Status& s) override {
    if (status.ok()) status = s;
  }
  Status status;
};

}  // namespace

Status ReadCurrentManifest(Env* env, const std::string& dbname, VersionEdit* state,
                           uint64_t* manifest_number) {
  std::string current;
  Status s = ReadFileToString(env, CurrentFileName(dbname), &current);
  if (!s.ok()) return s;
  if (current.empty() || current.back() != '\n') {
    return Status::Corruption(CurrentFileName(dbname), "does not end with a newline");
  }
  current.pop_back();
  FileType type;
  if (!ParseFileName(current, manifest_number, &type) || type != FileType::kDescriptorFile) {
    return Status::Corruption(CurrentFileName(dbname), "does not name a MANIFEST");
  }

  const std::string fname = dbname + "/" + current;
  std::unique_ptr<SequentialFile> file;
  s = env->NewSequentialFile(fname, &file);
  if (!s.ok()) return s;
  FirstErrorReporter reporter;
  log::Reader reader(file.get(), fname, &reporter, *manifest_number);
  Slice record;
  std::string scratch;
  *state = VersionEdit();
  bool any = false;
  while (reader.ReadRecord(&record, &scratch)) {
    VersionEdit edit;
    s = edit.DecodeFrom(record);
    if (!s.ok()) return Status::Corruption(fname, s.ToString());
    state->MergeFrom(edit);
    any = true;
  }
  if (!reader.status().ok()) return reader.status();
  if (!reporter.status.ok()) return reporter.status;
  if (reader.torn_tail_bytes() > 0) return Status::Corruption(fname, "truncated record");
  if (!any) return Status::Corruption(fname, "empty MANIFEST");
  if (!state->comparator() || !state->log_number() || !state->next_file_number() ||
      !state->last_sequence()) {
    return Status::Corruption(fname, "missing a required field");
  }
  return Status::OK();
}

Status InstallManifest(Env* env, const std::string& dbname, uint64_t number,
                       const VersionEdit& state) {
  const std::string fname = DescriptorFileName(dbname, number);
  std::unique_ptr<WritableFile> file;
  Status s = env->NewWritableFile(fname, &file);
  if (!s.ok()) return s;
  {
    log::Writer writer(file.get(), number);
    std::string record;
    state.EncodeTo(&record);
    s = writer.AddRecord(record);
  }
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = file->Close();
  file.reset();

  // CURRENT: temp file, fsync, rename, directory fsync.
  const std::string tmp = CurrentTempFileName(dbname);
  if (s.ok()) {
    const std::string contents = fname.substr(dbname.size() + 1) + "\n";
    s = WriteStringToFile(env, contents, tmp, /*sync=*/true);
  }
  if (s.ok()) s = env->RenameFile(tmp, CurrentFileName(dbname));
  if (s.ok()) s = env->SyncDir(dbname);
  if (!s.ok()) {
    (void)env->RemoveFile(tmp);
    // Leave fname: if the rename happened, CURRENT may name it.
  }
  return s;
}

}  // namespace lsmkv
