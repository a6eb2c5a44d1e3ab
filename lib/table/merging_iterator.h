// MergingIterator: the union of several sorted iterators, in comparator
// order, through a binary heap of the children (O(log n) per step). Keys
// must be unique across children (internal keys are: each has its own
// sequence number); the DB iterator picks versions by sequence number.
#ifndef LSMKV_TABLE_MERGING_ITERATOR_H_
#define LSMKV_TABLE_MERGING_ITERATOR_H_

#include <functional>
#include <memory>
#include <vector>

#include "lsmkv/comparator.h"
#include "lsmkv/iterator.h"

namespace lsmkv {

class InternalKeyComparator;

// comparator must outlive the result.
std::unique_ptr<Iterator> NewMergingIterator(const Comparator* comparator,
                                             std::vector<std::unique_ptr<Iterator>> children);

// Whether a child may hold an entry whose user key is that of the internal
// key `target` (false must be certain: e.g. the child's Bloom filters
// exclude it). Called on Seek, before any data block of the child is read.
using UserKeyProbe = std::function<bool(const Slice& target)>;

// The same over internal keys, with lazy positioning on Seek: a child whose
// probe (probes[i], parallel to children; an empty function means "may")
// rules out the target's user key u is not sought at once. It enters the
// heap with the lower bound (u, sequence 0, type 0), the largest internal
// key of u — its first key >= target is past every version of u, so past
// that bound — and is sought only when that bound reaches the top of the
// heap. A seek for a key that exists reads the data blocks of the children
// holding it (and of filter false positives), not of every child.
//
// order == kNewestFirst promises what Get relies on too: for every user key
// u, each entry of u in children[j] has a smaller sequence number than each
// entry of u in children[i], i < j (the DB passes the memtable, the
// immutable memtables newest first, level-0 tables newest first, then
// levels 1, 2, ...). A Seek then stops at the first child (in that order)
// whose first key >= target is a version of u, say (u, s): every later
// child's first key >= target is past (u, s), so it enters the heap lazily
// with (u, s) as its bound, without being probed or sought. A seek for a
// key whose newest version is in the memtable or a shallow level reads no
// block of the deeper levels that hold older versions of it.
enum class ChildOrder { kAny, kNewestFirst };
std::unique_ptr<Iterator> NewMergingIterator(const InternalKeyComparator* comparator,
                                             std::vector<std::unique_ptr<Iterator>> children,
                                             std::vector<UserKeyProbe> probes,
                                             ChildOrder order = ChildOrder::kAny);

}  // namespace lsmkv

#endif  // LSMKV_TABLE_MERGING_ITERATOR_H_
