#include "lsmkv/comparator.h"

#include <algorithm>

#include "util/compare.h"

namespace lsmkv {

Comparator::~Comparator() = default;
void Comparator::FindShortestSeparator(std::string*, const Slice&) const {}
void Comparator::FindShortSuccessor(std::string*) const {}

namespace {

class BytewiseComparatorImpl final : public Comparator {
 public:
  const char* Name() const override { return "lsmkv.BytewiseComparator"; }

  int Compare(const Slice& a, const Slice& b) const override {
    return CompareBytes(a.data(), a.size(), b.data(), b.size());
  }

  void FindShortestSeparator(std::string* start, const Slice& limit) const override {
    const size_t min_length = std::min(start->size(), limit.size());
    size_t diff = 0;
    while (diff < min_length && (*start)[diff] == limit[diff]) diff++;
    if (diff >= min_length) return;  // one is a prefix of the other
    const uint8_t byte = static_cast<uint8_t>((*start)[diff]);
    if (byte < 0xff && byte + 1 < static_cast<uint8_t>(limit[diff])) {
      (*start)[diff] = static_cast<char>(byte + 1);
      start->resize(diff + 1);
    }
  }

  void FindShortSuccessor(std::string* key) const override {
    for (size_t i = 0; i < key->size(); i++) {
      const uint8_t byte = static_cast<uint8_t>((*key)[i]);
      if (byte != 0xff) {
        (*key)[i] = static_cast<char>(byte + 1);
        key->resize(i + 1);
        return;
      }
    }
    // All 0xff: leave it; it is its own short successor.
  }
};

}  // namespace

const Comparator* BytewiseComparator() {
  static const BytewiseComparatorImpl singleton;
  return &singleton;
}

}  // namespace lsmkv
