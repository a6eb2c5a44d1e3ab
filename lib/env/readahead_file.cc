#include "env/readahead_file.h"

#include <algorithm>

namespace lsmkv {

ReadaheadFile::ReadaheadFile(std::unique_ptr<RandomAccessFile> file, size_t readahead, uint64_t limit)
    : file_(std::move(file)), readahead_(readahead), limit_(limit), buffer_(new char[readahead]) {}

Status ReadaheadFile::Read(uint64_t offset, size_t n, Slice* result, char* scratch) const {
  if (offset >= window_offset_ && offset - window_offset_ + n <= window_.size()) {
    *result = Slice(window_.data() + (offset - window_offset_), n);
    return Status::OK();
  }
  reads_below_++;
  if (n > readahead_) {
    bytes_asked_below_ += n;
    return file_->Read(offset, n, result, scratch);
  }
  size_t fetch = readahead_;
  if (offset < limit_ && limit_ - offset < fetch) fetch = std::max<size_t>(n, limit_ - offset);
  bytes_asked_below_ += fetch;
  Slice fetched;
  Status s = file_->Read(offset, fetch, &fetched, buffer_.get());
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
