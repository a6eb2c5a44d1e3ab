#include "db/seek_sampling_iterator.h"

#include <cassert>

namespace lsmkv {

namespace {

class SeekSamplingIterator final : public Iterator {
 public:
  SeekSamplingIterator(std::unique_ptr<Iterator> wrapped, int period,
                       std::function<void(const Slice&)> sampler)
      : wrapped_(std::move(wrapped)), period_(period), sampler_(std::move(sampler)) {
    assert(period_ >= 1);
  }

  bool Valid() const override { return wrapped_->Valid(); }
  void SeekToFirst() override { wrapped_->SeekToFirst(); }
  void SeekToLast() override { wrapped_->SeekToLast(); }
  void Seek(const Slice& target) override {
    Sample(target);
    wrapped_->Seek(target);
  }
  void SeekForPrev(const Slice& target) override {
    Sample(target);
    wrapped_->SeekForPrev(target);
  }
  void Next() override { wrapped_->Next(); }
  void Prev() override { wrapped_->Prev(); }
  Slice key() const override { return wrapped_->key(); }
  Slice value() const override { return wrapped_->value(); }
  Status status() const override { return wrapped_->status(); }

 private:
  void Sample(const Slice& target) {
    if (++seeks_since_sample_ < period_) return;
    seeks_since_sample_ = 0;
    sampler_(target);
  }

  const std::unique_ptr<Iterator> wrapped_;
  const int period_;
  const std::function<void(const Slice&)> sampler_;
  int seeks_since_sample_ = 0;
};

}  // namespace

std::unique_ptr<Iterator> NewSeekSamplingIterator(std::unique_ptr<Iterator> wrapped, int period,
                                                  std::function<void(const Slice& target)> sampler) {
  return std::make_unique<SeekSamplingIterator>(std::move(wrapped), period, std::move(sampler));
}

}  // namespace lsmkv
