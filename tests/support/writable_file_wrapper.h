// WritableFileWrapper: a WritableFile that forwards every call to the file
// it wraps (and owns). The tests' recording and failing Envs wrap the files
// they create in a subclass that overrides only the calls it watches.
#ifndef LSMKV_TESTS_SUPPORT_WRITABLE_FILE_WRAPPER_H_
#define LSMKV_TESTS_SUPPORT_WRITABLE_FILE_WRAPPER_H_

#include <memory>
#include <utility>

#include "lsmkv/env.h"

namespace lsmkv::test {

class WritableFileWrapper : public WritableFile {
 public:
  explicit WritableFileWrapper(std::unique_ptr<WritableFile> base) : base_(std::move(base)) {}

  Status Append(const Slice& data) override { return base_->Append(data); }
  Status Flush() override { return base_->Flush(); }
  Status Sync() override { return base_->Sync(); }
  Status Close() override { return base_->Close(); }

 protected:
  WritableFile* base() const { return base_.get(); }

 private:
  const std::unique_ptr<WritableFile> base_;
};

}  // namespace lsmkv::test

#endif  // LSMKV_TESTS_SUPPORT_WRITABLE_FILE_WRAPPER_H_
