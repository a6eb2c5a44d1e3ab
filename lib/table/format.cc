#include "table/format.h"

#include <lz4.h>
#include <zstd.h>

#include <cstring>

#include "util/coding.h"
#include "util/hash.h"

namespace lsmkv {

const char kTableMagic[8] = {'l', 's', 'm', 'k', '\xca', '\xfe', '\xba', '\xbe'};

namespace {

// A decompressed block may not be larger than this (a damaged size field
// must not make us allocate gigabytes).
constexpr uint64_t kMaxBlockBytes = uint64_t{1} << 30;

uint64_t BlockChecksum(const char* data, size_t n, char type) {
  // XXH3 of block ‖ type, computed without copying: hash the type as seed.
  return Hash64WithSeed(data, n, static_cast<uint8_t>(type) + 1);
}

// zstd contexts are costly to create (the one-shot ZSTD_compress and
// ZSTD_decompress make one per call); each thread keeps one of each.
struct ZstdContexts {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  ZstdContexts() = default;
  ZstdContexts(const ZstdContexts&) = delete;
  ZstdContexts& operator=(const ZstdContexts&) = delete;
  ~ZstdContexts() {
    ZSTD_freeCCtx(cctx);
    ZSTD_freeDCtx(dctx);
  }
};

ZstdContexts& ThreadZstd() {
  thread_local ZstdContexts contexts;
  return contexts;
}

std::string At(const std::string& fname, uint64_t offset, const char* what) {
  return fname + ": " + what + " at offset " + std::to_string(offset);
}

}  // namespace

void BlockHandle::EncodeTo(std::string* dst) const {
  PutVarint64(dst, offset);
  PutVarint64(dst, size);
}

Status BlockHandle::DecodeFrom(Slice* input) {
  if (GetVarint64(input, &offset) && GetVarint64(input, &size)) return Status::OK();
  return Status::Corruption("bad block handle");
}

void Footer::EncodeTo(std::string* dst) const {
  const size_t start = dst->size();
  for (const BlockHandle* h : {&index, &properties, &filter}) {
    PutFixed64(dst, h->offset);
    PutFixed64(dst, h->size);
  }
  dst->push_back(static_cast<char>(kChecksumXxh3));
  dst->append(3, '\0');  // reserved
  PutFixed32(dst, format_version);
  PutFixed64(dst, Hash64(dst->data() + start, dst->size() - start));
  dst->append(kTableMagic, sizeof(kTableMagic));
}

Status Footer::DecodeFrom(const Slice& input, const std::string& fname) {
  if (input.size() != kEncodedLength) return Status::Corruption(fname, "footer has the wrong size");
  const char* p = input.data();
  if (std::memcmp(p + kEncodedLength - 8, kTableMagic, 8) != 0) {
    return Status::Corruption(fname, "bad magic number: not an lsmkv table");
  }
  const size_t covered = kEncodedLength - 16;
  if (DecodeFixed64(p + covered) != Hash64(p, covered)) {
    return Status::Corruption(fname, "footer checksum mismatch");
  }
  BlockHandle* handles[] = {&index, &properties, &filter};
  for (int i = 0; i < 3; i++) {
    handles[i]->offset = DecodeFixed64(p + 16 * i);
    handles[i]->size = DecodeFixed64(p + 16 * i + 8);
  }
  if (static_cast<uint8_t>(p[48]) != kChecksumXxh3) {
    return Status::NotSupported(fname, "unknown checksum type " + std::to_string(static_cast<uint8_t>(p[48])));
  }
  format_version = DecodeFixed32(p + 52);
  if (format_version == kRetiredLzTableFormatVersion) {
    return Status::NotSupported(fname, "table format version 2 (blocks of the retired lz codec) is "
                                       "no longer read; this build reads versions 1 and 3");
  }
  if (format_version < kMinTableFormatVersion || format_version > kTableFormatVersion) {
    return Status::NotSupported(fname, "table format version " + std::to_string(format_version) +
                                           " (this build reads " +
                                           std::to_string(kMinTableFormatVersion) + " and " +
                                           std::to_string(kTableFormatVersion) + ")");
  }
  return Status::OK();
}

std::string CompressionName(uint64_t type) {
  switch (type) {
    case kNoCompression:
      return "none";
    case kZstdCompression:
      return "zstd";
    case kLz4Compression:
      return "lz4";
    default:
      return "unknown(" + std::to_string(type) + ")";
  }
}

void AppendBlockTrailer(const Slice& contents, CompressionType type, std::string* dst) {
  const char t = static_cast<char>(type);
  dst->push_back(t);
  PutFixed64(dst, BlockChecksum(contents.data(), contents.size(), t));
}

Slice MaybeCompress(const Slice& raw, CompressionType type, int zstd_level, std::string* scratch,
                    CompressionType* out_type) {
  *out_type = kNoCompression;
  if (raw.empty()) return raw;
  // Keep a compressed form only when it saves at least 12.5%.
  const size_t max_kept = raw.size() - raw.size() / 8;
  if (type == kLz4Compression) {
    // varint32 raw size ‖ LZ4 block. LZ4 gives up (returns 0) as soon as
    // the output would not fit in max_kept, so incompressible blocks cost
    // little. Blocks past kMaxBlockBytes stay raw: readers refuse larger
    // decoded sizes.
    if (raw.size() > kMaxBlockBytes) return raw;
    scratch->clear();
    PutVarint32(scratch, static_cast<uint32_t>(raw.size()));
    const size_t header = scratch->size();
    if (header >= max_kept) return raw;
    scratch->resize(max_kept);
    const int n = LZ4_compress_fast(raw.data(), scratch->data() + header, static_cast<int>(raw.size()),
                                    static_cast<int>(max_kept - header), kLz4Acceleration);
    if (n <= 0) return raw;
    scratch->resize(header + static_cast<size_t>(n));
    *out_type = kLz4Compression;
    return Slice(*scratch);
  }
  if (type != kZstdCompression) return raw;
  scratch->resize(ZSTD_compressBound(raw.size()));
  const size_t n = ZSTD_compressCCtx(ThreadZstd().cctx, scratch->data(), scratch->size(), raw.data(),
                                     raw.size(), zstd_level);
  if (ZSTD_isError(n) || n > max_kept) return raw;
  scratch->resize(n);
  *out_type = kZstdCompression;
  return Slice(*scratch);
}

const char* DecodeBlock(const Slice& stored, uint8_t type, BlockContents* result) {
  const char* const data = stored.data();
  const size_t n = stored.size();
  switch (type) {
    case kNoCompression: {
      std::unique_ptr<char[]> buf(new char[n]);
      std::memcpy(buf.get(), data, n);
      result->buf = std::move(buf);
      result->size = n;
      return nullptr;
    }
    case kZstdCompression: {
      const unsigned long long size = ZSTD_getFrameContentSize(data, n);
      if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxBlockBytes) {
        return "bad zstd frame";
      }
      std::unique_ptr<char[]> out(new char[size]);
      const size_t got = ZSTD_decompressDCtx(ThreadZstd().dctx, out.get(), size, data, n);
      if (ZSTD_isError(got) || got != size) return "zstd decompression failed";
      result->buf = std::move(out);
      result->size = static_cast<size_t>(size);
      return nullptr;
    }
    case kLz4Compression: {
      // varint32 raw size ‖ LZ4 block; the block must decode to exactly
      // raw size bytes and use all of its input (LZ4_decompress_safe checks
      // both bounds, whatever the bytes).
      Slice input = stored;
      uint32_t size;
      if (!GetVarint32(&input, &size) || size > kMaxBlockBytes) return "bad lz4 block size";
      if (input.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) return "lz4 block too large";
      std::unique_ptr<char[]> out(new char[size]);
      const int got = LZ4_decompress_safe(input.data(), out.get(), static_cast<int>(input.size()),
                                          static_cast<int>(size));
      if (got < 0 || static_cast<uint32_t>(got) != size) return "lz4 decompression failed";
      result->buf = std::move(out);
      result->size = size;
      return nullptr;
    }
    default:
      return "unknown compression type";
  }
}

Status ReadBlock(const RandomAccessFile* file, const std::string& fname, const BlockHandle& handle,
                 BlockContents* result, bool file_copies) {
  if (handle.size > kMaxBlockBytes) return Status::Corruption(At(fname, handle.offset, "block too large"));
  const size_t n = static_cast<size_t>(handle.size);
  // Where the raw bytes go:
  //  - a file that copies (pread): a buffer of the block's own; if the
  //    block is stored uncompressed, that buffer becomes its contents
  //    (the trailer's 9 bytes ride along unused) and nothing is copied
  //    again;
  //  - a mapped file ignores the scratch: a data-block-sized read is
  //    given the per-thread scratch buffer, and only the block's final
  //    contents are allocated. Large blocks (an index) get their own
  //    buffer, so no thread keeps a large scratch alive.
  constexpr size_t kScratchLimit = 256 << 10;
  thread_local std::string thread_scratch;
  std::unique_ptr<char[]> large;
  char* scratch;
  if (file_copies || n + kBlockTrailerSize > kScratchLimit) {
    large.reset(new char[n + kBlockTrailerSize]);
    scratch = large.get();
  } else {
    if (thread_scratch.size() < n + kBlockTrailerSize) thread_scratch.resize(n + kBlockTrailerSize);
    scratch = thread_scratch.data();
  }
  Slice contents;
  Status s = file->Read(handle.offset, n + kBlockTrailerSize, &contents, scratch);
  if (!s.ok()) return s;
  if (contents.size() != n + kBlockTrailerSize) {
    return Status::Corruption(At(fname, handle.offset, "truncated block"));
  }
  // contents may point into buf, or elsewhere (a memory-mapped file).
  const char* data = contents.data();
  const char type = data[n];
  if (DecodeFixed64(data + n + 1) != BlockChecksum(data, n, type)) {
    return Status::Corruption(At(fname, handle.offset, "block checksum mismatch"));
  }
  if (type == kNoCompression && large != nullptr && data == large.get()) {
    result->buf = std::move(large);  // read in place: no second copy
    result->size = n;
    return Status::OK();
  }
  const char* error = DecodeBlock(Slice(data, n), static_cast<uint8_t>(type), result);
  if (error != nullptr) return Status::Corruption(At(fname, handle.offset, error));
  return Status::OK();
}

}  // namespace lsmkv
