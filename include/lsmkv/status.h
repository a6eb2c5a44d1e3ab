// Status: the result of every fallible call. No exceptions cross the API.
// An OK status carries no allocation. Messages name the file and offset where
// that helps, e.g. "000123.log: checksum mismatch at 8192".
//
// Thread safety: a Status is a value; distinct objects may be used freely from
// different threads.
#ifndef LSMKV_STATUS_H_
#define LSMKV_STATUS_H_

#include <string>

#include "lsmkv/export.h"
#include "lsmkv/slice.h"

namespace lsmkv {

class [[nodiscard]] LSMKV_EXPORT Status {
 public:
  Status() noexcept = default;

  static Status OK() { return Status(); }
  static Status NotFound(const Slice& msg, const Slice& msg2 = Slice()) {
    return Status(kNotFound, msg, msg2);
  }
  static Status Corruption(const Slice& msg, const Slice& msg2 = Slice()) {
    return Status(kCorruption, msg, msg2);
  }
  static Status NotSupported(const Slice& msg, const Slice& msg2 = Slice()) {
    return Status(kNotSupported, msg, msg2);
  }
  static Status InvalidArgument(const Slice& msg, const Slice& msg2 = Slice()) {
    return Status(kInvalidArgument, msg, msg2);
  }
  static Status IOError(const Slice& msg, const Slice& msg2 = Slice()) {
    return Status(kIOError, msg, msg2);
  }
  static Status Busy(const Slice& msg, const Slice& msg2 = Slice()) {
    return Status(kBusy, msg, msg2);
  }
  // An IOError caused by a full disk (ENOSPC, EDQUOT): IsIOError() and
  // IsNoSpace() are both true. Background work that fails this way is
  // retried once space is back (see DB::Resume).
  static Status NoSpace(const Slice& msg, const Slice& msg2 = Slice()) {
    Status s(kIOError, msg, msg2);
    s.no_space_ = true;
    return s;
  }

  bool ok() const { return code_ == kOk; }
  bool IsNotFound() const { return code_ == kNotFound; }
  bool IsCorruption() const { return code_ == kCorruption; }
  bool IsIOError() const { return code_ == kIOError; }
  bool IsNotSupported() const { return code_ == kNotSupported; }
  bool IsInvalidArgument() const { return code_ == kInvalidArgument; }
  bool IsBusy() const { return code_ == kBusy; }
  bool IsNoSpace() const { return code_ == kIOError && no_space_; }

  // "OK", or the code's name followed by ": " and the message.
  std::string ToString() const;

 private:
  enum Code { kOk = 0, kNotFound, kCorruption, kNotSupported, kInvalidArgument, kIOError, kBusy };

  Status(Code code, const Slice& msg, const Slice& msg2);

  Code code_ = kOk;
  bool no_space_ = false;  // kIOError only
  std::string msg_;  // empty for OK
};

}  // namespace lsmkv

#endif  // LSMKV_STATUS_H_
