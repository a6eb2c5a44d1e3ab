// Two checks per input: decoding the bytes as an lz stream must never crash
// or touch memory outside the output, and compressing the bytes must
// round-trip exactly.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "util/lz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const lsmkv::Slice input(reinterpret_cast<const char*>(data), size);
  size_t raw_size;
  if (lsmkv::LzDecompressedSize(input, &raw_size) && raw_size <= (1 << 20)) {
    // Exactly raw_size bytes, so ASan sees any write past the end.
    std::unique_ptr<char[]> out(new char[raw_size]);
    (void)lsmkv::LzDecompress(input, out.get(), raw_size);
  }
  std::string compressed;
  if (!lsmkv::LzCompress(input, size + 64, &compressed)) std::abort();  // always fits
  size_t back_size;
  if (!lsmkv::LzDecompressedSize(compressed, &back_size) || back_size != size) std::abort();
  std::unique_ptr<char[]> back(new char[size + 1]);
  if (!lsmkv::LzDecompress(compressed, back.get(), size)) std::abort();
  if (size > 0 && std::memcmp(back.get(), data, size) != 0) std::abort();
  return 0;
}
