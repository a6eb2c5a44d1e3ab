// The smallest complete tour of the API: open, put, get, delete, an atomic
// batch and a bounded range scan, checking every Status.
//
//   lsmkv_simple DB_DIR      (the directory is created; run it again to
//                             see the data recovered)
#include <cstdio>
#include <memory>
#include <string>

#include "lsmkv/db.h"

namespace {

// Every lsmkv call returns a Status; no exception crosses the API.
bool Check(const lsmkv::Status& s, const char* what) {
  if (!s.ok()) std::fprintf(stderr, "lsmkv_simple: %s: %s\n", what, s.ToString().c_str());
  return s.ok();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: lsmkv_simple DB_DIR\n");
    return 2;
  }
  lsmkv::Options options;
  options.create_if_missing = true;
  std::unique_ptr<lsmkv::DB> db;
  if (!Check(lsmkv::DB::Open(options, argv[1], &db), "open")) return 1;

  // Put, then Get it back.
  if (!Check(db->Put(lsmkv::WriteOptions(), "city:paris", "France"), "put")) return 1;
  std::string value;
  if (!Check(db->Get(lsmkv::ReadOptions(), "city:paris", &value), "get")) return 1;
  std::printf("city:paris = %s\n", value.c_str());

  // Delete: afterwards Get says NotFound (not an error to handle).
  if (!Check(db->Delete(lsmkv::WriteOptions(), "city:paris"), "delete")) return 1;
  const lsmkv::Status missing = db->Get(lsmkv::ReadOptions(), "city:paris", &value);
  std::printf("after delete: %s\n", missing.IsNotFound() ? "not found" : "still there?");
  if (!missing.IsNotFound()) return 1;

  // A batch is applied atomically: after a crash, all of it or none.
  lsmkv::WriteBatch batch;
  batch.Put("city:lima", "Peru");
  batch.Put("city:oslo", "Norway");
  batch.Put("city:rome", "Italy");
  batch.Put("country:peru", "Lima");
  lsmkv::WriteOptions durable;
  durable.sync = true;  // fsync the log before returning: survives power loss
  if (!Check(db->Write(durable, &batch), "batch")) return 1;

  // Range scan over the "city:" prefix: [city:, city;) (';' follows ':').
  const lsmkv::Slice lower("city:"), upper("city;");
  lsmkv::ReadOptions range;
  range.iterate_lower_bound = &lower;
  range.iterate_upper_bound = &upper;
  auto it = db->NewIterator(range);
  int cities = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::printf("%s = %s\n", it->key().ToString().c_str(), it->value().ToString().c_str());
    cities++;
  }
  if (!Check(it->status(), "scan")) return 1;
  it.reset();  // iterators must go before the DB
  std::printf("%d cities\n", cities);
  return cities == 3 ? 0 : 1;
}
