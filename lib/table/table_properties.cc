#include "table/table_properties.h"

#include <cstdio>
#include <memory>
#include <utility>
#include <vector>

#include "table/block.h"
#include "table/block_builder.h"
#include "table/format.h"
#include "util/coding.h"
#include "util/escape.h"

namespace lsmkv {

namespace {

// Property names, on disk. Kept in bytewise order: the block requires it.
constexpr char kBloomBitsPerKey[] = "lsmkv.bloom-bits-per-key";
constexpr char kCompression[] = "lsmkv.compression";
constexpr char kCreationTime[] = "lsmkv.creation-time";
constexpr char kDataBytes[] = "lsmkv.data-bytes";
constexpr char kFormatVersion[] = "lsmkv.format-version";
constexpr char kLargestSequence[] = "lsmkv.largest-sequence";
constexpr char kLargestUserKey[] = "lsmkv.largest-user-key";
constexpr char kNumDataBlocks[] = "lsmkv.num-data-blocks";
constexpr char kNumEntries[] = "lsmkv.num-entries";
constexpr char kNumTombstones[] = "lsmkv.num-tombstones";
constexpr char kRawKeyBytes[] = "lsmkv.raw-key-bytes";
constexpr char kRawValueBytes[] = "lsmkv.raw-value-bytes";
constexpr char kSmallestSequence[] = "lsmkv.smallest-sequence";
constexpr char kSmallestUserKey[] = "lsmkv.smallest-user-key";

std::string Varint(uint64_t v) {
  std::string s;
  PutVarint64(&s, v);
  return s;
}

}  // namespace

std::string TableProperties::Encode() const {
  const std::pair<const char*, std::string> entries[] = {
      {kBloomBitsPerKey, Varint(bloom_bits_per_key)},
      {kCompression, Varint(compression)},
      {kCreationTime, Varint(creation_time)},
      {kDataBytes, Varint(data_bytes)},
      {kFormatVersion, Varint(format_version)},
      {kLargestSequence, Varint(largest_sequence)},
      {kLargestUserKey, largest_user_key},
      {kNumDataBlocks, Varint(num_data_blocks)},
      {kNumEntries, Varint(num_entries)},
      {kNumTombstones, Varint(num_tombstones)},
      {kRawKeyBytes, Varint(raw_key_bytes)},
      {kRawValueBytes, Varint(raw_value_bytes)},
      {kSmallestSequence, Varint(smallest_sequence)},
      {kSmallestUserKey, smallest_user_key},
  };
  BlockBuilder builder;
  for (const auto& [name, value] : entries) builder.Add(name, value);
  return builder.Finish().ToString();
}

Status TableProperties::Decode(const std::string& block_contents) {
  *this = TableProperties();
  auto block = std::make_shared<const Block>(block_contents);
  auto it = Block::NewIterator(block, BytewiseComparator());
  const std::pair<const char*, uint64_t*> numbers[] = {
      {kBloomBitsPerKey, &bloom_bits_per_key}, {kCompression, &compression},
      {kCreationTime, &creation_time},         {kDataBytes, &data_bytes},
      {kFormatVersion, &format_version},       {kLargestSequence, &largest_sequence},
      {kNumDataBlocks, &num_data_blocks},      {kNumEntries, &num_entries},
      {kNumTombstones, &num_tombstones},       {kRawKeyBytes, &raw_key_bytes},
      {kRawValueBytes, &raw_value_bytes},      {kSmallestSequence, &smallest_sequence},
  };
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const Slice name = it->key();
    if (name == Slice(kSmallestUserKey)) {
      smallest_user_key = it->value().ToString();
      continue;
    }
    if (name == Slice(kLargestUserKey)) {
      largest_user_key = it->value().ToString();
      continue;
    }
    for (const auto& [known, field] : numbers) {
      if (name == Slice(known)) {
        Slice v = it->value();
        if (!GetVarint64(&v, field) || !v.empty()) {
          return Status::Corruption("bad table property", name);
        }
      }
    }
  }
  return it->status();
}

std::string TableProperties::ToString() const {
  return "entries=" + std::to_string(num_entries) + " tombstones=" + std::to_string(num_tombstones) +
         " data_blocks=" + std::to_string(num_data_blocks) +
         " raw_key_bytes=" + std::to_string(raw_key_bytes) +
         " raw_value_bytes=" + std::to_string(raw_value_bytes) +
         " smallest_key=" + EscapeBytes(smallest_user_key) + " largest_key=" + EscapeBytes(largest_user_key) +
         " sequences=" + std::to_string(smallest_sequence) + ".." + std::to_string(largest_sequence) +
         " created=" + std::to_string(creation_time) +
         " compression=" + CompressionName(compression) +
         " bloom_bits_per_key=" + std::to_string(bloom_bits_per_key) +
         " format_version=" + std::to_string(format_version);
}

}  // namespace lsmkv
