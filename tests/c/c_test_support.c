/* tests/c/c_test_support.h. */
#define _XOPEN_SOURCE 700 /* POSIX 2008 with nftw */

#include "c_test_support.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int failures = 0;

int BytesEqual(const char* data, size_t len, const char* expected) {
  return data != NULL && len == strlen(expected) && memcmp(data, expected, len) == 0;
}

/* lsmkv_get that compares with `expected` (NULL: must be absent). */
void CheckGet(lsmkv_t* db, const lsmkv_readoptions_t* ro, const char* key,
                     const char* expected) {
  char* err = NULL;
  size_t len = 12345;
  char* value = lsmkv_get(db, ro, key, strlen(key), &len, &err);
  CHECK_NO_ERROR(err);
  if (expected == NULL) {
    if (value != NULL) fprintf(stderr, "key %s: expected absent\n", key);
    CHECK(value == NULL);
    CHECK(len == 0);
  } else {
    if (!BytesEqual(value, len, expected)) fprintf(stderr, "key %s: expected %s\n", key, expected);
    CHECK(BytesEqual(value, len, expected));
  }
  lsmkv_free(value);
}

/* Concatenates "key=value;" for every entry the iterator walks, forward or
 * backward, into out. */
void Walk(lsmkv_iterator_t* it, int forward, char* out, size_t out_size) {
  out[0] = '\0';
  if (forward) {
    lsmkv_iter_seek_to_first(it);
  } else {
    lsmkv_iter_seek_to_last(it);
  }
  for (; lsmkv_iter_valid(it); forward ? lsmkv_iter_next(it) : lsmkv_iter_prev(it)) {
    size_t klen = 0, vlen = 0;
    const char* k = lsmkv_iter_key(it, &klen);
    const char* v = lsmkv_iter_value(it, &vlen);
    size_t used = strlen(out);
    snprintf(out + used, out_size - used, "%.*s=%.*s;", (int)klen, k, (int)vlen, v);
  }
}

struct TextOut {
  char* out;
  size_t size;
};

static void TextPut(void* state, const char* k, size_t klen, const char* v, size_t vlen) {
  struct TextOut* text = (struct TextOut*)state;
  size_t used = strlen(text->out);
  snprintf(text->out + used, text->size - used, "put %.*s %.*s;", (int)klen, k, (int)vlen, v);
}

static void TextDelete(void* state, const char* k, size_t klen) {
  struct TextOut* text = (struct TextOut*)state;
  size_t used = strlen(text->out);
  snprintf(text->out + used, text->size - used, "delete %.*s;", (int)klen, k);
}

void BatchText(const lsmkv_writebatch_t* batch, char* out, size_t out_size) {
  struct TextOut text;
  text.out = out;
  text.size = out_size;
  out[0] = '\0';
  lsmkv_writebatch_iterate(batch, &text, TextPut, TextDelete);
}

/* rm -rf dir (so a rerun starts clean). */
static int RemoveEntry(const char* p, const struct stat* sb, int type, struct FTW* ftw) {
  (void)sb;
  (void)type;
  (void)ftw;
  return remove(p);
}

void RemoveTree(const char* dir) { nftw(dir, RemoveEntry, 16, FTW_DEPTH | FTW_PHYS); }

int Exists(const char* p) {
  struct stat st;
  return stat(p, &st) == 0;
}

int MakeDirs(const char* dir) {
  char path[4096];
  size_t i, len = strlen(dir);
  struct stat st;
  if (len == 0 || len >= sizeof path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(path, dir, len + 1);
  /* Each prefix ending before a '/' (but not the root's), then dir itself. */
  for (i = 1; i <= len; i++) {
    if (path[i] != '/' && path[i] != '\0') continue;
    path[i] = '\0';
    if (mkdir(path, 0755) != 0 && errno != EEXIST) return -1;
    path[i] = i < len ? '/' : '\0';
  }
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    errno = ENOTDIR;
    return -1;
  }
  return 0;
}
