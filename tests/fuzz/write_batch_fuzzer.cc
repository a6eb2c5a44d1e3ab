// Decodes arbitrary bytes as a write batch (a WAL payload) and, when it is
// well formed, applies it to a memtable and reads it back.
#include <cstddef>
#include <cstdint>
#include <string>

#include "db/write_batch_internal.h"
#include "memtable/memtable.h"

namespace {

struct Counter final : lsmkv::WriteBatch::Handler {
  uint32_t n = 0;
  void Put(const lsmkv::Slice&, const lsmkv::Slice&) override { n++; }
  void Delete(const lsmkv::Slice&) override { n++; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < lsmkv::WriteBatchInternal::kHeader) return 0;
  lsmkv::WriteBatch batch;
  lsmkv::WriteBatchInternal::SetContents(&batch, lsmkv::Slice(reinterpret_cast<const char*>(data), size));
  Counter counter;
  if (!batch.Iterate(&counter).ok()) return 0;
  if (counter.n != batch.Count()) __builtin_trap();  // Iterate checks the count
  lsmkv::InternalKeyComparator icmp(lsmkv::BytewiseComparator());
  lsmkv::MemTable mem(&icmp);
  if (!lsmkv::WriteBatchInternal::InsertInto(&batch, &mem).ok()) __builtin_trap();
  auto it = mem.NewIterator();
  uint32_t seen = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) seen++;
  if (seen != counter.n) __builtin_trap();
  return 0;
}
