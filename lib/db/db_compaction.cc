// Compactions: scheduling on the thread pool, trivial moves, the merge
// itself (which drops versions no snapshot needs), and CompactRange.
#include "db/db_impl.h"

#include <algorithm>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <utility>
#include <vector>

#include "db/builder.h"
#include "db/level_iterator.h"
#include "table/merging_iterator.h"
#include "util/logging.h"
#include "version/compaction.h"
#include "version/version_edit.h"

namespace lsmkv {

void DBImpl::SetBusy(const Compaction& c, bool busy) {
  for (const auto& files : c.inputs) {
    for (const auto& f : files) {
      if (busy) busy_files_.insert(f->number);
      else busy_files_.erase(f->number);
    }
  }
  if (c.level() == 0) level0_compacting_ = busy;
  compactions_into_[c.output_level()] += busy ? 1 : -1;
  if (compaction_observer_) {
    CompactionEvent event;
    event.started = busy;
    event.level = c.level();
    event.output_level = c.output_level();
    event.read_triggered = c.read_triggered;
    event.level_inputs = c.inputs[0].size();
    const Comparator* ucmp = options_.comparator;
    for (int which = 0; which < 2; which++) {
      for (const auto& f : c.inputs[which]) {
        event.inputs.push_back(f->number);
        const Slice lo = ExtractUserKey(f->smallest), hi = ExtractUserKey(f->largest);
        if (event.inputs.size() == 1 || ucmp->Compare(lo, event.smallest) < 0) event.smallest = lo.ToString();
        if (event.inputs.size() == 1 || ucmp->Compare(hi, event.largest) > 0) event.largest = hi.ToString();
      }
      if (which == 0) {
        event.level_smallest = event.smallest;
        event.level_largest = event.largest;
      }
    }
    compaction_observer_(event);
  }
}

void DBImpl::TEST_SetCompactionObserver(std::function<void(const CompactionEvent&)> observer) {
  MutexLock l(&mutex_);
  compaction_observer_ = std::move(observer);
}

void DBImpl::TEST_PauseCompactions(bool paused) {
  MutexLock l(&mutex_);
  compactions_paused_ = paused;
  if (!paused) MaybeScheduleCompaction();
}

void DBImpl::MaybeScheduleCompaction() {
  if (compactions_paused_) return;
  // One thread stays free for flushes when there are two or more.
  const int max_compactions = std::max(1, options_.max_background_jobs - 1);
  while (compactions_running_ < max_compactions && !shutting_down_ && bg_error_.ok()) {
    // The level-0 lane: with two or more compaction slots, compactions of
    // deeper levels take at most all but one, so a level-0 compaction can
    // always start while they run. Writers wait on level 0 alone; a long
    // compaction of level 3 must not leave it filling up meanwhile.
    const int deeper_running = compactions_running_ - (level0_compacting_ ? 1 : 0);
    const bool level0_only = max_compactions >= 2 && deeper_running >= max_compactions - 1;
    std::unique_ptr<Compaction> picked =
        versions_->PickCompaction(busy_files_, level0_compacting_, in_place_level_, level0_only);
    if (picked == nullptr) return;
    std::shared_ptr<Compaction> c = std::move(picked);
    if (c->read_triggered) read_triggered_compactions_++;
    SetBusy(*c, true);
    compactions_running_++;
    max_compactions_running_ = std::max(max_compactions_running_, compactions_running_);
    pool_->Schedule([this, c] { BackgroundCompaction(c); }, ThreadPool::Priority::kLow);
  }
}

void DBImpl::BackgroundCompaction(std::shared_ptr<Compaction> c) {
  MutexLock l(&mutex_);
  if (!shutting_down_ && bg_error_.ok()) {
    Status s = RunCompaction(c.get());  // releases c's busy marks
    if (!s.ok() && !shutting_down_) SetBackgroundError(s, ErrorSource::kBackground);
  } else {
    SetBusy(*c, false);
  }
  compactions_running_--;
  MaybeScheduleCompaction();
  bg_cv_.SignalAll();
}

Status DBImpl::RunCompaction(Compaction* c) {
  if (c->IsTrivialMove()) {
    // Nothing to merge with: the file moves down a level untouched.
    const FilePtr& f = c->inputs[0][0];
    VersionEdit edit = c->edit;
    edit.RemoveFile(c->level(), f->number);
    edit.AddFile(c->output_level(), *f);
    Status s = versions_->LogAndApply(&edit);
    if (s.ok()) level_stats_[c->output_level()].compactions++;
    BackgroundJobRecord job;
    job.kind = BackgroundJobRecord::Kind::kTrivialMove;
    job.input_level = c->level();
    job.output_level = c->output_level();
    job.input_files = 1;
    job.output_files = 1;
    job.finished_at_micros = env_->NowMicros();
    if (!s.ok()) job.error = s.ToString();
    recent_jobs_.Add(std::move(job));
    Log(info_log_.get(), "compaction: trivial move of table %06" PRIu64 " (%" PRIu64 " bytes) L%d -> L%d%s%s%s",
        f->number, f->file_size, c->level(), c->output_level(), c->read_triggered ? " (read-triggered)" : "",
        s.ok() ? "" : ", failed: ",
        s.ok() ? "" : s.ToString().c_str());
    SetBusy(*c, false);
    return s;
  }
  Status s = DoCompactionWork(c);
  // The result is installed (or dropped): its inputs are free before
  // RemoveObsoleteFiles drops mutex_, so no picker sees them busy after
  // they left the Version, nor this compaction as writing its output level.
  SetBusy(*c, false);
  c->ReleaseInputVersion();  // else its (now obsolete) inputs count as live
  RemoveObsoleteFiles();
  return s;
}

// One key range of a compaction, merged by one thread: user keys in
// [begin, end) (no bound where has_begin / has_end is false). Ranges split
// only between user keys, so every version of a key is merged by the same
// thread and the outputs of different ranges never overlap.
struct DBImpl::Subcompaction {
  bool has_begin = false, has_end = false;
  std::string begin, end;
  // Results, read by the compaction's thread after this one finished.
  std::vector<FileMetaData> outputs;
  std::vector<uint64_t> allocated;  // output numbers, in pending_outputs_
  uint64_t dropped = 0;
  Status status;
};

void DBImpl::RunSubcompaction(Compaction* c, SequenceNumber smallest_snapshot, Subcompaction* sub) {
  ReadOptions ro;
  ro.fill_cache = false;  // a compaction must not evict the readers' working set
  // Level iterators in compaction mode (NewLevelIterator): each input
  // table is read through a readahead buffer of its own, not its mapping,
  // and its mapped pages are dropped once the scan is past it. A level-0
  // input is a level of one table. These lists outlive the iterators
  // (declared before `input`).
  std::vector<std::vector<FilePtr>> level0_inputs;
  std::vector<std::unique_ptr<Iterator>> children;
  for (int which = 0; which < 2; which++) {
    if (c->level() + which == 0) {
      level0_inputs.reserve(c->inputs[which].size());  // no reallocation: iterators point into it
      for (const auto& f : c->inputs[which]) {
        level0_inputs.push_back({f});
        children.push_back(NewLevelIterator(&internal_comparator_, table_cache_.get(), ro, &level0_inputs.back(),
                                            /*compaction_input=*/true));
      }
    } else if (!c->inputs[which].empty()) {
      children.push_back(NewLevelIterator(&internal_comparator_, table_cache_.get(), ro, &c->inputs[which],
                                          /*compaction_input=*/true));
    }
  }
  std::unique_ptr<Iterator> input = NewMergingIterator(&internal_comparator_, std::move(children));

  TableFileWriter writer(dbname_, env_, table_options_, table_cache_.get());
  const Comparator* ucmp = options_.comparator;
  Status s;
  const auto finish_output = [&]() {
    FileMetaData meta;
    Status fs = writer.Finish(&meta);
    if (fs.ok()) sub->outputs.push_back(std::move(meta));
    return fs;
  };

  std::string current_user_key;
  bool has_current_user_key = false;
  SequenceNumber last_sequence_for_key = kMaxSequenceNumber;
  // An output table ends only where the user key changes: if one user
  // key's versions were split across two tables, a later compaction could
  // take the table with the newer version down a level and leave the older
  // one above it, where reads would find it first (LevelDB issue 320). So a
  // wish to cut (grandparent overlap, size) waits for the next user key.
  bool cut_wanted = false;
  if (sub->has_begin) {
    std::string seek_key;
    AppendInternalKey(&seek_key, sub->begin, kMaxSequenceNumber, kValueTypeForSeek);
    input->Seek(seek_key);
  } else {
    input->SeekToFirst();
  }
  for (; input->Valid() && s.ok(); input->Next()) {
    if (shutdown_requested_.load(std::memory_order_relaxed)) {
      s = Status::IOError("compaction", "abandoned: the DB is closing");
      break;
    }
    const Slice key = input->key();
    ParsedInternalKey ikey;
    if (!ParseInternalKey(key, &ikey)) {
      s = Status::Corruption("compaction", "malformed internal key in an input table");
      break;
    }
    if (sub->has_end && ucmp->Compare(ikey.user_key, sub->end) >= 0) break;  // the next range's
    // Called for every key, in order: it tracks the grandparents passed.
    if (c->ShouldStopBefore(key)) cut_wanted = true;
    if (!has_current_user_key || ucmp->Compare(ikey.user_key, current_user_key) != 0) {
      if (writer.is_open() && (cut_wanted || writer.FileSize() >= c->max_output_file_size())) {
        s = finish_output();
        if (!s.ok()) break;
      }
      cut_wanted = false;
      current_user_key.assign(ikey.user_key.data(), ikey.user_key.size());
      has_current_user_key = true;
      last_sequence_for_key = kMaxSequenceNumber;
    }
    bool drop = false;
    if (last_sequence_for_key <= smallest_snapshot) {
      drop = true;  // a newer version of this key is visible to every reader
    } else if (ikey.type == kTypeDeletion && ikey.sequence <= smallest_snapshot &&
               c->IsBaseLevelForKey(ikey.user_key)) {
      // No deeper level holds the key and no snapshot needs what the
      // tombstone hides in this compaction (older versions are dropped by
      // the rule above): the tombstone itself can go.
      drop = true;
    }
    last_sequence_for_key = ikey.sequence;
    if (drop) {
      sub->dropped++;
      continue;
    }

    if (!writer.is_open()) {
      uint64_t number;
      {
        MutexLock l(&mutex_);
        number = versions_->NewFileNumber();
        pending_outputs_.insert(number);
      }
      sub->allocated.push_back(number);
      s = writer.Open(number);
      if (!s.ok()) break;
    }
    writer.Add(key, input->value());
  }
  if (s.ok()) s = input->status();
  if (s.ok() && writer.is_open()) s = finish_output();
  if (!s.ok() && writer.is_open()) writer.Abandon();
  sub->status = s;
}

Status DBImpl::DoCompactionWork(Compaction* c) {
  const uint64_t start = env_->NowMicros();
  // Versions no snapshot can see are dropped; with no snapshot, only the
  // newest version of each key survives. Snapshots taken while the merge
  // runs are newer than last_sequence_ now, so they need nothing dropped.
  const SequenceNumber smallest_snapshot = snapshots_.empty() ? last_sequence_ : snapshots_.oldest();

  // Split into key ranges merged side by side (Options::max_subcompactions).
  // Each range gets its own copy of the compaction: ShouldStopBefore and
  // IsBaseLevelForKey keep per-range cursors.
  const std::vector<std::string> splits = c->SplitPoints(options_.max_subcompactions);
  std::vector<Subcompaction> subs(splits.size() + 1);
  std::vector<Compaction> range_compactions(subs.size(), *c);
  for (size_t i = 0; i < subs.size(); i++) {
    if (i > 0) {
      subs[i].has_begin = true;
      subs[i].begin = splits[i - 1];
    }
    if (i < splits.size()) {
      subs[i].has_end = true;
      subs[i].end = splits[i];
    }
  }
  mutex_.Unlock();
  // Ranges 1.. on the subcompaction threads, range 0 on this one; then wait
  // for all (each sets its done flag under the latch's mutex).
  std::mutex latch_mu;
  std::condition_variable latch_cv;
  size_t ranges_left = subs.size() - 1;
  for (size_t i = 1; i < subs.size(); i++) {
    subcompaction_pool_->Schedule([&, i] {
      RunSubcompaction(&range_compactions[i], smallest_snapshot, &subs[i]);
      std::lock_guard<std::mutex> g(latch_mu);
      if (--ranges_left == 0) latch_cv.notify_all();
    });
  }
  RunSubcompaction(&range_compactions[0], smallest_snapshot, &subs[0]);
  {
    std::unique_lock<std::mutex> g(latch_mu);
    latch_cv.wait(g, [&] { return ranges_left == 0; });
  }
  mutex_.Lock();

  Status s;
  uint64_t dropped = 0;
  std::vector<const FileMetaData*> outputs;  // in key order: ranges are
  for (auto& sub : subs) {
    if (s.ok() && !sub.status.ok()) s = sub.status;
    dropped += sub.dropped;
    for (const auto& meta : sub.outputs) outputs.push_back(&meta);
  }
  if (s.ok()) {
    // One edit for all ranges: the MANIFEST records the compaction whole or
    // not at all, as without subcompactions.
    VersionEdit edit = c->edit;
    c->AddInputDeletions(&edit);
    for (const FileMetaData* meta : outputs) edit.AddFile(c->output_level(), *meta);
    s = versions_->LogAndApply(&edit);
  }
  // Installed outputs are live now; those of a failed compaction are
  // unreferenced and RemoveObsoleteFiles deletes them.
  for (const auto& sub : subs) {
    for (uint64_t number : sub.allocated) pending_outputs_.erase(number);
  }
  CompactionStats& stats = level_stats_[c->output_level()];
  const uint64_t micros = env_->NowMicros() - start;
  uint64_t written = 0;
  for (const FileMetaData* meta : outputs) written += meta->file_size;
  stats.compactions++;
  stats.micros += micros;
  stats.bytes_read += c->InputBytes(0) + c->InputBytes(1);
  stats.bytes_written += written;
  compaction_entries_dropped_ += dropped;
  if (subs.size() > 1) subcompactions_ += subs.size();
  compaction_latency_.Record(micros * 1000);
  BackgroundJobRecord job;
  job.kind = BackgroundJobRecord::Kind::kCompaction;
  job.input_level = c->level();
  job.output_level = c->output_level();
  job.input_files = c->inputs[0].size() + c->inputs[1].size();
  job.output_files = s.ok() ? outputs.size() : 0;
  job.bytes_read = c->InputBytes(0) + c->InputBytes(1);
  job.bytes_written = written;
  job.micros = micros;
  job.finished_at_micros = start + micros;
  if (!s.ok()) job.error = s.ToString();
  recent_jobs_.Add(std::move(job));
  char inputs[64];
  if (c->output_level() == c->level()) {  // CompactRange rewriting its bottom level
    std::snprintf(inputs, sizeof(inputs), "L%d %zu files in place", c->level(), c->inputs[0].size());
  } else {
    std::snprintf(inputs, sizeof(inputs), "L%d %zu files + L%d %zu files", c->level(), c->inputs[0].size(),
                  c->output_level(), c->inputs[1].size());
  }
  char ranges[48] = "";
  if (subs.size() > 1) std::snprintf(ranges, sizeof(ranges), ", %zu key ranges at once", subs.size());
  Log(info_log_.get(),
      "compaction: %s (%" PRIu64 " bytes) -> L%d %zu files (%" PRIu64 " bytes), %" PRIu64
      " entries dropped, %.3f s%s%s%s%s",
      inputs, c->InputBytes(0) + c->InputBytes(1), c->output_level(), outputs.size(), written, dropped,
      micros / 1e6, ranges, c->read_triggered ? " (read-triggered)" : "", s.ok() ? "" : ", failed: ",
      s.ok() ? "" : s.ToString().c_str());
  return s;
}

Status DBImpl::ManualCompactLevel(int level, bool in_place, const Slice* begin, const Slice* end) {
  while (true) {
    if (!bg_error_.ok()) return bg_error_;
    if (shutting_down_) return Status::IOError("CompactRange", "the DB is closing");
    bool conflict = false;
    std::unique_ptr<Compaction> c = nullptr;
    if (!in_place || compactions_into_[level] == 0) {
      c = versions_->CompactRange(level, in_place, begin, end, busy_files_, level0_compacting_, &conflict);
    } else {
      conflict = true;
    }
    if (c != nullptr) {
      SetBusy(*c, true);
      compactions_running_++;
      Status s = RunCompaction(c.get());  // releases c's busy marks
      compactions_running_--;
      SetBackgroundError(s, ErrorSource::kBackground);
      MaybeScheduleCompaction();
      bg_cv_.SignalAll();
      return s;
    }
    if (!conflict) return Status::OK();  // nothing overlaps the range here
    bg_cv_.Wait();  // a background compaction holds some of the files
  }
}

Status DBImpl::CompactRange(const Slice* begin, const Slice* end) {
  return Compact(CompactOptions(), begin, end);
}

Status DBImpl::Compact(const CompactOptions& options, const Slice* begin, const Slice* end) {
  Status s = Flush();  // the memtable's data takes part too
  if (!s.ok()) return s;
  MutexLock l(&mutex_);
  const Comparator* ucmp = options_.comparator;
  // Compact each level into the next, down to the deepest level holding
  // data in the range (re-checked as background compactions move data).
  const int bottom_at_start = versions_->current()->DeepestLevelOverlapping(begin, end, ucmp);
  // Progress in steps: the levels moved down plus the bottom's rewrite.
  uint64_t steps_done = 0;
  uint64_t steps_planned = std::max(1, bottom_at_start) + (bottom_at_start >= 1 ? 1 : 0);
  // Called with mutex_ held: the callback must not call back into the DB.
  const auto report = [&] {
    steps_planned = std::max(steps_planned, steps_done);
    if (options.progress) options.progress(steps_done, steps_planned);
  };
  report();
  for (int level = 0;
       level < std::max(1, versions_->current()->DeepestLevelOverlapping(begin, end, ucmp));
       level++) {
    s = ManualCompactLevel(level, /*in_place=*/false, begin, end);
    if (!s.ok()) return s;
    steps_done++;
    report();
  }
  // Data that already sat at the bottom is rewritten in place, so
  // versions no snapshot needs any more are dropped there too.
  const int bottom = versions_->current()->DeepestLevelOverlapping(begin, end, ucmp);
  if (bottom_at_start >= 1 && bottom >= 1) {
    in_place_level_ = bottom;  // nothing new may start writing into it
    s = ManualCompactLevel(bottom, /*in_place=*/true, begin, end);
    in_place_level_ = -1;
    MaybeScheduleCompaction();
    if (!s.ok()) return s;
  }
  steps_done = steps_planned;
  report();
  return s;
}

}  // namespace lsmkv
