// Keeps a second DB in sync with a first one in the same process: a
// checkpoint of the leader becomes the replica, then the replica follows
// the leader's change feed (GetUpdatesSince -> WriteReplicated), waiting
// for new writes with WaitForSequence instead of polling.
//
//   lsmkv_replica DIR     (DIR must not exist; leader in DIR/leader, replica
//                          in DIR/replica)
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "lsmkv/db.h"

namespace {

bool Check(const lsmkv::Status& s, const char* what) {
  if (!s.ok()) std::fprintf(stderr, "lsmkv_replica: %s: %s\n", what, s.ToString().c_str());
  return s.ok();
}

// Applies every batch the leader has after the replica's last sequence.
lsmkv::Status CatchUp(lsmkv::DB* leader, lsmkv::DB* replica) {
  std::unique_ptr<lsmkv::UpdateIterator> it;
  lsmkv::Status s = leader->GetUpdatesSince(replica->GetLatestSequenceNumber() + 1, &it);
  for (; s.ok() && it->Valid(); it->Next()) {
    lsmkv::WriteBatch batch = it->batch();
    s = replica->WriteReplicated(lsmkv::WriteOptions(), it->sequence(), &batch);
  }
  return s.ok() ? it->status() : s;
}

std::string Scan(lsmkv::DB* db) {
  std::string all;
  auto it = db->NewIterator(lsmkv::ReadOptions());
  for (it->SeekToFirst(); it->Valid(); it->Next()) all += it->key().ToString() + "=" + it->value().ToString() + ";";
  return all;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: lsmkv_replica DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  lsmkv::Options options;
  options.create_if_missing = true;
  options.wal_retention_bytes = 64 << 20;  // the feed reaches back this far
  if (!Check(options.env->CreateDir(dir), "create DIR")) return 1;
  std::unique_ptr<lsmkv::DB> leader;
  if (!Check(lsmkv::DB::Open(options, dir + "/leader", &leader), "open leader")) return 1;
  for (int i = 0; i < 1000; i++) {
    if (!Check(leader->Put(lsmkv::WriteOptions(), "key" + std::to_string(i), "v1"), "put")) return 1;
  }

  // The replica starts as a checkpoint: it holds exactly the writes up to
  // `sequence`, and the feed continues from the next one.
  uint64_t sequence = 0;
  if (!Check(leader->CreateCheckpoint(dir + "/replica", &sequence), "checkpoint")) return 1;
  std::unique_ptr<lsmkv::DB> replica;
  if (!Check(lsmkv::DB::Open(options, dir + "/replica", &replica), "open replica")) return 1;
  std::printf("replica opened from a checkpoint at sequence %llu\n", static_cast<unsigned long long>(sequence));

  // A writer keeps writing; the follower waits for each new write and
  // applies the feed.
  std::thread writer([&] {
    for (int i = 0; i < 2000; i++) {
      lsmkv::WriteBatch batch;
      batch.Put("key" + std::to_string(i % 1500), "v2");
      if (i % 7 == 0) batch.Delete("key" + std::to_string(i / 7));
      if (!leader->Write(lsmkv::WriteOptions(), &batch).ok()) return;
    }
  });
  const uint64_t final_sequence = 1000 + 2000 + (2000 + 6) / 7;
  while (replica->GetLatestSequenceNumber() < final_sequence) {
    const lsmkv::Status waited = leader->WaitForSequence(replica->GetLatestSequenceNumber() + 1, 1000000);
    if (waited.IsBusy()) continue;  // a second without writes: wait again
    if (!Check(waited, "wait") || !Check(CatchUp(leader.get(), replica.get()), "catch up")) {
      writer.join();
      return 1;
    }
  }
  writer.join();
  std::printf("replica caught up at sequence %llu\n",
              static_cast<unsigned long long>(replica->GetLatestSequenceNumber()));
  std::printf("contents equal: %s\n", Scan(leader.get()) == Scan(replica.get()) ? "yes" : "NO");
  return Scan(leader.get()) == Scan(replica.get()) ? 0 : 1;
}
