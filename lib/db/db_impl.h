// DBImpl: the DB of this milestone: a memtable in front of a write-ahead log,
// with group commit, snapshots and crash recovery. Tables, flush and
// compaction come in later milestones (Flush and CompactRange return
// NotSupported until then).
//
// Locking: mutex_ guards the fields marked GUARDED_BY. The write-group leader
// (the writer at the front of writers_) releases mutex_ while it appends to
// the WAL, syncs and inserts into the memtable; only the leader touches log_,
// logfile_ and inserts into mem_, so those need no lock. Readers copy mem_ and
// the sequence under mutex_ and then read the memtable without it.
#ifndef LSMKV_DB_DB_IMPL_H_
#define LSMKV_DB_DB_IMPL_H_

#include <deque>
#include <memory>
#include <string>

#include "db/snapshot.h"
#include "format/dbformat.h"
#include "lsmkv/db.h"
#include "memtable/memtable.h"
#include "util/mutex.h"
#include "wal/log_writer.h"

namespace lsmkv {

class VersionEdit;

class DBImpl final : public DB {
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
  Status Flush() override;
  Status CompactRange(const Slice* begin, const Slice* end) override;

  // Called once by DB::Open: locks the directory, creates or recovers the
  // DB, and starts a new WAL.
  Status Open();

 private:
  struct Writer;

  Status NewDB();
  // Replays WAL `number` into mem_; raises *max_sequence.
  Status ReplayLog(uint64_t number, SequenceNumber* max_sequence) REQUIRES(mutex_);
  // Merges queued writers behind the front one into one batch; returns it
  // and sets *last_writer to the last writer merged, *sync if any asked.
  WriteBatch* BuildBatchGroup(Writer** last_writer, bool* sync) REQUIRES(mutex_);
  void RemoveObsoleteFiles(uint64_t manifest_number, uint64_t min_log_number);

  // Immutable after construction.
  const Options options_;
  const InternalKeyComparator internal_comparator_;
  const std::string dbname_;
  const std::string wal_dir_;
  Env* const env_;
  std::unique_ptr<FileLock> db_lock_;

  Mutex mutex_;
  // The active memtable. Replaced only under mutex_ (by later milestones'
  // flush); its contents are written only by the write-group leader.
  std::shared_ptr<MemTable> mem_ GUARDED_BY(mutex_);
  // Sequence of the newest write visible to readers. Advanced after the
  // whole group is in the memtable, so a batch becomes visible atomically.
  SequenceNumber last_sequence_ GUARDED_BY(mutex_) = 0;
  std::deque<Writer*> writers_ GUARDED_BY(mutex_);
  WriteBatch group_batch_ GUARDED_BY(mutex_);  // scratch for BuildBatchGroup
  SnapshotList snapshots_ GUARDED_BY(mutex_);
  // The first error that left the WAL in an unknown state; sticky: every
  // later write returns it until the DB is reopened.
  Status bg_error_ GUARDED_BY(mutex_);
  uint64_t next_file_number_ GUARDED_BY(mutex_) = 2;
  uint64_t wal_corrupted_records_ GUARDED_BY(mutex_) = 0;
  uint64_t wal_corrupted_bytes_ GUARDED_BY(mutex_) = 0;
  uint64_t user_bytes_written_ GUARDED_BY(mutex_) = 0;
  uint64_t write_groups_ GUARDED_BY(mutex_) = 0;
  uint64_t synced_groups_ GUARDED_BY(mutex_) = 0;

  // The current WAL; used by the write-group leader only (see above).
  uint64_t log_number_ = 0;
  std::unique_ptr<WritableFile> logfile_;
  std::unique_ptr<log::Writer> log_;
};

// Rejects option values the engine cannot honour (InvalidArgument).
Status ValidateOptions(const Options& options);

}  // namespace lsmkv

#endif  // LSMKV_DB_DB_IMPL_H_
