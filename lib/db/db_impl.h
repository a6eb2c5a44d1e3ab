// DBImpl: the DB. Writes go to the WAL and the active memtable (group
// commit); full memtables become immutable and a background job flushes
// them to level-0 tables; background compactions merge tables down the
// levels; reads merge memtables and tables.
//
// Locking: mutex_ guards the fields marked GUARDED_BY. It is released
//  - by the write-group leader while it appends to the WAL, syncs and
//    inserts into the memtable (only the leader touches log_, logfile_ and
//    inserts into mem_, so those need no lock);
//  - by the flush job while it builds a table from an immutable memtable
//    (immutable memtables are read-only);
//  - by a compaction job while it merges its input tables (its input files
//    are marked busy, so no other job takes them);
//  - by readers, who copy the memtable and Version pointers and the
//    sequence under it and then read without it.
// The MANIFEST append and sync of a finished flush or compaction happen
// under mutex_.
#ifndef LSMKV_DB_DB_IMPL_H_
#define LSMKV_DB_DB_IMPL_H_

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "db/live_files.h"
#include "db/recent_jobs.h"
#include "db/db_stats.h"
#include "db/snapshot.h"
#include "db/table_cache.h"
#include "db/wal_replay.h"
#include "db/write_hook.h"
#include "env/thread_pool.h"
#include "format/dbformat.h"
#include "lsmkv/db.h"
#include "memtable/memtable.h"
#include "replication/update_iterator.h"
#include "table/table_options.h"
#include "util/cache.h"
#include "util/histogram.h"
#include "util/mutex.h"
#include "version/version_set.h"
#include "wal/log_writer.h"

namespace lsmkv {

class DBImpl final : public DB, public FeedSource {
 public:
  DBImpl(const Options& options, const std::string& dbname);
  ~DBImpl() override;

  Status Put(const WriteOptions& options, const Slice& key, const Slice& value) override;
  Status Delete(const WriteOptions& options, const Slice& key) override;
  Status Write(const WriteOptions& options, WriteBatch* updates) override;
  Status Get(const ReadOptions& options, const Slice& key, std::string* value) override;
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) override;
  const Snapshot* GetSnapshot() override;
  void ReleaseSnapshot(const Snapshot* snapshot) override;
  bool GetProperty(const Slice& property, std::string* value) override;
  bool GetIntProperty(const Slice& property, uint64_t* value) override;
  Status GetApproximateSizes(const Range* ranges, int n, uint64_t* sizes) override;
  Status Flush() override;
  Status CompactRange(const Slice* begin, const Slice* end) override;
  Status VerifyChecksums() override;
  Status Resume() override;
  Status Verify(const VerifyOptions& options) override;
  Status Compact(const CompactOptions& options, const Slice* begin, const Slice* end) override;
  Status GetUpdatesSince(uint64_t seq, std::unique_ptr<UpdateIterator>* it) override;
  Status WaitForSequence(uint64_t seq, uint64_t timeout_micros) override;
  Status WriteReplicated(const WriteOptions& options, uint64_t first_seq, WriteBatch* batch) override;

  // FeedSource (lib/replication; implemented in db_feed.cc).
  SequenceNumber PublishedSequence() override EXCLUDES(mutex_);
  bool FeedPosition(SequenceNumber seq, uint64_t* log, uint64_t* offset) override EXCLUDES(mutex_);
  void RememberFeedPosition(SequenceNumber seq, uint64_t log, uint64_t offset) override EXCLUDES(mutex_);
  Env* feed_env() override { return env_; }
  const std::string& feed_wal_dir() override { return wal_dir_; }
  Status Close() override;
  uint64_t GetLatestSequenceNumber() override;
  Status CreateCheckpoint(const std::string& dir, uint64_t* sequence) override;  // checkpoint.cc

  // For checkpoints and backups (db_live_files.cc): fills *files with a
  // consistent set of files holding exactly the writes up to
  // files->sequence, and pins them: none of them is deleted until
  // UnpinLiveFiles(files). Holds mutex_ only while it looks.
  Status PinLiveFiles(LiveFileSet* files) EXCLUDES(mutex_);
  // Releases the pin (files->version too) and deletes what became obsolete.
  void UnpinLiveFiles(LiveFileSet* files) EXCLUDES(mutex_);

  std::unique_ptr<Transaction> BeginTransaction(const WriteOptions& options,
                                                const TransactionOptions& txn_options) override;

  // For lib/txn (db_transaction.cc). Write with a transaction's commit
  // check, passed to the WriteHook by the leader that sequences it.
  Status WriteValidated(const WriteOptions& options, WriteBatch* updates, void* validation)
      EXCLUDES(mutex_);
  // lib/txn's transaction manager, made on first use.
  WriteHook* GetOrCreateWriteHook() EXCLUDES(mutex_);
  // While acquired at least once, the WriteHook sees every write. Acquire
  // also takes a snapshot (one lock hold for both), Release releases it.
  const Snapshot* AcquireWriteHook() EXCLUDES(mutex_);
  void ReleaseWriteHook(const Snapshot* snapshot) EXCLUDES(mutex_);
  // An iterator over the internal keys (every version, tombstones too) of
  // the current view, whose newest sequence goes to *sequence.
  std::unique_ptr<Iterator> NewInternalIterator(SequenceNumber* sequence) EXCLUDES(mutex_);

  // Called once by DB::Open: locks the directory, creates or recovers the
  // DB, and starts a new WAL.
  Status Open();

  // Test hook: returns once no flush or compaction is running or needed.
  void TEST_WaitForBackgroundWork();

  // Test hook: a compaction (not a trivial move's, which is instant) began
  // or ended. Called under mutex_, in the order the DB saw them: the
  // observer must not call into the DB.
  struct CompactionEvent {
    bool started = false;  // false: ended
    int level = 0, output_level = 0;
    bool read_triggered = false;
    std::vector<uint64_t> inputs;  // file numbers, both levels
    size_t level_inputs = 0;       // how many of them are at `level`
    // User-key ranges: of the inputs at `level` (inputs[0]), and of all
    // inputs (the outputs, at output_level, lie inside it).
    std::string level_smallest, level_largest;
    std::string smallest, largest;
  };
  void TEST_SetCompactionObserver(std::function<void(const CompactionEvent&)> observer) EXCLUDES(mutex_);
  // Test hook: while paused, no new background compaction starts (running
  // ones finish; flushes go on), so tests can build up level 0 and count
  // the stalls it causes. Unpausing schedules what is due.
  void TEST_PauseCompactions(bool paused) EXCLUDES(mutex_);

  // The info log (Options::info_log, or the LOG file the DB opened); null
  // before Open. Set once by Open, then never changed: safe to read from
  // any thread after Open returned. For events of other layers, e.g.
  //   Log(impl->info_log(), "checkpoint: ...");   (util/logging.h)
  Logger* info_log() const { return info_log_.get(); }

 private:
  struct Writer;
  // Where an immutable memtable's flush is. Tables are built one at a
  // time and installed oldest first; a memtable whose table is written
  // (kBuilt: being synced and recorded) no longer counts against
  // max_write_buffer_number - 1, so the writer may start the next memtable
  // and its table may be built while this one's syncs run.
  enum class FlushState { kWaiting, kBuilding, kBuilt };
  // A memtable no longer written to, waiting for its flush.
  struct Immutable {
    std::shared_ptr<MemTable> mem;
    uint64_t log_number;  // the WAL holding its writes
    // Its newest sequence. Recorded as the MANIFEST's last sequence when it
    // is flushed, so the MANIFEST's last sequence is always the newest
    // sequence in tables and the oldest WAL still needed starts right
    // after it (WAL replay checks that no batch is missing in between).
    SequenceNumber last_sequence;
    uint64_t log_bytes;  // its WAL's size: complete records only (checkpoints copy that much)
    FlushState flush_state = FlushState::kWaiting;
  };
  // What a read needs, copied under mutex_.
  struct ReadView {
    SequenceNumber sequence;
    std::shared_ptr<MemTable> mem;
    std::vector<std::shared_ptr<MemTable>> imms;  // newest first
    std::shared_ptr<const Version> version;
  };

  // Write with updates == nullptr forces a memtable switch (for Flush).
  // replicated_first != 0: WriteReplicated's required first sequence.
  // validation: a transaction's commit check for the WriteHook.
  Status WriteInternal(const WriteOptions& options, WriteBatch* updates,
                       SequenceNumber replicated_first = 0, void* validation = nullptr);
  // Asks the WriteHook (when a transaction is live or w commits one) about
  // w, whose batch would start at sequence `first`; false: w was refused.
  bool AdmitWriter(Writer* w, SequenceNumber first) REQUIRES(mutex_);
  // A synced group's leader waits briefly for the threads of recent synced
  // groups to queue, so one fdatasync covers them all.
  void WaitForSyncPeers(Writer* leader) REQUIRES(mutex_);
  // Records the threads of the group ending at last_writer (front of writers_).
  void RememberSyncGroup(const Writer* last_writer) REQUIRES(mutex_);
  ReadView GetReadView(const ReadOptions& options) EXCLUDES(mutex_);
  // A memtable for writes, with a bloom filter of one bit per 8 bytes of
  // write buffer (see MemTableFilter): Get skips its skiplist for keys it
  // never saw. (The replay memtable at Open, only ever flushed, has none.)
  std::shared_ptr<MemTable> NewActiveMemTable() const;
  // Merges the memtables and tables of view (internal keys); the caller
  // keeps view alive while the iterator lives.
  std::unique_ptr<Iterator> NewMergedIterator(const ReadOptions& options, const ReadView& view);

  // kPickLevel asks LevelForFlushedTable, which compares against the
  // current Version: only right when every older flushed table is in it
  // (flushes wait for their turn, WaitForFlushTurn, before picking).
  // Recovery collects several tables in one edit (each
  // newer than the last and possibly overlapping it), so it uses kLevel0,
  // where tables may overlap.
  enum class FlushPlacement { kLevel0, kPickLevel };
  // Builds a table from mem and records it in *edit (used by recovery and
  // by flushes); *job describes the build. The caller passes *job to
  // RecordFlush once the edit is written to the MANIFEST, or failed to be:
  // until then the flush has not happened.
  // With `abandoned` (flushes; recovery passes none) the build tells
  // EndFlushBuild once the table's bytes are written, before its syncs,
  // and once it is durable waits for its turn (WaitForFlushTurn) before its
  // level is picked; when the turn never comes the table is removed and
  // *abandoned set.
  Status WriteFlushTable(MemTable* mem, VersionEdit* edit, FlushPlacement placement, BackgroundJobRecord* job,
                         bool* abandoned = nullptr) REQUIRES(mutex_);
  // Waits until mem is the oldest immutable memtable (every older flush is
  // installed): false when the DB closes or a background error stops
  // flushes first.
  bool WaitForFlushTurn(const MemTable* mem) REQUIRES(mutex_);
  // Counts a flush and adds it to recent_jobs_, failed when `installed`
  // (the MANIFEST write of its edit) is not OK.
  void RecordFlush(BackgroundJobRecord job, const Status& installed) REQUIRES(mutex_);
  // Level 0, or a deeper level (at most 2) when a table of keys
  // [smallest, largest] overlaps nothing above or at it and no running
  // compaction writes there.
  int LevelForFlushedTable(const Slice& smallest, const Slice& largest) REQUIRES(mutex_);

  // Makes room in the memtable, switching to a new one (and WAL) when it is
  // full or `force`; waits while too many memtables await flushing.
  Status MakeRoomForWrite(bool force) REQUIRES(mutex_);
  Status SwitchMemTable() REQUIRES(mutex_);
  // The mode SwitchMemTable opens the next WAL in (see Options::wal_write_mode).
  WalWriteMode NextWalWriteMode() const REQUIRES(mutex_);
  void MaybeScheduleFlush() REQUIRES(mutex_);
  void BackgroundFlush() EXCLUDES(mutex_);
  // True once every flush that made versions_->log_number() reach
  // log_number has had its WAL cleanup round.
  bool FlushCleanupCovers(uint64_t log_number) REQUIRES(mutex_);
  // Flushes mem (an immutable memtable, kBuilding) and, after every older
  // memtable's flush is installed, installs it and pops it. *installed is
  // false when it was not installed: on an error (returned), or when the
  // DB closes or an older flush failed first (OK returned: nothing new to
  // report). On failure the memtable is kWaiting again (Resume retries).
  Status FlushImmutable(const std::shared_ptr<MemTable>& mem, bool* installed) REQUIRES(mutex_);
  // mem's flush moves to `next`: kBuilt once its table is written (or the
  // build ended), kWaiting when the flush failed. If it was kBuilding the
  // next table may now be built; writers waiting for room are woken.
  void EndFlushBuild(const MemTable* mem, FlushState next) REQUIRES(mutex_);
  // Immutable memtables not yet kBuilt (those count against
  // max_write_buffer_number - 1).
  int UnbuiltImmutables() const REQUIRES(mutex_);
  // Some flush job has taken a memtable and not yet installed or given it
  // up (a memtable is kBuilding or kBuilt).
  bool FlushesInFlight() const REQUIRES(mutex_);

  void MaybeScheduleCompaction() REQUIRES(mutex_);
  // Read-triggered compaction (db_read_compaction.cc). ChargeSeek takes
  // `lookups` off the seek budget of `file` (at `level` of the reader's
  // Version) and, when that used it up, offers the file to VersionSet as
  // the next read-triggered compaction. Takes mutex_ only then.
  void ChargeSeek(int level, const FilePtr& file, int64_t lookups) EXCLUDES(mutex_);
  // For a sampled iterator seek to user_key on `version`: charges the first
  // table holding the key when a second one holds it too.
  void SampleSeek(const Version& version, const Slice& user_key, int64_t lookups) EXCLUDES(mutex_);
  void BackgroundCompaction(std::shared_ptr<Compaction> c) EXCLUDES(mutex_);
  // Marks c's input files busy / no longer busy (and tells the test
  // observer that c started / ended).
  void SetBusy(const Compaction& c, bool busy) REQUIRES(mutex_);
  // Runs a picked compaction: a trivial move, or a merge (which releases
  // mutex_ while it reads and writes tables). Installs the result, then
  // releases c's busy marks (SetBusy), before deleting obsolete files.
  Status RunCompaction(Compaction* c) REQUIRES(mutex_);
  // Merges c's inputs into new tables, in up to Options::max_subcompactions
  // key ranges side by side (Compaction::SplitPoints), and installs them
  // with one MANIFEST edit. Releases mutex_ while it merges.
  Status DoCompactionWork(Compaction* c) REQUIRES(mutex_);
  struct Subcompaction;
  // Merges one key range of c (its own copy: the cursors in c are per
  // range) into new tables; results in *sub. Takes mutex_ only to number
  // an output.
  void RunSubcompaction(Compaction* c, SequenceNumber smallest_snapshot, Subcompaction* sub) EXCLUDES(mutex_);
  // One CompactRange step: compacts `level` (into level + 1, or into itself
  // when in_place) for the range, waiting while background compactions
  // hold its files.
  Status ManualCompactLevel(int level, bool in_place, const Slice* begin, const Slice* end)
      REQUIRES(mutex_);
  // Merges queued writers behind the front one into one batch; returns it
  // and sets *last_writer to the last writer merged, *sync if any asked.
  WriteBatch* BuildBatchGroup(Writer** last_writer, bool* sync) REQUIRES(mutex_);
  // Deletes files no Version, pending flush, recovery or pinned file set
  // (PinLiveFiles) needs. Nothing while a background error or a MANIFEST
  // write failure is set: after a failed MANIFEST write, CURRENT may name a
  // state that still needs files the in-memory one does not.
  void RemoveObsoleteFiles() REQUIRES(mutex_);
  // InvalidArgument once Close() ran; OK before.
  Status CheckNotClosed() const;

  // Background errors (db_errors.cc). Where an error came from decides
  // whether Resume may clear it.
  enum class ErrorSource {
    kWal,         // a WAL append or sync: fatal until reopen
    kBackground,  // a flush, compaction, MANIFEST write or WAL creation
  };
  // Records the first error; a full disk in background work schedules an
  // automatic Resume with back-off.
  void SetBackgroundError(const Status& s, ErrorSource source) REQUIRES(mutex_);
  Status ResumeLocked() REQUIRES(mutex_);
  // The automatic retry: waits (50 ms, doubling to 1 s) and resumes until
  // that works, the error is not a full disk, or the DB closes.
  void AutoResume() EXCLUDES(mutex_);

  // Every statistic, read under mutex_ (db_stats.cc).
  DbStats CollectStats() REQUIRES(mutex_);
  // Bytes of table data before user key `key` in the current version
  // (db_stats.cc).
  uint64_t ApproximateOffsetOf(const Version& v, const Slice& key);

  // Logs the end of a write-slowdown episode (see slowdown_writes_).
  void EndSlowdownEpisode() REQUIRES(mutex_);
  // Level-0 back-pressure that follows the readers (db_write_pressure.cc).
  // At each flush: were there Gets beside the writes since the last one
  // (at least 1 per kReadShareDivisor entries flushed)? Sets readers_active_.
  void NoteReadShareAtFlush(uint64_t flushed_entries) REQUIRES(mutex_);
  // The level-0 file count at which writes are slowed now:
  // Options::level0_slowdown_writes_trigger, or ReadersSlowdownTrigger()
  // while readers_active_.
  int Level0SlowdownTrigger() const REQUIRES(mutex_);
  // LevelDB's balance: twice the level-0 compaction trigger (8 by default),
  // never above level0_slowdown_writes_trigger.
  int ReadersSlowdownTrigger() const;
  static constexpr uint64_t kReadShareDivisor = 16;

  // Immutable after construction.
  const Options options_;
  const InternalKeyComparator internal_comparator_;
  const std::string dbname_;
  const std::string wal_dir_;
  Env* const env_;
  std::unique_ptr<FileLock> db_lock_;
  const std::unique_ptr<ShardedLRUCache> block_cache_;  // nullptr when disabled
  const TableOptions table_options_;
  // table_options_ with kLz4FlushAcceleration: for the tables of flushes.
  const TableOptions flush_table_options_;
  const std::unique_ptr<TableCache> table_cache_;

  Mutex mutex_;
  CondVar bg_cv_{&mutex_};  // signalled when a flush ends
  std::unique_ptr<VersionSet> versions_ GUARDED_BY(mutex_);
  // The active memtable. Replaced under mutex_ by the write-group leader;
  // its contents are written only by that leader.
  std::shared_ptr<MemTable> mem_ GUARDED_BY(mutex_);
  uint64_t mem_log_number_ GUARDED_BY(mutex_) = 0;
  std::deque<Immutable> imms_ GUARDED_BY(mutex_);  // oldest first
  // Bytes of the active memtable's WAL (number mem_log_number_) that hold
  // complete, published write groups: set by the leader under mutex_ with
  // last_sequence_, so it always ends at a record boundary and at exactly
  // the writes up to last_sequence_ (a checkpoint copies that much).
  uint64_t wal_published_bytes_ GUARDED_BY(mutex_) = 0;
  // Sequence of the newest write visible to readers. Advanced after the
  // whole group is in the memtable, so a batch becomes visible atomically.
  SequenceNumber last_sequence_ GUARDED_BY(mutex_) = 0;
  std::deque<Writer*> writers_ GUARDED_BY(mutex_);
  // Highest sequence a write group was given (published or in flight).
  SequenceNumber last_assigned_sequence_ GUARDED_BY(mutex_) = 0;
  // lib/txn's transaction manager, made by the first BeginTransaction and
  // never replaced; write_hook_users_ counts live transactions.
  std::unique_ptr<WriteHook> write_hook_ GUARDED_BY(mutex_);
  int write_hook_users_ GUARDED_BY(mutex_) = 0;
  // Threads of the last synced group; how many distinct threads the last
  // two synced groups came from (WaitForSyncPeers waits for that many
  // writers); and whether a synced group's leader is waiting for them.
  std::vector<const void*> synced_threads_last_ GUARDED_BY(mutex_);
  size_t sync_peers_ GUARDED_BY(mutex_) = 0;
  bool sync_leader_waiting_ GUARDED_BY(mutex_) = false;
  WriteBatch group_batch_ GUARDED_BY(mutex_);  // scratch for BuildBatchGroup
  SnapshotList snapshots_ GUARDED_BY(mutex_);
  // Table numbers being written (not yet in a Version): never obsolete.
  std::set<uint64_t> pending_outputs_ GUARDED_BY(mutex_);
  // The smallest WAL number of every file set pinned by PinLiveFiles (one
  // entry per pin): WALs at or above the smallest are never obsolete. The
  // pinned sets' tables are kept by the Versions they hold.
  std::multiset<uint64_t> pinned_log_numbers_ GUARDED_BY(mutex_);
  // Flush jobs scheduled or running. One at a time builds a table
  // (flush_building_); the others' tables are syncing or waiting for an
  // older memtable's flush to be installed.
  int flush_jobs_ GUARDED_BY(mutex_) = 0;
  bool flush_building_ GUARDED_BY(mutex_) = false;
  // A flush job is removing the files flushes made obsolete (the flushed
  // memtables' WALs). It does so after leaving flush_jobs_, so the
  // next flush need not wait for it, and repeats while later flushes set
  // flush_cleanup_pending_ (one such job at a time holds a pool thread).
  // Close, Flush and TEST_WaitForBackgroundWork wait until it is done.
  bool flush_cleanup_running_ GUARDED_BY(mutex_) = false;
  bool flush_cleanup_pending_ GUARDED_BY(mutex_) = false;
  // versions_->log_number() when the last finished cleanup round began: the
  // WALs every flush installed by then made obsolete are handled. Flush
  // waits for the round covering its own flush (FlushCleanupCovers), not
  // for the job to go idle, which sustained flushing may put off for long.
  uint64_t flush_cleanup_covered_log_ GUARDED_BY(mutex_) = 0;
  // Compactions scheduled or running, and the files they hold.
  int compactions_running_ GUARDED_BY(mutex_) = 0;
  int max_compactions_running_ GUARDED_BY(mutex_) = 0;  // high-water mark, for stats
  std::set<uint64_t> busy_files_ GUARDED_BY(mutex_);
  // A level-0 compaction is running (two would write overlapping level-1
  // files).
  bool level0_compacting_ GUARDED_BY(mutex_) = false;
  // Running compactions by output level, and the level of a CompactRange
  // in-place compaction (-1: none): while it runs, nothing else writes
  // into that level, since its outputs may span gaps between its inputs.
  int compactions_into_[kNumLevels] GUARDED_BY(mutex_) = {};
  int in_place_level_ GUARDED_BY(mutex_) = -1;
  bool shutting_down_ GUARDED_BY(mutex_) = false;
  bool opened_ GUARDED_BY(mutex_) = false;  // Open() succeeded
  // Close() ran (set under mutex_ at its start; atomic so that calls check
  // it without the lock). After it nothing may schedule background work.
  std::atomic<bool> closed_{false};
  // Mirrors shutting_down_ for compaction loops running without mutex_.
  // Relaxed: only makes a long compaction stop early; nothing is published.
  std::atomic<bool> shutdown_requested_{false};
  // The first error that left the WAL, a table or the MANIFEST in an
  // unknown state; sticky: every later write returns it until reopen or,
  // when bg_error_resumable_, until Resume.
  Status bg_error_ GUARDED_BY(mutex_);
  bool bg_error_resumable_ GUARDED_BY(mutex_) = false;
  bool auto_resume_running_ GUARDED_BY(mutex_) = false;
  int64_t resume_backoff_micros_ GUARDED_BY(mutex_) = 0;  // 0: start afresh
  uint64_t resumes_ GUARDED_BY(mutex_) = 0;  // background errors cleared

  // What Open's WAL replay did (property lsmkv.wal-recovery).
  WalReplayReport wal_recovery_ GUARDED_BY(mutex_);
  // WALs Open did not replay to the end: kept in lost/, never archived for
  // the change feed (their later batches' sequence numbers are reused).
  std::set<uint64_t> never_archive_ GUARDED_BY(mutex_);
  // WaitForSequence: signalled when last_sequence_ advances while
  // sequence_waiters_ > 0.
  CondVar sequence_cv_{&mutex_};
  int sequence_waiters_ GUARDED_BY(mutex_) = 0;
  // Where recent change-feed iterators ended: sequence -> (WAL, offset).
  std::map<SequenceNumber, std::pair<uint64_t, uint64_t>> feed_positions_ GUARDED_BY(mutex_);
  // Statistics, guarded by mutex_.
  uint64_t wal_corrupted_records_ GUARDED_BY(mutex_) = 0;
  uint64_t wal_corrupted_bytes_ GUARDED_BY(mutex_) = 0;
  uint64_t user_bytes_written_ GUARDED_BY(mutex_) = 0;
  uint64_t wal_bytes_written_ GUARDED_BY(mutex_) = 0;
  uint64_t write_groups_ GUARDED_BY(mutex_) = 0;
  uint64_t synced_groups_ GUARDED_BY(mutex_) = 0;
  uint64_t flushes_ GUARDED_BY(mutex_) = 0;
  uint64_t flushes_below_level0_ GUARDED_BY(mutex_) = 0;  // placed at level 1 or 2
  uint64_t flush_bytes_ GUARDED_BY(mutex_) = 0;
  uint64_t flush_micros_ GUARDED_BY(mutex_) = 0;
  uint64_t stall_micros_ GUARDED_BY(mutex_) = 0;  // slowdowns + stops
  uint64_t slowdown_micros_ GUARDED_BY(mutex_) = 0;
  uint64_t write_slowdowns_ GUARDED_BY(mutex_) = 0;  // writes delayed ~1 ms
  uint64_t write_stops_ GUARDED_BY(mutex_) = 0;      // waits for a flush/compaction
  // The current slowdown episode (level 0 at or past the slowdown trigger):
  // writes delayed and microseconds slept since it began; logged as one
  // line when it ends, not one line per delayed write.
  uint64_t episode_slowdowns_ GUARDED_BY(mutex_) = 0;
  uint64_t episode_slowdown_micros_ GUARDED_BY(mutex_) = 0;
  // gets_ at the last flush, and whether Gets came in beside the writes
  // of the last flushed memtable (NoteReadShareAtFlush): then writes are
  // slowed from ReadersSlowdownTrigger() level-0 files on.
  uint64_t gets_at_last_flush_ GUARDED_BY(mutex_) = 0;
  bool readers_active_ GUARDED_BY(mutex_) = false;
  uint64_t compaction_entries_dropped_ GUARDED_BY(mutex_) = 0;
  uint64_t read_triggered_compactions_ GUARDED_BY(mutex_) = 0;
  uint64_t subcompactions_ GUARDED_BY(mutex_) = 0;  // key ranges of split compactions
  std::function<void(const CompactionEvent&)> compaction_observer_ GUARDED_BY(mutex_);  // tests only
  bool compactions_paused_ GUARDED_BY(mutex_) = false;  // TEST_PauseCompactions
  struct CompactionStats {
    uint64_t compactions = 0;
    uint64_t micros = 0;
    uint64_t bytes_read = 0;
    uint64_t bytes_written = 0;
  };
  CompactionStats level_stats_[kNumLevels] GUARDED_BY(mutex_);  // by output level
  // The last finished flushes and compactions, for the property
  // "lsmkv.recent-background-jobs" (bounded: RecentJobs::kDefaultCapacity).
  RecentJobs recent_jobs_ GUARDED_BY(mutex_);
  // Read statistics, updated without the lock. Relaxed: counters only.
  std::atomic<uint64_t> gets_{0};
  std::atomic<uint64_t> tables_probed_{0};
  std::atomic<uint64_t> bloom_useful_{0};
  std::atomic<uint64_t> bloom_useless_{0};  // passed the filter, key not there
  // Latencies in nanoseconds; lock-free (util/histogram.h). Writes land in
  // write_latency_ or, with WriteOptions::sync, synced_write_latency_.
  LatencyHistogram get_latency_;
  LatencyHistogram write_latency_;
  LatencyHistogram synced_write_latency_;
  LatencyHistogram flush_latency_;
  LatencyHistogram compaction_latency_;

  // See info_log(). Written by Open before any background job starts.
  std::shared_ptr<Logger> info_log_;

  // The current WAL; used by the write-group leader only (see above), and
  // replaced by it in SwitchMemTable.
  uint64_t log_number_ = 0;
  std::shared_ptr<WritableFile> logfile_;
  std::unique_ptr<log::Writer> log_;
  // Bytes of the current WAL the last synced group made durable, and the
  // offset the last sync mark written into it names (leader only, like log_).
  uint64_t wal_synced_offset_ = 0;
  uint64_t wal_marked_offset_ = 0;
  // Write groups appended to the current WAL, and whether any was synced
  // (leader only, like log_): NextWalWriteMode picks the next WAL's mode
  // from them.
  uint64_t wal_groups_ = 0;
  bool wal_had_synced_group_ = false;

  // WALs replaced by SwitchMemTable and not yet known durable (neither
  // fsynced nor covered by a finished flush), oldest first. A switch does
  // not sync the old WAL; instead a write group with sync=true fsyncs these
  // (and the WAL directory, if a WAL was created since its last fsync)
  // before its own WAL, so a synced write never survives a power loss
  // that an earlier acknowledged write does not (the leveldb#193
  // ordering). Entries go when their memtable's flush is durable.
  struct UnsyncedLog {
    uint64_t number;
    std::shared_ptr<WritableFile> file;  // shared: the leader syncs outside the lock
  };
  std::vector<UnsyncedLog> unsynced_logs_ GUARDED_BY(mutex_);
  bool wal_dir_unsynced_ GUARDED_BY(mutex_) = false;

  // Threads for the key ranges of a split compaction beyond the first
  // (which the compaction's own thread merges): max_subcompactions - 1 of
  // them, null when compactions are never split. Only one compaction out
  // of level 0 runs at a time, and only those are split, so no range waits
  // for a thread. Outlives pool_, whose jobs wait for their ranges.
  std::unique_ptr<ThreadPool> subcompaction_pool_;
  // Declared last: destroyed first, after the destructor has waited for
  // every job; jobs use the members above.
  std::unique_ptr<ThreadPool> pool_;
};

// Rejects option values the engine cannot honour (InvalidArgument).
Status ValidateOptions(const Options& options);

}  // namespace lsmkv

#endif  // LSMKV_DB_DB_IMPL_H_
