// Opens a DB, writes, reads, deletes, reopens: proves the installed package
// links and works. Exit code 0 on success.
#include <cstdio>
#include <memory>
#include <string>

#include <lsmkv/db.h>

#define CHECK(cond)                                              \
  do {                                                           \
    if (!(cond)) {                                               \
      std::fprintf(stderr, "consumer: check failed: %s\n", #cond); \
      return 1;                                                  \
    }                                                            \
  } while (0)

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  lsmkv::Options options;
  options.create_if_missing = true;
  std::unique_ptr<lsmkv::DB> db;
  CHECK(lsmkv::DB::Open(options, argv[1], &db).ok());
  CHECK(db->Put(lsmkv::WriteOptions(), "hello", "world").ok());
  CHECK(db->Put(lsmkv::WriteOptions(), "gone", "soon").ok());
  CHECK(db->Delete(lsmkv::WriteOptions(), "gone").ok());
  db.reset();
  CHECK(lsmkv::DB::Open(options, argv[1], &db).ok());
  std::string value;
  CHECK(db->Get(lsmkv::ReadOptions(), "hello", &value).ok() && value == "world");
  CHECK(db->Get(lsmkv::ReadOptions(), "gone", &value).IsNotFound());
  db.reset();
  CHECK(lsmkv::DestroyDB(argv[1], options).ok());
  std::printf("consumer: ok\n");
  return 0;
}
