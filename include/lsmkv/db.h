// DB: the key-value store. Open one with DB::Open; destroying it closes it.
//
// Thread safety: a DB is safe for concurrent use from many threads without
// external synchronization.
//
// Growth policy (docs/compatibility.md): the pure virtual methods below are
// the core that every DB implements. Methods added later are virtual with a
// default body returning Status::NotSupported, so a user's subclass (a
// wrapper or a test mock) keeps compiling when lsmkv grows.
#ifndef LSMKV_DB_H_
#define LSMKV_DB_H_

#include <memory>
#include <string>

#include "lsmkv/comparator.h"
#include "lsmkv/env.h"
#include "lsmkv/export.h"
#include "lsmkv/iterator.h"
#include "lsmkv/logger.h"
#include "lsmkv/options.h"
#include "lsmkv/slice.h"
#include "lsmkv/status.h"
#include "lsmkv/transaction.h"
#include "lsmkv/write_batch.h"

namespace lsmkv {

// A point-in-time view, obtained from DB::GetSnapshot and returned with
// DB::ReleaseSnapshot. Immutable; opaque.
class LSMKV_EXPORT Snapshot {
 protected:
  virtual ~Snapshot();
};

// The change feed, from DB::GetUpdatesSince: the write batches with
// sequence numbers >= a start, in order, each with its exact sequence
// numbers. One thread at a time; must be destroyed before the DB.
class LSMKV_EXPORT UpdateIterator {
 public:
  virtual ~UpdateIterator();
  // False past the last batch written so far (a new iterator from the next
  // sequence continues there), or on error (status()).
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  virtual Status status() const = 0;
  // Sequence number of batch()'s first entry. REQUIRES: Valid().
  virtual uint64_t sequence() const = 0;
  // REQUIRES: Valid(). Stays valid until Next().
  virtual const WriteBatch& batch() const = 0;
};

// A range of user keys [start, limit) for DB::GetApproximateSizes. The
// slices are borrowed for the call.
struct LSMKV_EXPORT Range {
  Range() = default;
  Range(const Slice& s, const Slice& l) : start(s), limit(l) {}
  Slice start;  // included
  Slice limit;  // not included
};

class LSMKV_EXPORT DB {
 public:
  // Opens the DB in directory `name`. On success *db holds it; on failure
  // *db is reset and the status says why (Busy when another DB object, in
  // this or another process, holds the directory).
  static Status Open(const Options& options, const std::string& name, std::unique_ptr<DB>* db);

  DB() = default;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;
  // Closes the DB if Close() was not called (ignoring its status): waits
  // for a running flush, closes files and releases the directory lock.
  // Every acknowledged write is in a table or a WAL and is recovered by the
  // next Open. All iterators must be destroyed first.
  virtual ~DB();

  // Closes the DB and says whether that worked: waits for background work,
  // syncs and closes the WAL (so every acknowledged write, synced or not,
  // is durable when it returns OK), records the last MANIFEST edit and
  // releases the directory lock (also when something failed: the status
  // then says what). A sticky background error is reported here too.
  // Every later call on this object returns a non-OK status (InvalidArgument
  // "DB is closed"; NewIterator an iterator with that status, GetSnapshot
  // nullptr, GetProperty false); a second Close too. Iterators and
  // snapshots must be released first, and no other thread may be inside a
  // call on this DB while Close runs.
  virtual Status Close();

  // Sequence number of the last write applied (every write batch takes
  // Count() consecutive numbers; the first write of a new DB gets 1); 0 for
  // a new, empty DB.
  virtual uint64_t GetLatestSequenceNumber();

  // A consistent copy of the DB in `dir` (must not exist; its parent must),
  // openable with DB::Open (WALs are placed inside `dir`), made while the
  // DB stays open for reads and writes. Table files are hard-linked when
  // `dir` is on the same file system, copied otherwise; the WAL tail is
  // copied up to the last complete write. The copy holds exactly the writes
  // up to *sequence (set when not null), which covers every write
  // acknowledged before the call. Everything is fsynced (files and
  // directories) before OK is returned. See docs/backup.md.
  virtual Status CreateCheckpoint(const std::string& dir, uint64_t* sequence = nullptr);

  virtual Status Put(const WriteOptions& options, const Slice& key, const Slice& value) = 0;
  // Deleting a missing key is not an error.
  virtual Status Delete(const WriteOptions& options, const Slice& key) = 0;
  // Applies the batch atomically. The caller keeps ownership of updates.
  virtual Status Write(const WriteOptions& options, WriteBatch* updates) = 0;
  // NotFound if the key is absent (or deleted).
  virtual Status Get(const ReadOptions& options, const Slice& key, std::string* value) = 0;
  // A point-in-time view; see iterator.h. Must be destroyed before the DB.
  virtual std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) = 0;

  virtual const Snapshot* GetSnapshot() = 0;
  virtual void ReleaseSnapshot(const Snapshot* snapshot) = 0;

  // Properties: "lsmkv.stats", "lsmkv.stats.json", "lsmkv.latency" (and
  // "lsmkv.latency.<get|write|synced-write|flush|compaction>"),
  // "lsmkv.num-files-at-level<N>", "lsmkv.approximate-memory-usage",
  // "lsmkv.sstables", "lsmkv.wal-corrupted-records",
  // "lsmkv.recent-background-jobs" (the last flushes and compactions, as
  // JSON; docs/statistics.md), and every name
  // GetIntProperty knows (as decimal text). False for an unknown property.
  virtual bool GetProperty(const Slice& property, std::string* value) = 0;

  // Writes every memtable to level-0 table files and returns once they are
  // durable (recorded in the MANIFEST); the WALs they covered are deleted.
  // Busy when Close begins while it waits: the memtables not flushed keep
  // their writes in the WALs Close syncs.
  virtual Status Flush() = 0;
  // Compacts every file overlapping the user-key range [*begin, *end]
  // (nullptr = open end) down to the deepest level holding data there,
  // dropping overwritten versions and tombstones no snapshot needs.
  virtual Status CompactRange(const Slice* begin, const Slice* end) = 0;

  // ---- Beyond the core: default bodies return NotSupported. ----

  // Reads every entry of every live table file with checksums verified,
  // and checks each file's key order, key range and entry count against
  // what the MANIFEST and its properties say. Corruption naming the first
  // damaged file. (WALs are checked by Open with paranoid_checks.)
  virtual Status VerifyChecksums();

  // After a background error (a failed flush, compaction or MANIFEST
  // write), writes fail with that error. Resume clears it and restarts
  // background work when that is safe: not after a failed WAL write or
  // sync (whether the record is on disk is unknown: reopen instead). A
  // full disk (Status::IsNoSpace) is retried automatically with back-off;
  // Resume does it at once. OK when there is no error.
  virtual Status Resume();

  // Change feed: the write batches whose sequence numbers are >= seq, in
  // order, read from the live WALs and those kept by
  // Options::wal_retention_bytes. A batch written by a group commit may
  // hold several callers' batches; a batch is split where seq falls inside
  // it, so sequence numbers are always exact. NotFound when seq is older
  // than the oldest batch still kept: never a feed with a hole (a replica
  // must then start again from a checkpoint). docs/replication.md.
  virtual Status GetUpdatesSince(uint64_t seq, std::unique_ptr<UpdateIterator>* it);

  // Returns OK once a write with sequence number >= seq is visible (at
  // once if one is), or Busy after timeout_micros: lets a feed reader wait
  // for new writes without polling.
  virtual Status WaitForSequence(uint64_t seq, uint64_t timeout_micros);

  // Replica side: applies a batch read from another DB's GetUpdatesSince at
  // that batch's own sequence numbers. InvalidArgument, and nothing
  // written, unless first_seq is this DB's last sequence + 1. Durable and
  // recovered exactly like Write; after a crash the last sequence says
  // where to resume. Ordinary writes to a replica advance its sequence
  // too, so the leader's next batch is then refused: don't mix them.
  virtual Status WriteReplicated(const WriteOptions& options, uint64_t first_seq, WriteBatch* batch);

  // Statistics (docs/statistics.md lists every name, its unit and whether
  // it is a counter or a gauge). Every figure of "lsmkv.stats" is readable
  // as a number here, e.g. "lsmkv.num-files-at-level<N>",
  // "lsmkv.total-sst-bytes", "lsmkv.user-bytes-written",
  // "lsmkv.stall-micros", "lsmkv.latency.get.p99-nanos". False for an
  // unknown name. The whole set, with the latency histograms, is
  // GetProperty("lsmkv.stats.json").
  virtual bool GetIntProperty(const Slice& property, uint64_t* value);

  // For each of the n ranges, about how many bytes of table files hold its
  // keys (from the tables' index blocks: block granularity; memtables are
  // not counted). sizes[i] is for ranges[i]; an empty range gives 0.
  // InvalidArgument for n < 0 or null arrays when n > 0.
  virtual Status GetApproximateSizes(const Range* ranges, int n, uint64_t* sizes);

  // Starts a transaction (see lsmkv/transaction.h); its writes are
  // committed with `options`. The default implementation returns a
  // transaction whose every method returns NotSupported.
  virtual std::unique_ptr<Transaction> BeginTransaction(
      const WriteOptions& options, const TransactionOptions& txn_options = TransactionOptions());

  // VerifyChecksums reporting progress (VerifyOptions). Default: calls
  // VerifyChecksums() without progress.
  virtual Status Verify(const VerifyOptions& options);
  // CompactRange reporting progress (CompactOptions). Default: calls
  // CompactRange(begin, end) without progress. (Distinct names, not
  // overloads, so a subclass overriding one never hides the other.)
  virtual Status Compact(const CompactOptions& options, const Slice* begin, const Slice* end);
};

// A snapshot released when the object goes out of scope:
//   lsmkv::ManagedSnapshot snap(db.get());
//   read_options.snapshot = snap.snapshot();
// The DB must outlive it. Not copyable; movable (the moved-from object
// holds nothing).
class LSMKV_EXPORT ManagedSnapshot {
 public:
  explicit ManagedSnapshot(DB* db);
  ManagedSnapshot(const ManagedSnapshot&) = delete;
  ManagedSnapshot& operator=(const ManagedSnapshot&) = delete;
  ManagedSnapshot(ManagedSnapshot&& other) noexcept;
  ManagedSnapshot& operator=(ManagedSnapshot&& other) noexcept;
  ~ManagedSnapshot();

  // nullptr only after being moved from.
  const Snapshot* snapshot() const { return snapshot_; }

 private:
  void Release();

  DB* db_;
  const Snapshot* snapshot_;
};

// Removes the DB's files and directory (and the WAL directory's logs). The
// DB must not be open.
LSMKV_EXPORT Status DestroyDB(const std::string& name, const Options& options);

// Rebuilds a DB whose MANIFEST (or CURRENT) is lost or damaged: replays
// every WAL, reads every table (keeping the entries before any damage),
// merges everything into one sorted run and installs a new MANIFEST.
// Damaged files are moved to <name>/lost/; what was salvaged and dropped is
// appended to <name>/LOG. The DB must not be open (Busy otherwise).
LSMKV_EXPORT Status RepairDB(const std::string& name, const Options& options);
// The same, reporting progress (RepairOptions).
LSMKV_EXPORT Status RepairDB(const std::string& name, const Options& options,
                             const RepairOptions& repair_options);

}  // namespace lsmkv

#endif  // LSMKV_DB_H_
