// MergingIterator: the union of several sorted iterators, in comparator
// order, through a binary heap of the children (O(log n) per step). Keys
// must be unique across children (internal keys are: each has its own
// sequence number); the DB iterator picks versions by sequence number.
#ifndef LSMKV_TABLE_MERGING_ITERATOR_H_
#define LSMKV_TABLE_MERGING_ITERATOR_H_

#include <memory>
#include <vector>

#include "lsmkv/comparator.h"
#include "lsmkv/iterator.h"

namespace lsmkv {

// comparator must outlive the result.
std::unique_ptr<Iterator> NewMergingIterator(const Comparator* comparator,
                                             std::vector<std::unique_ptr<Iterator>> children);

}  // namespace lsmkv

#endif  // LSMKV_TABLE_MERGING_ITERATOR_H_
