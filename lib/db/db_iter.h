// DBIter: turns an iterator over internal keys into the user-visible
// iterator: each user key once, at its newest version with sequence <=
// the iterator's sequence, tombstoned keys hidden.
#ifndef LSMKV_DB_DB_ITER_H_
#define LSMKV_DB_DB_ITER_H_

#include <memory>

#include "format/dbformat.h"
#include "lsmkv/iterator.h"

namespace lsmkv {

// internal yields internal keys ordered by an InternalKeyComparator over
// user_comparator. `pinned` is kept alive as long as the returned iterator
// (e.g. the memtables internal reads from); it may be empty. lower/upper
// (nullptr: none) bound the visible user keys to [lower, upper); they are
// copied.
std::unique_ptr<Iterator> NewDBIterator(const Comparator* user_comparator,
                                        std::unique_ptr<Iterator> internal,
                                        SequenceNumber sequence,
                                        std::shared_ptr<const void> pinned,
                                        const Slice* lower = nullptr,
                                        const Slice* upper = nullptr);

}  // namespace lsmkv

#endif  // LSMKV_DB_DB_ITER_H_
