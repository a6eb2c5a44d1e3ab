#include "table/format.h"

#include <lz4.h>
#include <zstd.h>

#include <cstring>
#include <new>

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

// LZ4_compress_fast clears its 16 KiB hash table (a memset) on every call:
// with one call per data block that was about a third of the instructions
// flushes and compactions spent in LZ4. Each thread keeps one stream state
// instead and starts every block as a new stream with LZ4_resetStream_fast,
// which invalidates the table's old positions without clearing it (the
// table's offsets keep growing; LZ4 renormalizes them itself). The block
// produced is a plain independent LZ4 block: no dictionary, nothing from an
// earlier block is referenced, and LZ4_decompress_safe reads it as before.
class Lz4CompressState {
 public:
  Lz4CompressState() : stream_(LZ4_createStream()) {}
  Lz4CompressState(const Lz4CompressState&) = delete;
  Lz4CompressState& operator=(const Lz4CompressState&) = delete;
  ~Lz4CompressState() { LZ4_freeStream(stream_); }

  // LZ4_compress_fast's contract: the compressed size, or 0 if the output
  // does not fit in `capacity` (or the allocation of the state failed).
  int Compress(const char* src, int size, char* dst, int capacity, int acceleration) {
    if (stream_ == nullptr) return 0;
    LZ4_resetStream_fast(stream_);
    const int n = LZ4_compress_fast_continue(stream_, src, dst, size, capacity, acceleration);
    // After a failed call the stream's state is undefined until a full
    // reset; a full one is the only kind LZ4 documents for that case.
    if (n <= 0) LZ4_initStream(stream_, sizeof(*stream_));
    return n;
  }

 private:
  LZ4_stream_t* stream_;
};

Lz4CompressState& ThreadLz4() {
  thread_local Lz4CompressState state;
  return state;
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
                    CompressionType* out_type, int lz4_acceleration) {
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
    const int n = ThreadLz4().Compress(raw.data(), static_cast<int>(raw.size()), scratch->data() + header,
                                       static_cast<int>(max_kept - header), lz4_acceleration);
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

const char* DecodedBlockSize(const Slice& stored, uint8_t type, size_t* size) {
  switch (type) {
    case kNoCompression:
      *size = stored.size();
      return nullptr;
    case kZstdCompression: {
      const unsigned long long n = ZSTD_getFrameContentSize(stored.data(), stored.size());
      if (n == ZSTD_CONTENTSIZE_ERROR || n == ZSTD_CONTENTSIZE_UNKNOWN || n > kMaxBlockBytes) {
        return "bad zstd frame";
      }
      *size = static_cast<size_t>(n);
      return nullptr;
    }
    case kLz4Compression: {
      // varint32 raw size ‖ LZ4 block.
      Slice input = stored;
      uint32_t n;
      if (!GetVarint32(&input, &n) || n > kMaxBlockBytes) return "bad lz4 block size";
      if (input.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) return "lz4 block too large";
      // LZ4 expands at most about 255 times (a match of length 255*k+19
      // takes k+1 bytes): a larger claim is a lie, refused before the
      // caller allocates for it.
      if (n > static_cast<uint64_t>(input.size()) * 256 + 64) return "bad lz4 block size";
      *size = n;
      return nullptr;
    }
    default:
      return "unknown compression type";
  }
}

const char* DecodeBlockInto(const Slice& stored, uint8_t type, char* out, size_t size) {
  switch (type) {
    case kNoCompression:
      if (size != stored.size()) return "wrong decoded size";
      std::memcpy(out, stored.data(), size);
      return nullptr;
    case kZstdCompression: {
      const size_t got = ZSTD_decompressDCtx(ThreadZstd().dctx, out, size, stored.data(), stored.size());
      if (ZSTD_isError(got) || got != size) return "zstd decompression failed";
      return nullptr;
    }
    case kLz4Compression: {
      // The block must decode to exactly `size` bytes and use all of its
      // input (LZ4_decompress_safe checks both bounds, whatever the bytes).
      Slice input = stored;
      uint32_t declared;
      if (!GetVarint32(&input, &declared) || declared != size) return "bad lz4 block size";
      if (input.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) return "lz4 block too large";
      const int got = LZ4_decompress_safe(input.data(), out, static_cast<int>(input.size()),
                                          static_cast<int>(size));
      if (got < 0 || static_cast<size_t>(got) != size) return "lz4 decompression failed";
      return nullptr;
    }
    default:
      return "unknown compression type";
  }
}

const char* DecodeBlock(const Slice& stored, uint8_t type, BlockContents* result) {
  size_t size;
  const char* error = DecodedBlockSize(stored, type, &size);
  if (error != nullptr) return error;
  // A checksum-valid zstd frame may still claim up to kMaxBlockBytes.
  std::unique_ptr<char[]> out(new (std::nothrow) char[size]);
  if (out == nullptr) return "no memory for the decoded block";
  error = DecodeBlockInto(stored, type, out.get(), size);
  if (error != nullptr) return error;
  result->buf = std::move(out);
  result->size = size;
  return nullptr;
}

Status BlockCorruption(const std::string& fname, uint64_t offset, const char* what) {
  return Status::Corruption(At(fname, offset, what));
}

Status ReadStoredBlock(const RandomAccessFile* file, const std::string& fname,
                       const BlockHandle& handle, bool own_buffer, StoredBlock* stored) {
  if (handle.size > kMaxBlockBytes) return BlockCorruption(fname, handle.offset, "block too large");
  const size_t n = static_cast<size_t>(handle.size);
  // Where the raw bytes go:
  //  - own_buffer: a buffer of the block's own (stored->buffer);
  //  - otherwise the per-thread scratch buffer, which a mapped file
  //    ignores (it points into its mapping). Large blocks (an index) get
  //    their own buffer, so no thread keeps a large scratch alive.
  constexpr size_t kScratchLimit = 256 << 10;
  thread_local std::string thread_scratch;
  stored->buffer.reset();
  char* scratch;
  if (own_buffer || n + kBlockTrailerSize > kScratchLimit) {
    stored->buffer.reset(new char[n + kBlockTrailerSize]);
    scratch = stored->buffer.get();
  } else {
    if (thread_scratch.size() < n + kBlockTrailerSize) thread_scratch.resize(n + kBlockTrailerSize);
    scratch = thread_scratch.data();
  }
  Slice contents;
  Status s = file->Read(handle.offset, n + kBlockTrailerSize, &contents, scratch);
  if (!s.ok()) return s;
  if (contents.size() != n + kBlockTrailerSize) {
    return BlockCorruption(fname, handle.offset, "truncated block");
  }
  // contents may point into the scratch, or elsewhere (a memory-mapped file).
  const char* data = contents.data();
  const char type = data[n];
  if (DecodeFixed64(data + n + 1) != BlockChecksum(data, n, type)) {
    return BlockCorruption(fname, handle.offset, "block checksum mismatch");
  }
  stored->data = Slice(data, n);
  stored->type = static_cast<uint8_t>(type);
  return Status::OK();
}

Status ReadBlock(const RandomAccessFile* file, const std::string& fname, const BlockHandle& handle,
                 BlockContents* result, bool file_copies) {
  // A file that copies (pread) reads into a buffer of the block's own: if
  // the block is stored uncompressed, that buffer becomes its contents (the
  // trailer's 9 bytes ride along unused) and nothing is copied again.
  StoredBlock stored;
  Status s = ReadStoredBlock(file, fname, handle, file_copies, &stored);
  if (!s.ok()) return s;
  if (stored.type == kNoCompression && stored.buffer != nullptr &&
      stored.data.data() == stored.buffer.get()) {
    result->buf = std::move(stored.buffer);  // read in place: no second copy
    result->size = stored.data.size();
    return Status::OK();
  }
  const char* error = DecodeBlock(stored.data, stored.type, result);
  if (error != nullptr) return BlockCorruption(fname, handle.offset, error);
  return Status::OK();
}

}  // namespace lsmkv
