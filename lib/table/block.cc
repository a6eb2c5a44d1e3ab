#include "table/block.h"

#include <cstddef>
#include <cstring>
#include <new>
#include <utility>

#include "table/block_iter.h"
#include "util/coding.h"

namespace lsmkv {

Block::Block(BlockContents contents)
    : owned_(std::move(contents.buf)), data_(owned_.get()), size_(contents.size) {
  ParseRestarts();
}

Block::Block(const std::string& contents)
    : owned_(new char[contents.size() + 1]), data_(owned_.get()), size_(contents.size()) {
  std::memcpy(owned_.get(), contents.data(), contents.size());
  ParseRestarts();
}

Block::Block(char* const* bytes, size_t size) : data_(*bytes), size_(size) {}

// The allocator Block::Read gives std::allocate_shared: its one allocation
// (the shared_ptr's count with the Block in it) is made `trailing` bytes
// longer, and *bytes is pointed at those extra bytes, before the Block is
// constructed. The Block then holds *bytes as its data; the whole piece is
// freed with the count.
template <typename T>
class TrailingBytesAllocator {
 public:
  using value_type = T;

  TrailingBytesAllocator(size_t trailing, char** bytes) : trailing_(trailing), bytes_(bytes) {}
  template <typename U>
  TrailingBytesAllocator(const TrailingBytesAllocator<U>& other)  // NOLINT: rebinding
      : trailing_(other.trailing_), bytes_(other.bytes_) {}

  T* allocate(size_t n) {
    // The head is rounded up so that the trailing bytes start aligned as
    // the allocation itself (not needed for char, but keeps them on a word).
    const size_t head = (n * sizeof(T) + alignof(std::max_align_t) - 1) &
                        ~(alignof(std::max_align_t) - 1);
    char* p = static_cast<char*>(::operator new(head + trailing_));
    *bytes_ = p + head;
    return reinterpret_cast<T*>(p);
  }
  void deallocate(T* p, size_t) { ::operator delete(p); }

  // Block's constructor for Read is private; this allocator is its friend.
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }

  template <typename U>
  bool operator==(const TrailingBytesAllocator<U>& other) const {
    return bytes_ == other.bytes_;
  }
  template <typename U>
  bool operator!=(const TrailingBytesAllocator<U>& other) const {
    return !(*this == other);
  }

 private:
  template <typename U>
  friend class TrailingBytesAllocator;
  size_t trailing_;
  char** bytes_;
};

Status Block::Read(const RandomAccessFile* file, const std::string& fname,
                   const BlockHandle& handle, std::shared_ptr<const Block>* block) {
  block->reset();
  // The stored bytes go to the thread's scratch (or stay in the mapping):
  // only the decoded block is allocated.
  StoredBlock stored;
  Status s = ReadStoredBlock(file, fname, handle, /*own_buffer=*/false, &stored);
  if (!s.ok()) return s;
  size_t size;
  const char* error = DecodedBlockSize(stored.data, stored.type, &size);
  if (error != nullptr) return BlockCorruption(fname, handle.offset, error);
  char* bytes = nullptr;  // set by the allocator before the Block is built
  // One byte more than the block, as the std::string constructor does: a
  // zero-size block still gets a distinct address.
  // The Block reads `bytes` when it is constructed, after the allocation.
  std::shared_ptr<Block> b;
  try {
    b = std::allocate_shared<Block>(TrailingBytesAllocator<Block>(size + 1, &bytes),
                                    static_cast<char* const*>(&bytes), size);
  } catch (const std::bad_alloc&) {
    // A checksum-valid zstd frame may still claim up to kMaxBlockBytes:
    // no exception leaves the library.
    return BlockCorruption(fname, handle.offset, "no memory for the decoded block");
  }
  error = DecodeBlockInto(stored.data, stored.type, bytes, size);
  if (error != nullptr) return BlockCorruption(fname, handle.offset, error);
  b->ParseRestarts();
  *block = std::move(b);
  return Status::OK();
}

void Block::ParseRestarts() {
  if (size_ < sizeof(uint32_t)) {
    malformed_ = true;
    return;
  }
  num_restarts_ = DecodeFixed32(data_ + size_ - sizeof(uint32_t));
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
