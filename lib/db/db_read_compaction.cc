// Read-triggered compaction: lookups charge the tables they consult in
// vain, and a table whose seek budget runs out is compacted one level down
// (VersionSet::NoteSeekBudgetExhausted, PickCompaction). docs/architecture.md,
// "Read-triggered compaction".
#include <algorithm>

#include "db/db_impl.h"

namespace lsmkv {

void DBImpl::ChargeSeek(int level, const FilePtr& file, int64_t lookups) {
  if (!file->allowed_seeks.Charge(lookups)) return;  // budget left, or someone else ran it out
  MutexLock l(&mutex_);
  if (versions_->NoteSeekBudgetExhausted(level, file)) {
    MaybeScheduleCompaction();
    return;
  }
  // Another candidate is waiting (or the file left the current Version):
  // give it a tenth of a budget more, so it asks again later rather than
  // never, without taking the mutex on every lookup meanwhile.
  file->allowed_seeks.Reset(std::max<int64_t>(1, versions_->level_options().AllowedSeeks(file->file_size) / 10));
}

void DBImpl::SampleSeek(const Version& version, const Slice& user_key, int64_t lookups) {
  // The iterator positioned a child on every table whose range holds the
  // target: a seek there found the table in the way of the next one. Like
  // a Get, charge the first (newest) of them when there are two or more.
  const Comparator* ucmp = options_.comparator;
  const auto holds = [&](const FileMetaData& f) {
    return ucmp->Compare(user_key, ExtractUserKey(f.smallest)) >= 0 &&
           ucmp->Compare(user_key, ExtractUserKey(f.largest)) <= 0;
  };
  const FilePtr* first = nullptr;
  int first_level = -1;
  const auto& level0 = version.files[0];
  for (auto it = level0.rbegin(); it != level0.rend(); ++it) {
    if (!holds(**it)) continue;
    if (first != nullptr) return ChargeSeek(first_level, *first, lookups);
    first = &*it;
    first_level = 0;
  }
  for (int level = 1; level < kNumLevels; level++) {
    const auto& files = version.files[level];
    auto it = std::lower_bound(files.begin(), files.end(), user_key, [ucmp](const FilePtr& f, const Slice& k) {
      return ucmp->Compare(ExtractUserKey(f->largest), k) < 0;
    });
    if (it == files.end() || !holds(**it)) continue;
    if (first != nullptr) return ChargeSeek(first_level, *first, lookups);
    first = &*it;
    first_level = level;
  }
}

}  // namespace lsmkv
