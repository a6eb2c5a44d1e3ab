#include "db/level_iterator.h"

#include <algorithm>

#include "table/two_level_iterator.h"
#include "util/coding.h"

namespace lsmkv {

namespace {

// The index of a level: key() is a file's largest key, value() its number
// and size (fixed64 each).
class FileListIterator final : public Iterator {
 public:
  FileListIterator(const InternalKeyComparator* icmp, const std::vector<FilePtr>* files)
      : icmp_(icmp), bytewise_(icmp->user_is_bytewise()), files_(files), index_(files->size()) {}

  bool Valid() const override { return index_ < files_->size(); }
  void Seek(const Slice& target) override {
    // First file whose largest key >= target.
    auto it = std::lower_bound(files_->begin(), files_->end(), target,
                               [this](const FilePtr& f, const Slice& t) {
                                 return (bytewise_ ? CompareInternalKeysBytewise(f->largest, t)
                                                   : icmp_->Compare(f->largest, t)) < 0;
                               });
    index_ = static_cast<size_t>(it - files_->begin());
  }
  void SeekForPrev(const Slice& target) override {
    Seek(target);
    if (!Valid()) {
      SeekToLast();
    } else if (icmp_->Compare((*files_)[index_]->smallest, target) > 0) {
      Prev();  // target falls before this file: the previous one holds it
    }
  }
  void SeekToFirst() override { index_ = 0; }
  void SeekToLast() override { index_ = files_->empty() ? 0 : files_->size() - 1; }
  void Next() override { index_++; }
  void Prev() override { index_ = index_ == 0 ? files_->size() : index_ - 1; }
  Slice key() const override { return (*files_)[index_]->largest; }
  Slice value() const override {
    EncodeFixed64(value_buf_, (*files_)[index_]->number);
    EncodeFixed64(value_buf_ + 8, (*files_)[index_]->file_size);
    return Slice(value_buf_, sizeof(value_buf_));
  }
  Status status() const override { return Status::OK(); }

 private:
  const InternalKeyComparator* const icmp_;
  const bool bytewise_;  // icmp_ orders user keys bytewise: compare inline
  const std::vector<FilePtr>* const files_;
  size_t index_;  // files_->size() when not valid
  mutable char value_buf_[16];
};

}  // namespace

std::unique_ptr<Iterator> NewLevelIterator(const InternalKeyComparator* icmp,
                                           TableCache* table_cache, const ReadOptions& options,
                                           const std::vector<FilePtr>* files) {
  return NewTwoLevelIterator(std::make_unique<FileListIterator>(icmp, files),
                             [table_cache, options](const Slice& file_value) {
                               return table_cache->NewIterator(options, DecodeFixed64(file_value.data()),
                                                               DecodeFixed64(file_value.data() + 8));
                             });
}

UserKeyProbe NewLevelProbe(const InternalKeyComparator* icmp, TableCache* table_cache,
                           const std::vector<FilePtr>* files) {
  return [icmp, table_cache, files](const Slice& target) {
    const Comparator* ucmp = icmp->user_comparator();
    const bool bytewise = icmp->user_is_bytewise();
    // User keys compared inline for the bytewise comparator.
    const auto compare = [ucmp, bytewise](const Slice& a, const Slice& b) {
      return bytewise ? CompareBytes(a.data(), a.size(), b.data(), b.size()) : ucmp->Compare(a, b);
    };
    const Slice user_key = ExtractUserKey(target);
    // Files are sorted and disjoint; the versions of one user key may still
    // straddle two neighbours, so check every file whose range spans it.
    auto it = std::lower_bound(files->begin(), files->end(), user_key,
                               [&compare](const FilePtr& f, const Slice& k) {
                                 return compare(ExtractUserKey(f->largest), k) < 0;
                               });
    for (; it != files->end() && compare(ExtractUserKey((*it)->smallest), user_key) <= 0;
         ++it) {
      std::shared_ptr<Table> table;
      if (!table_cache->FindTable((*it)->number, (*it)->file_size, &table).ok()) return true;
      if (table->MayContain(target)) return true;
    }
    return false;
  };
}

}  // namespace lsmkv
