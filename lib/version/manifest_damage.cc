#include "version/manifest_damage.h"

#include <memory>

#include "wal/log_format.h"

namespace lsmkv {

void ManifestDamage::Corruption(size_t, const Status& s) {
  if (first_.ok()) first_ = s;
}

void ManifestDamage::CorruptionAt(uint64_t offset, size_t bytes, const Status& s) {
  if (first_.ok()) first_offset_ = offset;
  Corruption(bytes, s);
}

Status ManifestDamage::Verdict(Env* env, const std::string& fname, uint64_t manifest_number) const {
  if (first_.ok()) return first_;
  // Read the file again from the damage to its end: the reader drops the
  // rest of a damaged block, so it may have skipped an intact edit.
  std::unique_ptr<SequentialFile> file;
  Status s = env->NewSequentialFile(fname, &file);
  if (s.ok()) s = file->Skip(first_offset_);
  std::string tail;
  std::unique_ptr<char[]> scratch(new char[log::kBlockSize]);
  while (s.ok()) {
    Slice chunk;
    s = file->Read(log::kBlockSize, &chunk, scratch.get());
    if (!s.ok() || chunk.empty()) break;
    tail.append(chunk.data(), chunk.size());
  }
  if (!s.ok()) return s;
  return log::ContainsIntactRecordStart(tail, manifest_number) ? first_ : Status::OK();
}

}  // namespace lsmkv
