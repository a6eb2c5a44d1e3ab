// BuildTable: writes the entries of an internal-key iterator (a memtable)
// to a new level-0 table file, durably:
//   NNNNNN.sst.tmp → fsync → close → rename to NNNNNN.sst → fsync the dir,
// then reopens it through the table cache to check it reads back.
#ifndef LSMKV_DB_BUILDER_H_
#define LSMKV_DB_BUILDER_H_

#include <string>

#include "db/table_cache.h"
#include "lsmkv/env.h"
#include "lsmkv/iterator.h"
#include "table/table_options.h"
#include "version/version_edit.h"

namespace lsmkv {

// meta->number must be set. On success meta describes the file; an empty
// iterator produces no file (meta->file_size == 0). On failure nothing is
// left behind but possibly the .tmp file (deleted at the next Open).
Status BuildTable(const std::string& dbname, Env* env, const TableOptions& options,
                  TableCache* table_cache, Iterator* iter, FileMetaData* meta);

}  // namespace lsmkv

#endif  // LSMKV_DB_BUILDER_H_
