// The bytes that carry the change feed and checkpoints between nodes.
//
// Feed body (GET /cluster/feed, application/octet-stream): batches back to
// back, each
//   fixed64 first_sequence | fixed32 count | count updates
// and each update
//   byte 1 (put) | fixed32 key_size | key | fixed32 value_size | value
//   byte 0 (delete) | fixed32 key_size | key
// (fixed = little-endian). Batches follow each other without holes.
//
// Checkpoint body (GET /cluster/checkpoint): "LSMKVCKP1\n", then per file
//   fixed32 name_size | name | fixed64 size | bytes
// and fixed32 0 at the end. Names are plain file names (no '/', not "."
// or "..").
//
// Thread safety: free functions over their arguments.
#ifndef LSMKV_EXAMPLES_KVSERVER_CLUSTER_FEED_CODEC_H_
#define LSMKV_EXAMPLES_KVSERVER_CLUSTER_FEED_CODEC_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "lsmkv/env.h"
#include "lsmkv/status.h"
#include "lsmkv/write_batch.h"

namespace kvcluster {

struct SequencedBatch {
  uint64_t sequence = 0;  // of the batch's first update
  lsmkv::WriteBatch batch;
};

// Appends one batch's encoding to *out.
lsmkv::Status AppendBatch(uint64_t sequence, const lsmkv::WriteBatch& batch, std::string* out);
// Decodes a whole feed body; Corruption for malformed bytes or batches
// that do not follow each other.
lsmkv::Status DecodeBatches(const std::string& body, std::vector<SequencedBatch>* batches);

// Packs the files of `dir` (not recursing; subdirectories are an error).
lsmkv::Status PackDirectory(lsmkv::Env* env, const std::string& dir, std::string* out);
// Writes the files of a packed body into `dir` (created; must not exist),
// each synced, then the directory synced.
lsmkv::Status UnpackDirectory(lsmkv::Env* env, const std::string& body, const std::string& dir);

}  // namespace kvcluster

#endif  // LSMKV_EXAMPLES_KVSERVER_CLUSTER_FEED_CODEC_H_
