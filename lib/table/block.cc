#include "table/block.h"

#include <cstring>

#include "table/block_iter.h"
#include "util/coding.h"

namespace lsmkv {

Block::Block(BlockContents contents) : owned_(std::move(contents.buf)), size_(contents.size) {
  ParseRestarts();
}

Block::Block(const std::string& contents)
    : owned_(new char[contents.size() + 1]), size_(contents.size()) {
  std::memcpy(owned_.get(), contents.data(), contents.size());
  ParseRestarts();
}

void Block::ParseRestarts() {
  if (size_ < sizeof(uint32_t)) {
    malformed_ = true;
    return;
  }
  num_restarts_ = DecodeFixed32(owned_.get() + size_ - sizeof(uint32_t));
  const uint64_t max_restarts = (size_ - sizeof(uint32_t)) / sizeof(uint32_t);
  if (num_restarts_ == 0 || num_restarts_ > max_restarts) {
    malformed_ = true;
    num_restarts_ = 0;
    return;
  }
  restart_offset_ = static_cast<uint32_t>(size_ - (1 + uint64_t{num_restarts_}) * sizeof(uint32_t));
}

std::unique_ptr<Iterator> Block::NewIterator(std::shared_ptr<const Block> block,
                                             const Comparator* comparator) {
  const Block* raw = block.get();
  return std::make_unique<BlockIter>(raw, std::move(block), comparator);
}

Status Block::SeekFirstAtOrAfter(const Block& block, const Comparator* comparator,
                                 const Slice& target, void* arg, EntryFn found) {
  BlockIter it(&block, nullptr, comparator);
  it.Seek(target);
  if (it.Valid()) found(arg, it.key(), it.value());
  return it.status();
}

}  // namespace lsmkv
