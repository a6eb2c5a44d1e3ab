#include "table/table.h"

#include <optional>

#include "table/table_iterator.h"
#include "util/bloom.h"

namespace lsmkv {

Table::Table(const TableOptions& options, std::string fname, std::unique_ptr<RandomAccessFile> file,
             uint64_t cache_id)
    : options_(options), fname_(std::move(fname)), file_(std::move(file)), cache_id_(cache_id) {}

Status Table::Open(const TableOptions& options, const std::string& fname,
                   std::unique_ptr<RandomAccessFile> file, uint64_t file_size, uint64_t cache_id,
                   std::shared_ptr<Table>* table) {
  table->reset();
  if (file_size < Footer::kEncodedLength) {
    return Status::Corruption(fname, "file too short to be a table (" + std::to_string(file_size) +
                                         " bytes)");
  }
  char footer_space[Footer::kEncodedLength];
  Slice footer_input;
  Status s = file->Read(file_size - Footer::kEncodedLength, Footer::kEncodedLength, &footer_input,
                        footer_space);
  if (!s.ok()) return s;
  Footer footer;
  s = footer.DecodeFrom(footer_input, fname);
  if (!s.ok()) return s;

  // Every handle must lie inside the part of the file before the footer.
  const uint64_t limit = file_size - Footer::kEncodedLength;
  for (const BlockHandle* h : {&footer.index, &footer.properties, &footer.filter}) {
    if (h == &footer.filter && h->size == 0 && h->offset == 0) continue;  // no filter
    if (h->offset > limit || h->size > limit - h->offset ||
        h->offset + h->size + kBlockTrailerSize > limit) {
      return Status::Corruption(fname, "footer points outside the file");
    }
  }

  std::shared_ptr<Table> t(new Table(options, fname, std::move(file), cache_id));
  t->file_copies_ = footer_input.data() == footer_space;
  // Data blocks come first; the filter (if any), properties and index
  // blocks follow them.
  t->data_end_ = footer.filter.size > 0 ? footer.filter.offset : footer.properties.offset;
  BlockContents contents;
  s = ReadBlock(t->file_.get(), fname, footer.index, &contents, t->file_copies_);
  if (!s.ok()) return s;
  t->index_block_ = std::make_shared<const Block>(std::move(contents));

  s = ReadBlock(t->file_.get(), fname, footer.properties, &contents, t->file_copies_);
  if (!s.ok()) return s;
  s = t->properties_.Decode(contents.data().ToString());
  if (!s.ok()) return Status::Corruption(fname, s.ToString());

  if (footer.filter.size > 0) {
    s = ReadBlock(t->file_.get(), fname, footer.filter, &contents, t->file_copies_);
    if (!s.ok()) return s;
    t->filter_ = contents.data().ToString();
    t->filter_view_ = BloomFilterView(t->filter_);
  }
  // The filter and properties are copies now, and an index block that
  // points into a mapping maps its pages again at its first use: the pages
  // read here leave the process's resident set, which would otherwise grow
  // by ~5% of every open table (its index and filter), with the DB, even
  // while nothing reads it (RandomAccessFile::DropResidentPages).
  t->file_->DropResidentPages();
  *table = std::move(t);
  return Status::OK();
}

size_t Table::PinnedBytes() const {
  return index_block_->size() + filter_.size() + sizeof(*this) + fname_.size();
}

Status Table::ReadDataBlock(const ReadOptions& options, const Slice& encoded_handle,
                            std::shared_ptr<const Block>* block, const RandomAccessFile* from) const {
  Slice input = encoded_handle;
  BlockHandle handle;
  Status s = handle.DecodeFrom(&input);
  if (!s.ok()) return Status::Corruption(fname_, "bad block handle in index");
  ShardedLRUCache* cache = options_.block_cache;
  const CacheKey key{cache_id_, handle.offset};
  if (cache != nullptr) {
    std::shared_ptr<void> cached = cache->Lookup(key);
    if (cached != nullptr) {
      *block = std::static_pointer_cast<const Block>(cached);
      return Status::OK();
    }
  }
  std::shared_ptr<const Block> b;
  s = Block::Read(from != nullptr ? from : file_.get(), fname_, handle, &b);  // one allocation for the block
  if (!s.ok()) return s;
  if (cache != nullptr && options.fill_cache) {
    cache->Insert(key, std::const_pointer_cast<Block>(b), b->size());
  }
  *block = std::move(b);
  return Status::OK();
}

uint64_t Table::ApproximateOffsetOf(const Slice& key) const {
  std::optional<Slice> encoded;
  Status s = Block::SeekFirstAtOrAfter(*index_block_, options_.comparator, key, &encoded,
                                       [](void* h, const Slice&, const Slice& value) {
                                         *static_cast<std::optional<Slice>*>(h) = value;
                                       });
  if (!s.ok() || !encoded) return data_end_;
  Slice input = *encoded;
  BlockHandle handle;
  if (!handle.DecodeFrom(&input).ok()) return data_end_;
  return handle.offset;
}

std::unique_ptr<Iterator> Table::NewIndexIterator() const {
  return Block::NewIterator(index_block_, options_.comparator);
}

std::unique_ptr<Iterator> Table::NewIterator(const ReadOptions& options) const {
  auto it = std::make_unique<TableIterator>(EmptyTableIteratorArgs(options_.comparator, options));
  ResetTableIterator(it.get(), shared_from_this());
  return it;
}

bool Table::MayContain(const Slice& target) const {
  if (filter_.empty()) return true;
  return filter_view_.MayMatch(options_.filter_key != nullptr ? options_.filter_key(target)
                                                              : target);
}

Status Table::Get(const ReadOptions& options, const Slice& target, GetResult* result, void* arg,
                  Block::EntryFn found) const {
  *result = GetResult::kNotInTable;
  if (!MayContain(target)) {
    *result = GetResult::kFilteredOut;
    return Status::OK();
  }
  // The index entry's value (a block handle) points into the pinned index
  // block, so it outlives the lookup.
  std::optional<Slice> handle;
  Status s = Block::SeekFirstAtOrAfter(*index_block_, options_.comparator, target, &handle,
                                       [](void* h, const Slice&, const Slice& value) {
                                         *static_cast<std::optional<Slice>*>(h) = value;
                                       });
  if (!s.ok() || !handle) return s;
  std::shared_ptr<const Block> block;
  s = ReadDataBlock(options, *handle, &block);
  if (!s.ok()) return s;
  struct Hit {
    void* arg;
    Block::EntryFn found;
    bool hit;
  } hit{arg, found, false};
  s = Block::SeekFirstAtOrAfter(*block, options_.comparator, target, &hit,
                                [](void* h, const Slice& key, const Slice& value) {
                                  auto* x = static_cast<Hit*>(h);
                                  x->hit = true;
                                  x->found(x->arg, key, value);
                                });
  if (s.ok() && hit.hit) *result = GetResult::kFound;
  return s;
}

Status Table::Get(const ReadOptions& options, const Slice& target, GetResult* result,
                  std::string* key, std::string* value) const {
  std::pair<std::string*, std::string*> out{key, value};
  return Get(options, target, result, &out, [](void* o, const Slice& k, const Slice& v) {
    auto* kv = static_cast<std::pair<std::string*, std::string*>*>(o);
    kv->first->assign(k.data(), k.size());
    kv->second->assign(v.data(), v.size());
  });
}

}  // namespace lsmkv
