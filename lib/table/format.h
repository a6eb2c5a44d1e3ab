// Table file building blocks: block handles, the block trailer, the footer,
// and reading a block back (checksum, decompression). Layout in
// docs/format.md ("Table files").
#ifndef LSMKV_TABLE_FORMAT_H_
#define LSMKV_TABLE_FORMAT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "lsmkv/env.h"
#include "lsmkv/options.h"
#include "lsmkv/status.h"

namespace lsmkv {

// Version of the table format written by this code. Readers accept
// versions 1 and 3 (TableFormatVersionReadable):
//   1: block compression types 0 (none) and 1 (zstd);
//   2: added type 2, lsmkv's own lz codec. Retired with it: a version-2
//      table is refused with NotSupported (no such tables were released);
//   3: added type 3, LZ4.
constexpr uint32_t kTableFormatVersion = 3;
constexpr uint32_t kMinTableFormatVersion = 1;
constexpr uint32_t kRetiredLzTableFormatVersion = 2;

// LZ4 acceleration for data blocks (LZ4_compress_fast): 1, LZ4's default,
// chosen by measurement over 2, 4 and 8 (docs/performance.md): decoding is
// as fast at every level, and 1 keeps the smallest blocks (2 costs ~5% on
// text-like records for ~20% faster compression).
constexpr int kLz4Acceleration = 1;
// The acceleration of tables a flush writes (TableOptions::lz4_acceleration
// of flushes). A flush runs while the writer waits for room, and most of
// its CPU is LZ4 (~60%); a level-0 table is rewritten at kLz4Acceleration
// by the first compaction that takes it, so only tables flushed below
// level 0 (a sorted load) or moved down whole keep the blocks 2 gives: the same size on
// db_bench-like values, ~5% larger on text-like records
// (docs/performance/2026-12-02-flush-pipeline.md). Any LZ4 block decodes
// the same: no format change.
constexpr int kLz4FlushAcceleration = 2;

// Where a block sits in the file (its size excludes the trailer).
struct BlockHandle {
  uint64_t offset = 0;
  uint64_t size = 0;

  // Index entries store handles as varint64 offset ‖ varint64 size.
  void EncodeTo(std::string* dst) const;
  Status DecodeFrom(Slice* input);
};

// Every block is followed by: compression type (1) ‖ XXH3-64 of block bytes
// and type (fixed64).
constexpr size_t kBlockTrailerSize = 1 + 8;

// Checksum type byte in the footer. On disk, never renumber.
constexpr uint8_t kChecksumXxh3 = 1;

// Fixed-size footer at the end of every table.
struct Footer {
  static constexpr size_t kEncodedLength = 3 * 16 + 1 + 3 + 4 + 8 + 8;  // 72

  BlockHandle index;
  BlockHandle properties;
  BlockHandle filter;  // size 0: no filter
  uint32_t format_version = kTableFormatVersion;

  void EncodeTo(std::string* dst) const;
  // Checks magic, footer checksum, checksum type and format version.
  Status DecodeFrom(const Slice& input, const std::string& fname);
};

// The last 8 bytes of every table: "lsmk" followed by CA FE BA BE.
extern const char kTableMagic[8];

// Decoded block contents, owned. (Not a std::string: growing one zero-fills
// memory that pread or zstd overwrites right away.)
struct BlockContents {
  std::unique_ptr<char[]> buf;
  size_t size = 0;

  Slice data() const { return Slice(buf.get(), size); }
};

// Reads the block at handle, verifies its checksum and decompresses it.
// Corruption (naming fname and the offset) on any mismatch, a truncated
// block included. file_copies: file->Read copies into the scratch buffer
// it is given (pread), as opposed to pointing into memory of its own (a
// mapping): the block's bytes are then read straight into a buffer of
// their own, which an uncompressed block keeps as its contents (one copy,
// kernel to heap, instead of two; a compressed block pays an allocation
// for the raw bytes instead, small beside the system call). Either value
// is correct for any file; the hint only picks the cheaper buffers.
Status ReadBlock(const RandomAccessFile* file, const std::string& fname,
                 const BlockHandle& handle, BlockContents* result, bool file_copies = false);

// Decodes the stored bytes of a block of compression `type` (checksum
// already verified) into *result. nullptr on success, else what is wrong.
const char* DecodeBlock(const Slice& stored, uint8_t type, BlockContents* result);

// DecodeBlock in two steps, for a caller that allocates the output itself
// (Block::Read puts it in the Block's own allocation). DecodedBlockSize
// reads the size `stored` decodes to from its header (at most 1 GiB);
// DecodeBlockInto decodes into out, `size` bytes as DecodedBlockSize said,
// and fails unless the block decodes to exactly that. nullptr on success,
// else what is wrong.
const char* DecodedBlockSize(const Slice& stored, uint8_t type, size_t* size);
const char* DecodeBlockInto(const Slice& stored, uint8_t type, char* out, size_t size);

// A block's bytes as stored in its file, checksum verified.
struct StoredBlock {
  // Points into `buffer`, into the file's mapping, or into the reading
  // thread's scratch buffer: valid until the thread reads its next block.
  Slice data;
  uint8_t type = 0;  // compression type
  std::unique_ptr<char[]> buffer;  // the bytes' own buffer, if they got one
};

// The first step of ReadBlock: reads the stored bytes of the block at
// handle and verifies the checksum; own_buffer asks for a buffer of the
// block's own (else a large block still gets one, a small one goes to the
// thread's scratch). Corruption as ReadBlock says.
Status ReadStoredBlock(const RandomAccessFile* file, const std::string& fname,
                       const BlockHandle& handle, bool own_buffer, StoredBlock* stored);

// Corruption "<fname>: <what> at offset <offset>", as ReadBlock reports it.
Status BlockCorruption(const std::string& fname, uint64_t offset, const char* what);

// Compresses raw with `type` when that saves at least 1/8; otherwise (or for
// kNoCompression) returns raw unchanged. *out_type says which. zstd_level
// applies to kZstdCompression only, lz4_acceleration to kLz4Compression
// only. The result points into *scratch or raw.
Slice MaybeCompress(const Slice& raw, CompressionType type, int zstd_level, std::string* scratch,
                    CompressionType* out_type, int lz4_acceleration = kLz4Acceleration);

// "none", "zstd", "lz4", or "unknown(N)" for a type this build does not
// know (including 2, the retired lz codec).
std::string CompressionName(uint64_t type);

// The trailer of a block of `contents` stored with `type`.
void AppendBlockTrailer(const Slice& contents, CompressionType type, std::string* dst);

}  // namespace lsmkv

#endif  // LSMKV_TABLE_FORMAT_H_
