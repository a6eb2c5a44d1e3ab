// The C API's handles (the structs behind include/lsmkv/c.h's opaque
// types) and the helpers every lib/c/*.cc file shares. Internal.
#ifndef LSMKV_C_C_HANDLES_H_
#define LSMKV_C_C_HANDLES_H_

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "lsmkv/c.h"
#include "lsmkv/db.h"

// Each handle owns its C++ object.
struct lsmkv_t {
  std::unique_ptr<lsmkv::DB> rep;
};
struct lsmkv_options_t {
  lsmkv::Options rep;
};
// The bounds' bytes are copied here; rep's bound pointers point at the
// Slices below (or are nullptr), so the struct is never copied.
struct lsmkv_readoptions_t {
  lsmkv::ReadOptions rep;
  std::string lower_bound, upper_bound;
  lsmkv::Slice lower_slice, upper_slice;
};
struct lsmkv_writeoptions_t {
  lsmkv::WriteOptions rep;
};
struct lsmkv_writebatch_t {
  lsmkv::WriteBatch rep;
};
// Also what lsmkv_transaction_create_iterator returns.
struct lsmkv_iterator_t {
  std::unique_ptr<lsmkv::Iterator> rep;
};

namespace lsmkv::c_api {

// Replaces *errptr with s's message when s is not OK; true on error.
inline bool SaveError(char** errptr, const Status& s) {
  if (s.ok()) return false;
  std::free(*errptr);
  *errptr = strdup(s.ToString().c_str());
  return true;
}

// The lsmkv_status_code of s (c.h).
inline int StatusCode(const Status& s) {
  if (s.ok()) return lsmkv_status_ok;
  if (s.IsNotFound()) return lsmkv_status_not_found;
  if (s.IsCorruption()) return lsmkv_status_corruption;
  if (s.IsNotSupported()) return lsmkv_status_not_supported;
  if (s.IsInvalidArgument()) return lsmkv_status_invalid_argument;
  if (s.IsNoSpace()) return lsmkv_status_no_space;
  if (s.IsIOError()) return lsmkv_status_io_error;
  if (s.IsBusy()) return lsmkv_status_busy;
  return lsmkv_status_io_error;  // unreachable: every code is listed above
}

// SaveError, returning the code for the caller to hand back.
inline int SaveErrorCode(char** errptr, const Status& s) {
  SaveError(errptr, s);
  return StatusCode(s);
}

// A malloc()ed copy; never NULL for a successful copy, even of 0 bytes.
inline char* CopyBytes(const std::string& bytes) {
  char* result = static_cast<char*>(std::malloc(bytes.empty() ? 1 : bytes.size()));
  std::memcpy(result, bytes.data(), bytes.size());
  return result;
}

}  // namespace lsmkv::c_api

#endif  // LSMKV_C_C_HANDLES_H_
