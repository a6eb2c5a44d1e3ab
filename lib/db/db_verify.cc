// DB::VerifyChecksums: a full read of every live table file.
#include <string>

#include "db/db_impl.h"
#include "format/filename.h"
#include "util/escape.h"

namespace lsmkv {

Status DBImpl::VerifyChecksums() { return Verify(VerifyOptions()); }

Status DBImpl::Verify(const VerifyOptions& verify_options) {
  if (Status closed = CheckNotClosed(); !closed.ok()) return closed;
  std::shared_ptr<const Version> version;  // pinned: its files stay on disk
  {
    MutexLock l(&mutex_);
    version = versions_->current();
  }
  uint64_t total_bytes = 0, verified_bytes = 0;
  for (int level = 0; level < kNumLevels; level++) {
    for (const FilePtr& f : version->files[level]) total_bytes += f->file_size;
  }
  if (verify_options.progress) verify_options.progress(0, total_bytes);
  ReadOptions options;
  options.verify_checksums = true;
  options.fill_cache = false;  // a full read must not evict the working set
  for (int level = 0; level < kNumLevels; level++) {
    for (const FilePtr& f : version->files[level]) {
      const std::string fname = TableFileName(dbname_, f->number);
      std::shared_ptr<Table> table;
      Status s = table_cache_->FindTable(f->number, f->file_size, &table);
      if (!s.ok()) return s;
      auto it = table->NewIterator(options);
      uint64_t entries = 0;
      std::string previous;
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        const Slice key = it->key();
        if (entries == 0 && key != Slice(f->smallest)) {
          return Status::Corruption(fname, "first key " + EscapeBytes(key) +
                                               " is not the smallest key the MANIFEST names");
        }
        if (entries > 0 && internal_comparator_.Compare(previous, key) >= 0) {
          return Status::Corruption(fname, "keys out of order at entry " + std::to_string(entries));
        }
        previous.assign(key.data(), key.size());
        entries++;
      }
      if (!it->status().ok()) return it->status();
      if (entries > 0 && previous != f->largest) {
        return Status::Corruption(fname, "last key " + EscapeBytes(previous) +
                                             " is not the largest key the MANIFEST names");
      }
      if (entries != table->properties().num_entries) {
        return Status::Corruption(fname, "holds " + std::to_string(entries) +
                                             " entries, its properties say " +
                                             std::to_string(table->properties().num_entries));
      }
      verified_bytes += f->file_size;
      if (verify_options.progress) verify_options.progress(verified_bytes, total_bytes);
    }
  }
  return Status::OK();
}

}  // namespace lsmkv
