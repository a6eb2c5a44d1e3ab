// Small iterators used by several layers.
#ifndef LSMKV_TABLE_ITERATOR_UTIL_H_
#define LSMKV_TABLE_ITERATOR_UTIL_H_

#include <memory>

#include "lsmkv/iterator.h"

namespace lsmkv {

// An iterator with no entries and an OK status.
std::unique_ptr<Iterator> NewEmptyIterator();
// An iterator with no entries whose status() is `status`.
std::unique_ptr<Iterator> NewErrorIterator(const Status& status);

}  // namespace lsmkv

#endif  // LSMKV_TABLE_ITERATOR_UTIL_H_
