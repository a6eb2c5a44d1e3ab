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
// Version). icmp and table_cache must outlive it. compaction_input: the
// scan reads each table once, front to back (a compaction), so
//  - it reads each table's data blocks through a reader of its own with a
//    readahead buffer of kCompactionReadaheadBytes (TableCache::OpenForScan:
//    pread, not the table's mapping; if that file cannot be opened, the
//    table's own file is used), so a compaction's inputs cost the RSS one
//    buffer each, not the pages they have read (under an Env that does
//    not honour allow_mmap_reads = false -- an EnvWrapper does not forward
//    NewRandomAccessFileWithOptions -- the second reader may be a mapping
//    again: correct, without the RSS saving);
//  - a table it leaves, or is on when destroyed, drops its mapped pages
//    from the process's resident set (Table::DropResidentPages): those the
//    index and the table cache's readers touched.
std::unique_ptr<Iterator> NewLevelIterator(const InternalKeyComparator* icmp,
                                           TableCache* table_cache, const ReadOptions& options,
                                           const std::vector<FilePtr>* files,
                                           bool compaction_input = false);

// A compaction input's readahead (see NewLevelIterator). Blocks are a few
// KiB; 256 KiB makes the pread calls negligible while a compaction of
// twenty level-0 tables holds 5 MiB of buffers.
constexpr size_t kCompactionReadaheadBytes = 256 << 10;

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
