// `lsmkv tail`: the change feed (DB::GetUpdatesSince) as text -- for
// debugging and as a change-data-capture example.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli.h"
#include "lsmkv/db.h"

namespace lsmkv::cli {

int CmdTail(const CommandLine& cl) {
  if (!cl.args.empty()) return UsageError("usage: lsmkv tail --db DIR [--from SEQ] [--limit N]");
  uint64_t from = 1;
  if (cl.from) {
    char* end = nullptr;
    from = std::strtoull(cl.from->c_str(), &end, 10);
    if (cl.from->empty() || *end != '\0') return UsageError("--from needs a sequence number: " + *cl.from);
  }
  std::unique_ptr<DB> db;
  Status s = DB::Open(cl.options, cl.db, &db);  // create_if_missing stays false
  if (!s.ok()) return Fail("open " + cl.db, s);
  std::unique_ptr<UpdateIterator> it;
  s = db->GetUpdatesSince(from, &it);
  if (!s.ok()) return Fail("tail from " + std::to_string(from), s);
  // Prints each update of a batch.
  struct Printer final : WriteBatch::Handler {
    explicit Printer(const CommandLine& c) : cl(c) {}
    void Put(const Slice& key, const Slice& value) override {
      std::printf("  put %s %s\n", Encode(cl, key).c_str(), Encode(cl, value).c_str());
    }
    void Delete(const Slice& key) override { std::printf("  delete %s\n", Encode(cl, key).c_str()); }
    const CommandLine& cl;
  } printer(cl);
  uint64_t batches = 0;
  for (; it->Valid() && (!cl.limit || batches < *cl.limit); it->Next(), batches++) {
    std::printf("sequence %" PRIu64 ": %d updates\n", it->sequence(), it->batch().Count());
    s = it->batch().Iterate(&printer);
    if (!s.ok()) return Fail("batch at sequence " + std::to_string(it->sequence()), s);
  }
  if (!it->status().ok()) return Fail("tail", it->status());
  return kExitOk;
}

}  // namespace lsmkv::cli
