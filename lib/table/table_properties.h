// TableProperties: facts about a table, stored in its properties block.
// Encoded as a block (block_builder.h) mapping property names to values;
// numbers are varint64, keys raw bytes. Readers skip names they do not know.
// Names and meanings in docs/format.md ("Properties block").
#ifndef LSMKV_TABLE_TABLE_PROPERTIES_H_
#define LSMKV_TABLE_TABLE_PROPERTIES_H_

#include <cstdint>
#include <string>

#include "lsmkv/status.h"

namespace lsmkv {

struct TableProperties {
  uint64_t format_version = 0;
  uint64_t num_entries = 0;
  uint64_t num_tombstones = 0;   // set by the caller (the table layer does not parse keys)
  uint64_t num_data_blocks = 0;
  uint64_t raw_key_bytes = 0;
  uint64_t raw_value_bytes = 0;
  uint64_t data_bytes = 0;       // data blocks on disk, trailers included
  std::string smallest_user_key; // set by the caller
  std::string largest_user_key;  // set by the caller
  uint64_t smallest_sequence = 0;  // set by the caller
  uint64_t largest_sequence = 0;   // set by the caller
  uint64_t creation_time = 0;      // unix seconds
  uint64_t compression = 0;        // CompressionType requested for data blocks
  uint64_t bloom_bits_per_key = 0; // 0: no filter

  std::string Encode() const;
  Status Decode(const std::string& block_contents);
  // One line of "name=value" pairs, keys escaped.
  std::string ToString() const;
};

}  // namespace lsmkv

#endif  // LSMKV_TABLE_TABLE_PROPERTIES_H_
