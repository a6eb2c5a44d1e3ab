/* The C API (include/lsmkv/c.h) exercised from C, compiled as C99. Built in
 * the tree (ctest "c:api", also under the sanitizers) and against the
 * installed package through pkg-config (tests/package/consumer_test.cmake).
 *
 * The checkpoint, backup and transaction checks are in c_test_more.c,
 * the change feed's in c_test_feed.c, the helpers in c_test_support.c.
 *
 *   c_test SCRATCH_DIR     (the directory, and its parents if missing, is
 *                           created; it is removed at the end) */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lsmkv/c.h>

#include "c_test_support.h"

static int ReverseCompare(void* state, const char* a, size_t alen, const char* b, size_t blen) {
  size_t n = alen < blen ? alen : blen;
  int r = memcmp(a, b, n);
  (void)state;
  if (r == 0) r = alen < blen ? -1 : alen > blen ? 1 : 0;
  return -r;
}
static const char* ReverseName(void* state) {
  (void)state;
  return "c_test.reverse";
}
static int comparator_destroyed = 0;
static void ReverseDestroy(void* state) { *(int*)state = 1; }

int main(int argc, char** argv) {
  char path[1024], missing[1100], reverse_path[1100], buf[1024];
  char* err = NULL;
  lsmkv_options_t* options;
  lsmkv_readoptions_t* ro;
  lsmkv_writeoptions_t* wo;
  lsmkv_t* db;

  if (argc != 2) {
    fprintf(stderr, "usage: c_test SCRATCH_DIR\n");
    return 2;
  }
  snprintf(path, sizeof path, "%s", argv[1]);
  RemoveTree(path); /* what a failed earlier run left */
  if (MakeDirs(path) != 0) { /* its parents too: build/tests/tmp may be gone */
    perror(path);
    return 1;
  }
  snprintf(missing, sizeof missing, "%s/missing", path);
  snprintf(reverse_path, sizeof reverse_path, "%s/reverse", path);
  strncat(path, "/db", sizeof path - strlen(path) - 1);

  CHECK(lsmkv_major_version() == 0 || lsmkv_major_version() > 0);
  snprintf(buf, sizeof buf, "%d.%d.", lsmkv_major_version(), lsmkv_minor_version());
  CHECK(strncmp(lsmkv_version(), buf, strlen(buf)) == 0);

  options = lsmkv_options_create();
  ro = lsmkv_readoptions_create();
  wo = lsmkv_writeoptions_create();

  /* Errors: opening a missing DB without create_if_missing fails with a
   * message; a second error replaces (and frees) the first. */
  db = lsmkv_open(options, missing, &err);
  CHECK(db == NULL);
  CHECK(err != NULL);
  if (err != NULL) {
    CHECK(strstr(err, "Invalid argument") != NULL || strstr(err, "does not exist") != NULL);
    CHECK(strstr(err, "missing") != NULL); /* names the directory */
  }
  db = lsmkv_open(options, missing, &err); /* err still set: freed, replaced */
  CHECK(db == NULL && err != NULL);
  lsmkv_free(err);
  err = NULL;

  /* Bad options are refused at open. */
  lsmkv_options_set_create_if_missing(options, 1);
  lsmkv_options_set_compression(options, 77);
  db = lsmkv_open(options, path, &err);
  CHECK(db == NULL && err != NULL);
  lsmkv_free(err);
  err = NULL;

  /* Open with the main options set. */
  lsmkv_options_set_compression(options, lsmkv_lz4_compression);
  lsmkv_options_set_write_buffer_size(options, 64 << 10);
  lsmkv_options_set_max_write_buffer_number(options, 2);
  lsmkv_options_set_max_background_jobs(options, 2);
  lsmkv_options_set_block_size(options, 4096);
  lsmkv_options_set_bloom_bits_per_key(options, 10);
  lsmkv_options_set_zstd_level(options, 1);
  lsmkv_options_set_block_cache_capacity(options, 1 << 20);
  lsmkv_options_set_max_open_files(options, 100);
  lsmkv_options_set_allow_mmap_reads(options, 0); /* tables read with pread */
  lsmkv_options_set_target_file_size(options, 1 << 20);
  lsmkv_options_set_max_bytes_for_level_base(options, 10 << 20);
  lsmkv_options_set_level0_file_num_compaction_trigger(options, 4);
  lsmkv_options_set_level0_slowdown_writes_trigger(options, 8);
  lsmkv_options_set_level0_stop_writes_trigger(options, 12);
  lsmkv_options_set_paranoid_checks(options, 1);
  lsmkv_options_set_wal_dir(options, NULL);
  db = lsmkv_open(options, path, &err);
  CHECK_NO_ERROR(err);
  CHECK(db != NULL);
  if (db == NULL) return 1;

  /* Put, get, NULL for an absent key, empty and binary values. */
  lsmkv_writeoptions_set_sync(wo, 1);
  lsmkv_put(db, wo, "b", 1, "2", 1, &err);
  CHECK_NO_ERROR(err);
  lsmkv_writeoptions_set_sync(wo, 0);
  lsmkv_put(db, wo, "a", 1, "1", 1, &err);
  lsmkv_put(db, wo, "c", 1, "3", 1, &err);
  lsmkv_put(db, wo, "empty", 5, "", 0, &err);
  lsmkv_put(db, wo, "bin\0key", 7, "\0\1", 2, &err);
  CHECK_NO_ERROR(err);
  CheckGet(db, ro, "a", "1");
  CheckGet(db, ro, "b", "2");
  CheckGet(db, ro, "nope", NULL);
  {
    size_t len = 99;
    char* value = lsmkv_get(db, ro, "empty", 5, &len, &err);
    CHECK_NO_ERROR(err);
    CHECK(value != NULL && len == 0); /* present but empty: not NULL */
    lsmkv_free(value);
    value = lsmkv_get(db, ro, "bin\0key", 7, &len, &err);
    CHECK(value != NULL && len == 2 && value[0] == '\0' && value[1] == '\1');
    lsmkv_free(value);
  }
  lsmkv_delete(db, wo, "empty", 5, &err);
  lsmkv_delete(db, wo, "bin\0key", 7, &err);
  lsmkv_delete(db, wo, "never-existed", 13, &err); /* not an error */
  CHECK_NO_ERROR(err);
  CheckGet(db, ro, "empty", NULL);

  /* Snapshots see the state at their creation. */
  {
    const lsmkv_snapshot_t* snap = lsmkv_create_snapshot(db);
    lsmkv_readoptions_t* at_snap = lsmkv_readoptions_create();
    lsmkv_iterator_t* it;
    lsmkv_readoptions_set_snapshot(at_snap, snap);
    lsmkv_put(db, wo, "a", 1, "changed", 7, &err);
    lsmkv_delete(db, wo, "b", 1, &err);
    lsmkv_put(db, wo, "d", 1, "4", 1, &err);
    CHECK_NO_ERROR(err);
    CheckGet(db, at_snap, "a", "1");
    CheckGet(db, at_snap, "b", "2");
    CheckGet(db, at_snap, "d", NULL);
    CheckGet(db, ro, "a", "changed");
    CheckGet(db, ro, "b", NULL);
    it = lsmkv_create_iterator(db, at_snap);
    Walk(it, 1, buf, sizeof buf);
    CHECK(strcmp(buf, "a=1;b=2;c=3;") == 0);
    lsmkv_iter_destroy(it);
    lsmkv_readoptions_set_snapshot(at_snap, NULL);
    CheckGet(db, at_snap, "a", "changed");
    lsmkv_release_snapshot(db, snap);
    lsmkv_readoptions_destroy(at_snap);
  }

  /* Write batches: atomic, iterable, countable, appendable. */
  {
    lsmkv_writebatch_t* batch = lsmkv_writebatch_create();
    lsmkv_writebatch_t* more = lsmkv_writebatch_create();
    size_t empty_size;
    empty_size = lsmkv_writebatch_approximate_size(batch);
    lsmkv_writebatch_put(batch, "e", 1, "5", 1);
    lsmkv_writebatch_delete(batch, "a", 1);
    lsmkv_writebatch_put(more, "f", 1, "6", 1);
    lsmkv_writebatch_append(batch, more);
    CHECK(lsmkv_writebatch_count(batch) == 3);
    CHECK(lsmkv_writebatch_approximate_size(batch) > empty_size);
    BatchText(batch, buf, sizeof buf);
    CHECK(strcmp(buf, "put e 5;delete a;put f 6;") == 0);
    lsmkv_write(db, wo, batch, &err);
    CHECK_NO_ERROR(err);
    lsmkv_writebatch_clear(batch);
    CHECK(lsmkv_writebatch_count(batch) == 0);
    lsmkv_writebatch_destroy(batch);
    lsmkv_writebatch_destroy(more);
  }
  CheckGet(db, ro, "a", NULL);
  CheckGet(db, ro, "e", "5");
  CheckGet(db, ro, "f", "6");

  /* Iteration in both directions, seek, seek_for_prev, bounds. */
  {
    lsmkv_iterator_t* it = lsmkv_create_iterator(db, ro);
    lsmkv_readoptions_t* bounded = lsmkv_readoptions_create();
    size_t klen;
    const char* k;
    Walk(it, 1, buf, sizeof buf);
    CHECK(strcmp(buf, "c=3;d=4;e=5;f=6;") == 0);
    Walk(it, 0, buf, sizeof buf);
    CHECK(strcmp(buf, "f=6;e=5;d=4;c=3;") == 0);
    lsmkv_iter_seek(it, "cc", 2);
    CHECK(lsmkv_iter_valid(it));
    k = lsmkv_iter_key(it, &klen);
    CHECK(BytesEqual(k, klen, "d"));
    lsmkv_iter_seek_for_prev(it, "cc", 2);
    CHECK(lsmkv_iter_valid(it));
    k = lsmkv_iter_key(it, &klen);
    CHECK(BytesEqual(k, klen, "c"));
    lsmkv_iter_prev(it);
    CHECK(!lsmkv_iter_valid(it));
    lsmkv_iter_seek(it, "z", 1);
    CHECK(!lsmkv_iter_valid(it));
    lsmkv_iter_get_error(it, &err);
    CHECK_NO_ERROR(err);
    lsmkv_iter_destroy(it);

    lsmkv_readoptions_set_iterate_lower_bound(bounded, "d", 1);
    lsmkv_readoptions_set_iterate_upper_bound(bounded, "f", 1);
    lsmkv_readoptions_set_fill_cache(bounded, 0);
    lsmkv_readoptions_set_verify_checksums(bounded, 1);
    it = lsmkv_create_iterator(db, bounded);
    Walk(it, 1, buf, sizeof buf);
    CHECK(strcmp(buf, "d=4;e=5;") == 0);
    Walk(it, 0, buf, sizeof buf);
    CHECK(strcmp(buf, "e=5;d=4;") == 0);
    lsmkv_iter_destroy(it);
    lsmkv_readoptions_set_iterate_upper_bound(bounded, NULL, 0);
    it = lsmkv_create_iterator(db, bounded);
    Walk(it, 1, buf, sizeof buf);
    CHECK(strcmp(buf, "d=4;e=5;f=6;") == 0);
    lsmkv_iter_destroy(it);
    lsmkv_readoptions_destroy(bounded);
  }

  /* Flush, compaction, properties, verification. */
  {
    char* prop;
    int i;
    for (i = 0; i < 3000; i++) {
      char key[32];
      snprintf(key, sizeof key, "k%06d", i);
      lsmkv_put(db, wo, key, strlen(key), "some value bytes", 16, &err);
    }
    CHECK_NO_ERROR(err);
    lsmkv_flush(db, &err);
    CHECK_NO_ERROR(err);
    lsmkv_compact_range(db, "k000100", 7, NULL, 0, &err);
    CHECK_NO_ERROR(err);
    lsmkv_compact_range(db, NULL, 0, NULL, 0, &err);
    CHECK_NO_ERROR(err);
    lsmkv_verify_checksums(db, &err);
    CHECK_NO_ERROR(err);
    lsmkv_resume(db, &err); /* no background error: nothing to do */
    CHECK_NO_ERROR(err);
    prop = lsmkv_property_value(db, "lsmkv.stats");
    CHECK(prop != NULL && strlen(prop) > 0);
    lsmkv_free(prop);
    prop = lsmkv_property_value(db, "lsmkv.approximate-memory-usage");
    CHECK(prop != NULL && atol(prop) > 0);
    lsmkv_free(prop);
    CHECK(lsmkv_property_value(db, "lsmkv.no-such-property") == NULL);
    CheckGet(db, ro, "k002999", "some value bytes");
  }

  /* A second open of an open DB fails; repair and destroy need it closed. */
  {
    lsmkv_t* second = lsmkv_open(options, path, &err);
    CHECK(second == NULL && err != NULL);
    lsmkv_free(err);
    err = NULL;
    lsmkv_repair_db(options, path, &err);
    CHECK(err != NULL);
    lsmkv_free(err);
    err = NULL;
  }
  TestSequenceAndSizes(db, wo);
  TestCheckpoint(db, options, ro, wo, argv[1]);
  TestBackups(db, options, ro, wo, argv[1]);
  TestTransactions(db, ro, wo);
  TestMoreOptions(argv[1], wo);
  TestChangeFeed(argv[1], ro, wo);
  lsmkv_close_with_status(db, &err);
  CHECK_NO_ERROR(err);

  /* Reopen: everything acknowledged is there. Then repair, reopen, destroy. */
  lsmkv_repair_db(options, path, &err);
  CHECK_NO_ERROR(err);
  db = lsmkv_open(options, path, &err);
  CHECK_NO_ERROR(err);
  CHECK(db != NULL);
  if (db != NULL) {
    CheckGet(db, ro, "c", "3");
    CheckGet(db, ro, "f", "6");
    CheckGet(db, ro, "a", NULL);
    CheckGet(db, ro, "k001234", "some value bytes");
    lsmkv_close(db);
  }
  lsmkv_destroy_db(options, path, &err);
  CHECK_NO_ERROR(err);
  lsmkv_options_set_create_if_missing(options, 0);
  db = lsmkv_open(options, path, &err);
  CHECK(db == NULL && err != NULL); /* destroyed: gone */
  lsmkv_free(err);
  err = NULL;

  /* A custom comparator orders keys and is destroyed through its callback. */
  {
    lsmkv_comparator_t* cmp =
        lsmkv_comparator_create(&comparator_destroyed, ReverseDestroy, ReverseCompare, ReverseName);
    lsmkv_iterator_t* it;
    lsmkv_options_set_create_if_missing(options, 1);
    lsmkv_options_set_comparator(options, cmp);
    db = lsmkv_open(options, reverse_path, &err);
    CHECK_NO_ERROR(err);
    if (db != NULL) {
      lsmkv_put(db, wo, "x", 1, "1", 1, &err);
      lsmkv_put(db, wo, "y", 1, "2", 1, &err);
      lsmkv_put(db, wo, "z", 1, "3", 1, &err);
      CHECK_NO_ERROR(err);
      it = lsmkv_create_iterator(db, ro);
      Walk(it, 1, buf, sizeof buf);
      CHECK(strcmp(buf, "z=3;y=2;x=1;") == 0);
      lsmkv_iter_destroy(it);
      lsmkv_close(db);
    }
    /* Another order than the one recorded: refused. */
    lsmkv_options_set_comparator(options, NULL);
    db = lsmkv_open(options, reverse_path, &err);
    CHECK(db == NULL && err != NULL);
    lsmkv_free(err);
    err = NULL;
    lsmkv_destroy_db(options, reverse_path, &err);
    CHECK_NO_ERROR(err);
    lsmkv_comparator_destroy(cmp);
    CHECK(comparator_destroyed == 1);
  }

  lsmkv_options_destroy(options);
  lsmkv_readoptions_destroy(ro);
  lsmkv_writeoptions_destroy(wo);
  lsmkv_free(NULL);
  RemoveTree(argv[1]);
  if (failures != 0) {
    fprintf(stderr, "c_test: %d checks failed\n", failures);
    return 1;
  }
  printf("c_test: ok\n");
  return 0;
}
