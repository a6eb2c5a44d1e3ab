#include "lsmkv/iterator.h"

namespace lsmkv {

Iterator::~Iterator() = default;

}  // namespace lsmkv
