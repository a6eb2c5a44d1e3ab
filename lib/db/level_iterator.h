// An iterator over all the tables of one level >= 1 (sorted, disjoint), as
// one sorted stream: a two-level iterator whose index is the level's file
// list, opening one table at a time through the table cache.
#ifndef LSMKV_DB_LEVEL_ITERATOR_H_
#define LSMKV_DB_LEVEL_ITERATOR_H_

#include <memory>

#include "db/table_cache.h"
#include "lsmkv/iterator.h"
#include "table/merging_iterator.h"
#include "version/version_set.h"

namespace lsmkv {

// files must stay alive as long as the iterator (the caller pins their
// Version). icmp and table_cache must outlive it.
std::unique_ptr<Iterator> NewLevelIterator(const InternalKeyComparator* icmp,
                                           TableCache* table_cache, const ReadOptions& options,
                                           const std::vector<FilePtr>* files);

// A probe for the merging iterator's lazy seeks over the same level: false
// when the bloom filter of every file whose key range spans the user key
// of the target rules it out (or no file does). True when a table cannot be
// opened, so that the seek itself reports the error. Same lifetime rules.
UserKeyProbe NewLevelProbe(const InternalKeyComparator* icmp, TableCache* table_cache,
                           const std::vector<FilePtr>* files);

}  // namespace lsmkv

#endif  // LSMKV_DB_LEVEL_ITERATOR_H_
