// checkpoint_cost: what a checkpoint costs when the memtable holds ~3.6 MiB
// of writes, done two ways, alternated over several rounds:
//   wal-tail     CreateCheckpoint as is: tables linked, the WAL tail copied
//   flush-first  Flush() and then CreateCheckpoint (nothing left in the WAL)
// and what opening the copy costs afterwards (the WAL tail is replayed into
// a level-0 table then). Wall-clock milliseconds: run it several times on a
// quiet machine. Used for the choice in docs/backup.md ("Checkpoints").
//
//   lsmkv_checkpoint_cost DIR [ROUNDS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "lsmkv/db.h"

namespace {

double NowMillis() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool PutRandom(lsmkv::DB* db, std::mt19937_64* rnd, int n) {
  for (int i = 0; i < n; i++) {
    std::string value(100, ' ');
    for (char& c : value) c = static_cast<char>('a' + (*rnd)() % 26);
    if (!db->Put(lsmkv::WriteOptions(), "key" + std::to_string((*rnd)() % 1000000), value).ok()) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: lsmkv_checkpoint_cost DIR [ROUNDS]\n");
    return 2;
  }
  const std::string root = argv[1];
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  for (int round = 0; round < rounds; round++) {
    for (const bool flush_first : {false, true}) {
      std::filesystem::remove_all(root);
      std::filesystem::create_directories(root);
      lsmkv::Options options;
      options.create_if_missing = true;
      std::unique_ptr<lsmkv::DB> db;
      if (!lsmkv::DB::Open(options, root + "/db", &db).ok()) return 1;
      std::mt19937_64 rnd(static_cast<uint64_t>(round));
      // ~8 MiB in tables, then ~3.6 MiB only in the memtable and its WAL.
      if (!PutRandom(db.get(), &rnd, 80000) || !db->Flush().ok() || !PutRandom(db.get(), &rnd, 28000)) return 1;
      const double start = NowMillis();
      if (flush_first && !db->Flush().ok()) return 1;
      uint64_t sequence = 0;
      const lsmkv::Status made = db->CreateCheckpoint(root + "/checkpoint", &sequence);
      const double made_at = NowMillis();
      uint64_t wal_bytes = 0;
      for (const auto& e : std::filesystem::directory_iterator(root + "/checkpoint")) {
        if (e.path().extension() == ".log") wal_bytes += e.file_size();
      }
      std::unique_ptr<lsmkv::DB> copy;
      const lsmkv::Status opened = lsmkv::DB::Open(lsmkv::Options(), root + "/checkpoint", &copy);
      const double opened_at = NowMillis();
      if (!made.ok() || !opened.ok()) {
        std::fprintf(stderr, "%s / %s\n", made.ToString().c_str(), opened.ToString().c_str());
        return 1;
      }
      std::printf("round %d %-11s checkpoint %7.1f ms  open of the copy %7.1f ms  WAL bytes copied %llu\n",
                  round, flush_first ? "flush-first" : "wal-tail", made_at - start, opened_at - made_at,
                  static_cast<unsigned long long>(wal_bytes));
    }
  }
  std::filesystem::remove_all(root);
  return 0;
}
