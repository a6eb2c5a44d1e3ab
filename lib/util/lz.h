// lz: lsmkv's own byte-oriented LZ77 block codec (CompressionType kLzCompression).
//
// It exists because random reads decode one data block each and zstd's
// entropy stage (FSE table building plus sequence decoding, ~22,000
// instructions per 4 KiB block at level -1) costs more than the rest of a
// point lookup together. This codec has no entropy stage: a stream is a run
// of (literals, back-reference) pairs with byte-aligned lengths, so decoding
// is a few branches and two memcpy per pair. The format is in
// docs/format.md ("lz block codec"); in short:
//
//   stream   = varint32 raw_size ‖ sequence*
//   sequence = token ‖ [varint32 literal_length − 15] ‖ literals
//              ‖ [fixed16 offset ‖ [varint32 match_length − 19]]
//   token    = literal_length (0..15) << 4 | (match_length − 4) (0..15)
//
// Thread safety: the functions keep no state; call them from any thread.
#ifndef LSMKV_UTIL_LZ_H_
#define LSMKV_UTIL_LZ_H_

#include <cstddef>
#include <string>

#include "lsmkv/slice.h"

namespace lsmkv {

// Compresses `input` into *output (replacing its contents). Gives up and
// returns false as soon as the output would exceed `max_output` bytes, so a
// caller that keeps only compressed forms that are smaller does not pay for
// compressing incompressible data to the end.
bool LzCompress(const Slice& input, size_t max_output, std::string* output);

// The decompressed size recorded at the start of `input`; false if `input`
// does not start with a valid varint32.
bool LzDecompressedSize(const Slice& input, size_t* size);

// Decompresses `input` into out[0, size), where size is
// LzDecompressedSize(input). Returns false on any malformed stream (lengths
// or offsets out of range, trailing bytes, output not exactly `size` bytes);
// never reads or writes out of bounds, whatever the input.
bool LzDecompress(const Slice& input, char* out, size_t size);

}  // namespace lsmkv

#endif  // LSMKV_UTIL_LZ_H_
