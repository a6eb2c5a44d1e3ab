/* The C API's checkpoints, backups, transactions, sequence numbers,
 * numeric properties, approximate sizes and the options beyond the basic
 * ones, exercised from C (C99); called by tests/c/c_test.c's main. */
#define _XOPEN_SOURCE 700

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lsmkv/c.h>

#include "c_test_support.h"

/* Sequence numbers advance by one per update; numeric properties and
 * approximate sizes. Expects the k000000..k002999 keys flushed. */
void TestSequenceAndSizes(lsmkv_t* db, lsmkv_writeoptions_t* wo) {
  char* err = NULL;
  uint64_t seq = lsmkv_get_latest_sequence_number(db), value = 777;
  lsmkv_writebatch_t* batch = lsmkv_writebatch_create();
  const char* starts[3] = {"k000000", "k001500", "z"};
  const char* limits[3] = {"k001500", "k003000", "a"};
  size_t start_lens[3] = {7, 7, 1}, limit_lens[3] = {7, 7, 1};
  uint64_t sizes[3] = {0, 0, 99};

  CHECK(seq >= 3000);
  lsmkv_put(db, wo, "seq", 3, "1", 1, &err);
  CHECK(lsmkv_get_latest_sequence_number(db) == seq + 1);
  lsmkv_writebatch_put(batch, "seq", 3, "2", 1);
  lsmkv_writebatch_delete(batch, "seq", 3);
  lsmkv_write(db, wo, batch, &err);
  CHECK_NO_ERROR(err);
  CHECK(lsmkv_get_latest_sequence_number(db) == seq + 3);
  lsmkv_writebatch_destroy(batch);

  CHECK(lsmkv_property_int(db, "lsmkv.total-sst-bytes", &value) == 1);
  CHECK(value > 0);
  value = 777;
  CHECK(lsmkv_property_int(db, "lsmkv.no-such-property", &value) == 0);
  CHECK(value == 777); /* untouched */
  CHECK(lsmkv_property_int(db, "lsmkv.stats", &value) == 0); /* text, not a number */

  lsmkv_approximate_sizes(db, 3, starts, start_lens, limits, limit_lens, sizes, &err);
  CHECK_NO_ERROR(err);
  CHECK(sizes[0] > 0 && sizes[1] > 0);
  CHECK(sizes[2] == 0); /* inverted range */
  lsmkv_approximate_sizes(db, -1, NULL, NULL, NULL, NULL, NULL, &err);
  CHECK_ERROR(err, "Invalid argument");
}

/* A checkpoint holds the writes up to its sequence number and opens on its
 * own; a second one into the same directory is refused. */
void TestCheckpoint(lsmkv_t* db, lsmkv_options_t* options, lsmkv_readoptions_t* ro,
                    lsmkv_writeoptions_t* wo, const char* base) {
  char dir[1100], missing_parent[1100];
  char* err = NULL;
  uint64_t seq = 0;
  lsmkv_t* copy;
  snprintf(dir, sizeof dir, "%s/checkpoint", base);
  snprintf(missing_parent, sizeof missing_parent, "%s/no/such/parent", base);

  lsmkv_put(db, wo, "in-checkpoint", 13, "yes", 3, &err);
  lsmkv_create_checkpoint(db, dir, &seq, &err);
  CHECK_NO_ERROR(err);
  CHECK(seq == lsmkv_get_latest_sequence_number(db));
  lsmkv_put(db, wo, "after-checkpoint", 16, "no", 2, &err);
  CHECK_NO_ERROR(err);

  lsmkv_create_checkpoint(db, dir, NULL, &err); /* exists already */
  CHECK_ERROR(err, "exists");
  lsmkv_create_checkpoint(db, missing_parent, NULL, &err);
  CHECK(err != NULL);
  lsmkv_free(err);
  err = NULL;

  copy = lsmkv_open(options, dir, &err);
  CHECK_NO_ERROR(err);
  if (copy != NULL) {
    CheckGet(copy, ro, "in-checkpoint", "yes");
    CheckGet(copy, ro, "after-checkpoint", NULL);
    CheckGet(copy, ro, "k002999", "some value bytes");
    CHECK(lsmkv_get_latest_sequence_number(copy) == seq);
    lsmkv_close_with_status(copy, &err);
    CHECK_NO_ERROR(err);
  }
  lsmkv_destroy_db(options, dir, &err);
  CHECK_NO_ERROR(err);
}

/* Backups: create (incremental), list, verify, restore, purge, delete, and
 * the errors for unknown ids and a second engine on the directory. */
void TestBackups(lsmkv_t* db, lsmkv_options_t* options, lsmkv_readoptions_t* ro,
                 lsmkv_writeoptions_t* wo, const char* base) {
  char dir[1100], restore1[1100], restore2[1100], restore_missing[1100];
  char* err = NULL;
  uint32_t id1, id2;
  lsmkv_backup_engine_t* engine;
  lsmkv_backup_engine_t* second;
  lsmkv_backup_info_t* info;
  lsmkv_t* restored;
  snprintf(dir, sizeof dir, "%s/backups", base);
  snprintf(restore1, sizeof restore1, "%s/restore1", base);
  snprintf(restore2, sizeof restore2, "%s/restore2", base);
  snprintf(restore_missing, sizeof restore_missing, "%s/restore-missing", base);

  engine = lsmkv_backup_engine_open(dir, &err);
  CHECK_NO_ERROR(err);
  if (engine == NULL) return;
  second = lsmkv_backup_engine_open(dir, &err); /* one engine per directory */
  CHECK(second == NULL);
  CHECK_ERROR(err, "Busy");

  lsmkv_put(db, wo, "backup", 6, "first", 5, &err);
  id1 = lsmkv_backup_engine_create_new_backup(engine, db, &err);
  CHECK_NO_ERROR(err);
  lsmkv_put(db, wo, "backup", 6, "second", 6, &err);
  id2 = lsmkv_backup_engine_create_new_backup(engine, db, &err);
  CHECK_NO_ERROR(err);
  CHECK(id1 == 1 && id2 == 2);

  info = lsmkv_backup_engine_get_backup_info(engine, &err);
  CHECK_NO_ERROR(err);
  CHECK(info != NULL && lsmkv_backup_engine_info_count(info) == 2);
  if (info != NULL && lsmkv_backup_engine_info_count(info) == 2) {
    CHECK(lsmkv_backup_engine_info_backup_id(info, 0) == id1);
    CHECK(lsmkv_backup_engine_info_backup_id(info, 1) == id2);
    CHECK(lsmkv_backup_engine_info_sequence(info, 0) < lsmkv_backup_engine_info_sequence(info, 1));
    CHECK(lsmkv_backup_engine_info_sequence(info, 1) == lsmkv_get_latest_sequence_number(db));
    CHECK(lsmkv_backup_engine_info_timestamp(info, 0) > 1500000000);
    CHECK(lsmkv_backup_engine_info_size(info, 0) > 0);
    CHECK(lsmkv_backup_engine_info_number_files(info, 1) > 0);
  }
  lsmkv_backup_engine_info_destroy(info);

  lsmkv_backup_engine_verify_backup(engine, id1, &err);
  CHECK_NO_ERROR(err);
  lsmkv_backup_engine_verify_backup(engine, 99, &err);
  CHECK_ERROR(err, "NotFound");

  /* Restoring a backup that does not exist fails and leaves nothing. */
  lsmkv_backup_engine_restore_db_from_backup(engine, 99, restore_missing, NULL, &err);
  CHECK_ERROR(err, "NotFound");
  CHECK(!Exists(restore_missing));

  lsmkv_backup_engine_restore_db_from_backup(engine, id1, restore1, NULL, &err);
  CHECK_NO_ERROR(err);
  lsmkv_backup_engine_restore_db_from_backup(engine, id2, restore2, "", &err);
  CHECK_NO_ERROR(err);
  restored = lsmkv_open(options, restore1, &err);
  CHECK_NO_ERROR(err);
  if (restored != NULL) {
    CheckGet(restored, ro, "backup", "first");
    CheckGet(restored, ro, "k001000", "some value bytes");
    lsmkv_close(restored);
  }
  restored = lsmkv_open(options, restore2, &err);
  CHECK_NO_ERROR(err);
  if (restored != NULL) {
    CheckGet(restored, ro, "backup", "second");
    lsmkv_close(restored);
  }
  /* Into a directory that is not empty: refused. */
  lsmkv_backup_engine_restore_db_from_backup(engine, id1, restore2, NULL, &err);
  CHECK(err != NULL);
  lsmkv_free(err);
  err = NULL;

  lsmkv_backup_engine_purge_old_backups(engine, 1, &err);
  CHECK_NO_ERROR(err);
  info = lsmkv_backup_engine_get_backup_info(engine, &err);
  CHECK(info != NULL && lsmkv_backup_engine_info_count(info) == 1 &&
        lsmkv_backup_engine_info_backup_id(info, 0) == id2);
  lsmkv_backup_engine_info_destroy(info);
  lsmkv_backup_engine_delete_backup(engine, id2, &err);
  CHECK_NO_ERROR(err);
  lsmkv_backup_engine_delete_backup(engine, id2, &err);
  CHECK_ERROR(err, "NotFound");
  info = lsmkv_backup_engine_get_backup_info(engine, &err);
  CHECK(info != NULL && lsmkv_backup_engine_info_count(info) == 0);
  lsmkv_backup_engine_info_destroy(info);
  lsmkv_backup_engine_close(engine);

  lsmkv_destroy_db(options, restore1, &err);
  lsmkv_destroy_db(options, restore2, &err);
  CHECK_NO_ERROR(err);
  RemoveTree(dir);
}

/* Reads key through txn; NULL expected = absent. */
static void CheckTxnGet(lsmkv_transaction_t* txn, const lsmkv_readoptions_t* ro, const char* key,
                        const char* expected) {
  char* err = NULL;
  size_t len = 12345;
  char* value = lsmkv_transaction_get(txn, ro, key, strlen(key), &len, &err);
  CHECK_NO_ERROR(err);
  if (expected == NULL) {
    CHECK(value == NULL && len == 0);
  } else {
    if (!BytesEqual(value, len, expected)) fprintf(stderr, "txn key %s: expected %s\n", key, expected);
    CHECK(BytesEqual(value, len, expected));
  }
  lsmkv_free(value);
}

/* Adds 1 to the decimal number at "counter" in a transaction, retrying on
 * a conflict. Before the first attempt's commit, `interfere` (if not NULL)
 * writes the counter from outside, so that attempt must fail with busy.
 * Returns the number of attempts. */
static int IncrementCounter(lsmkv_t* db, const lsmkv_writeoptions_t* wo,
                            const lsmkv_readoptions_t* ro, const char* interfere) {
  int attempts = 0;
  for (;;) {
    char* err = NULL;
    char number[32];
    size_t len = 0;
    long n = 0;
    char* value;
    int code;
    lsmkv_transaction_t* txn = lsmkv_transaction_begin(db, wo, NULL, &err);
    CHECK_NO_ERROR(err);
    if (txn == NULL) return -1;
    attempts++;
    value = lsmkv_transaction_get(txn, ro, "counter", 7, &len, &err);
    CHECK_NO_ERROR(err);
    if (value != NULL) {
      snprintf(number, sizeof number, "%.*s", (int)len, value);
      n = atol(number);
    }
    lsmkv_free(value);
    snprintf(number, sizeof number, "%ld", n + 1);
    lsmkv_transaction_put(txn, "counter", 7, number, strlen(number), &err);
    CHECK_NO_ERROR(err);
    if (interfere != NULL && attempts == 1) {
      lsmkv_put(db, wo, "counter", 7, interfere, strlen(interfere), &err);
      CHECK_NO_ERROR(err);
    }
    code = lsmkv_transaction_commit(txn, &err);
    lsmkv_transaction_destroy(txn);
    if (code == lsmkv_status_ok) {
      CHECK(err == NULL);
      return attempts;
    }
    CHECK(code == lsmkv_status_busy);
    CHECK_ERROR(err, "Busy");
    if (code != lsmkv_status_busy || attempts > 5) return -1;
  }
}

void TestTransactions(lsmkv_t* db, lsmkv_readoptions_t* ro, lsmkv_writeoptions_t* wo) {
  char* err = NULL;
  char buf[256];
  lsmkv_transaction_t* txn;
  lsmkv_transaction_t* other;
  lsmkv_transaction_options_t* snapshot_isolation = lsmkv_transaction_options_create();
  lsmkv_transaction_options_t* bad = lsmkv_transaction_options_create();
  lsmkv_iterator_t* it;
  lsmkv_readoptions_t* bounded = lsmkv_readoptions_create();
  lsmkv_transaction_options_set_isolation(snapshot_isolation, lsmkv_isolation_snapshot);
  lsmkv_transaction_options_set_isolation(bad, 7);

  /* A bad isolation level is refused. */
  txn = lsmkv_transaction_begin(db, wo, bad, &err);
  CHECK(txn == NULL);
  CHECK_ERROR(err, "isolation");

  /* Own writes are visible inside, nothing outside until commit. */
  txn = lsmkv_transaction_begin(db, wo, NULL, &err);
  CHECK_NO_ERROR(err);
  lsmkv_transaction_put(txn, "t1", 2, "one", 3, &err);
  lsmkv_transaction_put(txn, "t2", 2, "two", 3, &err);
  lsmkv_transaction_delete(txn, "in-checkpoint", 13, &err);
  CHECK_NO_ERROR(err);
  CheckTxnGet(txn, ro, "t1", "one");
  CheckTxnGet(txn, ro, "in-checkpoint", NULL);
  CheckTxnGet(txn, ro, "d", "4");
  CheckGet(db, ro, "t1", NULL);
  CheckGet(db, ro, "in-checkpoint", "yes");
  /* Its iterator merges the pending writes (and deletes) with the DB. */
  lsmkv_readoptions_set_iterate_upper_bound(bounded, "k", 1);
  it = lsmkv_transaction_create_iterator(txn, bounded);
  Walk(it, 1, buf, sizeof buf);
  CHECK(strcmp(buf, "after-checkpoint=no;backup=second;c=3;d=4;e=5;f=6;") == 0);
  Walk(it, 0, buf, sizeof buf);
  CHECK(strcmp(buf, "f=6;e=5;d=4;c=3;backup=second;after-checkpoint=no;") == 0);
  lsmkv_iter_get_error(it, &err);
  CHECK_NO_ERROR(err);
  lsmkv_iter_destroy(it);
  lsmkv_readoptions_set_iterate_lower_bound(bounded, "t", 1);
  lsmkv_readoptions_set_iterate_upper_bound(bounded, "u", 1);
  it = lsmkv_transaction_create_iterator(txn, bounded);
  Walk(it, 1, buf, sizeof buf);
  CHECK(strcmp(buf, "t1=one;t2=two;") == 0);
  lsmkv_iter_destroy(it);
  CHECK(lsmkv_transaction_commit(txn, &err) == lsmkv_status_ok);
  CHECK_NO_ERROR(err);
  /* Finished: later calls fail. */
  lsmkv_transaction_put(txn, "late", 4, "x", 1, &err);
  CHECK_ERROR(err, "Invalid argument");
  lsmkv_transaction_destroy(txn);
  CheckGet(db, ro, "t1", "one");
  CheckGet(db, ro, "in-checkpoint", NULL);

  /* Save points. */
  txn = lsmkv_transaction_begin(db, NULL, NULL, &err);
  lsmkv_transaction_put(txn, "sp-a", 4, "a", 1, &err);
  lsmkv_transaction_set_savepoint(txn);
  lsmkv_transaction_put(txn, "sp-b", 4, "b", 1, &err);
  lsmkv_transaction_delete(txn, "sp-a", 4, &err);
  CHECK_NO_ERROR(err);
  CheckTxnGet(txn, ro, "sp-a", NULL);
  lsmkv_transaction_rollback_to_savepoint(txn, &err);
  CHECK_NO_ERROR(err);
  CheckTxnGet(txn, ro, "sp-a", "a");
  CheckTxnGet(txn, ro, "sp-b", NULL);
  lsmkv_transaction_rollback_to_savepoint(txn, &err); /* none left */
  CHECK_ERROR(err, "NotFound");
  CHECK(lsmkv_transaction_commit(txn, &err) == lsmkv_status_ok);
  CHECK_NO_ERROR(err);
  lsmkv_transaction_destroy(txn);
  CheckGet(db, ro, "sp-a", "a");
  CheckGet(db, ro, "sp-b", NULL);

  /* Rollback, and destroy without commit: nothing written. */
  txn = lsmkv_transaction_begin(db, wo, NULL, &err);
  lsmkv_transaction_put(txn, "rolled-back", 11, "x", 1, &err);
  lsmkv_transaction_rollback(txn, &err);
  CHECK_NO_ERROR(err);
  lsmkv_transaction_destroy(txn);
  txn = lsmkv_transaction_begin(db, wo, NULL, &err);
  lsmkv_transaction_put(txn, "abandoned", 9, "x", 1, &err);
  lsmkv_transaction_destroy(txn);
  CHECK_NO_ERROR(err);
  CheckGet(db, ro, "rolled-back", NULL);
  CheckGet(db, ro, "abandoned", NULL);

  /* Serializable (the default): a key read and then written by someone
   * else fails the commit with busy, and nothing of the transaction lands. */
  txn = lsmkv_transaction_begin(db, wo, NULL, &err);
  CheckTxnGet(txn, ro, "d", "4");
  lsmkv_transaction_put(txn, "from-txn", 8, "x", 1, &err);
  lsmkv_put(db, wo, "d", 1, "40", 2, &err);
  CHECK_NO_ERROR(err);
  CHECK(lsmkv_transaction_commit(txn, &err) == lsmkv_status_busy);
  CHECK_ERROR(err, "Busy");
  lsmkv_transaction_destroy(txn);
  CheckGet(db, ro, "from-txn", NULL);

  /* Snapshot isolation: the same read conflict commits... */
  txn = lsmkv_transaction_begin(db, wo, snapshot_isolation, &err);
  CHECK_NO_ERROR(err);
  CheckTxnGet(txn, ro, "d", "40");
  lsmkv_transaction_put(txn, "from-txn", 8, "x", 1, &err);
  lsmkv_put(db, wo, "d", 1, "41", 2, &err);
  CHECK(lsmkv_transaction_commit(txn, &err) == lsmkv_status_ok);
  CHECK_NO_ERROR(err);
  lsmkv_transaction_destroy(txn);
  CheckGet(db, ro, "from-txn", "x");
  /* ... but a write-write conflict between two transactions does not. */
  txn = lsmkv_transaction_begin(db, wo, snapshot_isolation, &err);
  other = lsmkv_transaction_begin(db, wo, snapshot_isolation, &err);
  lsmkv_transaction_put(txn, "ww", 2, "txn", 3, &err);
  lsmkv_transaction_put(other, "ww", 2, "other", 5, &err);
  CHECK(lsmkv_transaction_commit(other, &err) == lsmkv_status_ok);
  CHECK_NO_ERROR(err);
  CHECK(lsmkv_transaction_commit(txn, &err) == lsmkv_status_busy);
  CHECK_ERROR(err, "Busy");
  lsmkv_transaction_destroy(txn);
  lsmkv_transaction_destroy(other);
  CheckGet(db, ro, "ww", "other");

  /* A retry loop: the first attempt loses to an outside write of 10. */
  lsmkv_put(db, wo, "counter", 7, "5", 1, &err);
  CHECK(IncrementCounter(db, wo, ro, NULL) == 1);
  CheckGet(db, ro, "counter", "6");
  CHECK(IncrementCounter(db, wo, ro, "10") == 2);
  CheckGet(db, ro, "counter", "11");
  CHECK_NO_ERROR(err);

  lsmkv_readoptions_destroy(bounded);
  lsmkv_transaction_options_destroy(snapshot_isolation);
  lsmkv_transaction_options_destroy(bad);
}

struct LogState {
  int lines;
  int destroyed;
};
static void CountLine(void* state, const char* line, size_t len) {
  (void)line;
  if (len > 0) ((struct LogState*)state)->lines++;
}
static void LogDestroyed(void* state) { ((struct LogState*)state)->destroyed++; }

/* The options beyond the basic ones: each value is accepted or refused at
 * open, and the info log callback gets the DB's events. */
void TestMoreOptions(const char* base, lsmkv_writeoptions_t* wo) {
  char dir[1100];
  char* err = NULL;
  struct LogState log = {0, 0};
  lsmkv_options_t* options = lsmkv_options_create();
  lsmkv_logger_t* logger = lsmkv_logger_create(&log, LogDestroyed, CountLine);
  lsmkv_t* db;
  snprintf(dir, sizeof dir, "%s/options", base);
  lsmkv_options_set_create_if_missing(options, 1);

  lsmkv_options_set_wal_recovery_mode(options, 9);
  db = lsmkv_open(options, dir, &err);
  CHECK(db == NULL);
  CHECK_ERROR(err, "wal_recovery_mode");
  lsmkv_options_set_wal_recovery_mode(options, lsmkv_wal_recovery_tolerate_corrupted_tail_records);
  lsmkv_options_set_wal_write_mode(options, 5);
  db = lsmkv_open(options, dir, &err);
  CHECK(db == NULL);
  CHECK_ERROR(err, "wal_write_mode");
  lsmkv_options_set_wal_write_mode(options, lsmkv_wal_write_write);
  lsmkv_options_set_max_log_file_size(options, 100);
  db = lsmkv_open(options, dir, &err);
  CHECK(db == NULL);
  CHECK_ERROR(err, "max_log_file_size");
  lsmkv_options_set_max_log_file_size(options, 1 << 20);
  lsmkv_options_set_wal_retention_bytes(options, 1 << 20);

  lsmkv_options_set_info_log(options, logger);
  lsmkv_logger_destroy(logger); /* the options keep it */
  CHECK(log.destroyed == 0);
  db = lsmkv_open(options, dir, &err);
  CHECK_NO_ERROR(err);
  if (db != NULL) {
    lsmkv_put(db, wo, "k", 1, "v", 1, &err);
    lsmkv_flush(db, &err);
    CHECK_NO_ERROR(err);
    lsmkv_close_with_status(db, &err);
    CHECK_NO_ERROR(err);
  }
  CHECK(log.lines > 0);
  snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/LOG");
  CHECK(!Exists(dir)); /* the callback got the lines instead */
  dir[strlen(dir) - 4] = '\0';
  lsmkv_options_set_info_log(options, NULL); /* drops the last reference */
  CHECK(log.destroyed == 1);
  lsmkv_destroy_db(options, dir, &err);
  CHECK_NO_ERROR(err);
  lsmkv_options_destroy(options);
}
