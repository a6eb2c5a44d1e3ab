// An iterator over all the tables of one level >= 1 (sorted, disjoint), as
// one sorted stream: a two-level iterator whose index is the level's file
// list and whose inner iterator is one table iterator, re-pointed at each
// table it reaches (tables come from the table cache).
#ifndef LSMKV_DB_LEVEL_ITERATOR_H_
#define LSMKV_DB_LEVEL_ITERATOR_H_

#include <memory>

#include "db/table_cache.h"
#include "lsmkv/iterator.h"
#include "table/merging_iterator.h"
#include "version/version_set.h"

namespace lsmkv {

// files must stay alive as long as the iterator (the caller pins their
// Version). icmp and table_cache must outlive it. drop_pages_behind: the
// scan reads each table once (a compaction): a table it leaves, or is on
// when destroyed, drops its mapped pages from the process's resident set
// (Table::DropResidentPages), so a compaction's RSS holds about one input
// table per level, not all it has read.
std::unique_ptr<Iterator> NewLevelIterator(const InternalKeyComparator* icmp,
                                           TableCache* table_cache, const ReadOptions& options,
                                           const std::vector<FilePtr>* files,
                                           bool drop_pages_behind = false);

// A level iterator and a probe for the merging iterator's lazy seeks over
// the same level: the probe returns false when the bloom filter of every
// file whose key range spans the user key of the target rules it out (or
// no file does); true when a table cannot be opened, so that the seek
// itself reports the error. The two share the tables they have open: the
// probe uses the iterator's current table when the target falls in it, and
// a table the probe had to look up is kept for the seek that follows, so
// that neither looks a table up in the table cache twice. Between them
// they hold at most two tables (the current one and the last probed one)
// beyond what the table cache holds. The probe points into the iterator:
// it must not be called after the iterator is destroyed (the merging
// iterator owns both). Same lifetime rules as NewLevelIterator.
struct LevelIteratorAndProbe {
  std::unique_ptr<Iterator> iterator;
  UserKeyProbe probe;
};
LevelIteratorAndProbe NewLevelIteratorAndProbe(const InternalKeyComparator* icmp,
                                               TableCache* table_cache, const ReadOptions& options,
                                               const std::vector<FilePtr>* files);

}  // namespace lsmkv

#endif  // LSMKV_DB_LEVEL_ITERATOR_H_
