// For Catch2 tests of iterators: moves an Iterator and a std::map model
// side by side with random operations -- SeekToFirst, SeekToLast, Seek,
// SeekForPrev, Next, Prev, so direction changes anywhere -- and requires
// them to agree (position, key, value, OK status) after every move.
#ifndef LSMKV_TESTS_SUPPORT_MODEL_WALKER_H_
#define LSMKV_TESTS_SUPPORT_MODEL_WALKER_H_

#include <catch2/catch.hpp>
#include <iterator>
#include <map>
#include <string>

#include "lsmkv/iterator.h"
#include "util/random.h"

namespace lsmkv::test {

class ModelWalker {
 public:
  using Model = std::map<std::string, std::string>;
  // In the order Step draws them (a given seed keeps its walk).
  enum Op { kSeekToFirst, kSeekToLast, kSeek, kSeekForPrev, kCheckOnly, kNext, kPrev, kNumOps };

  // Both must outlive the walker; the model must not change while it walks.
  ModelWalker(Iterator* it, const Model* model) : it_(it), model_(model), pos_(model->end()) {}

  // One random operation (Next and Prev only while positioned; seeks go
  // to target), then Check(). Returns the operation.
  Op Step(Random* rnd, const std::string& target) {
    Op op;
    do {
      op = static_cast<Op>(rnd->Uniform(kNumOps));
    } while (!it_->Valid() && op >= kNext);
    switch (op) {
      case kSeekToFirst:
        it_->SeekToFirst();
        pos_ = model_->begin();
        break;
      case kSeekToLast:
        it_->SeekToLast();
        pos_ = model_->empty() ? model_->end() : std::prev(model_->end());
        break;
      case kSeek:
        it_->Seek(target);
        pos_ = model_->lower_bound(target);
        break;
      case kSeekForPrev: {
        it_->SeekForPrev(target);
        auto ub = model_->upper_bound(target);
        pos_ = ub == model_->begin() ? model_->end() : std::prev(ub);
        break;
      }
      case kCheckOnly:
      case kNumOps:
        break;
      case kNext:
        it_->Next();
        ++pos_;
        break;
      case kPrev:
        it_->Prev();
        pos_ = pos_ == model_->begin() ? model_->end() : std::prev(pos_);
        break;
    }
    Check();
    return op;
  }

  void Check() const {
    REQUIRE(it_->status().ok());
    REQUIRE(it_->Valid() == (pos_ != model_->end()));
    if (it_->Valid()) {
      REQUIRE(it_->key().ToString() == pos_->first);
      REQUIRE(it_->value().ToString() == pos_->second);
    }
  }

 private:
  Iterator* const it_;
  const Model* const model_;
  Model::const_iterator pos_;
};

}  // namespace lsmkv::test

#endif  // LSMKV_TESTS_SUPPORT_MODEL_WALKER_H_
