#include "db/level_iterator.h"

#include <algorithm>
#include <cassert>

#include "table/table_iterator.h"
#include "table/two_level_iterator.h"
#include "util/coding.h"

namespace lsmkv {

namespace {

struct FileListArgs {
  const InternalKeyComparator* icmp;
  const std::vector<FilePtr>* files;
};

// The index of a level: key() is a file's largest key, value() its number
// and size (fixed64 each).
class FileListIterator final : public Iterator {
 public:
  explicit FileListIterator(const FileListArgs& args)
      : icmp_(args.icmp),
        bytewise_(args.icmp->user_is_bytewise()),
        files_(args.files),
        index_(args.files->size()) {}

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

// Opens tables for the level iterator, and remembers the tables it and the
// probe have in hand: `current`, the one the table iterator is on, and
// `probed`, the last one the probe looked up (the seek that follows a
// probe usually opens it).
class TableOpener {
 public:
  TableOpener(TableCache* cache, bool compaction_input) : cache_(cache), compaction_input_(compaction_input) {}
  // Copied from LevelArgs before any table is open (scan_file_ is empty).
  TableOpener(const TableOpener& other) : cache_(other.cache_), compaction_input_(other.compaction_input_) {
    assert(other.current_ == nullptr && other.scan_file_ == nullptr);
  }
  ~TableOpener() { DropCurrentPages(); }

  Status Open(const Slice& file_value, TableIterator* inner) {
    const uint64_t number = DecodeFixed64(file_value.data());
    std::shared_ptr<Table> table;
    Status s = Find(number, DecodeFixed64(file_value.data() + 8), &table);
    if (!s.ok()) return s;
    if (current_number_ != number || current_ == nullptr) {
      DropCurrentPages();
      OpenScanFile(number, table->data_end());
    }
    current_number_ = number;
    current_ = table;
    ResetTableIterator(inner, std::move(table), scan_file_.get());
    return Status::OK();
  }

  // The table of file `number`: one in hand, or from the table cache (then
  // kept as the probed one).
  Status Find(uint64_t number, uint64_t file_size, std::shared_ptr<Table>* table) {
    if (current_ != nullptr && current_number_ == number) {
      *table = current_;
      return Status::OK();
    }
    if (probed_ != nullptr && probed_number_ == number) {
      *table = probed_;
      return Status::OK();
    }
    Status s = cache_->FindTable(number, file_size, table);
    if (!s.ok()) return s;
    probed_number_ = number;
    probed_ = *table;
    return Status::OK();
  }

 private:
  // A scan that reads each table once, front to back (a compaction), is
  // done with a table when it moves to the next one or ends.
  void DropCurrentPages() {
    if (compaction_input_ && current_ != nullptr) current_->DropResidentPages();
  }

  // A compaction reads table `number` through a readahead file of its own
  // (see NewLevelIterator); a table it cannot open that way is read
  // through its own file instead (scan_file_ empty), as other scans are:
  // the readahead saves memory and system calls, it is not needed to read.
  void OpenScanFile(uint64_t number, uint64_t data_end) {
    scan_file_.reset();
    if (!compaction_input_) return;
    if (!cache_->OpenForScan(number, kCompactionReadaheadBytes, data_end, &scan_file_).ok()) {
      scan_file_.reset();
    }
  }

  TableCache* cache_;
  bool compaction_input_;
  // The compaction's reader of the current table's file, or empty. The
  // table iterator this opener serves reads through it (a raw pointer,
  // replaced together with the table in Open).
  std::unique_ptr<RandomAccessFile> scan_file_;
  uint64_t current_number_ = 0;
  std::shared_ptr<Table> current_;  // the table iterator's table, or nullptr
  uint64_t probed_number_ = 0;
  std::shared_ptr<Table> probed_;  // the last table looked up, or nullptr
};

using LevelTwoLevelIterator = TwoLevelIterator<FileListIterator, TableIterator, TableOpener>;

struct LevelArgs {
  FileListArgs index;
  TableIteratorArgs inner;
  TableOpener opener;
};

std::unique_ptr<LevelTwoLevelIterator> MakeLevelIterator(const InternalKeyComparator* icmp,
                                                         TableCache* table_cache,
                                                         const ReadOptions& options,
                                                         const std::vector<FilePtr>* files,
                                                         bool compaction_input) {
  return std::make_unique<LevelTwoLevelIterator>(LevelArgs{FileListArgs{icmp, files},
                                                           EmptyTableIteratorArgs(icmp, options),
                                                           TableOpener(table_cache, compaction_input)});
}

}  // namespace

std::unique_ptr<Iterator> NewLevelIterator(const InternalKeyComparator* icmp,
                                           TableCache* table_cache, const ReadOptions& options,
                                           const std::vector<FilePtr>* files, bool compaction_input) {
  return MakeLevelIterator(icmp, table_cache, options, files, compaction_input);
}

LevelIteratorAndProbe NewLevelIteratorAndProbe(const InternalKeyComparator* icmp,
                                               TableCache* table_cache, const ReadOptions& options,
                                               const std::vector<FilePtr>* files) {
  std::unique_ptr<LevelTwoLevelIterator> iterator =
      MakeLevelIterator(icmp, table_cache, options, files, /*compaction_input=*/false);
  TableOpener* opener = &iterator->opener();
  UserKeyProbe probe = [icmp, files, opener](const Slice& target) {
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
      if (!opener->Find((*it)->number, (*it)->file_size, &table).ok()) return true;
      if (table->MayContain(target)) return true;
    }
    return false;
  };
  return LevelIteratorAndProbe{std::move(iterator), std::move(probe)};
}

}  // namespace lsmkv
