// Helpers for the libFuzzer targets: files backed by the fuzzer's input.
#ifndef LSMKV_TESTS_FUZZ_FUZZ_UTIL_H_
#define LSMKV_TESTS_FUZZ_FUZZ_UTIL_H_

#include <algorithm>
#include <cstring>

#include "lsmkv/env.h"

namespace lsmkv::fuzz {

class BufferSequentialFile final : public SequentialFile {
 public:
  BufferSequentialFile(const char* data, size_t size) : data_(data), size_(size) {}
  Status Read(size_t n, Slice* result, char* scratch) override {
    const size_t len = std::min(n, size_ - pos_);
    std::memcpy(scratch, data_ + pos_, len);
    pos_ += len;
    *result = Slice(scratch, len);
    return Status::OK();
  }
  Status Skip(uint64_t n) override {
    pos_ = static_cast<size_t>(std::min<uint64_t>(size_, pos_ + n));
    return Status::OK();
  }

 private:
  const char* const data_;
  const size_t size_;
  size_t pos_ = 0;
};

class BufferRandomAccessFile final : public RandomAccessFile {
 public:
  BufferRandomAccessFile(const char* data, size_t size) : data_(data), size_(size) {}
  Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
    if (offset > size_) return Status::IOError("read past end");
    const size_t len = std::min<uint64_t>(n, size_ - offset);
    std::memcpy(scratch, data_ + offset, len);
    *result = Slice(scratch, len);
    return Status::OK();
  }

 private:
  const char* const data_;
  const size_t size_;
};

}  // namespace lsmkv::fuzz

#endif  // LSMKV_TESTS_FUZZ_FUZZ_UTIL_H_
