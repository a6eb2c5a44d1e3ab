// The LZ4 block codec as tables use it (table/format.h: varint32 raw size ‖
// LZ4 block). Two checks per input:
//  - decoding the bytes as a stored LZ4 block must never crash or touch
//    memory outside the output, which DecodeBlock allocates at exactly the
//    declared size (so ASan sees a single byte written past it), and a
//    block that decodes has exactly that size;
//  - compressing the bytes as the table builder does must round-trip
//    exactly, or leave them raw.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "table/format.h"
#include "util/coding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const lsmkv::Slice input(reinterpret_cast<const char*>(data), size);
  {
    lsmkv::Slice header = input;
    uint32_t declared;
    // Skip inputs that would only exercise a huge allocation.
    if (lsmkv::GetVarint32(&header, &declared) && declared <= (4u << 20)) {
      lsmkv::BlockContents out;
      if (lsmkv::DecodeBlock(input, lsmkv::kLz4Compression, &out) == nullptr && out.size != declared) {
        std::abort();
      }
    }
  }
  std::string scratch;
  lsmkv::CompressionType type;
  const lsmkv::Slice stored = lsmkv::MaybeCompress(input, lsmkv::kLz4Compression, 0, &scratch, &type);
  if (type == lsmkv::kNoCompression) {
    if (stored.data() != input.data() || stored.size() != size) std::abort();
    return 0;
  }
  if (type != lsmkv::kLz4Compression || stored.size() > size - size / 8) std::abort();
  lsmkv::BlockContents back;
  if (lsmkv::DecodeBlock(stored, type, &back) != nullptr) std::abort();
  if (back.size != size || std::memcmp(back.buf.get(), data, size) != 0) std::abort();
  return 0;
}
