/* The change feed from C (include/lsmkv/c.h, docs/replication.md): a
 * replica built from a primary's feed through lsmkv_get_updates_since and
 * lsmkv_write_replicated ends equal to it, also after more writes and a
 * reopen; the feed's batches read back through lsmkv_writebatch_iterate
 * (BatchText); a gap or a repeat refused with an Invalid argument error;
 * NotFound for a start older than the batches kept;
 * lsmkv_wait_for_sequence, at once, on timeout and woken by a write from
 * another thread (also with no limit, UINT64_MAX, and huge timeouts). */
#define _POSIX_C_SOURCE 200809L /* pthreads, nanosleep */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lsmkv/c.h>

#include "c_test_support.h"

/* Applies the primary's feed from the replica's next sequence on, checking
 * that the batches follow each other without a hole; returns how many
 * batches were applied (-1 on an error). */
static int CatchUp(lsmkv_t* primary, lsmkv_t* replica, lsmkv_writeoptions_t* wo) {
  char* err = NULL;
  int applied = 0;
  uint64_t next = lsmkv_get_latest_sequence_number(replica) + 1;
  lsmkv_update_iterator_t* it = lsmkv_get_updates_since(primary, next, &err);
  CHECK_NO_ERROR(err);
  if (it == NULL) return -1;
  for (; lsmkv_update_iter_valid(it); lsmkv_update_iter_next(it)) {
    lsmkv_writebatch_t* batch = lsmkv_update_iter_get_batch(it);
    uint64_t seq = lsmkv_update_iter_sequence(it);
    CHECK(seq == next);
    CHECK(lsmkv_writebatch_count(batch) > 0);
    next = seq + lsmkv_writebatch_count(batch);
    lsmkv_write_replicated(replica, wo, seq, batch, &err);
    lsmkv_writebatch_destroy(batch);
    if (err != NULL) {
      CHECK_NO_ERROR(err);
      lsmkv_update_iter_destroy(it);
      return -1;
    }
    applied++;
  }
  lsmkv_update_iter_get_error(it, &err);
  CHECK_NO_ERROR(err);
  lsmkv_update_iter_destroy(it);
  return applied;
}

/* Both DBs hold the same keys and values and the same latest sequence. */
static void CheckSame(lsmkv_t* primary, lsmkv_t* replica, lsmkv_readoptions_t* ro) {
  static char want[65536], got[65536];
  lsmkv_iterator_t* it = lsmkv_create_iterator(primary, ro);
  Walk(it, 1, want, sizeof want);
  lsmkv_iter_destroy(it);
  it = lsmkv_create_iterator(replica, ro);
  Walk(it, 1, got, sizeof got);
  lsmkv_iter_destroy(it);
  CHECK(strlen(want) > 0);
  if (strcmp(want, got) != 0) fprintf(stderr, "primary: %.200s\nreplica: %.200s\n", want, got);
  CHECK(strcmp(want, got) == 0);
  CHECK(lsmkv_get_latest_sequence_number(primary) == lsmkv_get_latest_sequence_number(replica));
}

/* Writes round * 100 .. round * 100 + 99: single puts, a delete of an
 * earlier key, and a three-update batch every tenth step. */
static void WriteRound(lsmkv_t* db, lsmkv_writeoptions_t* wo, int round) {
  char* err = NULL;
  int i;
  for (i = round * 100; i < round * 100 + 100; i++) {
    char key[32], value[32];
    snprintf(key, sizeof key, "key%05d", i);
    snprintf(value, sizeof value, "value%d-%d", i, round);
    if (i % 10 == 0) {
      lsmkv_writebatch_t* batch = lsmkv_writebatch_create();
      lsmkv_writebatch_put(batch, key, strlen(key), value, strlen(value));
      lsmkv_writebatch_put(batch, "counter", 7, key, strlen(key));
      lsmkv_writebatch_delete(batch, "key00003", 8);
      lsmkv_write(db, wo, batch, &err);
      lsmkv_writebatch_destroy(batch);
    } else if (i % 7 == 0) {
      snprintf(key, sizeof key, "key%05d", i - 5);
      lsmkv_delete(db, wo, key, strlen(key), &err);
    } else {
      lsmkv_put(db, wo, key, strlen(key), value, strlen(value), &err);
    }
    CHECK_NO_ERROR(err);
  }
}

static lsmkv_t* OpenAt(const char* base, const char* name, uint64_t retention) {
  char path[1100];
  char* err = NULL;
  lsmkv_t* db;
  lsmkv_options_t* options = lsmkv_options_create();
  lsmkv_options_set_create_if_missing(options, 1);
  lsmkv_options_set_wal_retention_bytes(options, retention);
  snprintf(path, sizeof path, "%s/%s", base, name);
  db = lsmkv_open(options, path, &err);
  CHECK_NO_ERROR(err);
  lsmkv_options_destroy(options);
  return db;
}

/* The iterator is at a batch starting at seq whose updates read back as
 * text (BatchText). */
static void CheckBatchAt(const lsmkv_update_iterator_t* it, uint64_t seq, const char* text) {
  char buf[512];
  lsmkv_writebatch_t* batch;
  CHECK(lsmkv_update_iter_valid(it));
  if (!lsmkv_update_iter_valid(it)) return;
  CHECK(lsmkv_update_iter_sequence(it) == seq);
  batch = lsmkv_update_iter_get_batch(it);
  BatchText(batch, buf, sizeof buf);
  if (strcmp(buf, text) != 0) fprintf(stderr, "batch at %llu: %s\n", (unsigned long long)seq, buf);
  CHECK(strcmp(buf, text) == 0);
  lsmkv_writebatch_destroy(batch);
}

/* The first batches as the feed hands them out, read back through
 * lsmkv_writebatch_iterate; a start inside a batch splits it. */
static void CheckFeedBatches(lsmkv_t* db) {
  char* err = NULL;
  lsmkv_update_iterator_t* it = lsmkv_get_updates_since(db, 1, &err);
  CHECK_NO_ERROR(err);
  if (it == NULL) return;
  /* The first write of a new DB has sequence 1 (WriteRound's i = 0: a batch). */
  CheckBatchAt(it, 1, "put key00000 value0-0;put counter key00000;delete key00003;");
  lsmkv_update_iter_next(it);
  CheckBatchAt(it, 4, "put key00001 value1-0;");
  lsmkv_update_iter_destroy(it);

  /* From sequence 2: the rest of the first batch. */
  it = lsmkv_get_updates_since(db, 2, &err);
  CHECK_NO_ERROR(err);
  if (it == NULL) return;
  CheckBatchAt(it, 2, "put counter key00000;delete key00003;");
  lsmkv_update_iter_destroy(it);

  /* The end: from the next sequence, an iterator that is not valid, no error. */
  it = lsmkv_get_updates_since(db, lsmkv_get_latest_sequence_number(db) + 1, &err);
  CHECK_NO_ERROR(err);
  CHECK(it != NULL);
  if (it == NULL) return;
  CHECK(!lsmkv_update_iter_valid(it));
  lsmkv_update_iter_get_error(it, &err);
  CHECK_NO_ERROR(err);
  lsmkv_update_iter_destroy(it);
}

/* A replica refuses a batch that does not start right after its last
 * sequence, and writes nothing. */
static void CheckGapRefused(lsmkv_t* replica, lsmkv_readoptions_t* ro, lsmkv_writeoptions_t* wo) {
  char* err = NULL;
  uint64_t last = lsmkv_get_latest_sequence_number(replica);
  lsmkv_writebatch_t* batch = lsmkv_writebatch_create();
  lsmkv_writebatch_put(batch, "gap", 3, "x", 1);
  lsmkv_write_replicated(replica, wo, last + 2, batch, &err); /* a gap */
  CHECK_ERROR(err, "Invalid argument");
  lsmkv_write_replicated(replica, wo, last, batch, &err); /* a repeat */
  CHECK_ERROR(err, "Invalid argument");
  lsmkv_write_replicated(replica, wo, 0, batch, &err);
  CHECK_ERROR(err, "Invalid argument");
  CHECK(lsmkv_get_latest_sequence_number(replica) == last);
  CheckGet(replica, ro, "gap", NULL);
  lsmkv_writebatch_destroy(batch);
}

/* Without retention the WALs that flushes made obsolete are deleted (the
 * newest one only after the next MANIFEST edit, lib/version/version_set.h):
 * after a few flushes the feed no longer reaches back to sequence 1. */
static void CheckNotFoundPastRetention(const char* base, lsmkv_writeoptions_t* wo) {
  char* err = NULL;
  lsmkv_update_iterator_t* it = NULL;
  int flushes;
  lsmkv_t* db = OpenAt(base, "feed-no-retention", 0);
  if (db == NULL) return;
  WriteRound(db, wo, 0);
  for (flushes = 0; flushes < 4; flushes++) {
    lsmkv_flush(db, &err);
    CHECK_NO_ERROR(err);
    lsmkv_put(db, wo, "after", 5, "flush", 5, &err);
    CHECK_NO_ERROR(err);
    it = lsmkv_get_updates_since(db, 1, &err);
    if (it == NULL) break;
    lsmkv_update_iter_destroy(it);
  }
  CHECK(it == NULL);
  CHECK_ERROR(err, "NotFound");
  /* The write after the flush is still in the live WAL. */
  it = lsmkv_get_updates_since(db, lsmkv_get_latest_sequence_number(db), &err);
  CHECK_NO_ERROR(err);
  CHECK(it != NULL && lsmkv_update_iter_valid(it));
  if (it != NULL) lsmkv_update_iter_destroy(it);
  lsmkv_close(db);
}

/* A write from another thread, made after a short pause so that the wait
 * it ends has begun (if not, the wait still returns 1, only at once). */
struct DelayedWrite {
  lsmkv_t* db;
  lsmkv_writeoptions_t* wo;
};

static void* WriteAfterPause(void* arg) {
  const struct DelayedWrite* w = (const struct DelayedWrite*)arg;
  struct timespec pause;
  char* err = NULL;
  pause.tv_sec = 0;
  pause.tv_nsec = 50 * 1000 * 1000;
  nanosleep(&pause, NULL);
  lsmkv_put(w->db, w->wo, "woken", 5, "1", 1, &err);
  CHECK_NO_ERROR(err);
  return NULL;
}

/* lsmkv_wait_for_sequence returns 1 when a write from another thread
 * arrives, whatever the timeout: UINT64_MAX (no limit; it once returned 0
 * at once, its deadline wrapped) and timeouts past std::chrono's range
 * (they once spun on the DB's mutex and starved the writer). */
static void CheckWokenByWrite(lsmkv_t* db, lsmkv_writeoptions_t* wo) {
  const uint64_t timeouts[] = {60ull * 1000 * 1000, UINT64_MAX, 10000000000000000ull,
                               UINT64_MAX / 2 + 1};
  size_t i;
  for (i = 0; i < sizeof(timeouts) / sizeof(timeouts[0]); i++) {
    struct DelayedWrite w;
    pthread_t writer;
    const uint64_t next = lsmkv_get_latest_sequence_number(db) + 1;
    w.db = db;
    w.wo = wo;
    if (pthread_create(&writer, NULL, WriteAfterPause, &w) != 0) {
      CHECK(0);
      return;
    }
    CHECK(lsmkv_wait_for_sequence(db, next, timeouts[i]) == 1);
    pthread_join(writer, NULL);
    CHECK(lsmkv_get_latest_sequence_number(db) == next);
  }
}

void TestChangeFeed(const char* base, lsmkv_readoptions_t* ro, lsmkv_writeoptions_t* wo) {
  char* err = NULL;
  lsmkv_t* primary = OpenAt(base, "feed-primary", 64 << 20);
  lsmkv_t* replica = OpenAt(base, "feed-replica", 0);
  uint64_t last;
  if (primary == NULL || replica == NULL) return;

  WriteRound(primary, wo, 0);
  CheckFeedBatches(primary);
  lsmkv_flush(primary, &err); /* the first WAL is archived, still in the feed */
  CHECK_NO_ERROR(err);
  WriteRound(primary, wo, 1);
  CHECK(CatchUp(primary, replica, wo) > 0);
  CheckSame(primary, replica, ro);
  CheckGet(replica, ro, "key00003", NULL);
  CheckGet(replica, ro, "counter", "key00190");

  /* More writes; the replica reopened in between resumes where it was. */
  WriteRound(primary, wo, 2);
  lsmkv_close(replica);
  replica = OpenAt(base, "feed-replica", 0);
  if (replica == NULL) {
    lsmkv_close(primary);
    return;
  }
  CHECK(CatchUp(primary, replica, wo) > 0);
  CheckSame(primary, replica, ro);
  CHECK(CatchUp(primary, replica, wo) == 0); /* nothing new */

  /* Waiting for a write: at once when there is one, a timeout otherwise. */
  last = lsmkv_get_latest_sequence_number(primary);
  CHECK(lsmkv_wait_for_sequence(primary, last, 0) == 1);
  CHECK(lsmkv_wait_for_sequence(primary, last + 1, 1000) == 0);
  CheckWokenByWrite(primary, wo);

  CheckGapRefused(replica, ro, wo);
  lsmkv_close(replica);
  lsmkv_close(primary);
  CheckNotFoundPastRetention(base, wo);
}
