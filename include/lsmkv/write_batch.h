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
  // Receives a batch's updates from Iterate. Put and Delete are the core;
  // methods added later (for new kinds of update) get default bodies, so a
  // handler written today keeps compiling (docs/compatibility.md).
  class LSMKV_EXPORT Handler {
   public:
    virtual ~Handler();
    virtual void Put(const Slice& key, const Slice& value) = 0;
    virtual void Delete(const Slice& key) = 0;
    // Asked before each update: false stops Iterate there (it then returns
    // OK without checking the rest of the batch). Default: always true.
    virtual bool Continue();
  };

  WriteBatch();
  WriteBatch(const WriteBatch&) = default;
  WriteBatch& operator=(const WriteBatch&) = default;
  WriteBatch(WriteBatch&&) noexcept = default;
  WriteBatch& operator=(WriteBatch&&) noexcept = default;
  ~WriteBatch();

  // Keys up to kMaxKeySize and values up to kMaxValueSize bytes. A larger
  // one is not added; DB::Write then fails the whole batch with
  // InvalidArgument.
  static constexpr size_t kMaxKeySize = size_t{64} << 20;     // 64 MiB
  static constexpr size_t kMaxValueSize = size_t{3} << 30;    // 3 GiB

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
  // Calls handler for every update in order, until handler->Continue()
  // says stop. Corruption if the batch's bytes are malformed (only possible
  // for batches decoded from disk).
  Status Iterate(Handler* handler) const;

 private:
  friend class WriteBatchInternal;
  // Encoding documented in docs/format.md ("Write batch").
  std::string rep_;
  // An update over the size limits was refused (see Put).
  bool oversized_ = false;
};

}  // namespace lsmkv

#endif  // LSMKV_WRITE_BATCH_H_
