// TwoLevelIterator: iterates an index whose values name inner iterators
// (a table's index block over its data blocks; later, a level's file list
// over its tables). Inner iterators are opened lazily, one at a time.
#ifndef LSMKV_TABLE_TWO_LEVEL_ITERATOR_H_
#define LSMKV_TABLE_TWO_LEVEL_ITERATOR_H_

#include <functional>
#include <memory>

#include "lsmkv/iterator.h"

namespace lsmkv {

// Opens the inner iterator for one index value.
using InnerIteratorFactory = std::function<std::unique_ptr<Iterator>(const Slice& index_value)>;

std::unique_ptr<Iterator> NewTwoLevelIterator(std::unique_ptr<Iterator> index,
                                              InnerIteratorFactory open_inner);

}  // namespace lsmkv

#endif  // LSMKV_TABLE_TWO_LEVEL_ITERATOR_H_
