#include "env/readahead_file.h"

#include <algorithm>

namespace lsmkv {

ReadaheadFile::ReadaheadFile(std::unique_ptr<RandomAccessFile> file, size_t readahead)
    : file_(std::move(file)), readahead_(readahead), buffer_(new char[readahead]) {}

Status ReadaheadFile::Read(uint64_t offset, size_t n, Slice* result, char* scratch) const {
  if (offset >= window_offset_ && offset - window_offset_ + n <= window_.size()) {
    *result = Slice(window_.data() + (offset - window_offset_), n);
    return Status::OK();
  }
  reads_below_++;
  if (n > readahead_) return file_->Read(offset, n, result, scratch);
  Slice fetched;
  Status s = file_->Read(offset, readahead_, &fetched, buffer_.get());
  if (!s.ok()) {
    window_ = Slice();
    return s;
  }
  window_offset_ = offset;
  window_ = fetched;
  // Near the end of the file the window is shorter than readahead_, and a
  // read past its end gets the bytes there are, as from the file below.
  *result = Slice(window_.data(), std::min(n, window_.size()));
  return Status::OK();
}

}  // namespace lsmkv
