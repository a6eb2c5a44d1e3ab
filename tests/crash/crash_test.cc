// Crash test. A child process runs a mixed load (puts, deletes, multi-key
// batches, some sync=true) on a DB with a small write buffer, so flushes
// and compactions run all the time, and appends every acknowledged
// operation to a side log. Then it dies, in one of three ways (--mode):
//
//  - kill9: the parent kills it with SIGKILL at a random moment. Everything
//    the child handed to the OS survives, so the recovered state must equal
//    the state after every acknowledged operation (plus possibly the one
//    being acknowledged when it died).
//  - powerloss: the DB runs on a FaultEnv (tests/support) over the real
//    file system. At a random moment the child freezes it (every later
//    write fails, as if the power went), closes the DB, and cuts every file
//    back to what was fsynced. The recovered state must be the state after
//    some prefix of the acknowledged operations that includes every one
//    acknowledged with sync=true.
//  - powerloss-dirs: the same, and files whose directory entry was not made
//    durable by a directory fsync disappear (renames over them are undone).
//
// In every mode: no error at open, no later write without an earlier one,
// no resurrected delete.
//
//   lsmkv_crash_test [--mode=kill9|powerloss|powerloss-dirs] [--cycles=N]
//                    [--seed=N] [--db=DIR] [--max_ms=N]
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
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "lsmkv/db.h"
#include "support/fault_env.h"
#include "support/test_util.h"

namespace {

using Model = std::map<std::string, std::string>;

enum class Mode { kKill9, kPowerLoss, kPowerLossDirs };

struct Flags {
  Mode mode = Mode::kKill9;
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

// Writes operations 0, 1, ... of the cycle until a write fails or *stop is
// set. Each acknowledged op appends one byte to the side log (write(2)
// reaches the page cache, which survives SIGKILL; power loss is simulated
// below the DB only, so the side log is never cut).
void WriteUntilStopped(const Flags& f, int cycle, lsmkv::DB* db, const std::atomic<bool>* stop) {
  const std::string side = f.db + "/acked-" + std::to_string(cycle);
  const int fd = ::open(side.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  if (fd < 0) _exit(3);
  for (uint64_t index = 0; stop == nullptr || !stop->load(); index++) {
    const Op op = MakeOp(f.seed, cycle, index);
    lsmkv::WriteBatch batch;
    for (const auto& [k, v] : op.puts) batch.Put(k, v);
    for (const auto& k : op.deletes) batch.Delete(k);
    lsmkv::WriteOptions wo;
    wo.sync = op.sync;
    const lsmkv::Status s = db->Write(wo, &batch);
    if (!s.ok()) {
      if (stop != nullptr) break;  // the frozen file system: the power went
      std::fprintf(stderr, "child: write: %s\n", s.ToString().c_str());
      _exit(4);
    }
    if (::write(fd, "+", 1) != 1) _exit(5);
  }
  ::close(fd);
}

// kill9 child: writes until killed.
[[noreturn]] void RunKillChild(const Flags& f, int cycle) {
  std::unique_ptr<lsmkv::DB> db;
  lsmkv::Status s = lsmkv::DB::Open(DBOptions(), f.db + "/db", &db);
  if (!s.ok()) {
    std::fprintf(stderr, "child: open: %s\n", s.ToString().c_str());
    _exit(2);
  }
  WriteUntilStopped(f, cycle, db.get(), nullptr);
  _exit(6);
}

// Power-loss child: writes on a FaultEnv for delay_ms, then loses power.
[[noreturn]] void RunPowerLossChild(const Flags& f, int cycle, int delay_ms) {
  lsmkv::FaultEnv fault(lsmkv::Env::Default());
  lsmkv::Options options = DBOptions();
  options.env = &fault;
  std::unique_ptr<lsmkv::DB> db;
  lsmkv::Status s = lsmkv::DB::Open(options, f.db + "/db", &db);
  if (!s.ok()) {
    std::fprintf(stderr, "child: open: %s\n", s.ToString().c_str());
    _exit(2);
  }
  std::atomic<bool> stop{false};
  std::thread writer(WriteUntilStopped, std::cref(f), cycle, db.get(), &stop);
  std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  fault.Freeze();  // from here on nothing reaches the disk
  stop = true;
  writer.join();
  db.reset();  // background jobs fail on the frozen file system and stop
  s = fault.DropUnsyncedData(f.mode == Mode::kPowerLossDirs);
  if (!s.ok()) {
    std::fprintf(stderr, "child: drop unsynced data: %s\n", s.ToString().c_str());
    _exit(7);
  }
  _exit(0);
}

// Whether `recovered` equals `start` after the first k ops of the cycle for
// some k in [min_ops, max_ops]. Applies the ops one at a time, tracking the
// keys where the two differ, so the search costs O(ops), not O(ops × keys).
bool MatchesSomePrefix(const Model& start, const Model& recovered, const Flags& f, int cycle,
                       uint64_t min_ops, uint64_t max_ops, uint64_t* matched) {
  Model expected = start;
  for (uint64_t i = 0; i < min_ops; i++) Apply(MakeOp(f.seed, cycle, i), &expected);
  std::set<std::string> differing;
  for (const auto& [k, v] : expected) {
    const auto it = recovered.find(k);
    if (it == recovered.end() || it->second != v) differing.insert(k);
  }
  for (const auto& [k, v] : recovered) {
    if (expected.count(k) == 0) differing.insert(k);
  }
  for (uint64_t k = min_ops;; k++) {
    if (differing.empty()) {
      *matched = k;
      return true;
    }
    if (k == max_ops) return false;
    const Op op = MakeOp(f.seed, cycle, k);
    Apply(op, &expected);
    std::vector<std::string> touched;
    for (const auto& [key, v] : op.puts) touched.push_back(key);
    for (const auto& key : op.deletes) touched.push_back(key);
    for (const std::string& key : touched) {
      const auto e = expected.find(key);
      const auto r = recovered.find(key);
      const bool same = (e == expected.end()) == (r == recovered.end()) &&
                        (e == expected.end() || e->second == r->second);
      if (same) {
        differing.erase(key);
      } else {
        differing.insert(key);
      }
    }
  }
}

// Number of ops up to and including the last acknowledged one with sync=true.
uint64_t SyncedPrefix(const Flags& f, int cycle, uint64_t acked) {
  uint64_t prefix = 0;
  for (uint64_t i = 0; i < acked; i++) {
    if (MakeOp(f.seed, cycle, i).sync) prefix = i + 1;
  }
  return prefix;
}

Model ReadAll(lsmkv::DB* db) {
  Model out;
  const lsmkv::Status s = lsmkv::test::ReadAll(db, &out);
  if (!s.ok()) Fail("scan: " + s.ToString());
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
    if (const char* v = value("mode")) {
      const std::string m = v;
      if (m == "kill9") f.mode = Mode::kKill9;
      else if (m == "powerloss") f.mode = Mode::kPowerLoss;
      else if (m == "powerloss-dirs") f.mode = Mode::kPowerLossDirs;
      else {
        std::fprintf(stderr, "lsmkv_crash_test: unknown --mode=%s\n", v);
        return 2;
      }
    } else if (const char* v = value("cycles")) f.cycles = std::atoi(v);
    else if (const char* v = value("seed")) f.seed = std::strtoull(v, nullptr, 10);
    else if (const char* v = value("db")) f.db = v;
    else if (const char* v = value("max_ms")) f.max_ms = std::atoi(v);
    else {
      std::fprintf(stderr,
                   "usage: lsmkv_crash_test [--mode=kill9|powerloss|powerloss-dirs] [--cycles=N] "
                   "[--seed=N] [--db=DIR] [--max_ms=N]\n");
      return 2;
    }
  }
  const char* mode_name = f.mode == Mode::kKill9       ? "kill9"
                          : f.mode == Mode::kPowerLoss ? "powerloss"
                                                       : "powerloss-dirs";
  std::printf("lsmkv_crash_test: mode %s, %d cycles, seed %llu, db %s\n", mode_name, f.cycles,
              static_cast<unsigned long long>(f.seed), f.db.c_str());
  std::filesystem::remove_all(f.db);
  std::filesystem::create_directories(f.db);
  std::mt19937_64 rnd(f.seed);
  Model model;  // the state every cycle starts from
  uint64_t total_ops = 0;
  uint64_t lost_ops = 0;  // acknowledged without sync and legitimately lost to power loss
  for (int cycle = 0; cycle < f.cycles; cycle++) {
    std::fflush(stdout);
    const int delay_ms = 20 + static_cast<int>(rnd() % f.max_ms);
    const pid_t pid = ::fork();
    if (pid < 0) Fail("fork");
    if (pid == 0) {
      if (f.mode == Mode::kKill9) RunKillChild(f, cycle);
      RunPowerLossChild(f, cycle, delay_ms);
    }
    int status = 0;
    if (f.mode == Mode::kKill9) {
      ::usleep(static_cast<useconds_t>(1000 * delay_ms));
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      if (!WIFSIGNALED(status)) Fail("child exited by itself (status " + std::to_string(status) + ")");
    } else {
      ::waitpid(pid, &status, 0);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        Fail("power-loss child failed (status " + std::to_string(status) + ")");
      }
    }

    uintmax_t acked = 0;
    const std::string side = f.db + "/acked-" + std::to_string(cycle);
    if (std::filesystem::exists(side)) acked = std::filesystem::file_size(side);

    std::unique_ptr<lsmkv::DB> db;
    const lsmkv::Status s = lsmkv::DB::Open(DBOptions(), f.db + "/db", &db);
    if (!s.ok()) Fail("cycle " + std::to_string(cycle) + ": open after the crash: " + s.ToString());
    const Model recovered = ReadAll(db.get());

    // kill9: every acknowledged op must be there, the next one may be. Power
    // loss: a prefix that holds every op acknowledged as synced.
    const uint64_t min_ops = f.mode == Mode::kKill9 ? acked : SyncedPrefix(f, cycle, acked);
    uint64_t matched = 0;
    if (!MatchesSomePrefix(model, recovered, f, cycle, min_ops, acked + 1, &matched)) {
      Fail("cycle " + std::to_string(cycle) + ": recovered state is not the state after " +
           std::to_string(min_ops) + ".." + std::to_string(acked + 1) +
           " of the acknowledged operations; seed " + std::to_string(f.seed));
    }
    lost_ops += acked > matched ? acked - matched : 0;
    model = recovered;
    total_ops += acked;
    std::string l0, l1;
    db->GetProperty("lsmkv.num-files-at-level0", &l0);
    db->GetProperty("lsmkv.num-files-at-level1", &l1);
    std::printf("cycle %3d: %6ju ops acknowledged, %6ju recovered, %5zu keys, L0 %s L1 %s files\n",
                cycle, acked, static_cast<uintmax_t>(matched), recovered.size(), l0.c_str(), l1.c_str());
  }
  std::printf("lsmkv_crash_test: %d passed, 0 failed (%llu operations acknowledged, %llu "
              "unsynced ones lost to power loss)\n",
              f.cycles, static_cast<unsigned long long>(total_ops),
              static_cast<unsigned long long>(lost_ops));
  std::filesystem::remove_all(f.db);
  return 0;
}
