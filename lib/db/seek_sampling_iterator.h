// SeekSamplingIterator: forwards every call to the iterator it wraps, and
// every `period`-th Seek or SeekForPrev also hands the target to a sampler.
// The DB uses it for read-triggered compaction: a sampled seek charges the
// table that the target's key range made the iterator position needlessly
// (DBImpl::SampleSeek).
//
// Thread safety: like any Iterator, one thread at a time. The sampler is
// called on that thread.
#ifndef LSMKV_DB_SEEK_SAMPLING_ITERATOR_H_
#define LSMKV_DB_SEEK_SAMPLING_ITERATOR_H_

#include <functional>
#include <memory>

#include "lsmkv/iterator.h"

namespace lsmkv {

// REQUIRES: period >= 1. The sampler must stay callable for the returned
// iterator's lifetime.
std::unique_ptr<Iterator> NewSeekSamplingIterator(std::unique_ptr<Iterator> wrapped, int period,
                                                  std::function<void(const Slice& target)> sampler);

}  // namespace lsmkv

#endif  // LSMKV_DB_SEEK_SAMPLING_ITERATOR_H_
