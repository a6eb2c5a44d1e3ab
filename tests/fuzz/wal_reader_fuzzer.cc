// Feeds arbitrary bytes to the WAL/MANIFEST record reader: it must never
// crash, hang or return a record whose checksum did not verify.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "wal/log_reader.h"

namespace {

class CountingReporter final : public lsmkv::log::Reader::Reporter {
 public:
  void Corruption(size_t, const lsmkv::Status&) override { count++; }
  int count = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lsmkv::fuzz::BufferSequentialFile file(reinterpret_cast<const char*>(data), size);
  CountingReporter reporter;
  lsmkv::log::Reader reader(&file, "fuzz.log", &reporter, /*log_number=*/7);
  lsmkv::Slice record;
  std::string scratch;
  size_t total = 0;
  while (reader.ReadRecord(&record, &scratch)) total += record.size();
  if (total > size) __builtin_trap();  // records come from the input only
  return 0;
}
