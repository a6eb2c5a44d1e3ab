// Iterator over key/value pairs in key order.
//
// Thread safety: externally synchronized; use one Iterator from one thread at
// a time. Different iterators may be used concurrently.
#ifndef LSMKV_ITERATOR_H_
#define LSMKV_ITERATOR_H_

#include "lsmkv/export.h"
#include "lsmkv/slice.h"
#include "lsmkv/status.h"

namespace lsmkv {

class LSMKV_EXPORT Iterator {
 public:
  Iterator() = default;
  Iterator(const Iterator&) = delete;
  Iterator& operator=(const Iterator&) = delete;
  virtual ~Iterator();

  // True iff positioned at an entry.
  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  // First entry with key >= target.
  virtual void Seek(const Slice& target) = 0;
  // Last entry with key <= target.
  virtual void SeekForPrev(const Slice& target) = 0;
  // REQUIRES: Valid()
  virtual void Next() = 0;
  // REQUIRES: Valid()
  virtual void Prev() = 0;
  // REQUIRES: Valid(). The bytes stay valid until the iterator moves.
  virtual Slice key() const = 0;
  virtual Slice value() const = 0;
  // An error met while iterating; iteration then ends (Valid() false).
  virtual Status status() const = 0;
};

}  // namespace lsmkv

#endif  // LSMKV_ITERATOR_H_
