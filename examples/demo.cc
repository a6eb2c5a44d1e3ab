// The README's demo: opens (or creates) a database, shows what an earlier run
// left, writes, reads, deletes, writes a batch and scans. Run it twice to see
// the data outlive the process.
//
//   lsmkv_demo [DB_DIR]      (default: ./lsmkv-demo-db)
#include <cstdio>
#include <memory>
#include <string>

#include "lsmkv/db.h"

namespace {

int Fail(const char* what, const lsmkv::Status& s) {
  std::fprintf(stderr, "lsmkv_demo: %s: %s\n", what, s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "lsmkv-demo-db";
  lsmkv::Options options;
  options.create_if_missing = true;
  std::unique_ptr<lsmkv::DB> db;
  lsmkv::Status s = lsmkv::DB::Open(options, dir, &db);
  if (!s.ok()) return Fail("open", s);

  std::string runs = "0";
  s = db->Get(lsmkv::ReadOptions(), "demo:runs", &runs);
  if (!s.ok() && !s.IsNotFound()) return Fail("get", s);
  const int run = std::stoi(runs) + 1;
  if (run == 1) {
    std::printf("opened %s: a new database (run the demo again to see it recovered)\n",
                dir.c_str());
  } else {
    std::printf("opened %s: run %d, the data of earlier runs was recovered from disk\n",
                dir.c_str(), run);
  }

  lsmkv::WriteOptions sync;
  sync.sync = true;  // survives power loss once Put returns
  s = db->Put(sync, "demo:runs", std::to_string(run));
  if (!s.ok()) return Fail("put", s);

  // An atomic batch: all three updates or none.
  lsmkv::WriteBatch batch;
  batch.Put("fruit:apple", "red");
  batch.Put("fruit:banana", "yellow");
  batch.Put("fruit:cherry", "dark red");
  batch.Delete("fruit:durian");
  s = db->Write(lsmkv::WriteOptions(), &batch);
  if (!s.ok()) return Fail("write", s);

  std::string value;
  s = db->Get(lsmkv::ReadOptions(), "fruit:banana", &value);
  if (!s.ok()) return Fail("get", s);
  std::printf("get fruit:banana -> %s\n", value.c_str());

  s = db->Delete(lsmkv::WriteOptions(), "fruit:cherry");
  if (!s.ok()) return Fail("delete", s);
  s = db->Get(lsmkv::ReadOptions(), "fruit:cherry", &value);
  std::printf("get fruit:cherry after delete -> %s\n", s.IsNotFound() ? "NotFound" : value.c_str());

  // A range scan over the "fruit:" keys.
  std::printf("scan fruit:*\n");
  auto it = db->NewIterator(lsmkv::ReadOptions());
  for (it->Seek("fruit:"); it->Valid() && it->key().starts_with("fruit:"); it->Next()) {
    std::printf("  %s = %s\n", it->key().ToString().c_str(), it->value().ToString().c_str());
  }
  if (!it->status().ok()) return Fail("scan", it->status());
  it.reset();

  // Write the memtable to a table file; it is durable when Flush returns.
  s = db->Flush();
  if (!s.ok()) return Fail("flush", s);
  std::string sstables;
  db->GetProperty("lsmkv.sstables", &sstables);
  std::printf("tables on disk (level-0 tables are compacted once there are 4):\n%s", sstables.c_str());
  return 0;
}
