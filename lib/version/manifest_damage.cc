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

Status ManifestDamage::Verdict(Env* env, const std::string& fname, uint64_t manifest_number,
                               bool any_edit) const {
  if (first_.ok()) return any_edit ? first_ : Status::Corruption(fname, "empty MANIFEST");
  if (!any_edit) return first_;  // a damaged only record: nothing to recover
  // Read the file again from the damage to its end (the reader drops the
  // rest of a damaged block, so it may have skipped an intact edit), one
  // log block at a time: physical records never cross a block boundary. A
  // short read is the end of the file, as log::Reader takes it.
  std::unique_ptr<SequentialFile> file;
  Status s = env->NewSequentialFile(fname, &file);
  if (s.ok()) s = file->Skip(first_offset_);
  if (!s.ok()) return s;
  std::unique_ptr<char[]> scratch(new char[log::kBlockSize]);
  for (uint64_t offset = first_offset_;;) {
    const size_t want = log::kBlockSize - offset % log::kBlockSize;
    Slice block;
    s = file->Read(want, &block, scratch.get());
    if (!s.ok()) return s;
    if (log::ContainsIntactRecordStart(block, offset, manifest_number)) return first_;
    if (block.size() < want) return Status::OK();
    offset += block.size();
  }
}

}  // namespace lsmkv
