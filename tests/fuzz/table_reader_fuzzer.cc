// Opens arbitrary bytes as a table file and reads everything it yields; also
// decodes them as a single block. Must never crash or hang.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz_util.h"
#include "table/block.h"
#include "table/table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* bytes = reinterpret_cast<const char*>(data);
  {
    auto file = std::make_unique<lsmkv::fuzz::BufferRandomAccessFile>(bytes, size);
    lsmkv::TableOptions options;
    std::shared_ptr<lsmkv::Table> table;
    if (lsmkv::Table::Open(options, "fuzz.sst", std::move(file), size, 1, &table).ok()) {
      lsmkv::ReadOptions ro;
      auto it = table->NewIterator(ro);
      int n = 0;
      for (it->SeekToFirst(); it->Valid() && n < 100000; it->Next()) n++;
      for (it->SeekToLast(); it->Valid() && n < 200000; it->Prev()) n++;
      it->Seek("m");
      it->SeekForPrev("m");
      lsmkv::Table::GetResult result;
      std::string k, v;
      (void)table->Get(ro, "key", &result, &k, &v);
    }
  }
  {
    auto block = std::make_shared<const lsmkv::Block>(std::string(bytes, size));
    auto it = lsmkv::Block::NewIterator(block, lsmkv::BytewiseComparator());
    int n = 0;
    for (it->SeekToFirst(); it->Valid() && n < 100000; it->Next()) n++;
    for (it->SeekToLast(); it->Valid() && n < 200000; it->Prev()) n++;
    it->Seek("k");
  }
  return 0;
}
