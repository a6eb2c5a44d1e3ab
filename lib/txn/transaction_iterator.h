// The iterator of a transaction: the DB at the transaction's snapshot
// merged with the transaction's pending writes (a pending write hides the
// DB's version of its key; a pending deletion hides the key), forward and
// backward, within the read options' bounds. Under kSerializable it records
// the key range it covers in the transaction, for commit validation.
#ifndef LSMKV_TXN_TRANSACTION_ITERATOR_H_
#define LSMKV_TXN_TRANSACTION_ITERATOR_H_

#include <memory>

#include "lsmkv/comparator.h"
#include "lsmkv/iterator.h"
#include "txn/optimistic_transaction.h"

namespace lsmkv {

// db_iter reads the snapshot with the same bounds. The pending writes
// inside the bounds are copied: the iterator sees the writes made before it
// was created. txn must outlive the iterator.
std::unique_ptr<Iterator> NewTransactionIterator(OptimisticTransaction* txn,
                                                 const Comparator* comparator,
                                                 std::unique_ptr<Iterator> db_iter,
                                                 const OptimisticTransaction::PendingMap* pending,
                                                 const Slice* lower, const Slice* upper);

}  // namespace lsmkv

#endif  // LSMKV_TXN_TRANSACTION_ITERATOR_H_
