#include "replication/update_iterator.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "db/write_batch_internal.h"
#include "format/filename.h"
#include "replication/wal_archive.h"
#include "wal/log_reader.h"

namespace lsmkv {

FeedSource::~FeedSource() = default;

namespace {

class DamageCounter final : public log::Reader::Reporter {
 public:
  void Corruption(size_t, const Status& s) override {
    if (first.ok()) first = s;
  }
  Status first;
};

// Copies the updates of a batch from the index-th on.
class Suffix final : public WriteBatch::Handler {
 public:
  Suffix(WriteBatch* out, uint64_t skip) : out_(out), skip_(skip) {}
  void Put(const Slice& key, const Slice& value) override {
    if (Keep()) out_->Put(key, value);
  }
  void Delete(const Slice& key) override {
    if (Keep()) out_->Delete(key);
  }

 private:
  bool Keep() { return skip_ == 0 || (skip_--, false); }
  WriteBatch* const out_;
  uint64_t skip_;
};

class UpdateIteratorImpl final : public UpdateIterator {
 public:
  UpdateIteratorImpl(FeedSource* source, SequenceNumber next)
      : source_(source), env_(source->feed_env()), wal_dir_(source->feed_wal_dir()), next_(next) {}

  // Where the next iterator of a follower will most likely start.
  ~UpdateIteratorImpl() override {
    if (have_log_ && status_.ok()) source_->RememberFeedPosition(next_, log_, resume_offset_);
  }

  // Finds the WAL holding next_ and the first batch at or after it.
  Status Start() {
    const bool published = next_ <= source_->PublishedSequence();
    Status s = Locate();
    if (!s.ok()) return s;
    if (!have_log_ && published) {
      return Status::NotFound("change feed",
                              "sequence " + std::to_string(next_) + " is older than the oldest batch kept");
    }
    Advance();
    return status_;
  }

  bool Valid() const override { return valid_; }
  void Next() override { Advance(); }
  Status status() const override { return status_; }
  uint64_t sequence() const override { return batch_sequence_; }
  const WriteBatch& batch() const override { return batch_; }

 private:
  Status OpenLog(uint64_t log, uint64_t offset) {
    reader_.reset();
    file_.reset();
    damage_ = DamageCounter();
    Status s = OpenFeedWal(env_, wal_dir_, log, &file_);
    if (!s.ok()) return s;
    reader_ = std::make_unique<log::Reader>(file_.get(), LogFileName(wal_dir_, log), &damage_, log);
    if (offset > 0) {
      s = reader_->StartAt(offset);
      if (!s.ok()) return s;
    }
    log_ = log;
    have_log_ = true;
    at_log_start_ = offset == 0;
    resume_offset_ = offset;
    return Status::OK();
  }

  // The first batch's sequence of WAL `log`; nullopt for an empty WAL.
  std::optional<SequenceNumber> FirstSequence(uint64_t log) {
    std::unique_ptr<SequentialFile> file;
    if (!OpenFeedWal(env_, wal_dir_, log, &file).ok()) return std::nullopt;
    DamageCounter damage;
    log::Reader reader(file.get(), LogFileName(wal_dir_, log), &damage, log);
    Slice record;
    std::string scratch;
    while (reader.ReadRecord(&record, &scratch)) {
      if (record.size() < WriteBatchInternal::kHeader) return std::nullopt;
      WriteBatch batch;
      WriteBatchInternal::SetContents(&batch, record);
      if (WriteBatchInternal::Count(&batch) > 0) return WriteBatchInternal::Sequence(&batch);
    }
    return std::nullopt;
  }

  // Opens the WAL that holds next_: the newest one starting at or before
  // it. Leaves have_log_ false when no kept WAL starts at or before it.
  Status Locate() {
    uint64_t log, offset;
    if (source_->FeedPosition(next_, &log, &offset) && OpenLog(log, offset).ok()) return Status::OK();
    have_log_ = false;
    std::optional<uint64_t> chosen;
    wals_ = FeedWalNumbers(env_, wal_dir_);
    for (uint64_t n : wals_) {
      const std::optional<SequenceNumber> first = FirstSequence(n);
      if (!first) continue;
      if (*first > next_) break;
      chosen = n;
    }
    return chosen ? OpenLog(*chosen, 0) : Status::OK();
  }

  // Next WAL after the current one, if any. The listing of both WAL
  // directories (wals_) is reused while it names a later WAL that still
  // exists: WAL numbers come from the DB's one file-number counter, so a
  // WAL made after the listing is numbered above every WAL in it, and the
  // smallest listed number above log_ is the next WAL -- unless that one
  // is gone, and then the directories are listed again. So a reader does
  // not list them at every WAL it moves to (a replica catching up over
  // small archived WALs spent ~16% of its time listing), only at the
  // newest listed WAL and after a deletion.
  std::optional<uint64_t> LaterLog() {
    auto next = std::upper_bound(wals_.begin(), wals_.end(), log_);
    if (next != wals_.end() && FeedWalExists(env_, wal_dir_, *next)) return *next;
    wals_ = FeedWalNumbers(env_, wal_dir_);
    next = std::upper_bound(wals_.begin(), wals_.end(), log_);
    if (next != wals_.end()) return *next;
    return std::nullopt;
  }

  void Fail(const Status& s) {
    valid_ = false;
    status_ = s;
  }

  void Advance() {
    valid_ = false;
    if (!status_.ok()) return;
    bool reopened = false;  // the WAL reopened once for this batch
    while (true) {
      if (next_ > source_->PublishedSequence()) {
        // The end for now; a new iterator from next_ can start here.
        if (have_log_) source_->RememberFeedPosition(next_, log_, resume_offset_);
        return;
      }
      if (!have_log_) {
        Status s = Locate();
        if (!s.ok()) return Fail(s);
        if (!have_log_) return Fail(Status::NotFound("change feed", "batch " + std::to_string(next_) + " is no longer kept"));
      }
      Slice record;
      const bool got = reader_->ReadRecord(&record, &scratch_);
      if (!damage_.first.ok()) {
        // The block was read while the writer was still filling it (a
        // later record's bytes without an earlier one's): read it again
        // from the last record's end. Damage still there is real.
        if (reopened) return Fail(damage_.first);
        reopened = true;
        Status s = OpenLog(log_, resume_offset_);
        if (!s.ok()) return Fail(s);
        continue;
      }
      if (got) {
        resume_offset_ = reader_->NextRecordOffset();
        reopened = false;  // progress: a later stale block may be re-read too
        if (record.size() < WriteBatchInternal::kHeader) {
          return Fail(Status::Corruption("change feed", "WAL record too small for a write batch"));
        }
        WriteBatch found;
        WriteBatchInternal::SetContents(&found, record);
        Status s = WriteBatchInternal::Validate(&found);
        if (!s.ok()) return Fail(s);
        const SequenceNumber seq = WriteBatchInternal::Sequence(&found);
        const uint32_t count = WriteBatchInternal::Count(&found);
        if (count == 0) continue;
        if (seq + count <= next_) {  // before the start
          at_log_start_ = false;
          continue;
        }
        if (seq > next_) {
          const std::string what = "batch at " + std::to_string(seq) + ", expected " + std::to_string(next_);
          // At the start of a later WAL, the WALs between were deleted
          // (retention): no longer kept. Inside a WAL: damage.
          if (at_log_start_) return Fail(Status::NotFound("change feed: no longer kept", what));
          return Fail(Status::Corruption("change feed: gap in a WAL", what));
        }
        at_log_start_ = false;
        if (seq == next_) {
          batch_ = std::move(found);
        } else {  // a group-commit record that starts before next_: split
          batch_.Clear();
          Suffix suffix(&batch_, next_ - seq);
          s = found.Iterate(&suffix);
          if (!s.ok()) return Fail(s);
          WriteBatchInternal::SetSequence(&batch_, next_);
        }
        batch_sequence_ = next_;
        next_ = seq + count;
        valid_ = true;
        return;
      }
      if (!reader_->status().ok()) return Fail(reader_->status());
      // The end of this WAL as far as written: go on in the next one, or
      // (the batch being published) read the newest one again from where
      // the last record ended -- the first read stopped short of it.
      const std::optional<uint64_t> later = LaterLog();
      Status s;
      if (later) {
        s = OpenLog(*later, 0);
      } else if (!reopened) {
        reopened = true;
        s = OpenLog(log_, resume_offset_);
      } else {
        // Published, so it was in a WAL: one deleted since (its data is in
        // tables and retention did not keep it).
        return Fail(Status::NotFound("change feed: no longer kept",
                                     "batch " + std::to_string(next_) + " is not in the WALs kept"));
      }
      if (!s.ok()) return Fail(s);
    }
  }

  FeedSource* const source_;
  Env* const env_;
  const std::string wal_dir_;
  SequenceNumber next_;  // the next batch to hand out starts here
  bool have_log_ = false;
  uint64_t log_ = 0;
  uint64_t resume_offset_ = 0;  // where the record after the last one read starts
  bool at_log_start_ = false;   // no batch read yet from the current WAL
  std::vector<uint64_t> wals_;  // the last listing of the WALs, ascending (LaterLog)
  std::unique_ptr<SequentialFile> file_;
  DamageCounter damage_;
  std::unique_ptr<log::Reader> reader_;
  std::string scratch_;
  bool valid_ = false;
  Status status_;
  WriteBatch batch_;
  SequenceNumber batch_sequence_ = 0;
};

}  // namespace

Status NewUpdateIterator(FeedSource* source, SequenceNumber seq, std::unique_ptr<UpdateIterator>* result) {
  result->reset();
  auto it = std::make_unique<UpdateIteratorImpl>(source, seq == 0 ? 1 : seq);
  Status s = it->Start();
  if (!s.ok()) return s;
  *result = std::move(it);
  return Status::OK();
}

}  // namespace lsmkv
