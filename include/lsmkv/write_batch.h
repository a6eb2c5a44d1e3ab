// WriteBatch: a group of updates applied atomically by DB::Write, in order.
// Either all of them are visible (and recovered after a crash) or none is.
//
// Thread safety: externally synchronized.
#ifndef LSMKV_WRITE_BATCH_H_
#define LSMKV_WRITE_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "lsmkv/export.h"
#include "lsmkv/slice.h"
#include "lsmkv/status.h"

namespace lsmkv {

class LSMKV_EXPORT WriteBatch {
 public:
  class LSMKV_EXPORT Handler {
   public:
    virtual ~Handler();
    virtual void Put(const Slice& key, const Slice& value) = 0;
    virtual void Delete(const Slice& key) = 0;
  };

  WriteBatch();
  WriteBatch(const WriteBatch&) = default;
  WriteBatch& operator=(const WriteBatch&) = default;
  WriteBatch(WriteBatch&&) noexcept = default;
  WriteBatch& operator=(WriteBatch&&) noexcept = default;
  ~WriteBatch();

  void Put(const Slice& key, const Slice& value);
  void Delete(const Slice& key);
  // Removes every update.
  void Clear();
  // Number of updates.
  uint32_t Count() const;
  // Bytes of the encoded batch; grows with every update.
  size_t ApproximateSize() const;
  // Appends source's updates after this batch's.
  void Append(const WriteBatch& source);
  // Calls handler for every update in order. Corruption if the batch's bytes
  // are malformed (only possible for batches decoded from disk).
  Status Iterate(Handler* handler) const;

 private:
  friend class WriteBatchInternal;
  // Encoding documented in docs/format.md ("Write batch").
  std::string rep_;
};

}  // namespace lsmkv

#endif  // LSMKV_WRITE_BATCH_H_
