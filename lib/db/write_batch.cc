#include "lsmkv/write_batch.h"

#include <cassert>

#include "db/write_batch_internal.h"
#include "util/coding.h"

namespace lsmkv {

WriteBatch::Handler::~Handler() = default;
bool WriteBatch::Handler::Continue() { return true; }

WriteBatch::WriteBatch() { Clear(); }
WriteBatch::~WriteBatch() = default;

void WriteBatch::Clear() {
  rep_.clear();
  rep_.resize(WriteBatchInternal::kHeader);
  oversized_ = false;
}

uint32_t WriteBatch::Count() const { return WriteBatchInternal::Count(this); }

size_t WriteBatch::ApproximateSize() const { return rep_.size(); }

void WriteBatch::Put(const Slice& key, const Slice& value) {
  if (key.size() > kMaxKeySize || value.size() > kMaxValueSize) {
    oversized_ = true;  // its length would not fit the encoding
    return;
  }
  WriteBatchInternal::SetCount(this, WriteBatchInternal::Count(this) + 1);
  rep_.push_back(static_cast<char>(kTypeValue));
  PutLengthPrefixedSlice(&rep_, key);
  PutLengthPrefixedSlice(&rep_, value);
}

void WriteBatch::Delete(const Slice& key) {
  if (key.size() > kMaxKeySize) {
    oversized_ = true;
    return;
  }
  WriteBatchInternal::SetCount(this, WriteBatchInternal::Count(this) + 1);
  rep_.push_back(static_cast<char>(kTypeDeletion));
  PutLengthPrefixedSlice(&rep_, key);
}

void WriteBatch::Append(const WriteBatch& source) { WriteBatchInternal::Append(this, &source); }

Status WriteBatch::Iterate(Handler* handler) const {
  Slice input(rep_);
  if (input.size() < WriteBatchInternal::kHeader) {
    return Status::Corruption("WriteBatch", "shorter than its header");
  }
  input.remove_prefix(WriteBatchInternal::kHeader);
  Slice key, value;
  uint32_t found = 0;
  while (!input.empty()) {
    if (!handler->Continue()) return Status::OK();
    const char tag = input[0];
    input.remove_prefix(1);
    switch (tag) {
      case kTypeValue:
        if (!GetLengthPrefixedSlice(&input, &key) || !GetLengthPrefixedSlice(&input, &value)) {
          return Status::Corruption("WriteBatch", "bad Put record");
        }
        handler->Put(key, value);
        break;
      case kTypeDeletion:
        if (!GetLengthPrefixedSlice(&input, &key)) {
          return Status::Corruption("WriteBatch", "bad Delete record");
        }
        handler->Delete(key);
        break;
      default:
        return Status::Corruption("WriteBatch", "unknown record tag");
    }
    found++;
  }
  if (found != WriteBatchInternal::Count(this)) {
    return Status::Corruption("WriteBatch", "record count does not match header");
  }
  return Status::OK();
}

uint32_t WriteBatchInternal::Count(const WriteBatch* batch) {
  return DecodeFixed32(batch->rep_.data() + 8);
}

void WriteBatchInternal::SetCount(WriteBatch* batch, uint32_t n) {
  EncodeFixed32(&batch->rep_[8], n);
}

SequenceNumber WriteBatchInternal::Sequence(const WriteBatch* batch) {
  return DecodeFixed64(batch->rep_.data());
}

void WriteBatchInternal::SetSequence(WriteBatch* batch, SequenceNumber seq) {
  EncodeFixed64(&batch->rep_[0], seq);
}

void WriteBatchInternal::SetContents(WriteBatch* batch, const Slice& contents) {
  assert(contents.size() >= kHeader);
  batch->rep_.assign(contents.data(), contents.size());
}

namespace {

class MemTableInserter final : public WriteBatch::Handler {
 public:
  MemTableInserter(SequenceNumber seq, MemTable* mem) : sequence_(seq), mem_(mem) {}
  void Put(const Slice& key, const Slice& value) override {
    mem_->Add(sequence_++, kTypeValue, key, value);
  }
  void Delete(const Slice& key) override { mem_->Add(sequence_++, kTypeDeletion, key, Slice()); }

 private:
  SequenceNumber sequence_;
  MemTable* const mem_;
};

}  // namespace

Status WriteBatchInternal::InsertInto(const WriteBatch* batch, MemTable* memtable) {
  MemTableInserter inserter(Sequence(batch), memtable);
  return batch->Iterate(&inserter);
}

Status WriteBatchInternal::CheckSizes(const WriteBatch* batch) {
  if (batch->oversized_) {
    return Status::InvalidArgument("WriteBatch", "a key is over 64 MiB or a value over 3 GiB");
  }
  return Status::OK();
}

Status WriteBatchInternal::Validate(const WriteBatch* batch) {
  struct Nothing final : WriteBatch::Handler {
    void Put(const Slice&, const Slice&) override {}
    void Delete(const Slice&) override {}
  } nothing;
  return batch->Iterate(&nothing);
}

void WriteBatchInternal::Append(WriteBatch* dst, const WriteBatch* src) {
  dst->oversized_ = dst->oversized_ || src->oversized_;
  SetCount(dst, Count(dst) + Count(src));
  assert(src->rep_.size() >= kHeader);
  dst->rep_.append(src->rep_.data() + kHeader, src->rep_.size() - kHeader);
}

}  // namespace lsmkv
