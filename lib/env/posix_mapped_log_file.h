// The write-ahead log file of PosixEnv written through a shared mapping
// (WalWriteMode::kAuto and kMapped); see posix_mapped_log_file.cc.
#ifndef LSMKV_ENV_POSIX_MAPPED_LOG_FILE_H_
#define LSMKV_ENV_POSIX_MAPPED_LOG_FILE_H_

#include <memory>
#include <string>

#include "lsmkv/env.h"

namespace lsmkv {

// Takes ownership of fd, opened read-write on an empty file. may_fall_back
// (kAuto): when the file system refuses the reservation or the mapping, the
// file continues through write(2); otherwise (kMapped) the refusal is an
// IOError from Append.
std::unique_ptr<WritableFile> NewPosixMappedLogFile(std::string fname, int fd, bool may_fall_back);

}  // namespace lsmkv

#endif  // LSMKV_ENV_POSIX_MAPPED_LOG_FILE_H_
