#include "version/version_set.h"

#include <algorithm>
#include <map>

#include "format/filename.h"
#include "version/compaction.h"
#include "version/manifest_damage.h"
#include "wal/log_reader.h"

namespace lsmkv {

uint64_t TotalFileSize(const std::vector<FilePtr>& files) {
  uint64_t sum = 0;
  for (const auto& f : files) sum += f->file_size;
  return sum;
}

uint64_t Version::LevelBytes(int level) const { return TotalFileSize(files[level]); }

void Version::GetOverlappingInputs(int level, const Slice* begin, const Slice* end,
                                   const Comparator* ucmp, std::vector<FilePtr>* inputs) const {
  inputs->clear();
  std::string user_begin = begin != nullptr ? begin->ToString() : std::string();
  std::string user_end = end != nullptr ? end->ToString() : std::string();
  bool has_begin = begin != nullptr, has_end = end != nullptr;
  for (size_t i = 0; i < files[level].size();) {
    const FilePtr& f = files[level][i++];
    const Slice file_start = ExtractUserKey(f->smallest);
    const Slice file_limit = ExtractUserKey(f->largest);
    if (has_begin && ucmp->Compare(file_limit, user_begin) < 0) continue;  // before the range
    if (has_end && ucmp->Compare(file_start, user_end) > 0) continue;      // after the range
    inputs->push_back(f);
    if (level == 0) {
      // Level-0 files overlap each other: widen the range to this file and
      // start over, so every file overlapping the result is included.
      if (has_begin && ucmp->Compare(file_start, user_begin) < 0) {
        user_begin = file_start.ToString();
        inputs->clear();
        i = 0;
      } else if (has_end && ucmp->Compare(file_limit, user_end) > 0) {
        user_end = file_limit.ToString();
        inputs->clear();
        i = 0;
      }
    }
  }
}

bool Version::OverlapInLevel(int level, const Slice& smallest_user_key,
                             const Slice& largest_user_key, const Comparator* ucmp) const {
  for (const auto& f : files[level]) {
    if (ucmp->Compare(ExtractUserKey(f->largest), smallest_user_key) >= 0 &&
        ucmp->Compare(ExtractUserKey(f->smallest), largest_user_key) <= 0) {
      return true;
    }
  }
  return false;
}

int Version::DeepestLevelOverlapping(const Slice* begin, const Slice* end,
                                     const Comparator* ucmp) const {
  std::vector<FilePtr> overlapping;
  for (int level = kNumLevels - 1; level >= 0; level--) {
    GetOverlappingInputs(level, begin, end, ucmp, &overlapping);
    if (!overlapping.empty()) return level;
  }
  return -1;
}

int64_t LevelOptions::AllowedSeeks(uint64_t file_size) const {
  // A lookup that consults a table and goes on costs a table-cache lookup,
  // a filter probe and often an index and block read: on the order of the
  // CPU and I/O that compacting 16-40 KiB takes. So once a table has cost
  // reads about as much as rewriting it would, rewriting it one level down
  // (where those lookups find one table fewer in their way) pays. Small
  // tables get a floor so a few unlucky reads do not rewrite them.
  constexpr int64_t kMinAllowedSeeks = 100;
  if (bytes_per_seek == 0) return 0;
  return std::max<int64_t>(kMinAllowedSeeks, static_cast<int64_t>(file_size / bytes_per_seek));
}

uint64_t LevelOptions::MaxBytesForLevel(int level) const {
  uint64_t result = max_bytes_for_level_base;
  for (int l = 1; l < level; l++) result *= 10;
  return result;
}

VersionSet::VersionSet(std::string dbname, Env* env, const InternalKeyComparator* icmp,
                       const LevelOptions& level_options)
    : dbname_(std::move(dbname)), env_(env), icmp_(icmp), level_options_(level_options) {
  Install(std::make_shared<const Version>());
}

VersionSet::~VersionSet() = default;

void VersionSet::Finalize(Version* v) const {
  // Level 0 is scored by file count (each file costs every read a probe);
  // deeper levels by bytes against their budget. The last level has no
  // level below to compact into.
  v->compaction_level = -1;
  v->compaction_score = -1;
  for (int level = 0; level < kNumLevels - 1; level++) {
    const double score =
        level == 0 ? v->NumFiles(0) / static_cast<double>(level_options_.level0_file_num_compaction_trigger)
                   : static_cast<double>(v->LevelBytes(level)) / level_options_.MaxBytesForLevel(level);
    if (score > v->compaction_score) {
      v->compaction_score = score;
      v->compaction_level = level;
    }
  }
}

namespace {

bool HoldsFile(const Version& v, int level, const FilePtr& file) {
  const auto& files = v.files[level];
  return std::find(files.begin(), files.end(), file) != files.end();
}

}  // namespace

void VersionSet::Install(std::shared_ptr<const Version> v) {
  versions_.remove_if([](const std::weak_ptr<const Version>& w) { return w.expired(); });
  versions_.push_back(v);
  current_ = std::move(v);
  if (seek_candidate_ != nullptr && !HoldsFile(*current_, seek_candidate_level_, seek_candidate_)) {
    seek_candidate_.reset();  // compacted or moved by other means
    seek_candidate_level_ = -1;
  }
}

bool VersionSet::NoteSeekBudgetExhausted(int level, const FilePtr& file) {
  if (seek_candidate_ != nullptr || level < 0 || level >= kNumLevels - 1) return false;
  if (!HoldsFile(*current_, level, file)) return false;  // a reader of an older Version
  seek_candidate_ = file;
  seek_candidate_level_ = level;
  return true;
}

void VersionSet::LiveFiles(std::set<uint64_t>* live) {
  versions_.remove_if([](const std::weak_ptr<const Version>& w) { return w.expired(); });
  for (const auto& weak : versions_) {
    if (auto v = weak.lock()) {
      for (const auto& level : v->files) {
        for (const auto& f : level) live->insert(f->number);
      }
    }
  }
}

Status VersionSet::Apply(const Version& base, const VersionEdit& edit,
                         std::shared_ptr<Version>* result) const {
  auto v = std::make_shared<Version>();
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : base.files[level]) {
      if (edit.deleted_files().count({level, f->number}) == 0) v->files[level].push_back(f);
    }
  }
  for (const auto& [level, number] : edit.deleted_files()) {
    const auto& files = base.files[level];
    if (std::none_of(files.begin(), files.end(), [n = number](const auto& f) { return f->number == n; })) {
      return Status::Corruption("MANIFEST", "edit deletes file " + std::to_string(number) +
                                                " which is not at level " + std::to_string(level));
    }
  }
  for (const auto& [level, meta] : edit.new_files()) {
    for (const auto& existing : v->files) {
      for (const auto& f : existing) {
        if (f->number == meta.number) {
          return Status::Corruption("MANIFEST", "file " + std::to_string(meta.number) + " added twice");
        }
      }
    }
    auto file = std::make_shared<FileMetaData>(meta);
    file->allowed_seeks.Reset(level_options_.AllowedSeeks(meta.file_size));
    v->files[level].push_back(std::move(file));
  }
  // Level 0 by file number (age); deeper levels by smallest key.
  std::sort(v->files[0].begin(), v->files[0].end(),
            [](const auto& a, const auto& b) { return a->number < b->number; });
  for (int level = 1; level < kNumLevels; level++) {
    std::sort(v->files[level].begin(), v->files[level].end(), [this](const auto& a, const auto& b) {
      return icmp_->Compare(a->smallest, b->smallest) < 0;
    });
    // Reads of levels >= 1 assume disjoint, ordered files (one binary
    // search finds the only candidate): a version that breaks this would
    // hide data, so it is refused, never installed or written.
    const auto& files = v->files[level];
    for (size_t i = 1; i < files.size(); i++) {
      if (icmp_->Compare(files[i - 1]->largest, files[i]->smallest) >= 0) {
        return Status::Corruption("MANIFEST", "files " + std::to_string(files[i - 1]->number) + " and " +
                                                  std::to_string(files[i]->number) + " overlap at level " +
                                                  std::to_string(level));
      }
    }
  }
  Finalize(v.get());
  *result = std::move(v);
  return Status::OK();
}

Status VersionSet::CreateNew(const std::string& comparator_name) {
  comparator_name_ = comparator_name;
  next_file_number_ = 1;  // the MANIFEST takes number 1
  log_number_ = 0;
  last_sequence_ = 0;
  VersionEdit edit;
  return WriteSnapshot(edit);
}

Status VersionSet::CreateFromRepair(const std::string& comparator_name, const VersionEdit& edit) {
  comparator_name_ = comparator_name;
  log_number_ = edit.log_number().value_or(0);
  last_sequence_ = edit.last_sequence().value_or(0);
  return WriteSnapshot(edit);
}

Status VersionSet::Recover(const std::string& comparator_name) {
  std::string current;
  Status s = ReadFileToString(env_, CurrentFileName(dbname_), &current);
  if (!s.ok()) return s;
  if (current.empty() || current.back() != '\n') {
    return Status::Corruption(CurrentFileName(dbname_), "does not end with a newline");
  }
  current.pop_back();
  uint64_t manifest_number;
  FileType type;
  if (!ParseFileName(current, &manifest_number, &type) || type != FileType::kDescriptorFile) {
    return Status::Corruption(CurrentFileName(dbname_), "does not name a MANIFEST");
  }

  const std::string fname = dbname_ + "/" + current;
  std::unique_ptr<SequentialFile> file;
  s = env_->NewSequentialFile(fname, &file);
  if (!s.ok()) return s;
  ManifestDamage damage;
  log::Reader reader(file.get(), fname, &damage, manifest_number);
  reader.set_records_synced_one_by_one();  // each edit is synced before the next
  Slice record;
  std::string scratch;
  std::optional<std::string> comparator;
  std::optional<uint64_t> log_number, next_file, last_sequence;
  std::shared_ptr<const Version> version = std::make_shared<const Version>();
  bool any = false;
  while (reader.ReadRecord(&record, &scratch)) {
    VersionEdit edit;
    s = edit.DecodeFrom(record);
    if (s.IsNotSupported()) return Status::NotSupported(fname, s.ToString());
    if (!s.ok()) return Status::Corruption(fname, s.ToString());
    std::shared_ptr<Version> next;
    s = Apply(*version, edit, &next);
    if (!s.ok()) return Status::Corruption(fname, s.ToString());
    version = std::move(next);
    if (edit.comparator()) comparator = edit.comparator();
    if (edit.log_number()) log_number = edit.log_number();
    if (edit.next_file_number()) next_file = edit.next_file_number();
    if (edit.last_sequence()) last_sequence = edit.last_sequence();
    for (const auto& [level, key] : edit.compact_pointers()) compact_pointer_[level] = key;
    any = true;
  }
  if (!reader.status().ok()) return reader.status();
  // A torn last edit is a clean end (see ManifestDamage).
  s = damage.Verdict(env_, fname, manifest_number, any);
  if (!s.ok()) return s;
  dropped_torn_edit_ = damage.first_damage();
  if (dropped_torn_edit_.ok() && reader.torn_tail_bytes() > 0) {
    dropped_torn_edit_ = Status::Corruption(
        fname, "torn tail of " + std::to_string(reader.torn_tail_bytes()) + " bytes at the end");
  }
  if (!comparator || !log_number || !next_file || !last_sequence) {
    return Status::Corruption(fname, "missing a required field");
  }
  if (*comparator != comparator_name) {
    return Status::InvalidArgument(dbname_, "comparator " + comparator_name +
                                                " does not match the DB's comparator " + *comparator);
  }
  comparator_name_ = comparator_name;
  manifest_number_ = manifest_number;
  log_number_ = *log_number;
  next_file_number_ = std::max(*next_file, manifest_number + 1);
  last_sequence_ = *last_sequence;
  for (const auto& level : version->files) {
    for (const auto& f : level) MarkFileNumberUsed(f->number);
  }
  Install(std::move(version));
  return Status::OK();
}

Status VersionSet::WriteSnapshot(const VersionEdit& edit) {
  std::shared_ptr<Version> next;
  Status s = Apply(*current_, edit, &next);
  if (!s.ok()) return s;
  VersionEdit state;
  state.SetLogNumber(edit.log_number().value_or(log_number_));
  state.SetLastSequence(std::max(last_sequence_, edit.last_sequence().value_or(0)));
  for (const auto& [level, key] : edit.compact_pointers()) compact_pointer_[level] = key;
  return WriteManifest(state, next);
}

Status VersionSet::WriteManifest(const VersionEdit& partial, const std::shared_ptr<Version>& next) {
  const uint64_t number = NewFileNumber();
  VersionEdit state;
  state.SetFormatVersion(kDbFormatVersion);
  state.SetComparatorName(comparator_name_);
  state.SetLogNumber(*partial.log_number());
  state.SetNextFileNumber(next_file_number_);
  state.SetLastSequence(*partial.last_sequence());
  for (int level = 0; level < kNumLevels; level++) {
    if (!compact_pointer_[level].empty()) state.SetCompactPointer(level, compact_pointer_[level]);
    for (const auto& f : next->files[level]) state.AddFile(level, *f);
  }
  std::string record;
  state.EncodeTo(&record);

  const std::string fname = DescriptorFileName(dbname_, number);
  std::unique_ptr<WritableFile> file;
  Status s = env_->NewWritableFile(fname, &file);
  if (!s.ok()) return s;
  auto writer = std::make_unique<log::Writer>(file.get(), number);
  s = writer->AddRecord(record);
  if (s.ok()) s = file->Sync();
  // The new MANIFEST's directory entry is durable before CURRENT names it.
  if (s.ok()) s = env_->SyncDir(dbname_);

  // CURRENT: temp file, fsync, rename, directory fsync.
  const std::string tmp = CurrentTempFileName(dbname_);
  if (s.ok()) s = WriteStringToFile(env_, fname.substr(dbname_.size() + 1) + "\n", tmp, /*sync=*/true);
  if (s.ok()) s = env_->RenameFile(tmp, CurrentFileName(dbname_));
  if (s.ok()) s = env_->SyncDir(dbname_);
  if (!s.ok()) {
    (void)file->Close();
    (void)env_->RemoveFile(tmp);
    // fname stays: if the rename happened, CURRENT may name it.
    return s;
  }
  if (manifest_file_ != nullptr) (void)manifest_file_->Close();
  manifest_file_ = std::move(file);
  manifest_log_ = std::move(writer);
  manifest_number_ = number;
  manifest_error_ = Status::OK();
  log_number_ = *partial.log_number();
  last_sequence_ = *partial.last_sequence();
  previous_.reset();
  previous_log_number_ = UINT64_MAX;
  Install(next);
  return Status::OK();
}

Status VersionSet::RewriteManifest() {
  VersionEdit state;
  state.SetLogNumber(log_number_);
  state.SetLastSequence(last_sequence_);
  std::shared_ptr<Version> same;
  Status s = Apply(*current_, VersionEdit(), &same);
  if (s.ok()) s = WriteManifest(state, same);
  return s;
}

Status VersionSet::LogAndApply(VersionEdit* edit) {
  if (!manifest_error_.ok()) return manifest_error_;
  if (manifest_log_ == nullptr) return Status::IOError("MANIFEST", "not open for writing");
  std::shared_ptr<Version> next;
  Status s = Apply(*current_, *edit, &next);
  if (!s.ok()) return s;
  if (!edit->log_number()) edit->SetLogNumber(log_number_);
  if (!edit->last_sequence()) edit->SetLastSequence(last_sequence_);
  edit->SetLastSequence(std::max(last_sequence_, *edit->last_sequence()));
  for (const auto& [level, key] : edit->compact_pointers()) compact_pointer_[level] = key;

  if (manifest_log_->size() > level_options_.max_manifest_bytes) {
    // Roll over: a new MANIFEST with the whole state replaces the old one.
    const uint64_t old_manifest = manifest_number_;
    s = WriteManifest(*edit, next);
    if (s.ok()) {
      (void)env_->RemoveFile(DescriptorFileName(dbname_, old_manifest));
    } else {
      // CURRENT may name the new MANIFEST (with this edit) or the old one.
      manifest_error_ = s;
    }
    return s;
  }

  edit->SetNextFileNumber(next_file_number_);
  std::string record;
  edit->EncodeTo(&record);
  s = manifest_log_->AddRecord(record);
  if (s.ok()) s = manifest_file_->Sync();
  if (!s.ok()) {
    // The MANIFEST may hold the edit, part of it, or nothing: never append
    // to it again. RewriteManifest (or the next Open) writes a fresh one.
    manifest_error_ = s;
    manifest_log_.reset();
    (void)manifest_file_->Close();
    manifest_file_.reset();
    return s;
  }
  previous_ = current_;
  previous_log_number_ = log_number_;
  log_number_ = *edit->log_number();
  last_sequence_ = *edit->last_sequence();
  Install(std::move(next));
  return Status::OK();
}

namespace {

bool AnyBusy(const std::vector<FilePtr>& files, const std::set<uint64_t>& busy) {
  return std::any_of(files.begin(), files.end(), [&](const FilePtr& f) { return busy.count(f->number) > 0; });
}

// The smallest and largest internal keys of a set of files.
void KeyRange(const InternalKeyComparator* icmp, const std::vector<FilePtr>& files, std::string* smallest,
              std::string* largest) {
  for (size_t i = 0; i < files.size(); i++) {
    if (i == 0 || icmp->Compare(files[i]->smallest, *smallest) < 0) *smallest = files[i]->smallest;
    if (i == 0 || icmp->Compare(files[i]->largest, *largest) > 0) *largest = files[i]->largest;
  }
}

}  // namespace

void VersionSet::TakeLevelBite(const Version& v, int level, const FilePtr& first, const std::set<uint64_t>& busy,
                               std::vector<FilePtr>* inputs) const {
  // Why more than one file: an L0 -> L1 compaction of random keys takes
  // every level-1 file, so compactions out of level 1 run only in the gaps
  // between two of them. One file per gap let level 1 grow to 10-40x its
  // budget during a 10M-entry fill, and every L0 -> L1 compaction rewrote
  // all of it (docs/performance/2026-12-01-fill-10m.md). Taking the level's
  // excess (up to MaxLevelInputBytes) drains it in the gaps there are.
  const uint64_t level_bytes = v.LevelBytes(level);
  const uint64_t budget = level_options_.MaxBytesForLevel(level);
  const uint64_t excess = level_bytes > budget ? level_bytes - budget : 0;
  const uint64_t cap = level_options_.MaxLevelInputBytes();
  const auto& files = v.files[level];
  auto it = std::find(files.begin(), files.end(), first);
  // Files of a level >= 1 are sorted and disjoint, and no user key spans two
  // of them (outputs end only where the user key changes), so a run of
  // neighbours is a valid input; a busy neighbour ends the run.
  // A file that overlaps nothing one level down is left to move down alone
  // (a trivial move, no bytes rewritten): it neither starts nor joins a bite.
  const Comparator* ucmp = icmp_->user_comparator();
  const auto overlaps_below = [&](const FilePtr& f) {
    return v.OverlapInLevel(level + 1, ExtractUserKey(f->smallest), ExtractUserKey(f->largest), ucmp);
  };
  inputs->push_back(first);
  if (!overlaps_below(first)) return;
  uint64_t taken = first->file_size;
  for (++it; it != files.end(); ++it) {
    const FilePtr& f = *it;
    if (taken >= excess || taken + f->file_size > cap || busy.count(f->number) > 0 || !overlaps_below(f)) break;
    inputs->push_back(f);
    taken += f->file_size;
  }
}

std::unique_ptr<Compaction> VersionSet::PickCompaction(const std::set<uint64_t>& busy, bool level0_busy,
                                                       int blocked_output_level, bool level0_only) {
  const auto& v = current_;
  // Levels by decreasing score; the first one that can start now wins.
  std::vector<std::pair<double, int>> candidates;
  for (int level = 0; level < kNumLevels - 1; level++) {
    const double score =
        level == 0 ? v->NumFiles(0) / static_cast<double>(level_options_.level0_file_num_compaction_trigger)
                   : static_cast<double>(v->LevelBytes(level)) / level_options_.MaxBytesForLevel(level);
    if (score >= 1) candidates.emplace_back(score, level);
  }
  std::sort(candidates.rbegin(), candidates.rend());
  const Comparator* ucmp = icmp_->user_comparator();
  for (const auto& [score, level] : candidates) {
    if ((level == 0 && level0_busy) || (level != 0 && level0_only) || level + 1 == blocked_output_level) {
      continue;
    }
    // Round robin: the first file after the compaction pointer that is not
    // busy; wrap around to the start.
    const auto& files = v->files[level];
    FilePtr chosen;
    for (int pass = 0; pass < 2 && chosen == nullptr; pass++) {
      for (const auto& f : files) {
        if (busy.count(f->number) > 0) continue;
        if (pass == 0 && !compact_pointer_[level].empty() &&
            icmp_->Compare(f->largest, compact_pointer_[level]) <= 0) {
          continue;
        }
        chosen = f;
        break;
      }
    }
    if (chosen == nullptr) continue;
    auto c = std::make_unique<Compaction>(level, level + 1, current_, icmp_, level_options_);
    if (level == 0) {
      const Slice begin = ExtractUserKey(chosen->smallest), end = ExtractUserKey(chosen->largest);
      v->GetOverlappingInputs(0, &begin, &end, ucmp, &c->inputs[0]);
      if (AnyBusy(c->inputs[0], busy)) continue;
    } else {
      TakeLevelBite(*v, level, chosen, busy, &c->inputs[0]);
    }
    c = SetupOtherInputs(std::move(c), busy);
    if (c != nullptr) return c;
  }
  // No size compaction can start now: a read-triggered one may.
  return PickReadTriggered(busy, level0_busy, blocked_output_level, level0_only);
}

std::unique_ptr<Compaction> VersionSet::PickReadTriggered(const std::set<uint64_t>& busy, bool level0_busy,
                                                          int blocked_output_level, bool level0_only) {
  if (seek_candidate_ == nullptr) return nullptr;
  const int level = seek_candidate_level_;
  if ((level == 0 && level0_busy) || (level != 0 && level0_only) || level + 1 == blocked_output_level ||
      busy.count(seek_candidate_->number) > 0) {
    return nullptr;  // the candidate waits
  }
  auto c = std::make_unique<Compaction>(level, level + 1, current_, icmp_, level_options_);
  c->read_triggered = true;
  if (level == 0) {
    const Slice begin = ExtractUserKey(seek_candidate_->smallest), end = ExtractUserKey(seek_candidate_->largest);
    current_->GetOverlappingInputs(0, &begin, &end, icmp_->user_comparator(), &c->inputs[0]);
    if (AnyBusy(c->inputs[0], busy)) return nullptr;
  } else {
    c->inputs[0].push_back(seek_candidate_);
  }
  c = SetupOtherInputs(std::move(c), busy);
  if (c != nullptr) {
    seek_candidate_.reset();
    seek_candidate_level_ = -1;
  }
  return c;
}

std::unique_ptr<Compaction> VersionSet::SetupOtherInputs(std::unique_ptr<Compaction> c,
                                                         const std::set<uint64_t>& busy) {
  const Comparator* ucmp = icmp_->user_comparator();
  const int level = c->level();
  const int out = c->output_level();
  std::string smallest, largest;
  KeyRange(icmp_, c->inputs[0], &smallest, &largest);
  if (out != level) {
    const Slice begin = ExtractUserKey(smallest), end = ExtractUserKey(largest);
    current_->GetOverlappingInputs(out, &begin, &end, ucmp, &c->inputs[1]);
    if (AnyBusy(c->inputs[1], busy)) return nullptr;
  }
  std::vector<FilePtr> all = c->inputs[0];
  all.insert(all.end(), c->inputs[1].begin(), c->inputs[1].end());
  std::string all_smallest, all_largest;
  KeyRange(icmp_, all, &all_smallest, &all_largest);
  if (out + 1 < kNumLevels) {
    const Slice gbegin = ExtractUserKey(all_smallest), gend = ExtractUserKey(all_largest);
    current_->GetOverlappingInputs(out + 1, &gbegin, &gend, ucmp, &c->grandparents);
  }
  // The next size compaction of this level starts after this one's range.
  if (!c->manual && !c->read_triggered) c->edit.SetCompactPointer(level, largest);
  return c;
}

std::unique_ptr<Compaction> VersionSet::CompactRange(int level, bool in_place, const Slice* begin,
                                                     const Slice* end, const std::set<uint64_t>& busy,
                                                     bool level0_busy, bool* busy_conflict) {
  *busy_conflict = false;
  auto c = std::make_unique<Compaction>(level, in_place ? level : level + 1, current_, icmp_,
                                        level_options_);
  current_->GetOverlappingInputs(level, begin, end, icmp_->user_comparator(), &c->inputs[0]);
  if (c->inputs[0].empty()) return nullptr;
  if ((level == 0 && level0_busy) || AnyBusy(c->inputs[0], busy)) {
    *busy_conflict = true;
    return nullptr;
  }
  c->manual = true;
  c = SetupOtherInputs(std::move(c), busy);
  if (c == nullptr) *busy_conflict = true;
  return c;
}

}  // namespace lsmkv
