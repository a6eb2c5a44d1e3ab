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
 * every other handle from one thread at a time. Iterators and snapshots
 * must be destroyed/released before lsmkv_close.
 *
 * Not covered yet: checkpoints, backups, transactions, the change feed
 * (they will be added here as lsmkv_checkpoint_*, lsmkv_backup_engine_*,
 * lsmkv_transaction_* without changing anything below), custom Env. */
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

/* ---- DB ---- */
/* NULL on failure (*errptr says why, e.g. the directory is missing and
 * create_if_missing is off, or another process has it open). */
LSMKV_EXPORT lsmkv_t* lsmkv_open(const lsmkv_options_t* options, const char* name, char** errptr);
/* Waits for background work, releases the directory lock, frees db. */
LSMKV_EXPORT void lsmkv_close(lsmkv_t* db);

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
/* Calls put or deleted for every update, in order, with `state` first. */
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

/* ---- Comparator (custom key order) ---- */
/* compare returns <0, 0, >0; name is recorded in the DB and checked at
 * open; destructor (may be NULL) is called with state by
 * lsmkv_comparator_destroy. The callbacks must be thread-safe. */
LSMKV_EXPORT lsmkv_comparator_t* lsmkv_comparator_create(
    void* state, void (*destructor)(void* state),
    int (*compare)(void* state, const char* a, size_t alen, const char* b, size_t blen),
    const char* (*name)(void* state));
LSMKV_EXPORT void lsmkv_comparator_destroy(lsmkv_comparator_t* comparator);

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
