#include "env/file_copy.h"

#include <algorithm>
#include <memory>

#include "util/crc32c.h"

namespace lsmkv {

namespace {

constexpr size_t kChunkBytes = 256 << 10;

// Feeds the first `length` bytes of fname (or all of it) to sink in chunks;
// sink returns a Status.
template <typename Sink>
Status ReadChunks(Env* env, const std::string& fname, uint64_t length, FileDigest* digest,
                  Sink&& sink) {
  *digest = FileDigest();
  std::unique_ptr<SequentialFile> file;
  Status s = env->NewSequentialFile(fname, &file);
  if (!s.ok()) return s;
  std::unique_ptr<char[]> buffer(new char[kChunkBytes]);
  while (digest->size < length) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kChunkBytes, length - digest->size));
    Slice chunk;
    s = file->Read(want, &chunk, buffer.get());
    if (!s.ok()) return s;
    if (chunk.empty()) break;  // end of file
    digest->crc32c = crc32c::Extend(digest->crc32c, chunk.data(), chunk.size());
    digest->size += chunk.size();
    s = sink(chunk);
    if (!s.ok()) return s;
  }
  if (length != kWholeFile && digest->size != length) {
    return Status::Corruption(fname, "is " + std::to_string(digest->size) + " bytes, expected " +
                                         std::to_string(length));
  }
  return Status::OK();
}

}  // namespace

Status CopyFileContents(Env* env, const std::string& src, const std::string& dst, uint64_t length,
                        bool sync, FileDigest* digest) {
  std::unique_ptr<WritableFile> out;
  Status s = env->NewWritableFile(dst, &out);
  if (!s.ok()) return s;
  s = ReadChunks(env, src, length, digest, [&](const Slice& chunk) { return out->Append(chunk); });
  if (s.ok() && sync) s = out->Sync();
  const Status closed = out->Close();
  if (s.ok()) s = closed;
  out.reset();
  if (!s.ok()) (void)env->RemoveFile(dst);
  return s;
}

Status DigestFile(Env* env, const std::string& fname, uint64_t length, FileDigest* digest) {
  return ReadChunks(env, fname, length, digest, [](const Slice&) { return Status::OK(); });
}

std::string ParentDirectory(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace lsmkv
