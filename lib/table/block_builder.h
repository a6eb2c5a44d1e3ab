// BlockBuilder: builds a block of sorted key/value entries with prefix-
// compressed keys. Every restart_interval-th key (kRestartInterval unless
// told) is stored whole (a restart point) so a reader can binary-search the
// restart array. Readers take the restart points from the array, so the
// interval is the writer's choice: tables use 16 for data blocks and 1 for
// index blocks (an index seek is then a binary search alone).
//
//   entry   = varint32 shared ‖ varint32 unshared ‖ varint32 value_len
//             ‖ key[shared..] ‖ value
//   block   = entry* ‖ fixed32 restart_offset* ‖ fixed32 num_restarts
//
// Thread safety: externally synchronized.
#ifndef LSMKV_TABLE_BLOCK_BUILDER_H_
#define LSMKV_TABLE_BLOCK_BUILDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "lsmkv/slice.h"

namespace lsmkv {

class BlockBuilder {
 public:
  static constexpr int kRestartInterval = 16;

  // REQUIRES: restart_interval >= 1
  explicit BlockBuilder(int restart_interval = kRestartInterval);
  BlockBuilder(const BlockBuilder&) = delete;
  BlockBuilder& operator=(const BlockBuilder&) = delete;

  void Reset();
  // REQUIRES: key > every key added since Reset (in the table's order).
  void Add(const Slice& key, const Slice& value);
  // The finished block; valid until Reset.
  Slice Finish();
  // Size of the block if Finish were called now.
  size_t CurrentSizeEstimate() const;
  bool empty() const { return buffer_.empty(); }

 private:
  std::string buffer_;
  std::vector<uint32_t> restarts_;
  const int restart_interval_;
  int counter_ = 0;  // entries since the last restart
  bool finished_ = false;
  std::string last_key_;
};

}  // namespace lsmkv

#endif  // LSMKV_TABLE_BLOCK_BUILDER_H_
