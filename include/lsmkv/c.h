/* The C API of lsmkv, for C programs and for bindings from other languages.
 * It follows LevelDB's c.h (same shape, prefix lsmkv_ instead of leveldb_):
 *
 *  - Every object is an opaque handle created by a lsmkv_*_create (or
 *    lsmkv_open, lsmkv_create_iterator, ...) function and freed by the
 *    matching lsmkv_*_destroy (lsmkv_close for the DB). Nothing is freed
 *    behind the caller's back.
 *  - A call that can fail takes `char** errptr` last. errptr must not be
 *    NULL. On success *errptr is left untouched; on failure it is set to a
 *    malloc()ed, NUL-terminated message ("Corruption: ...", "IO error: ...",
 *    as lsmkv::Status::ToString says), after free()ing the message it held,
 *    so one variable can collect errors across calls. Free the final message
 *    with lsmkv_free. Start with `char* err = NULL;`.
 *  - Keys and values are byte arrays with explicit lengths (embedded NULs
 *    allowed). Bytes returned by lsmkv_get and lsmkv_property_value are
 *    malloc()ed copies that the caller frees with lsmkv_free; bytes returned
 *    by lsmkv_iter_key/value belong to the iterator and stay valid until it
 *    moves or is destroyed.
 *  - Booleans are unsigned char: 0 is false, anything else true.
 *
 * Thread safety as in C++: a lsmkv_t may be used from many threads at once;
 * every other handle from one thread at a time. Iterators (update
 * iterators too) and snapshots must be destroyed/released before
 * lsmkv_close.
 *
 * Transactions and backup engines are used from one thread at a time;
 * a transaction (and its iterators) must be destroyed before lsmkv_close.
 *
 * Not covered (yet): progress callbacks, a custom Env. */
#ifndef LSMKV_C_H_
#define LSMKV_C_H_

#include <stddef.h>
#include <stdint.h>

#include "lsmkv/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Opaque handles ---- */
typedef struct lsmkv_t lsmkv_t;
typedef struct lsmkv_options_t lsmkv_options_t;
typedef struct lsmkv_readoptions_t lsmkv_readoptions_t;
typedef struct lsmkv_writeoptions_t lsmkv_writeoptions_t;
typedef struct lsmkv_writebatch_t lsmkv_writebatch_t;
typedef struct lsmkv_iterator_t lsmkv_iterator_t;
typedef struct lsmkv_snapshot_t lsmkv_snapshot_t;
typedef struct lsmkv_comparator_t lsmkv_comparator_t;
typedef struct lsmkv_logger_t lsmkv_logger_t;
typedef struct lsmkv_transaction_t lsmkv_transaction_t;
typedef struct lsmkv_transaction_options_t lsmkv_transaction_options_t;
typedef struct lsmkv_backup_engine_t lsmkv_backup_engine_t;
typedef struct lsmkv_backup_info_t lsmkv_backup_info_t;
typedef struct lsmkv_update_iterator_t lsmkv_update_iterator_t;

/* What kind of error a call failed with, for the few calls where the
 * caller acts on the kind (lsmkv_transaction_commit: busy means retry).
 * The numbers are part of the ABI: never renumbered. */
enum {
  lsmkv_status_ok = 0,
  lsmkv_status_not_found = 1,
  lsmkv_status_corruption = 2,
  lsmkv_status_not_supported = 3,
  lsmkv_status_invalid_argument = 4,
  lsmkv_status_io_error = 5,
  lsmkv_status_busy = 6,
  lsmkv_status_no_space = 7 /* an I/O error from a full disk */
};

/* ---- DB ---- */
/* NULL on failure (*errptr says why, e.g. the directory is missing and
 * create_if_missing is off, or another process has it open). */
LSMKV_EXPORT lsmkv_t* lsmkv_open(const lsmkv_options_t* options, const char* name, char** errptr);
/* Waits for background work, releases the directory lock, frees db. */
LSMKV_EXPORT void lsmkv_close(lsmkv_t* db);
/* lsmkv_close that says whether closing worked (DB::Close: the WAL synced,
 * the last MANIFEST edit written, no background error pending). db is
 * freed either way. */
LSMKV_EXPORT void lsmkv_close_with_status(lsmkv_t* db, char** errptr);
/* Sequence number of the last write applied; 0 for a new, empty DB. Every
 * write batch takes one number per update, the first write gets 1. */
LSMKV_EXPORT uint64_t lsmkv_get_latest_sequence_number(lsmkv_t* db);

LSMKV_EXPORT void lsmkv_put(lsmkv_t* db, const lsmkv_writeoptions_t* options, const char* key,
                            size_t keylen, const char* val, size_t vallen, char** errptr);
/* Deleting a missing key is not an error. */
LSMKV_EXPORT void lsmkv_delete(lsmkv_t* db, const lsmkv_writeoptions_t* options, const char* key,
                               size_t keylen, char** errptr);
/* Applies the batch atomically; the caller keeps the batch. */
LSMKV_EXPORT void lsmkv_write(lsmkv_t* db, const lsmkv_writeoptions_t* options,
                              lsmkv_writebatch_t* batch, char** errptr);
/* The value (malloc()ed, *vallen bytes, not NUL-terminated; free with
 * lsmkv_free), or NULL with *vallen = 0 when the key is absent; NULL with
 * *errptr set on error. An empty value is a non-NULL pointer. */
LSMKV_EXPORT char* lsmkv_get(lsmkv_t* db, const lsmkv_readoptions_t* options, const char* key,
                             size_t keylen, size_t* vallen, char** errptr);

LSMKV_EXPORT lsmkv_iterator_t* lsmkv_create_iterator(lsmkv_t* db,
                                                     const lsmkv_readoptions_t* options);
LSMKV_EXPORT const lsmkv_snapshot_t* lsmkv_create_snapshot(lsmkv_t* db);
LSMKV_EXPORT void lsmkv_release_snapshot(lsmkv_t* db, const lsmkv_snapshot_t* snapshot);

/* A property's value as a malloc()ed NUL-terminated string (free with
 * lsmkv_free), or NULL for an unknown property. Names as in db.h, e.g.
 * "lsmkv.stats", "lsmkv.num-files-at-level0",
 * "lsmkv.approximate-memory-usage". */
LSMKV_EXPORT char* lsmkv_property_value(lsmkv_t* db, const char* propname);
/* A numeric statistic (DB::GetIntProperty; docs/statistics.md lists the
 * names, e.g. "lsmkv.total-sst-bytes", "lsmkv.num-files-at-level0"):
 * 1 with *value set, or 0 for an unknown name (*value untouched). */
LSMKV_EXPORT unsigned char lsmkv_property_int(lsmkv_t* db, const char* propname,
                                              uint64_t* value);
/* For each of the n ranges [start[i], limit[i]), about how many bytes of
 * table files hold its keys (block granularity; memtables not counted):
 * sizes[i]. An empty or inverted range gives 0. */
LSMKV_EXPORT void lsmkv_approximate_sizes(lsmkv_t* db, int n, const char* const* range_start_key,
                                          const size_t* range_start_key_len,
                                          const char* const* range_limit_key,
                                          const size_t* range_limit_key_len, uint64_t* sizes,
                                          char** errptr);

/* ---- Checkpoints ---- */
/* A consistent, openable copy of the open DB in dir, which must not exist
 * (its parent must): an error otherwise. Table files are hard-linked when
 * possible. *sequence (if not NULL) is set to the last sequence number the
 * copy holds. */
LSMKV_EXPORT void lsmkv_create_checkpoint(lsmkv_t* db, const char* dir, uint64_t* sequence,
                                          char** errptr);

/* ---- Change feed and replicas (docs/replication.md) ---- */
/* The write batches with sequence numbers >= seq, in order, read from the
 * WALs (the live ones and those kept by
 * lsmkv_options_set_wal_retention_bytes), positioned at the first one.
 * NULL with *errptr set on failure: a NotFound error when seq is older
 * than the oldest batch kept (a replica must then start again from a
 * checkpoint). seq = latest sequence + 1 gives an iterator that is not
 * valid and no error; it stays so (it does not see later writes): after
 * lsmkv_wait_for_sequence, create a new one. Free it with
 * lsmkv_update_iter_destroy. */
LSMKV_EXPORT lsmkv_update_iterator_t* lsmkv_get_updates_since(lsmkv_t* db, uint64_t seq,
                                                              char** errptr);
LSMKV_EXPORT void lsmkv_update_iter_destroy(lsmkv_update_iterator_t* iter);
/* 0 past the newest batch written so far (a new iterator from the next
 * sequence continues there; lsmkv_wait_for_sequence waits for it) or after
 * an error (lsmkv_update_iter_get_error). */
LSMKV_EXPORT unsigned char lsmkv_update_iter_valid(const lsmkv_update_iterator_t* iter);
/* next/sequence/get_batch require lsmkv_update_iter_valid(iter). */
LSMKV_EXPORT void lsmkv_update_iter_next(lsmkv_update_iterator_t* iter);
/* Sequence number of the current batch's first update: the batch covers
 * sequence .. sequence + lsmkv_writebatch_count - 1, and the next batch
 * starts right after it (the feed never has a hole). */
LSMKV_EXPORT uint64_t lsmkv_update_iter_sequence(const lsmkv_update_iterator_t* iter);
/* A copy of the current batch, as a new handle the caller frees with
 * lsmkv_writebatch_destroy: read it with lsmkv_writebatch_iterate, or
 * apply it to a replica with lsmkv_write_replicated. */
LSMKV_EXPORT lsmkv_writebatch_t* lsmkv_update_iter_get_batch(
    const lsmkv_update_iterator_t* iter);
/* Sets *errptr if the feed stopped on an error instead of at its end: a
 * NotFound error when batches ahead were deleted meanwhile (retention), a
 * Corruption error for damage inside a WAL. Never a skipped batch. */
LSMKV_EXPORT void lsmkv_update_iter_get_error(const lsmkv_update_iterator_t* iter,
                                              char** errptr);
/* Replica side: applies batch (read from another DB's feed) at that
 * batch's own sequence numbers first_seq, first_seq + 1, ...: an Invalid
 * argument error, and nothing written, unless first_seq ==
 * lsmkv_get_latest_sequence_number(db) + 1 (a gap or a repeat). Durable
 * and recovered like lsmkv_write; after a crash the latest sequence number
 * says where to resume. The caller keeps the batch. Ordinary writes to the
 * same DB take sequence numbers too and so break replication: don't mix. */
LSMKV_EXPORT void lsmkv_write_replicated(lsmkv_t* db, const lsmkv_writeoptions_t* options,
                                         uint64_t first_seq, lsmkv_writebatch_t* batch,
                                         char** errptr);
/* Waits until a write with sequence number >= seq is visible: 1 then (at
 * once if one is), 0 when timeout_micros passed first, or at once when the
 * DB is being closed (by lsmkv_close on another thread, which must still
 * not free the DB before this call returns). Any timeout_micros is valid:
 * 0 only checks, UINT64_MAX (and any timeout past the clock's range) means
 * no limit. For a replica following the feed without polling. */
LSMKV_EXPORT unsigned char lsmkv_wait_for_sequence(lsmkv_t* db, uint64_t seq,
                                                   uint64_t timeout_micros);

/* Writes the memtables to table files and waits until they are durable. */
LSMKV_EXPORT void lsmkv_flush(lsmkv_t* db, char** errptr);
/* Compacts the user-key range [start, limit]; a NULL start or limit is an
 * open end (both NULL: the whole key space). */
LSMKV_EXPORT void lsmkv_compact_range(lsmkv_t* db, const char* start_key, size_t start_key_len,
                                      const char* limit_key, size_t limit_key_len, char** errptr);
/* Re-reads every table file with checksums verified. */
LSMKV_EXPORT void lsmkv_verify_checksums(lsmkv_t* db, char** errptr);
/* Clears a background error (e.g. a full disk) when that is safe; see
 * DB::Resume. No error when there was none. */
LSMKV_EXPORT void lsmkv_resume(lsmkv_t* db, char** errptr);

/* ---- Whole-DB management (the DB must not be open) ---- */
LSMKV_EXPORT void lsmkv_destroy_db(const lsmkv_options_t* options, const char* name,
                                   char** errptr);
LSMKV_EXPORT void lsmkv_repair_db(const lsmkv_options_t* options, const char* name,
                                  char** errptr);

/* ---- Iterator ---- */
LSMKV_EXPORT void lsmkv_iter_destroy(lsmkv_iterator_t* iter);
LSMKV_EXPORT unsigned char lsmkv_iter_valid(const lsmkv_iterator_t* iter);
LSMKV_EXPORT void lsmkv_iter_seek_to_first(lsmkv_iterator_t* iter);
LSMKV_EXPORT void lsmkv_iter_seek_to_last(lsmkv_iterator_t* iter);
/* First key >= k. */
LSMKV_EXPORT void lsmkv_iter_seek(lsmkv_iterator_t* iter, const char* k, size_t klen);
/* Last key <= k. */
LSMKV_EXPORT void lsmkv_iter_seek_for_prev(lsmkv_iterator_t* iter, const char* k, size_t klen);
/* next/prev/key/value require lsmkv_iter_valid(iter). */
LSMKV_EXPORT void lsmkv_iter_next(lsmkv_iterator_t* iter);
LSMKV_EXPORT void lsmkv_iter_prev(lsmkv_iterator_t* iter);
LSMKV_EXPORT const char* lsmkv_iter_key(const lsmkv_iterator_t* iter, size_t* klen);
LSMKV_EXPORT const char* lsmkv_iter_value(const lsmkv_iterator_t* iter, size_t* vlen);
/* Sets *errptr if iteration stopped on an error (e.g. a damaged block). */
LSMKV_EXPORT void lsmkv_iter_get_error(const lsmkv_iterator_t* iter, char** errptr);

/* ---- Write batch ---- */
LSMKV_EXPORT lsmkv_writebatch_t* lsmkv_writebatch_create(void);
LSMKV_EXPORT void lsmkv_writebatch_destroy(lsmkv_writebatch_t* batch);
LSMKV_EXPORT void lsmkv_writebatch_clear(lsmkv_writebatch_t* batch);
LSMKV_EXPORT void lsmkv_writebatch_put(lsmkv_writebatch_t* batch, const char* key, size_t klen,
                                       const char* val, size_t vlen);
LSMKV_EXPORT void lsmkv_writebatch_delete(lsmkv_writebatch_t* batch, const char* key,
                                          size_t klen);
/* Number of updates in the batch. */
LSMKV_EXPORT uint32_t lsmkv_writebatch_count(const lsmkv_writebatch_t* batch);
/* Bytes of the encoded batch. */
LSMKV_EXPORT size_t lsmkv_writebatch_approximate_size(const lsmkv_writebatch_t* batch);
/* Appends source's updates after destination's. */
LSMKV_EXPORT void lsmkv_writebatch_append(lsmkv_writebatch_t* destination,
                                          const lsmkv_writebatch_t* source);
/* Calls put or deleted for every update, in order, with `state` first
 * (also for a batch from lsmkv_update_iter_get_batch). */
LSMKV_EXPORT void lsmkv_writebatch_iterate(const lsmkv_writebatch_t* batch, void* state,
                                           void (*put)(void* state, const char* k, size_t klen,
                                                       const char* v, size_t vlen),
                                           void (*deleted)(void* state, const char* k,
                                                           size_t klen));

/* ---- Options (defaults as in lsmkv/options.h) ---- */
LSMKV_EXPORT lsmkv_options_t* lsmkv_options_create(void);
LSMKV_EXPORT void lsmkv_options_destroy(lsmkv_options_t* options);
LSMKV_EXPORT void lsmkv_options_set_create_if_missing(lsmkv_options_t* options, unsigned char v);
LSMKV_EXPORT void lsmkv_options_set_error_if_exists(lsmkv_options_t* options, unsigned char v);
LSMKV_EXPORT void lsmkv_options_set_paranoid_checks(lsmkv_options_t* options, unsigned char v);
/* NULL or "" keeps the WALs in the DB directory. */
LSMKV_EXPORT void lsmkv_options_set_wal_dir(lsmkv_options_t* options, const char* dir);
LSMKV_EXPORT void lsmkv_options_set_write_buffer_size(lsmkv_options_t* options, size_t bytes);
LSMKV_EXPORT void lsmkv_options_set_max_write_buffer_number(lsmkv_options_t* options, int n);
LSMKV_EXPORT void lsmkv_options_set_max_background_jobs(lsmkv_options_t* options, int n);
LSMKV_EXPORT void lsmkv_options_set_block_size(lsmkv_options_t* options, size_t bytes);
/* 0 disables bloom filters. */
LSMKV_EXPORT void lsmkv_options_set_bloom_bits_per_key(lsmkv_options_t* options, int bits);
enum {
  lsmkv_no_compression = 0,
  lsmkv_zstd_compression = 1,
  lsmkv_lz4_compression = 3 /* the default; 2 (the old lz codec) is never reused */
};
/* One of the lsmkv_*_compression values; DB open rejects others. */
LSMKV_EXPORT void lsmkv_options_set_compression(lsmkv_options_t* options, int compression);
LSMKV_EXPORT void lsmkv_options_set_zstd_level(lsmkv_options_t* options, int level);
/* 0 disables the block cache. */
LSMKV_EXPORT void lsmkv_options_set_block_cache_capacity(lsmkv_options_t* options, size_t bytes);
LSMKV_EXPORT void lsmkv_options_set_max_open_files(lsmkv_options_t* options, int n);
/* Non-zero: table files may be read through memory mappings; 0: with
 * pread (lsmkv::Options::allow_mmap_reads). */
LSMKV_EXPORT void lsmkv_options_set_allow_mmap_reads(lsmkv_options_t* options,
                                                     unsigned char allow);
LSMKV_EXPORT void lsmkv_options_set_target_file_size(lsmkv_options_t* options, size_t bytes);
LSMKV_EXPORT void lsmkv_options_set_max_bytes_for_level_base(lsmkv_options_t* options,
                                                             uint64_t bytes);
LSMKV_EXPORT void lsmkv_options_set_level0_file_num_compaction_trigger(lsmkv_options_t* options,
                                                                       int n);
LSMKV_EXPORT void lsmkv_options_set_level0_slowdown_writes_trigger(lsmkv_options_t* options,
                                                                   int n);
LSMKV_EXPORT void lsmkv_options_set_level0_stop_writes_trigger(lsmkv_options_t* options, int n);
/* The comparator must outlive every DB opened with these options; NULL
 * restores the bytewise order. */
LSMKV_EXPORT void lsmkv_options_set_comparator(lsmkv_options_t* options,
                                               lsmkv_comparator_t* comparator);

/* What open does with a damaged WAL (lsmkv::WalRecoveryMode,
 * docs/reliability.md). */
enum {
  lsmkv_wal_recovery_point_in_time = 0, /* the default */
  lsmkv_wal_recovery_absolute_consistency = 1,
  lsmkv_wal_recovery_tolerate_corrupted_tail_records = 2,
  lsmkv_wal_recovery_skip_any_corrupted_records = 3
};
/* One of the lsmkv_wal_recovery_* values; DB open rejects others. */
LSMKV_EXPORT void lsmkv_options_set_wal_recovery_mode(lsmkv_options_t* options, int mode);
/* How the WAL is written (lsmkv::WalWriteMode). */
enum {
  lsmkv_wal_write_auto = 0, /* the default */
  lsmkv_wal_write_mapped = 1,
  lsmkv_wal_write_write = 2
};
/* One of the lsmkv_wal_write_* values; DB open rejects others. */
LSMKV_EXPORT void lsmkv_options_set_wal_write_mode(lsmkv_options_t* options, int mode);
/* Bytes of obsolete WALs kept for the change feed (0: none). */
LSMKV_EXPORT void lsmkv_options_set_wal_retention_bytes(lsmkv_options_t* options, uint64_t bytes);
/* Size after which the default LOG file is rotated (at least 4 KiB). */
LSMKV_EXPORT void lsmkv_options_set_max_log_file_size(lsmkv_options_t* options, size_t bytes);
/* The options hold their own reference: the caller may destroy the logger
 * handle at once. NULL restores the default LOG file. */
LSMKV_EXPORT void lsmkv_options_set_info_log(lsmkv_options_t* options, lsmkv_logger_t* logger);

/* ---- Comparator (custom key order) ---- */
/* compare returns <0, 0, >0; name is recorded in the DB and checked at
 * open; destructor (may be NULL) is called with state by
 * lsmkv_comparator_destroy. The callbacks must be thread-safe. */
LSMKV_EXPORT lsmkv_comparator_t* lsmkv_comparator_create(
    void* state, void (*destructor)(void* state),
    int (*compare)(void* state, const char* a, size_t alen, const char* b, size_t blen),
    const char* (*name)(void* state));
LSMKV_EXPORT void lsmkv_comparator_destroy(lsmkv_comparator_t* comparator);

/* ---- Info log ---- */
/* Where the DB writes its event log instead of the file LOG in its
 * directory. log_line gets one line (not NUL-terminated, no newline) and
 * may be called from several threads at once. destructor (may be NULL) is
 * called with state when the logger is no longer used: after
 * lsmkv_logger_destroy and after every options object and DB holding it
 * are gone. */
LSMKV_EXPORT lsmkv_logger_t* lsmkv_logger_create(void* state, void (*destructor)(void* state),
                                                 void (*log_line)(void* state, const char* line,
                                                                  size_t len));
LSMKV_EXPORT void lsmkv_logger_destroy(lsmkv_logger_t* logger);

/* ---- Read options ---- */
LSMKV_EXPORT lsmkv_readoptions_t* lsmkv_readoptions_create(void);
LSMKV_EXPORT void lsmkv_readoptions_destroy(lsmkv_readoptions_t* options);
LSMKV_EXPORT void lsmkv_readoptions_set_verify_checksums(lsmkv_readoptions_t* options,
                                                         unsigned char v);
LSMKV_EXPORT void lsmkv_readoptions_set_fill_cache(lsmkv_readoptions_t* options, unsigned char v);
/* NULL reads the latest state. */
LSMKV_EXPORT void lsmkv_readoptions_set_snapshot(lsmkv_readoptions_t* options,
                                                 const lsmkv_snapshot_t* snapshot);
/* Iterators only: keys < lower (inclusive bound) and >= upper (exclusive
 * bound) are invisible. The bytes are copied; NULL removes the bound. */
LSMKV_EXPORT void lsmkv_readoptions_set_iterate_lower_bound(lsmkv_readoptions_t* options,
                                                            const char* key, size_t keylen);
LSMKV_EXPORT void lsmkv_readoptions_set_iterate_upper_bound(lsmkv_readoptions_t* options,
                                                            const char* key, size_t keylen);

/* ---- Write options ---- */
LSMKV_EXPORT lsmkv_writeoptions_t* lsmkv_writeoptions_create(void);
LSMKV_EXPORT void lsmkv_writeoptions_destroy(lsmkv_writeoptions_t* options);
/* 1: fdatasync before the write returns (survives power loss). */
LSMKV_EXPORT void lsmkv_writeoptions_set_sync(lsmkv_writeoptions_t* options, unsigned char v);

/* ---- Transactions (lsmkv/transaction.h, docs/transactions.md) ---- */
/* Optimistic: reads see the DB as of begin plus the transaction's own
 * writes; nothing is written before commit, which validates. */
enum {
  /* Commit fails when a later write touched a key this transaction writes. */
  lsmkv_isolation_snapshot = 0,
  /* ... or a key it read, or a range one of its iterators covered (the
   * default). */
  lsmkv_isolation_serializable = 1
};
LSMKV_EXPORT lsmkv_transaction_options_t* lsmkv_transaction_options_create(void);
LSMKV_EXPORT void lsmkv_transaction_options_destroy(lsmkv_transaction_options_t* options);
/* One of the lsmkv_isolation_* values; lsmkv_transaction_begin refuses
 * others. */
LSMKV_EXPORT void lsmkv_transaction_options_set_isolation(lsmkv_transaction_options_t* options,
                                                          int isolation);
/* The writes are committed with write_options (NULL: defaults); NULL
 * txn_options: serializable. NULL with *errptr set for a bad option. */
LSMKV_EXPORT lsmkv_transaction_t* lsmkv_transaction_begin(
    lsmkv_t* db, const lsmkv_writeoptions_t* write_options,
    const lsmkv_transaction_options_t* txn_options, char** errptr);
/* Rolls back if not committed; frees txn. */
LSMKV_EXPORT void lsmkv_transaction_destroy(lsmkv_transaction_t* txn);
/* As lsmkv_get (NULL when absent), through the transaction. options must
 * not set a snapshot (the transaction's own is used). */
LSMKV_EXPORT char* lsmkv_transaction_get(lsmkv_transaction_t* txn,
                                         const lsmkv_readoptions_t* options, const char* key,
                                         size_t keylen, size_t* vallen, char** errptr);
LSMKV_EXPORT void lsmkv_transaction_put(lsmkv_transaction_t* txn, const char* key, size_t keylen,
                                        const char* val, size_t vallen, char** errptr);
LSMKV_EXPORT void lsmkv_transaction_delete(lsmkv_transaction_t* txn, const char* key,
                                           size_t keylen, char** errptr);
/* The DB view merged with the pending writes; use with lsmkv_iter_* and
 * destroy with lsmkv_iter_destroy before the transaction. */
LSMKV_EXPORT lsmkv_iterator_t* lsmkv_transaction_create_iterator(
    lsmkv_transaction_t* txn, const lsmkv_readoptions_t* options);
LSMKV_EXPORT void lsmkv_transaction_set_savepoint(lsmkv_transaction_t* txn);
/* Undoes the writes since the latest save point and removes it; an error
 * (not found) when there is none. */
LSMKV_EXPORT void lsmkv_transaction_rollback_to_savepoint(lsmkv_transaction_t* txn,
                                                          char** errptr);
/* Applies every write atomically and returns lsmkv_status_ok, or writes
 * nothing and returns another lsmkv_status_* code with *errptr set:
 * lsmkv_status_busy when a conflicting write committed first (retry with a
 * new transaction); any other code is a real error. The transaction is
 * finished either way (later calls on it fail; destroy it). */
LSMKV_EXPORT int lsmkv_transaction_commit(lsmkv_transaction_t* txn, char** errptr);
/* Drops the pending writes. */
LSMKV_EXPORT void lsmkv_transaction_rollback(lsmkv_transaction_t* txn, char** errptr);

/* ---- Backups (lsmkv/backup.h, docs/backup.md) ---- */
/* Opens (creating it if missing; its parent must exist) a backup
 * directory; one engine per directory at a time. NULL on failure. */
LSMKV_EXPORT lsmkv_backup_engine_t* lsmkv_backup_engine_open(const char* backup_dir,
                                                             char** errptr);
LSMKV_EXPORT void lsmkv_backup_engine_close(lsmkv_backup_engine_t* engine);
/* Backs up the open DB (incrementally: table files already backed up are
 * shared). Returns the new backup's id (>= 1), or 0 on error. */
LSMKV_EXPORT uint32_t lsmkv_backup_engine_create_new_backup(lsmkv_backup_engine_t* engine,
                                                            lsmkv_t* db, char** errptr);
/* Re-reads every file of a backup; an error naming the first damaged or
 * missing one, or a not-found error for an unknown id. */
LSMKV_EXPORT void lsmkv_backup_engine_verify_backup(lsmkv_backup_engine_t* engine,
                                                    uint32_t backup_id, char** errptr);
/* Writes backup backup_id into db_dir (absent or empty), verifying each
 * file; wal_dir NULL or "": the WALs go into db_dir. An error (nothing
 * left behind) for an unknown id. */
LSMKV_EXPORT void lsmkv_backup_engine_restore_db_from_backup(lsmkv_backup_engine_t* engine,
                                                             uint32_t backup_id,
                                                             const char* db_dir,
                                                             const char* wal_dir, char** errptr);
/* Keeps the newest num_backups_to_keep backups. */
LSMKV_EXPORT void lsmkv_backup_engine_purge_old_backups(lsmkv_backup_engine_t* engine,
                                                        uint32_t num_backups_to_keep,
                                                        char** errptr);
LSMKV_EXPORT void lsmkv_backup_engine_delete_backup(lsmkv_backup_engine_t* engine,
                                                    uint32_t backup_id, char** errptr);
/* The list of backups, oldest first (NULL on error); read it with the
 * accessors below (index < count) and free it with
 * lsmkv_backup_engine_info_destroy. */
LSMKV_EXPORT lsmkv_backup_info_t* lsmkv_backup_engine_get_backup_info(
    lsmkv_backup_engine_t* engine, char** errptr);
LSMKV_EXPORT int lsmkv_backup_engine_info_count(const lsmkv_backup_info_t* info);
LSMKV_EXPORT uint32_t lsmkv_backup_engine_info_backup_id(const lsmkv_backup_info_t* info,
                                                         int index);
/* The backup holds exactly the writes up to this sequence number. */
LSMKV_EXPORT uint64_t lsmkv_backup_engine_info_sequence(const lsmkv_backup_info_t* info,
                                                        int index);
/* Seconds since the epoch. */
LSMKV_EXPORT int64_t lsmkv_backup_engine_info_timestamp(const lsmkv_backup_info_t* info,
                                                        int index);
/* Bytes of all files the backup refers to. */
LSMKV_EXPORT uint64_t lsmkv_backup_engine_info_size(const lsmkv_backup_info_t* info, int index);
LSMKV_EXPORT uint32_t lsmkv_backup_engine_info_number_files(const lsmkv_backup_info_t* info,
                                                            int index);
LSMKV_EXPORT void lsmkv_backup_engine_info_destroy(lsmkv_backup_info_t* info);

/* ---- Utility ---- */
/* Frees what this API malloc()ed: error messages, lsmkv_get values,
 * property values. Safe with NULL. */
LSMKV_EXPORT void lsmkv_free(void* ptr);
/* The linked library's version, as lsmkv::Version(): "MAJOR.MINOR.PATCH". */
LSMKV_EXPORT const char* lsmkv_version(void);
LSMKV_EXPORT int lsmkv_major_version(void);
LSMKV_EXPORT int lsmkv_minor_version(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LSMKV_C_H_ */
