#include "version/manifest_damage.h"

#include <memory>
#include <string>

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
  // Read the file again from the damage to its end (the reader drops the
  // rest of a damaged block, so it may have skipped an intact edit), one
  // log block at a time: physical records never cross a block boundary.
  std::unique_ptr<SequentialFile> file;
  Status s = env->NewSequentialFile(fname, &file);
  if (s.ok()) s = file->Skip(first_offset_);
  std::string block;
  std::unique_ptr<char[]> scratch(new char[log::kBlockSize]);
  uint64_t offset = first_offset_;
  bool end_of_file = false;
  while (s.ok() && !end_of_file) {
    // The rest of the block at `offset` (less at the end of the file).
    const size_t want = log::kBlockSize - offset % log::kBlockSize;
    block.clear();
    while (block.size() < want) {
      Slice chunk;
      s = file->Read(want - block.size(), &chunk, scratch.get());
      if (!s.ok()) return s;
      if (chunk.empty()) {
        end_of_file = true;
        break;
      }
      block.append(chunk.data(), chunk.size());
    }
    if (log::ContainsIntactRecordStart(block, offset, manifest_number)) return first_;
    offset += block.size();
  }
  return s;
}

}  // namespace lsmkv
