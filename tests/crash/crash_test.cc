// kill -9 crash test. A child process runs a mixed load (puts, deletes,
// multi-key batches, some sync=true) on a DB with a small write buffer, so
// flushes and compactions run all the time, and appends every acknowledged
// operation to a side log. The parent kills it with SIGKILL at a random
// moment, reopens the DB and checks that the recovered state equals the
// state after every acknowledged operation — plus possibly the one the
// child was acknowledging when it died (no later write without an earlier
// one, no resurrected delete) — and that Open reports no error.
//
//   lsmkv_crash_test [--cycles=N] [--seed=N] [--db=DIR] [--max_ms=N]
//
// The child's operations are a pure function of (seed, cycle, index), so the
// parent regenerates them instead of trusting the side log's contents; the
// side log only says how many were acknowledged.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "lsmkv/db.h"

namespace {

using Model = std::map<std::string, std::string>;

struct Flags {
  int cycles = 30;
  uint64_t seed = 20261126;
  std::string db = "/tmp/lsmkv-crash-test";
  int max_ms = 400;
};

struct Op {
  bool sync = false;
  std::vector<std::pair<std::string, std::string>> puts;  // value "" never used
  std::vector<std::string> deletes;
};

// Operation `index` of cycle `cycle`: deterministic.
Op MakeOp(uint64_t seed, int cycle, uint64_t index) {
  std::mt19937_64 rnd(seed * 1000003 + static_cast<uint64_t>(cycle) * 7919 + index);
  Op op;
  op.sync = rnd() % 50 == 0;
  const int n = rnd() % 10 == 0 ? 1 + static_cast<int>(rnd() % 8) : 1;  // some multi-key batches
  for (int i = 0; i < n; i++) {
    char key[32];
    std::snprintf(key, sizeof(key), "key%06llu", static_cast<unsigned long long>(rnd() % 20000));
    if (rnd() % 4 == 0) {
      op.deletes.push_back(key);
    } else {
      const std::string value = "c" + std::to_string(cycle) + "i" + std::to_string(index) +
                                std::string(rnd() % 100, 'v');
      op.puts.emplace_back(key, value);
    }
  }
  return op;
}

void Apply(const Op& op, Model* model) {
  // A batch applies in order: puts first, then deletes (as the child builds it).
  for (const auto& [k, v] : op.puts) (*model)[k] = v;
  for (const auto& k : op.deletes) model->erase(k);
}

lsmkv::Options DBOptions() {
  lsmkv::Options o;
  o.create_if_missing = true;
  o.write_buffer_size = 64 << 10;
  o.target_file_size = 64 << 10;
  o.max_bytes_for_level_base = 256 << 10;
  return o;
}

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "lsmkv_crash_test: FAILED: %s\n", what.c_str());
  std::exit(1);
}

// The child: writes until killed. Each acknowledged op appends one byte to
// the side log (write(2) reaches the page cache, which survives SIGKILL).
[[noreturn]] void RunChild(const Flags& f, int cycle) {
  std::unique_ptr<lsmkv::DB> db;
  lsmkv::Status s = lsmkv::DB::Open(DBOptions(), f.db + "/db", &db);
  if (!s.ok()) {
    std::fprintf(stderr, "child: open: %s\n", s.ToString().c_str());
    _exit(2);
  }
  const std::string side = f.db + "/acked-" + std::to_string(cycle);
  const int fd = ::open(side.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  if (fd < 0) _exit(3);
  for (uint64_t index = 0;; index++) {
    const Op op = MakeOp(f.seed, cycle, index);
    lsmkv::WriteBatch batch;
    for (const auto& [k, v] : op.puts) batch.Put(k, v);
    for (const auto& k : op.deletes) batch.Delete(k);
    lsmkv::WriteOptions wo;
    wo.sync = op.sync;
    s = db->Write(wo, &batch);
    if (!s.ok()) {
      std::fprintf(stderr, "child: write: %s\n", s.ToString().c_str());
      _exit(4);
    }
    if (::write(fd, "+", 1) != 1) _exit(5);
  }
}

Model ReadAll(lsmkv::DB* db) {
  Model out;
  auto it = db->NewIterator(lsmkv::ReadOptions());
  for (it->SeekToFirst(); it->Valid(); it->Next()) out[it->key().ToString()] = it->value().ToString();
  if (!it->status().ok()) Fail("scan: " + it->status().ToString());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    const auto value = [&](const char* name) -> const char* {
      const std::string prefix = std::string("--") + name + "=";
      return a.rfind(prefix, 0) == 0 ? argv[i] + prefix.size() : nullptr;
    };
    if (const char* v = value("cycles")) f.cycles = std::atoi(v);
    else if (const char* v = value("seed")) f.seed = std::strtoull(v, nullptr, 10);
    else if (const char* v = value("db")) f.db = v;
    else if (const char* v = value("max_ms")) f.max_ms = std::atoi(v);
    else {
      std::fprintf(stderr, "usage: lsmkv_crash_test [--cycles=N] [--seed=N] [--db=DIR] [--max_ms=N]\n");
      return 2;
    }
  }
  std::printf("lsmkv_crash_test: %d cycles, seed %llu, db %s\n", f.cycles,
              static_cast<unsigned long long>(f.seed), f.db.c_str());
  std::filesystem::remove_all(f.db);
  std::filesystem::create_directories(f.db);
  std::mt19937_64 rnd(f.seed);
  Model model;  // the state every cycle starts from
  uint64_t total_ops = 0;
  for (int cycle = 0; cycle < f.cycles; cycle++) {
    std::fflush(stdout);
    const pid_t pid = ::fork();
    if (pid < 0) Fail("fork");
    if (pid == 0) RunChild(f, cycle);
    ::usleep(static_cast<useconds_t>(1000 * (20 + rnd() % f.max_ms)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFSIGNALED(status)) Fail("child exited by itself (status " + std::to_string(status) + ")");

    uintmax_t acked = 0;
    const std::string side = f.db + "/acked-" + std::to_string(cycle);
    if (std::filesystem::exists(side)) acked = std::filesystem::file_size(side);

    std::unique_ptr<lsmkv::DB> db;
    const lsmkv::Status s = lsmkv::DB::Open(DBOptions(), f.db + "/db", &db);
    if (!s.ok()) Fail("cycle " + std::to_string(cycle) + ": open after kill: " + s.ToString());
    const Model recovered = ReadAll(db.get());

    // Every acknowledged op must be there; the next one may be too.
    Model expected = model;
    for (uint64_t i = 0; i < acked; i++) Apply(MakeOp(f.seed, cycle, i), &expected);
    if (recovered != expected) {
      Apply(MakeOp(f.seed, cycle, acked), &expected);
      if (recovered != expected) {
        Fail("cycle " + std::to_string(cycle) + ": recovered state is not the state after " +
             std::to_string(acked) + " (or " + std::to_string(acked + 1) +
             ") acknowledged operations; seed " + std::to_string(f.seed));
      }
    }
    model = recovered;
    total_ops += acked;
    std::string l0, l1;
    db->GetProperty("lsmkv.num-files-at-level0", &l0);
    db->GetProperty("lsmkv.num-files-at-level1", &l1);
    std::printf("cycle %3d: %6ju ops acknowledged, %5zu keys, L0 %s L1 %s files\n", cycle, acked,
                recovered.size(), l0.c_str(), l1.c_str());
  }
  std::printf("lsmkv_crash_test: %d passed, 0 failed (%llu operations)\n", f.cycles,
              static_cast<unsigned long long>(total_ops));
  std::filesystem::remove_all(f.db);
  return 0;
}
