// Whole-file helpers over an Env used by checkpoints and backups: copy a
// file (or its first bytes) computing a CRC32C of what was copied, and
// checksum a file in place.
#ifndef LSMKV_ENV_FILE_COPY_H_
#define LSMKV_ENV_FILE_COPY_H_

#include <cstdint>
#include <string>

#include "lsmkv/env.h"
#include "lsmkv/status.h"

namespace lsmkv {

// What a copy or a checksum pass saw: bytes read and the CRC32C
// (unmasked) of those bytes.
struct FileDigest {
  uint64_t size = 0;
  uint32_t crc32c = 0;
};

// Reads src from its start: all of it when length is kWholeFile, else
// exactly `length` bytes (Corruption when src is shorter).
constexpr uint64_t kWholeFile = UINT64_MAX;

// Copies the bytes described above into dst (created or truncated), then
// fsyncs and closes dst when `sync`. On failure dst is removed.
Status CopyFileContents(Env* env, const std::string& src, const std::string& dst, uint64_t length,
                        bool sync, FileDigest* digest);

// Reads the bytes described above and checksums them.
Status DigestFile(Env* env, const std::string& fname, uint64_t length, FileDigest* digest);

// The directory holding `path` ("." for a bare name, "/" for "/x").
std::string ParentDirectory(std::string path);

}  // namespace lsmkv

#endif  // LSMKV_ENV_FILE_COPY_H_
