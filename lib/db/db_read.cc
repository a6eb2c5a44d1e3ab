// Reads: point lookups through memtables and levels, iterators and
// snapshots.
#include "db/db_impl.h"

#include <algorithm>
#include <vector>

#include "db/db_iter.h"
#include "db/level_iterator.h"
#include "db/seek_sampling_iterator.h"
#include "table/iterator_util.h"
#include "table/merging_iterator.h"

namespace lsmkv {

DBImpl::ReadView DBImpl::GetReadView(const ReadOptions& options) {
  ReadView view;
  MutexLock l(&mutex_);
  view.sequence = options.snapshot != nullptr
                      ? static_cast<const SnapshotImpl*>(options.snapshot)->sequence
                      : last_sequence_;
  view.mem = mem_;
  for (auto it = imms_.rbegin(); it != imms_.rend(); ++it) view.imms.push_back(it->mem);
  view.version = versions_->current();
  return view;
}

Status DBImpl::Get(const ReadOptions& options, const Slice& key, std::string* value) {
  if (value == nullptr) return Status::InvalidArgument("Get", "value must not be null");
  if (Status closed = CheckNotClosed(); !closed.ok()) return closed;
  ScopedLatency latency(&get_latency_);
  const ReadView view = GetReadView(options);
  gets_.fetch_add(1, std::memory_order_relaxed);
  const LookupKey lkey(key, view.sequence);
  Status s;
  if (view.mem->Get(lkey, value, &s)) return s;
  for (const auto& imm : view.imms) {
    if (imm->Get(lkey, value, &s)) return s;
  }

  const Comparator* ucmp = options_.comparator;
  // Read-triggered compaction: the first table consulted (key in its range)
  // and how many were; when the lookup had to go on past the first, that
  // one is charged (ChargeSeek). Points into view.version, which the view
  // keeps alive.
  const FilePtr* first_consulted = nullptr;
  int first_consulted_level = -1;
  int consulted = 0;
  // Returns true when the table settled the lookup (*s set).
  const auto probe = [&](const FilePtr& file, int level) -> bool {
    const FileMetaData& f = *file;
    if (ucmp->Compare(key, ExtractUserKey(f.smallest)) < 0 ||
        ucmp->Compare(key, ExtractUserKey(f.largest)) > 0) {
      return false;  // outside the file's range: not even opened
    }
    if (consulted++ == 0) {
      first_consulted = &file;
      first_consulted_level = level;
    }
    std::shared_ptr<Table> table;
    s = table_cache_->FindTable(f.number, f.file_size, &table);
    if (!s.ok()) return true;
    tables_probed_.fetch_add(1, std::memory_order_relaxed);
    // The entry the table found: settles the lookup if it is a version of
    // `key` (the newest visible one: entries sort newest first). The value
    // is copied only then.
    struct Match {
      const Comparator* ucmp;
      Slice user_key;
      std::string* value;
      bool matched = false;
      bool is_value = false;
    } match{ucmp, key, value};
    Table::GetResult result;
    s = table->Get(options, lkey.internal_key(), &result, &match,
                   [](void* arg, const Slice& found_key, const Slice& found_value) {
                     auto* m = static_cast<Match*>(arg);
                     ParsedInternalKey parsed;
                     if (!ParseInternalKey(found_key, &parsed) ||
                         m->ucmp->Compare(parsed.user_key, m->user_key) != 0) {
                       return;
                     }
                     m->matched = true;
                     m->is_value = parsed.type == kTypeValue;
                     if (m->is_value) m->value->assign(found_value.data(), found_value.size());
                   });
    if (!s.ok()) return true;
    if (result == Table::GetResult::kFilteredOut) {
      bloom_useful_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    if (!match.matched) {
      if (table->has_filter()) bloom_useless_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    s = match.is_value ? Status::OK() : Status::NotFound(Slice());
    return true;
  };

  // Level 0 newest first (ranges overlap); deeper levels hold disjoint
  // ranges sorted by key: one binary search per level.
  bool settled = false;
  const auto& level0 = view.version->files[0];
  for (auto it = level0.rbegin(); it != level0.rend() && !settled; ++it) settled = probe(*it, 0);
  for (int level = 1; level < kNumLevels && !settled; level++) {
    const auto& files = view.version->files[level];
    auto it = std::lower_bound(files.begin(), files.end(), key,
                               [ucmp](const std::shared_ptr<const FileMetaData>& f, const Slice& k) {
                                 return ucmp->Compare(ExtractUserKey(f->largest), k) < 0;
                               });
    if (it != files.end()) settled = probe(*it, level);
  }
  if (consulted >= 2) ChargeSeek(first_consulted_level, *first_consulted, 1);
  return settled ? s : Status::NotFound(Slice());
}

std::unique_ptr<Iterator> DBImpl::NewIterator(const ReadOptions& options) {
  if (Status closed = CheckNotClosed(); !closed.ok()) return NewErrorIterator(closed);
  auto view = std::make_shared<ReadView>(GetReadView(options));
  auto merged = NewMergedIterator(options, *view);
  const SequenceNumber sequence = view->sequence;
  // The view pins the memtables and the Version (so its files) for the
  // iterator's lifetime.
  std::shared_ptr<const Version> version = view->version;
  auto db_iter = NewDBIterator(options_.comparator, std::move(merged), sequence, std::move(view),
                               options.iterate_lower_bound, options.iterate_upper_bound);
  if (!options_.read_triggered_compaction) return db_iter;
  // Every kSeekSamplePeriod-th seek charges the tables in its way, each
  // sample standing for that many seeks (see SampleSeek). The iterator
  // must be destroyed before the DB, so `this` outlives the sampler.
  constexpr int kSeekSamplePeriod = 16;
  return NewSeekSamplingIterator(std::move(db_iter), kSeekSamplePeriod,
                                 [this, version = std::move(version)](const Slice& target) {
                                   SampleSeek(*version, target, kSeekSamplePeriod);
                                 });
}

std::unique_ptr<Iterator> DBImpl::NewMergedIterator(const ReadOptions& options,
                                                    const ReadView& view_ref) {
  const ReadView* view = &view_ref;
  std::vector<std::unique_ptr<Iterator>> children;
  // probes[i] lets the merging iterator put off seeking children[i] when
  // its bloom filters rule out the sought user key (memtables have none).
  std::vector<UserKeyProbe> probes;
  children.push_back(view->mem->NewIterator());
  probes.emplace_back();
  for (const auto& imm : view->imms) {
    children.push_back(imm->NewIterator());
    probes.emplace_back();
  }
  // Level-0 tables overlap: one child each, newest first (the children
  // are passed newest first: see ChildOrder::kNewestFirst). A deeper level
  // is one sorted stream that opens its tables one at a time.
  const auto& level0 = view->version->files[0];
  for (auto it = level0.rbegin(); it != level0.rend(); ++it) {
    const FilePtr& f = *it;
    std::shared_ptr<Table> table;
    Status s = table_cache_->FindTable(f->number, f->file_size, &table);
    if (!s.ok()) {
      children.push_back(NewErrorIterator(s));
      probes.emplace_back();
      continue;
    }
    children.push_back(table->NewIterator(options));
    // A target outside the table's key range is ruled out without
    // touching its filter (level-0 tables often cover a narrow range).
    const Comparator* ucmp = internal_comparator_.user_comparator();
    probes.emplace_back([table, ucmp, f](const Slice& target) {
      const Slice user_key = ExtractUserKey(target);
      if (ucmp->Compare(user_key, ExtractUserKey(f->smallest)) < 0 ||
          ucmp->Compare(user_key, ExtractUserKey(f->largest)) > 0) {
        return false;
      }
      return table->MayContain(target);
    });
  }
  for (int level = 1; level < kNumLevels; level++) {
    const std::vector<FilePtr>* files = &view->version->files[level];
    if (files->empty()) continue;
    LevelIteratorAndProbe level_iterator =
        NewLevelIteratorAndProbe(&internal_comparator_, table_cache_.get(), options, files);
    children.push_back(std::move(level_iterator.iterator));
    probes.push_back(std::move(level_iterator.probe));
  }
  // With one table child (say, one sorted run on one level) a lazy seek
  // saves no block read — the child holds the key, or the memtable does —
  // but its probe costs a table lookup and a filter miss per seek.
  const size_t table_children = children.size() - 1 - view->imms.size();
  if (table_children < 2) probes.clear();
  // Memtable, immutable memtables (newest first), level 0 newest first,
  // then levels 1, 2, ...: the order Get searches in, for the same reason.
  return NewMergingIterator(&internal_comparator_, std::move(children), std::move(probes),
                            ChildOrder::kNewestFirst);
}

const Snapshot* DBImpl::GetSnapshot() {
  if (closed_.load()) return nullptr;
  MutexLock l(&mutex_);
  return snapshots_.New(last_sequence_);
}

void DBImpl::ReleaseSnapshot(const Snapshot* snapshot) {
  if (snapshot == nullptr) return;
  MutexLock l(&mutex_);
  snapshots_.Release(static_cast<const SnapshotImpl*>(snapshot));
}

}  // namespace lsmkv
