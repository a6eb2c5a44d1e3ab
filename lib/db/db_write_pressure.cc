// Level-0 back-pressure that follows the readers: the level-0 slowdown
// trigger writes meet (MakeRoomForWrite) is
// Options::level0_slowdown_writes_trigger while nobody reads, and LevelDB's
// lower one while Gets come in beside the writes. docs/architecture.md,
// "Back-pressure follows the readers".
#include <algorithm>

#include "db/db_impl.h"
#include "util/logging.h"

namespace lsmkv {

void DBImpl::NoteReadShareAtFlush(uint64_t flushed_entries) {
  // Gets since the last flush against the writes this flush took out of
  // memory: each level-0 file costs every Get one more table to check, so
  // letting level 0 grow (to batch more flushes into one L0 -> L1
  // compaction) pays only while Gets are few next to writes.
  const uint64_t gets = gets_.load(std::memory_order_relaxed);
  const uint64_t gets_since = gets - gets_at_last_flush_;
  gets_at_last_flush_ = gets;
  const uint64_t needed = std::max<uint64_t>(1, flushed_entries / kReadShareDivisor);
  const bool active = gets_since >= needed;
  if (active != readers_active_) {
    Log(info_log_.get(), "stall: level-0 slowdown trigger now %d: %llu gets beside %llu flushed writes",
        active ? ReadersSlowdownTrigger() : options_.level0_slowdown_writes_trigger,
        static_cast<unsigned long long>(gets_since), static_cast<unsigned long long>(flushed_entries));
  }
  readers_active_ = active;
}

int DBImpl::ReadersSlowdownTrigger() const {
  // In 64 bits: a compaction trigger above INT_MAX / 2 (triggers "turned
  // off") must not overflow.
  const int64_t twice = 2 * static_cast<int64_t>(options_.level0_file_num_compaction_trigger);
  return static_cast<int>(std::min<int64_t>(options_.level0_slowdown_writes_trigger, twice));
}

int DBImpl::Level0SlowdownTrigger() const {
  return readers_active_ ? ReadersSlowdownTrigger() : options_.level0_slowdown_writes_trigger;
}

}  // namespace lsmkv
