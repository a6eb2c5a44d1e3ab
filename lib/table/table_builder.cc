#include "table/table_builder.h"

#include <cassert>

namespace lsmkv {

TableBuilder::TableBuilder(const TableOptions& options, WritableFile* file, uint64_t creation_time)
    : options_(options), file_(file) {
  if (options_.bloom_bits_per_key > 0) {
    filter_ = std::make_unique<BloomFilterBuilder>(options_.bloom_bits_per_key);
  }
  props_.format_version = kTableFormatVersion;
  props_.creation_time = creation_time;
  props_.compression = options_.compression;
  props_.bloom_bits_per_key = static_cast<uint64_t>(options_.bloom_bits_per_key);
}

void TableBuilder::Add(const Slice& key, const Slice& value) {
  assert(!finished_);
  if (!status_.ok()) return;
#ifdef LSMKV_INVARIANTS
  assert(props_.num_entries == 0 || options_.comparator->Compare(key, last_key_) > 0);
#endif
  if (pending_index_entry_) {
    options_.comparator->FindShortestSeparator(&last_key_, key);
    std::string handle;
    pending_handle_.EncodeTo(&handle);
    index_block_.Add(last_key_, handle);
    pending_index_entry_ = false;
  }
  if (filter_ != nullptr) {
    filter_->AddKey(options_.filter_key != nullptr ? options_.filter_key(key) : key);
  }
  last_key_.assign(key.data(), key.size());
  props_.num_entries++;
  props_.raw_key_bytes += key.size();
  props_.raw_value_bytes += value.size();
  data_block_.Add(key, value);
  if (data_block_.CurrentSizeEstimate() >= options_.block_size) FlushDataBlock();
}

void TableBuilder::FlushDataBlock() {
  if (data_block_.empty() || !status_.ok()) return;
  const uint64_t before = offset_;
  pending_handle_ = WriteBlock(data_block_.Finish(), /*compressible=*/true);
  data_block_.Reset();
  pending_index_entry_ = true;
  props_.num_data_blocks++;
  props_.data_bytes += offset_ - before;
}

BlockHandle TableBuilder::WriteBlock(const Slice& raw, bool compressible) {
  CompressionType type = kNoCompression;
  const Slice contents = compressible ? MaybeCompress(raw, options_.compression, options_.zstd_level,
                                                      &compressed_, &type, options_.lz4_acceleration)
                                      : raw;
  BlockHandle handle;
  handle.offset = offset_;
  handle.size = contents.size();
  std::string trailer;
  AppendBlockTrailer(contents, type, &trailer);
  if (status_.ok()) status_ = file_->Append(contents);
  if (status_.ok()) status_ = file_->Append(trailer);
  offset_ += contents.size() + trailer.size();
  return handle;
}

Status TableBuilder::Finish() {
  assert(!finished_);
  FlushDataBlock();
  finished_ = true;
  Footer footer;
  if (status_.ok() && filter_ != nullptr) {
    footer.filter = WriteBlock(filter_->Finish(), /*compressible=*/false);
  }
  if (status_.ok()) footer.properties = WriteBlock(props_.Encode(), /*compressible=*/false);
  if (status_.ok()) {
    if (pending_index_entry_) {
      options_.comparator->FindShortSuccessor(&last_key_);
      std::string handle;
      pending_handle_.EncodeTo(&handle);
      index_block_.Add(last_key_, handle);
      pending_index_entry_ = false;
    }
    footer.index = WriteBlock(index_block_.Finish(), /*compressible=*/false);
  }
  if (status_.ok()) {
    std::string encoded;
    footer.EncodeTo(&encoded);
    status_ = file_->Append(encoded);
    offset_ += encoded.size();
  }
  if (status_.ok()) status_ = file_->Flush();
  return status_;
}

}  // namespace lsmkv
