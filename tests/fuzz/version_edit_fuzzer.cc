// Decodes arbitrary bytes as a MANIFEST version edit. A successful decode
// must re-encode to something that decodes to the same encoding again.
#include <cstddef>
#include <cstdint>
#include <string>

#include "version/version_edit.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lsmkv::VersionEdit edit;
  if (!edit.DecodeFrom(lsmkv::Slice(reinterpret_cast<const char*>(data), size)).ok()) return 0;
  std::string once, twice;
  edit.EncodeTo(&once);
  lsmkv::VersionEdit again;
  if (!again.DecodeFrom(once).ok()) __builtin_trap();
  again.EncodeTo(&twice);
  if (once != twice) __builtin_trap();
  return 0;
}
