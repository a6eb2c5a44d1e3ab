#include "env/posix_io.h"

#include <cstring>

namespace lsmkv {

size_t PageSize() {
  static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return page;
}

Status PosixError(const std::string& context, int error_number) {
  if (error_number == ENOENT) return Status::NotFound(context, std::strerror(error_number));
  if (error_number == ENOSPC || error_number == EDQUOT) return Status::NoSpace(context, std::strerror(error_number));
  return Status::IOError(context, std::strerror(error_number));
}

}  // namespace lsmkv
