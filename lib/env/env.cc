#include "lsmkv/env.h"

namespace lsmkv {

SequentialFile::~SequentialFile() = default;
RandomAccessFile::~RandomAccessFile() = default;
WritableFile::~WritableFile() = default;
FileLock::~FileLock() = default;
Env::~Env() = default;
EnvWrapper::~EnvWrapper() = default;

// Envs that do not tell write modes apart write a WAL like any other file.
Status Env::NewLogFile(const std::string& fname, WalWriteMode /*mode*/,
                       std::unique_ptr<WritableFile>* result) {
  return NewWritableFile(fname, result);
}

// Envs that never map files read every file the same way.
Status Env::NewRandomAccessFileWithOptions(const std::string& fname,
                                           const RandomAccessFileOptions& /*options*/,
                                           std::unique_ptr<RandomAccessFile>* result) {
  return NewRandomAccessFile(fname, result);
}

Status Env::LinkFile(const std::string& src, const std::string&) {
  return Status::NotSupported(src, "this Env cannot hard-link files");
}

Status WriteStringToFile(Env* env, const Slice& data, const std::string& fname, bool sync) {
  std::unique_ptr<WritableFile> file;
  Status s = env->NewWritableFile(fname, &file);
  if (!s.ok()) return s;
  s = file->Append(data);
  if (s.ok() && sync) s = file->Sync();
  if (s.ok()) s = file->Close();
  if (!s.ok()) (void)env->RemoveFile(fname);
  return s;
}

Status ReadFileToString(Env* env, const std::string& fname, std::string* data) {
  data->clear();
  std::unique_ptr<SequentialFile> file;
  Status s = env->NewSequentialFile(fname, &file);
  if (!s.ok()) return s;
  constexpr size_t kBufferSize = 8192;
  std::unique_ptr<char[]> space(new char[kBufferSize]);
  while (true) {
    Slice fragment;
    s = file->Read(kBufferSize, &fragment, space.get());
    if (!s.ok() || fragment.empty()) break;
    data->append(fragment.data(), fragment.size());
  }
  return s;
}

}  // namespace lsmkv
