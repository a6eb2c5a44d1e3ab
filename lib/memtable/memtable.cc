#include "memtable/memtable.h"

#include <cstring>

#include "util/coding.h"

namespace lsmkv {

namespace {

// Reads a varint32-prefixed slice starting at p. Entries come from Add, so
// they are well formed.
Slice GetLengthPrefixed(const char* p) {
  uint32_t len;
  const char* q = GetVarint32Ptr(p, p + kMaxVarint32Bytes, &len);
  return Slice(q, len);
}

}  // namespace

int MemTable::KeyComparator::operator()(const char* a, const char* b) const {
  return comparator->Compare(GetLengthPrefixed(a), GetLengthPrefixed(b));
}

MemTable::MemTable(const InternalKeyComparator* comparator, size_t filter_bits)
    : comparator_(comparator),
      filter_(filter_bits > 0 ? std::make_unique<MemTableFilter>(filter_bits) : nullptr),
      table_(KeyComparator{comparator}, &arena_) {}

void MemTable::Add(SequenceNumber seq, ValueType type, const Slice& key, const Slice& value) {
  const size_t internal_key_size = key.size() + kInternalKeyTrailerBytes;
  const size_t encoded_len = VarintLength(internal_key_size) + internal_key_size +
                             VarintLength(value.size()) + value.size();
  char* const buf = arena_.Allocate(encoded_len);
  char* p = EncodeVarint32(buf, static_cast<uint32_t>(internal_key_size));
  std::memcpy(p, key.data(), key.size());
  p += key.size();
  EncodeFixed64(p, PackSequenceAndType(seq, type));
  p += 8;
  p = EncodeVarint32(p, static_cast<uint32_t>(value.size()));
  std::memcpy(p, value.data(), value.size());
  if (filter_) filter_->Add(key);
  table_.Insert(buf);
  num_entries_.fetch_add(1, std::memory_order_relaxed);
}

bool MemTable::Get(const LookupKey& key, std::string* value, Status* s) const {
  if (filter_ && !filter_->MayContain(key.user_key())) return false;
  Table::Iterator iter(&table_);
  iter.Seek(key.memtable_key().data());
  if (!iter.Valid()) return false;
  // The first entry >= (user_key, seq) is the newest visible version of
  // user_key, if its user key matches.
  const Slice internal_key = GetLengthPrefixed(iter.key());
  if (comparator_->user_comparator()->Compare(ExtractUserKey(internal_key), key.user_key()) != 0) {
    return false;
  }
  switch (static_cast<ValueType>(ExtractTrailer(internal_key) & 0xff)) {
    case kTypeValue: {
      const Slice v = GetLengthPrefixed(internal_key.data() + internal_key.size());
      value->assign(v.data(), v.size());
      *s = Status::OK();
      return true;
    }
    case kTypeDeletion:
      *s = Status::NotFound(Slice());
      return true;
  }
  return false;
}

// Iterates the skiplist; key() is the internal key of the entry.
class MemTableIterator final : public Iterator {
 public:
  explicit MemTableIterator(const MemTable::Table* table) : iter_(table) {}

  bool Valid() const override { return iter_.Valid(); }
  void Seek(const Slice& target) override { iter_.Seek(EncodeTarget(target)); }
  void SeekForPrev(const Slice& target) override { iter_.SeekForPrev(EncodeTarget(target)); }
  void SeekToFirst() override { iter_.SeekToFirst(); }
  void SeekToLast() override { iter_.SeekToLast(); }
  void Next() override { iter_.Next(); }
  void Prev() override { iter_.Prev(); }
  Slice key() const override { return GetLengthPrefixed(iter_.key()); }
  Slice value() const override {
    const Slice k = key();
    return GetLengthPrefixed(k.data() + k.size());
  }
  Status status() const override { return Status::OK(); }

 private:
  // Skiplist keys are length-prefixed; targets arrive as bare internal keys.
  const char* EncodeTarget(const Slice& target) {
    scratch_.clear();
    PutVarint32(&scratch_, static_cast<uint32_t>(target.size()));
    scratch_.append(target.data(), target.size());
    return scratch_.data();
  }

  MemTable::Table::Iterator iter_;
  std::string scratch_;
};

std::unique_ptr<Iterator> MemTable::NewIterator() const {
  return std::make_unique<MemTableIterator>(&table_);
}

}  // namespace lsmkv
