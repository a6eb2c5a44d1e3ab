/* Helpers shared by the C API test's files (tests/c/c_test*.c), all
 * compiled as C99. */
#ifndef LSMKV_TESTS_C_C_TEST_SUPPORT_H_
#define LSMKV_TESTS_C_C_TEST_SUPPORT_H_

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <lsmkv/c.h>

/* Checks that failed so far (reported at the end by main). */
extern int failures;

#define CHECK(cond)                                                             \
  do {                                                                          \
    if (!(cond)) {                                                              \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                               \
    }                                                                           \
  } while (0)

/* No error expected: reports and frees one if there is. */
#define CHECK_NO_ERROR(err)                                                         \
  do {                                                                              \
    if ((err) != NULL) {                                                            \
      fprintf(stderr, "%s:%d: unexpected error: %s\n", __FILE__, __LINE__, (err)); \
      failures++;                                                                   \
      lsmkv_free(err);                                                              \
      (err) = NULL;                                                                 \
    }                                                                               \
  } while (0)

/* Expects an error whose message contains `part`; frees it. */
#define CHECK_ERROR(err, part)                                                              \
  do {                                                                                      \
    if ((err) == NULL) {                                                                    \
      fprintf(stderr, "%s:%d: expected an error containing \"%s\"\n", __FILE__, __LINE__, \
              (part));                                                                      \
      failures++;                                                                           \
    } else {                                                                                \
      if (strstr((err), (part)) == NULL) {                                                  \
        fprintf(stderr, "%s:%d: error \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, (err),  \
                (part));                                                                    \
        failures++;                                                                         \
      }                                                                                     \
      lsmkv_free(err);                                                                      \
      (err) = NULL;                                                                         \
    }                                                                                       \
  } while (0)

int BytesEqual(const char* data, size_t len, const char* expected);
/* lsmkv_get that compares with `expected` (NULL: must be absent). */
void CheckGet(lsmkv_t* db, const lsmkv_readoptions_t* ro, const char* key, const char* expected);
/* Concatenates "key=value;" for every entry the iterator walks, forward or
 * backward, into out. */
void Walk(lsmkv_iterator_t* it, int forward, char* out, size_t out_size);
/* "put K V;" and "delete K;" for every update of batch, in order
 * (through lsmkv_writebatch_iterate), into out. */
void BatchText(const lsmkv_writebatch_t* batch, char* out, size_t out_size);
/* rm -rf dir. */
void RemoveTree(const char* dir);
/* mkdir -p dir: creates the missing parents too; 0 on success (also when
 * dir exists), -1 with errno set otherwise. */
int MakeDirs(const char* dir);
int Exists(const char* path);

/* tests/c/c_test_more.c: checkpoints, backups, transactions, sequence
 * numbers, numeric properties, approximate sizes and the remaining
 * options. The first four expect the DB main() built (keys c..f and
 * k000000..k002999 flushed); base is the scratch directory. */
void TestSequenceAndSizes(lsmkv_t* db, lsmkv_writeoptions_t* wo);
void TestCheckpoint(lsmkv_t* db, lsmkv_options_t* options, lsmkv_readoptions_t* ro,
                    lsmkv_writeoptions_t* wo, const char* base);
void TestBackups(lsmkv_t* db, lsmkv_options_t* options, lsmkv_readoptions_t* ro,
                 lsmkv_writeoptions_t* wo, const char* base);
void TestTransactions(lsmkv_t* db, lsmkv_readoptions_t* ro, lsmkv_writeoptions_t* wo);
void TestMoreOptions(const char* base, lsmkv_writeoptions_t* wo);

/* tests/c/c_test_feed.c: the change feed and replica apply, on DBs of its
 * own under base. */
void TestChangeFeed(const char* base, lsmkv_readoptions_t* ro, lsmkv_writeoptions_t* wo);

#endif /* LSMKV_TESTS_C_C_TEST_SUPPORT_H_ */
