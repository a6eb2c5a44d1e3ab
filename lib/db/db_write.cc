// The write path: group commit (one leader appends a group of batches to
// the WAL, syncs it and inserts it into the memtable), the synced-peer wait,
// and memtable/WAL switches.
#include "db/db_impl.h"

#include <algorithm>
#include <cinttypes>
#include <chrono>
#include <vector>

#include "db/write_batch_internal.h"
#include "format/filename.h"
#include "util/logging.h"

namespace lsmkv {

namespace {

// A per-thread address: tells writer threads apart without a syscall.
const void* ThreadIdentity() {
  thread_local const char marker = 0;
  return &marker;
}

// How long a synced group's leader may wait for peer writers (see
// WaitForSyncPeers): about a fifth of one fdatasync on the machines we
// measured (120-170 us).
constexpr int64_t kSyncPeerWaitMicros = 30;

}  // namespace

// A caller of Write waiting in writers_. Lives on the caller's stack.
struct DBImpl::Writer {
  explicit Writer(Mutex* mu) : cv(mu) {}

  WriteBatch* batch = nullptr;  // nullptr: force a memtable switch
  bool sync = false;
  // WriteReplicated: the sequence the batch must start at (its group holds
  // it alone); 0 for ordinary writes.
  SequenceNumber replicated_first = 0;
  const void* thread = ThreadIdentity();  // which thread writes, for WaitForSyncPeers
  bool done = false;  // set by the leader that committed this writer
  // Transaction commit check for the WriteHook (nullptr: plain write), and
  // whether the hook refused this writer (then status is its own).
  void* validation = nullptr;
  bool refused = false;
  Status status;
  CondVar cv;
};

namespace {

// Bytes a write group may grow to. Larger groups amortise the write(2) and
// fdatasync further but delay the leader's own write; a small first batch
// caps the group lower so a lone small write is not held up.
constexpr size_t kMaxGroupBytes = 1 << 20;
constexpr size_t kSmallBatchBytes = 128 << 10;

}  // namespace

Status DBImpl::Put(const WriteOptions& options, const Slice& key, const Slice& value) {
  WriteBatch batch;
  batch.Put(key, value);
  return Write(options, &batch);
}

Status DBImpl::Delete(const WriteOptions& options, const Slice& key) {
  WriteBatch batch;
  batch.Delete(key);
  return Write(options, &batch);
}

Status DBImpl::Write(const WriteOptions& options, WriteBatch* updates) {
  if (updates == nullptr) return Status::InvalidArgument("Write", "updates must not be null");
  Status s = CheckNotClosed();
  if (s.ok()) s = WriteBatchInternal::CheckSizes(updates);
  if (!s.ok()) return s;
  ScopedLatency latency(options.sync ? &synced_write_latency_ : &write_latency_);
  return WriteInternal(options, updates);
}

Status DBImpl::WriteReplicated(const WriteOptions& options, uint64_t first_seq, WriteBatch* batch) {
  if (batch == nullptr) return Status::InvalidArgument("WriteReplicated", "batch must not be null");
  if (first_seq == 0) return Status::InvalidArgument("WriteReplicated", "sequence numbers start at 1");
  Status s = WriteBatchInternal::CheckSizes(batch);
  if (!s.ok()) return s;
  return WriteInternal(options, batch, first_seq);
}

Status DBImpl::WriteValidated(const WriteOptions& options, WriteBatch* updates, void* validation) {
  Status s = WriteBatchInternal::CheckSizes(updates);
  if (!s.ok()) return s;
  return WriteInternal(options, updates, /*replicated_first=*/0, validation);
}

bool DBImpl::AdmitWriter(Writer* w, SequenceNumber first) {
  // The only cost to a plain write while no transaction is live.
  if (w->validation == nullptr && write_hook_users_ == 0) return true;
  Status s = write_hook_->BeforeSequence(*w->batch, first, w->validation);
  if (s.ok()) return true;
  w->status = s;
  w->refused = true;
  return false;
}

Status DBImpl::WriteInternal(const WriteOptions& options, WriteBatch* updates,
                             SequenceNumber replicated_first, void* validation) {
  Writer w(&mutex_);
  w.batch = updates;
  w.sync = options.sync;
  w.replicated_first = replicated_first;
  w.validation = validation;

  MutexLock l(&mutex_);
  writers_.push_back(&w);
  if (sync_leader_waiting_) writers_.front()->cv.Signal();
  while (!w.done && &w != writers_.front()) w.cv.Wait();
  if (w.done) return w.status;  // a leader committed it for us

  // This writer leads a group.
  Status status = MakeRoomForWrite(/*force=*/updates == nullptr);
  if (status.ok() && w.replicated_first != 0 && w.replicated_first != last_sequence_ + 1) {
    // Checked here, by the leader, where sequence numbers are assigned.
    status = Status::InvalidArgument(
        "WriteReplicated", "batch at sequence " + std::to_string(w.replicated_first) + ", but this DB is at " +
                               std::to_string(last_sequence_) + " (a gap or a repeat)");
  }
  Writer* last_writer = &w;
  if (status.ok() && updates != nullptr && !AdmitWriter(&w, last_sequence_ + 1)) {
    status = w.status;  // refused: leads an empty group
  } else if (status.ok() && updates != nullptr) {
    if (w.sync) WaitForSyncPeers(&w);
    bool sync = false;
    WriteBatch* group = BuildBatchGroup(&last_writer, &sync);
    const SequenceNumber first = last_sequence_ + 1;
    WriteBatchInternal::SetSequence(group, first);
    const uint32_t count = WriteBatchInternal::Count(group);
    last_assigned_sequence_ = first + count - 1;
    user_bytes_written_ += WriteBatchInternal::ByteSize(group);
    write_groups_++;
    if (sync) synced_groups_++;
    MemTable* const mem = mem_.get();
    const uint64_t wal_before = log_->size();
    // A synced group first makes earlier WALs (and new WAL directory
    // entries) durable; see unsynced_logs_.
    std::vector<UnsyncedLog> earlier_logs;
    bool sync_wal_dir = false;
    if (sync) {
      earlier_logs = unsynced_logs_;
      sync_wal_dir = wal_dir_unsynced_;
    }

    // Followers wait on their condition variables; only the leader touches
    // the WAL and inserts into the memtable, so the lock can be dropped.
    mutex_.Unlock();
    // Earlier WALs (and the new WAL's directory entry) are durable before
    // this group's record exists: no write-back order can then keep this
    // record through a power cut that loses an earlier acknowledged one.
    for (const UnsyncedLog& u : earlier_logs) {
      if (status.ok()) status = u.file->Sync();
    }
    if (status.ok() && sync_wal_dir) status = env_->SyncDir(wal_dir_);
    // What the last synced group made durable, for recovery to tell media
    // damage from a power cut (log_format.h, kSyncMarkType). A mark that
    // does not fit in this block waits for a later group.
    if (status.ok() && wal_synced_offset_ > wal_marked_offset_ && log_->SyncMarkFits()) {
      status = log_->AddSyncMark(wal_synced_offset_);
      if (status.ok()) wal_marked_offset_ = wal_synced_offset_;
    }
    if (status.ok()) status = log_->AddRecord(WriteBatchInternal::Contents(group));
    wal_groups_++;
    if (sync) wal_had_synced_group_ = true;
    if (status.ok() && sync) {
      status = logfile_->Sync();
      if (status.ok()) wal_synced_offset_ = log_->size();
    }
    if (status.ok()) status = WriteBatchInternal::InsertInto(group, mem);
    mutex_.Lock();

    if (sync) RememberSyncGroup(last_writer);
    if (status.ok() && sync) {
      // Only the leader switches WALs, so nothing was added meanwhile; a
      // flush may have dropped some of these already.
      const auto synced = [&](const UnsyncedLog& u) {
        return std::any_of(earlier_logs.begin(), earlier_logs.end(),
                           [&](const UnsyncedLog& e) { return e.number == u.number; });
      };
      unsynced_logs_.erase(std::remove_if(unsynced_logs_.begin(), unsynced_logs_.end(), synced),
                           unsynced_logs_.end());
      if (sync_wal_dir) wal_dir_unsynced_ = false;
    }

    wal_bytes_written_ += log_->size() - wal_before;
    if (status.ok()) {
      last_sequence_ = first + count - 1;  // publish the whole group at once
      if (sequence_waiters_ > 0) sequence_cv_.SignalAll();
      wal_published_bytes_ = log_->size();
    } else {
      // The WAL may now hold a partial or unsynced record: refuse further
      // writes until reopen, whose recovery sorts it out.
      SetBackgroundError(status, ErrorSource::kWal);
    }
    if (group == &group_batch_) group_batch_.Clear();
  }

  while (true) {
    Writer* ready = writers_.front();
    writers_.pop_front();
    if (ready != &w) {
      if (!ready->refused) ready->status = status;
      ready->done = true;
      ready->cv.Signal();
    }
    if (ready == last_writer) break;
  }
  if (!writers_.empty()) writers_.front()->cv.Signal();  // the next leader
  return status;
}

void DBImpl::WaitForSyncPeers(Writer* leader) {
  // Threads that each write synchronously in a loop fall into two groups
  // that take turns: the writers that queued during one fdatasync form the
  // next group, and the group just acknowledged comes back a moment after
  // that group's fdatasync started, so it waits a whole fdatasync. Each
  // fdatasync then covers about half of the threads. When the last two
  // synced groups came from several threads, the leader waits (at most
  // kSyncPeerWaitMicros) until as many writers are queued, so one
  // fdatasync covers them all. A lone synced writer never waits.
  if (sync_peers_ <= 1 || writers_.size() >= sync_peers_) return;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(kSyncPeerWaitMicros);
  while (writers_.size() < sync_peers_) {
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    sync_leader_waiting_ = true;
    leader->cv.WaitFor(left.count());
    sync_leader_waiting_ = false;
  }
}

void DBImpl::RememberSyncGroup(const Writer* last_writer) {
  constexpr size_t kMaxRemembered = 16;  // bounds the wait's bookkeeping
  std::vector<const void*> group;
  for (const Writer* w : writers_) {
    if (group.size() < kMaxRemembered && std::find(group.begin(), group.end(), w->thread) == group.end()) {
      group.push_back(w->thread);
    }
    if (w == last_writer) break;
  }
  // Distinct threads of this group and the one before.
  sync_peers_ = group.size();
  for (const void* t : synced_threads_last_) {
    if (std::find(group.begin(), group.end(), t) == group.end()) sync_peers_++;
  }
  synced_threads_last_ = std::move(group);
}

WriteBatch* DBImpl::BuildBatchGroup(Writer** last_writer, bool* sync) {
  Writer* first = writers_.front();
  WriteBatch* result = first->batch;
  *sync = first->sync;
  size_t size = WriteBatchInternal::ByteSize(first->batch);
  const size_t max_size =
      size <= kSmallBatchBytes ? std::min(kMaxGroupBytes, size + kSmallBatchBytes) : kMaxGroupBytes;
  *last_writer = first;
  if (first->replicated_first != 0) return result;  // its sequence is checked alone
  SequenceNumber next = last_sequence_ + 1 + WriteBatchInternal::Count(first->batch);
  for (auto it = writers_.begin() + 1; it != writers_.end(); ++it) {
    Writer* w = *it;
    // A forced flush and a replicated batch lead their own groups.
    if (w->batch == nullptr || w->replicated_first != 0) break;
    size += WriteBatchInternal::ByteSize(w->batch);
    if (size > max_size) break;
    if (!AdmitWriter(w, next)) {
      *last_writer = w;  // refused: dequeued with its own status
      continue;
    }
    next += WriteBatchInternal::Count(w->batch);
    if (result == first->batch) {
      // Do not modify the caller's batch: merge into the scratch batch.
      result = &group_batch_;
      group_batch_.Clear();
      WriteBatchInternal::Append(result, first->batch);
    }
    WriteBatchInternal::Append(result, w->batch);
    // One fdatasync covers every writer in the group that asked for sync.
    *sync = *sync || w->sync;
    *last_writer = w;
  }
  return result;
}

Status DBImpl::MakeRoomForWrite(bool force) {
  bool allow_delay = !force;
  while (true) {
    if (!bg_error_.ok()) return bg_error_;
    const int level0_files = versions_->current()->NumFiles(0);
    const int slowdown_trigger = Level0SlowdownTrigger();  // lower while Gets come in
    if (allow_delay && level0_files >= slowdown_trigger) {
      // Level 0 is filling faster than compaction drains it: delay this
      // write by about a millisecond (once) so compaction gets CPU, rather
      // than stopping writes outright later.
      const uint64_t start = env_->NowMicros();
      mutex_.Unlock();
      env_->SleepForMicroseconds(1000);
      mutex_.Lock();
      const uint64_t slept = env_->NowMicros() - start;
      stall_micros_ += slept;
      slowdown_micros_ += slept;
      write_slowdowns_++;
      if (episode_slowdowns_++ == 0) {
        Log(info_log_.get(), "stall: write slowdown began: %d level-0 files (slowdown trigger %d)",
            level0_files, slowdown_trigger);
      }
      episode_slowdown_micros_ += slept;
      allow_delay = false;
      continue;
    }
    if (episode_slowdowns_ > 0 && level0_files < slowdown_trigger) {
      EndSlowdownEpisode();
    }
    if (!force && mem_->ApproximateMemoryUsage() <= options_.write_buffer_size) return Status::OK();
    if (force && mem_->num_entries() == 0) return Status::OK();
    // Memtables whose tables are written and syncing (kBuilt) do not count,
    // so the next table's build overlaps their syncs; they are still held
    // in memory, at most one more than max_write_buffer_number in all.
    if (UnbuiltImmutables() >= options_.max_write_buffer_number - 1 ||
        static_cast<int>(imms_.size()) >= options_.max_write_buffer_number ||
        level0_files >= options_.level0_stop_writes_trigger) {
      // Every memtable is full, or level 0 is at the stop trigger: wait
      // (never fail) for a flush or compaction to finish.
      const uint64_t start = env_->NowMicros();
      MaybeScheduleCompaction();
      bg_cv_.Wait();
      const uint64_t waited = env_->NowMicros() - start;
      stall_micros_ += waited;
      write_stops_++;
      Log(info_log_.get(), "stall: writes stopped %.3f ms: %s (%zu immutable memtables, %d level-0 files)",
          waited / 1e3, level0_files >= options_.level0_stop_writes_trigger ? "level 0 at the stop trigger" : "memtables full",
          imms_.size(), level0_files);
      continue;
    }
    Status s = SwitchMemTable();
    if (!s.ok()) {
      // No new WAL: nothing was written, the switch can be tried again.
      SetBackgroundError(s, ErrorSource::kBackground);
      return s;
    }
    force = false;
  }
}

Status DBImpl::SwitchMemTable() {
  const uint64_t new_log = versions_->NewFileNumber();
  std::unique_ptr<WritableFile> file;
  Status s = env_->NewLogFile(LogFileName(wal_dir_, new_log), NextWalWriteMode(), &file);
  if (!s.ok()) {
    file.reset();
    (void)env_->RemoveFile(LogFileName(wal_dir_, new_log));
    return s;
  }
  // Ordering at a log switch: a later sync=true write in the new WAL must
  // never be durable while acknowledged writes of the old one are not. The
  // old WAL is not synced here (on a busy DB that cost a multi-MB fdatasync
  // per switch); the first synced write does it (unsynced_logs_), as does
  // the directory entry of the new WAL.
  unsynced_logs_.push_back(UnsyncedLog{log_number_, std::move(logfile_)});
  wal_dir_unsynced_ = true;
  logfile_ = std::move(file);
  log_ = std::make_unique<log::Writer>(logfile_.get(), new_log);
  log_number_ = new_log;
  wal_synced_offset_ = 0;
  wal_marked_offset_ = 0;
  wal_groups_ = 0;
  wal_had_synced_group_ = false;
  imms_.push_back(Immutable{std::move(mem_), mem_log_number_, last_sequence_, wal_published_bytes_});
  wal_published_bytes_ = 0;
  mem_ = NewActiveMemTable();
  mem_log_number_ = new_log;
  MaybeScheduleFlush();
  return Status::OK();
}

WalWriteMode DBImpl::NextWalWriteMode() const {
  if (options_.wal_write_mode != WalWriteMode::kAuto) return options_.wal_write_mode;
  // kAuto picks per WAL file, from the one it replaces. A record stored
  // through the mapping costs no system call but zero-fills and faults in
  // every page it reaches (~2 ns a byte here), a write(2) ~1.6 us a call
  // plus ~0.35 ns a byte: the two meet near 1 KiB records (bench/micro_wal.cc,
  // docs/performance/2026-12-02-wal-mode-per-file.md). Write groups of
  // single small puts stay mapped; batches (a 1,000-entry batch is ~120
  // KiB) go through write(2). A WAL that saw a synced group stays mapped:
  // an fdatasync after write(2) appends also writes the inode (the size),
  // one device write more per synced group than the mapping's reserved
  // size needs (docs/performance/2026-12-01-fillsync-device.md).
  // (WAL bytes per group: the record framing is counted, a few bytes.)
  constexpr uint64_t kWriteGroupBytes = 1024;
  if (wal_groups_ == 0 || wal_had_synced_group_) return WalWriteMode::kAuto;
  return log_->size() / wal_groups_ >= kWriteGroupBytes ? WalWriteMode::kWrite : WalWriteMode::kAuto;
}

std::shared_ptr<MemTable> DBImpl::NewActiveMemTable() const {
  // With ~150-byte entries (16-byte key, 100-byte value, skiplist node)
  // that is ~19 bits per key: about 0.3% false positives; 4 MiB of write
  // buffer costs a 64 KiB filter.
  constexpr size_t kWriteBufferBytesPerFilterBit = 8;
  // The filter is built and zeroed here, under mutex_ (SwitchMemTable): at
  // most 1 MiB, so a huge write buffer costs more false positives rather
  // than a long stall of every reader and writer.
  constexpr size_t kMaxFilterBits = size_t{8} << 20;
  // The filter hashes user-key bytes, so it may only rule a key out where
  // keys that compare equal are equal bytes: the bytewise comparator. A
  // user comparator may call different bytes equal ("Key" and "key"), and
  // a Get must then find the entry in the memtable as it does in a table
  // without filters.
  const bool bytewise = internal_comparator_.user_comparator() == BytewiseComparator();
  const size_t bits =
      bytewise ? std::min(options_.write_buffer_size / kWriteBufferBytesPerFilterBit, kMaxFilterBits) : 0;
  return std::make_shared<MemTable>(&internal_comparator_, bits);
}

}  // namespace lsmkv
