#include "db/db_iter.h"

#include <string>

#include "util/key_buffer.h"

namespace lsmkv {

namespace {

// Two directions, with different invariants:
//  kForward: internal_ is at the entry that yields the current key and
//            value (key() reads through internal_).
//  kReverse: internal_ is just before every entry of the current user key;
//            the current key and value are copied into saved_key_ and
//            saved_value_.
class DBIter final : public Iterator {
 public:
  DBIter(const Comparator* cmp, std::unique_ptr<Iterator> internal, SequenceNumber sequence,
         std::shared_ptr<const void> pinned, const Slice* lower, const Slice* upper)
      : user_comparator_(cmp),
        bytewise_(cmp == BytewiseComparator()),
        internal_(std::move(internal)),
        sequence_(sequence),
        pinned_(std::move(pinned)),
        has_lower_(lower != nullptr),
        has_upper_(upper != nullptr),
        lower_(lower != nullptr ? lower->ToString() : std::string()),
        upper_(upper != nullptr ? upper->ToString() : std::string()) {}

  bool Valid() const override { return valid_; }
  Slice key() const override {
    return direction_ == kForward ? ExtractUserKey(internal_->key()) : Slice(saved_key_);
  }
  Slice value() const override {
    return direction_ == kForward ? internal_->value() : Slice(saved_value_);
  }
  Status status() const override { return status_.ok() ? internal_->status() : status_; }

  void Next() override;
  void Prev() override;
  void Seek(const Slice& target) override;
  void SeekForPrev(const Slice& target) override;
  void SeekToFirst() override;
  void SeekToLast() override;

 private:
  enum Direction { kForward, kReverse };

  // Moves forward to the first visible, live entry; with `skipping`, entries
  // whose user key is <= skip_ are hidden (an older version or deleted).
  void FindNextUserEntry(bool skipping);
  // Whether user_key is past skip_ (bytewise: compared inline, no virtual
  // call).
  bool PastSkipKey(const Slice& user_key) const {
    if (bytewise_) {
      return CompareBytes(user_key.data(), user_key.size(), skip_.data(), skip_.size()) > 0;
    }
    return user_comparator_->Compare(user_key, skip_.slice()) > 0;
  }
  // Moves backward, collecting the newest visible version of the previous
  // user key into saved_key_/saved_value_.
  void FindPrevUserEntry();
  // Parses internal_->key(); on failure records Corruption and stops.
  __attribute__((always_inline)) bool ParseKey(ParsedInternalKey* ikey);
  bool BelowLower(const Slice& user_key) const {
    return has_lower_ && user_comparator_->Compare(user_key, lower_) < 0;
  }
  bool AtOrAboveUpper(const Slice& user_key) const {
    return has_upper_ && user_comparator_->Compare(user_key, upper_) >= 0;
  }

  const Comparator* const user_comparator_;
  const bool bytewise_;  // user_comparator_ is BytewiseComparator()
  std::unique_ptr<Iterator> internal_;
  const SequenceNumber sequence_;
  const std::shared_ptr<const void> pinned_;
  const bool has_lower_;
  const bool has_upper_;
  const std::string lower_;  // inclusive
  const std::string upper_;  // exclusive

  Status status_;
  std::string saved_key_;
  std::string saved_value_;
  // Forward direction: the user key whose older versions FindNextUserEntry
  // hides (the last key shown, or a deleted one). A plain buffer: Next
  // saves a key here at every step.
  KeyBuffer skip_;
  KeyBuffer seek_key_;  // the internal key of the last Seek
  Direction direction_ = kForward;
  bool valid_ = false;
};

inline bool DBIter::ParseKey(ParsedInternalKey* ikey) {
  // ParseInternalKey, inlined: this runs once per entry passed.
  const Slice k = internal_->key();
  if (k.size() >= kInternalKeyTrailerBytes) {
    const uint64_t trailer = ExtractTrailer(k);
    const uint8_t type = trailer & 0xff;
    if (type <= kTypeValue) {
      ikey->user_key = ExtractUserKey(k);
      ikey->sequence = trailer >> 8;
      ikey->type = static_cast<ValueType>(type);
      return true;
    }
  }
  status_ = Status::Corruption("malformed internal key in iterator");
  return false;
}

void DBIter::FindNextUserEntry(bool skipping) {
  // Loop invariant: internal_ is valid and direction_ is kForward.
  do {
    ParsedInternalKey ikey;
    if (!ParseKey(&ikey)) break;
    if (AtOrAboveUpper(ikey.user_key)) break;  // nothing visible past the bound
    if (ikey.sequence <= sequence_) {
      if (ikey.type == kTypeDeletion) {
        // Hide every older version of this key.
        skip_.Assign(ikey.user_key);
        skipping = true;
      } else if (!skipping || PastSkipKey(ikey.user_key)) {
        valid_ = true;
        saved_key_.clear();
        return;
      }
    }
    internal_->Next();
  } while (internal_->Valid());
  saved_key_.clear();
  valid_ = false;
}

void DBIter::FindPrevUserEntry() {
  ValueType value_type = kTypeDeletion;
  while (internal_->Valid()) {
    ParsedInternalKey ikey;
    if (!ParseKey(&ikey)) {
      value_type = kTypeDeletion;
      break;
    }
    if (BelowLower(ikey.user_key)) break;  // saved_key_, if any, is the answer
    if (ikey.sequence <= sequence_) {
      if (value_type != kTypeDeletion &&
          user_comparator_->Compare(ikey.user_key, saved_key_) < 0) {
        break;  // an older user key: saved_key_ holds the entry to show
      }
      value_type = ikey.type;
      if (value_type == kTypeDeletion) {
        saved_key_.clear();
        saved_value_.clear();
      } else {
        saved_key_.assign(ikey.user_key.data(), ikey.user_key.size());
        const Slice v = internal_->value();
        saved_value_.assign(v.data(), v.size());
      }
    }
    internal_->Prev();
  }
  if (value_type == kTypeDeletion) {
    valid_ = false;
    saved_key_.clear();
    saved_value_.clear();
    direction_ = kForward;
  } else {
    valid_ = true;
  }
}

void DBIter::Next() {
  if (direction_ == kReverse) {
    direction_ = kForward;
    // internal_ is before the entries of saved_key_; step onto them, then
    // FindNextUserEntry skips them.
    skip_.Assign(saved_key_);
    if (!internal_->Valid()) {
      internal_->SeekToFirst();
    } else {
      internal_->Next();
    }
    if (!internal_->Valid()) {
      valid_ = false;
      saved_key_.clear();
      return;
    }
  } else {
    skip_.Assign(ExtractUserKey(internal_->key()));
    internal_->Next();
    if (!internal_->Valid()) {
      valid_ = false;
      return;
    }
  }
  FindNextUserEntry(true);
}

void DBIter::Prev() {
  if (direction_ == kForward) {
    // internal_ is at the current entry; back up past every entry of its
    // user key.
    const Slice current = ExtractUserKey(internal_->key());
    saved_key_.assign(current.data(), current.size());
    while (true) {
      internal_->Prev();
      if (!internal_->Valid()) {
        valid_ = false;
        saved_key_.clear();
        saved_value_.clear();
        return;
      }
      if (user_comparator_->Compare(ExtractUserKey(internal_->key()), saved_key_) < 0) break;
    }
    direction_ = kReverse;
  }
  FindPrevUserEntry();
}

// `target` may be key() itself (saved_key_ in reverse), so Seek and
// SeekForPrev copy it into their seek key before clearing saved_key_.
void DBIter::Seek(const Slice& target) {
  // The internal key (target, sequence_, kValueTypeForSeek), built in a
  // plain buffer (no std::string append per seek).
  const Slice user_key = BelowLower(target) ? Slice(lower_) : target;
  char trailer[kInternalKeyTrailerBytes];
  EncodeFixed64(trailer, PackSequenceAndType(sequence_, kValueTypeForSeek));
  seek_key_.Assign(user_key);
  seek_key_.Append(trailer, sizeof(trailer));
  direction_ = kForward;
  saved_value_.clear();
  saved_key_.clear();
  internal_->Seek(seek_key_.slice());
  if (internal_->Valid()) {
    FindNextUserEntry(false);
  } else {
    valid_ = false;
  }
}

void DBIter::SeekForPrev(const Slice& target) {
  std::string seek_key;
  const bool at_or_above_upper = AtOrAboveUpper(target);
  if (at_or_above_upper) {
    // The upper bound is exclusive: start below every version of it. The
    // smallest internal key for `upper` is (upper, max sequence, value).
    AppendInternalKey(&seek_key, upper_, kMaxSequenceNumber, kValueTypeForSeek);
  } else {
    // The largest internal key for `target` is (target, 0, kTypeDeletion):
    // everything <= it has user key <= target.
    AppendInternalKey(&seek_key, target, 0, kTypeDeletion);
  }
  direction_ = kReverse;
  saved_value_.clear();
  saved_key_.clear();
  internal_->SeekForPrev(seek_key);
  if (at_or_above_upper && internal_->Valid() && AtOrAboveUpper(ExtractUserKey(internal_->key()))) {
    internal_->Prev();  // landed on (upper, max sequence) itself
  }
  FindPrevUserEntry();
}

void DBIter::SeekToFirst() {
  if (has_lower_) {
    Seek(lower_);
    return;
  }
  direction_ = kForward;
  saved_value_.clear();
  internal_->SeekToFirst();
  if (internal_->Valid()) {
    FindNextUserEntry(false);
  } else {
    valid_ = false;
  }
}

void DBIter::SeekToLast() {
  if (has_upper_) {
    SeekForPrev(upper_);  // clamps to the last key below the bound
    return;
  }
  direction_ = kReverse;
  saved_value_.clear();
  internal_->SeekToLast();
  FindPrevUserEntry();
}

}  // namespace

std::unique_ptr<Iterator> NewDBIterator(const Comparator* user_comparator,
                                        std::unique_ptr<Iterator> internal,
                                        SequenceNumber sequence,
                                        std::shared_ptr<const void> pinned, const Slice* lower,
                                        const Slice* upper) {
  return std::make_unique<DBIter>(user_comparator, std::move(internal), sequence,
                                  std::move(pinned), lower, upper);
}

}  // namespace lsmkv
