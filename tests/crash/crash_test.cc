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
//  - powerloss-pages: power loss as write-back in any order leaves it: of
//    each file's unsynced 4 KiB pages a random subset survives (a later page
//    can survive an earlier lost one, which reads as zeros), for the WAL
//    written through its mapping and the files written with write(2) alike
//    (FaultEnv::PowerLoss::lose_pages_out_of_order). Odd cycles sync 1 op
//    in 500 instead of 1 in 50 (long unsynced tails); cycles 2 and 3 of
//    every 4 also drop unsynced directory entries. Same check as powerloss.
//
// In every mode: no error at open, no later write without an earlier one,
// no resurrected delete; a failure names the seed, the cycle and the first
// operation missing while a later one is there.
//
//   lsmkv_crash_test [--mode=kill9|powerloss|powerloss-dirs|powerloss-pages]
//                    [--cycles=N] [--seed=N] [--db=DIR] [--max_ms=N]
//                    [--keep_going]
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
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
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

enum class Mode { kKill9, kPowerLoss, kPowerLossDirs, kPowerLossPages };

struct Flags {
  Mode mode = Mode::kKill9;
  int cycles = 30;
  uint64_t seed = 20261126;
  std::string db = "/tmp/lsmkv-crash-test";
  int max_ms = 400;
  // After a cycle whose recovered state is wrong, report it and go on (from
  // the recovered state) instead of stopping; the exit status still fails.
  bool keep_going = false;
};

struct Op {
  bool sync = false;
  std::vector<std::pair<std::string, std::string>> puts;  // value "" never used
  std::vector<std::string> deletes;
};

// One op in how many is written with sync = true. powerloss-pages syncs
// rarely on odd cycles, so the power cut meets long unsynced WAL tails
// spanning several 32 KiB log blocks (and WAL switches).
uint64_t SyncOneIn(const Flags& f, int cycle) {
  return f.mode == Mode::kPowerLossPages && cycle % 2 == 1 ? 500 : 50;
}

// Operation `index` of cycle `cycle`: deterministic.
Op MakeOp(const Flags& f, int cycle, uint64_t index) {
  std::mt19937_64 rnd(f.seed * 1000003 + static_cast<uint64_t>(cycle) * 7919 + index);
  Op op;
  op.sync = rnd() % SyncOneIn(f, cycle) == 0;
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

// The page-loss crash of a cycle: its seed, and whether it also drops
// unsynced directory entries.
uint64_t PageLossSeed(const Flags& f, int cycle) {
  return f.seed * 7919 + static_cast<uint64_t>(cycle) * 1000003 + 1;
}
bool DropsDirEntries(const Flags& f, int cycle) {
  return f.mode == Mode::kPowerLossDirs || (f.mode == Mode::kPowerLossPages && cycle % 4 >= 2);
}

// Where a page-loss child leaves its crash report for the parent.
std::string PageReportFile(const Flags& f, int cycle) {
  return f.db + "/pages-" + std::to_string(cycle);
}

[[noreturn]] void Fail(const std::string& what) {
  std::fflush(stdout);  // the cycles' lines first
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
    const Op op = MakeOp(f, cycle, index);
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
  lsmkv::Status s = lsmkv::DB::Open(lsmkv::test::SmallLevelsOptions(), f.db + "/db", &db);
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
  lsmkv::Options options = lsmkv::test::SmallLevelsOptions();
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
  lsmkv::FaultEnv::PowerLoss how;
  how.drop_unsynced_dir_entries = DropsDirEntries(f, cycle);
  how.lose_pages_out_of_order = f.mode == Mode::kPowerLossPages;
  how.seed = PageLossSeed(f, cycle);
  lsmkv::FaultEnv::PowerLossReport report;
  s = fault.DropUnsyncedData(how, &report);
  if (s.ok() && how.lose_pages_out_of_order) {
    // First line: kept lost torn out-of-order; then the per-file lines.
    std::ofstream out(PageReportFile(f, cycle));
    out << report.pages_kept << " " << report.pages_lost << " " << report.pages_torn << " "
        << report.files_out_of_order << "\n"
        << report.description;
    if (!out) s = lsmkv::Status::IOError(PageReportFile(f, cycle), "cannot write");
  }
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
  for (uint64_t i = 0; i < min_ops; i++) Apply(MakeOp(f, cycle, i), &expected);
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
    const Op op = MakeOp(f, cycle, k);
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

// The op of this cycle that wrote `value` ("c<cycle>i<index>v..."), or -1
// for a value from an earlier cycle (part of the start state).
int64_t WriterOf(const std::string& value, int cycle) {
  int value_cycle = -1;
  unsigned long long index = 0;
  if (std::sscanf(value.c_str(), "c%di%llu", &value_cycle, &index) != 2 || value_cycle != cycle) {
    return -1;
  }
  return static_cast<int64_t>(index);
}

std::string Shorten(const std::string& value) {
  return value.size() <= 16 ? value : value.substr(0, 16) + "...";
}

// Why `recovered` is no allowed prefix: names the latest op it holds and the
// first earlier op it misses (a write, an overwrite or a delete), or the
// synced ops it lost.
std::string DescribeMismatch(const Model& start, const Model& recovered, const Flags& f, int cycle,
                             uint64_t min_ops, uint64_t acked) {
  std::ostringstream out;
  int64_t latest = -1;  // the latest op of this cycle whose value is visible
  std::string latest_key;
  for (const auto& [k, v] : recovered) {
    const int64_t op = WriterOf(v, cycle);
    if (op > latest) {
      latest = op;
      latest_key = k;
    }
  }
  // The state after ops [0, latest] and, per key, the last op touching it.
  Model expected = start;
  std::map<std::string, uint64_t> last_touch;
  for (int64_t i = 0; i <= latest; i++) {
    const Op op = MakeOp(f, cycle, static_cast<uint64_t>(i));
    Apply(op, &expected);
    for (const auto& [k, v] : op.puts) last_touch[k] = static_cast<uint64_t>(i);
    for (const auto& k : op.deletes) last_touch[k] = static_cast<uint64_t>(i);
  }
  if (latest >= 0) {
    out << "it holds op " << latest << " (" << latest_key << " = "
        << Shorten(recovered.at(latest_key)) << ")";
  } else {
    out << "it holds no op of this cycle";
  }
  if (latest > static_cast<int64_t>(acked)) {
    out << ", which was never acknowledged";
  }
  // Earlier ops it misses, the earliest first.
  std::map<uint64_t, std::string> missing;  // op -> what is wrong
  std::set<std::string> keys;
  for (const auto& [k, v] : expected) keys.insert(k);
  for (const auto& [k, v] : recovered) keys.insert(k);
  for (const std::string& k : keys) {
    const auto e = expected.find(k);
    const auto r = recovered.find(k);
    if ((e == expected.end()) == (r == recovered.end()) &&
        (e == expected.end() || e->second == r->second)) {
      continue;
    }
    const std::string found = r == recovered.end() ? "absent" : "found " + Shorten(r->second);
    const auto t = last_touch.find(k);
    if (t == last_touch.end()) {
      missing[UINT64_MAX] = k + ": " + found + ", expected " +
                            (e == expected.end() ? std::string("absent") : Shorten(e->second)) +
                            " from before this cycle (no op of it touches the key)";
    } else if (e == expected.end()) {
      missing[t->second] = k + " was deleted by it, " + found + " (a deleted key came back)";
    } else {
      missing[t->second] = k + " = " + Shorten(e->second) + " was written by it, " + found +
                           (r == recovered.end() ? "" : " (an overwrite was undone)");
    }
  }
  if (!missing.empty()) {
    const auto& [op, what] = *missing.begin();
    out << " but misses ";
    if (op == UINT64_MAX) {
      out << "a key no op touched: " << what;
    } else {
      out << "the earlier op " << op << ": " << what << " (" << missing.size()
          << " keys differ in all)";
    }
  } else if (static_cast<uint64_t>(latest + 1) < min_ops) {
    out << " and nothing after it: the synced ops up to " << min_ops - 1 << " are lost";
  }
  out << "; " << acked << " ops acknowledged, the last synced one is op "
      << static_cast<int64_t>(min_ops) - 1;
  return out.str();
}

// Number of ops up to and including the last acknowledged one with sync=true.
uint64_t SyncedPrefix(const Flags& f, int cycle, uint64_t acked) {
  uint64_t prefix = 0;
  for (uint64_t i = 0; i < acked; i++) {
    if (MakeOp(f, cycle, i).sync) prefix = i + 1;
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
      else if (m == "powerloss-pages") f.mode = Mode::kPowerLossPages;
      else {
        std::fprintf(stderr, "lsmkv_crash_test: unknown --mode=%s\n", v);
        return 2;
      }
    } else if (const char* v = value("cycles")) f.cycles = std::atoi(v);
    else if (const char* v = value("seed")) f.seed = std::strtoull(v, nullptr, 10);
    else if (const char* v = value("db")) f.db = v;
    else if (const char* v = value("max_ms")) f.max_ms = std::atoi(v);
    else if (a == "--keep_going") f.keep_going = true;
    else {
      std::fprintf(stderr,
                   "usage: lsmkv_crash_test [--mode=kill9|powerloss|powerloss-dirs|powerloss-pages] "
                   "[--cycles=N] [--seed=N] [--db=DIR] [--max_ms=N] [--keep_going]\n");
      return 2;
    }
  }
  const char* mode_name = f.mode == Mode::kKill9           ? "kill9"
                          : f.mode == Mode::kPowerLoss     ? "powerloss"
                          : f.mode == Mode::kPowerLossDirs ? "powerloss-dirs"
                                                           : "powerloss-pages";
  std::printf("lsmkv_crash_test: mode %s, %d cycles, seed %llu, db %s\n", mode_name, f.cycles,
              static_cast<unsigned long long>(f.seed), f.db.c_str());
  std::filesystem::remove_all(f.db);
  std::filesystem::create_directories(f.db);
  std::mt19937_64 rnd(f.seed);
  Model model;  // the state every cycle starts from
  uint64_t total_ops = 0;
  uint64_t lost_ops = 0;  // acknowledged without sync and legitimately lost to power loss
  int reordered_cycles = 0;  // page loss: cycles where a later page outlived an earlier one
  int failed_cycles = 0;     // with --keep_going
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

    // What the page-loss crash did (the child's report), for the log and
    // for a failure message.
    std::string crash_summary, crash_files;
    if (f.mode == Mode::kPowerLossPages) {
      std::ifstream in(PageReportFile(f, cycle));
      unsigned long long kept = 0, lost = 0, torn = 0, out_of_order = 0;
      if (!(in >> kept >> lost >> torn >> out_of_order)) Fail("cycle " + std::to_string(cycle) + ": no page report");
      std::getline(in, crash_files);  // rest of the first line
      crash_files.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      if (out_of_order > 0) reordered_cycles++;
      char buf[160];
      std::snprintf(buf, sizeof(buf), ", pages %llu kept %llu lost %llu torn, %llu files out of order",
                    kept, lost, torn, out_of_order);
      crash_summary = buf;
    }
    const std::string where = "seed " + std::to_string(f.seed) + ", cycle " + std::to_string(cycle) +
                              (f.mode == Mode::kPowerLossPages
                                   ? ", page-loss seed " + std::to_string(PageLossSeed(f, cycle)) +
                                         (DropsDirEntries(f, cycle) ? ", directory entries dropped" : "")
                                   : std::string());
    const std::string crash_detail =
        crash_files.empty() ? std::string() : "\nwhat the power cut left of each file:\n" + crash_files;

    std::unique_ptr<lsmkv::DB> db;
    const lsmkv::Status s = lsmkv::DB::Open(lsmkv::test::SmallLevelsOptions(), f.db + "/db", &db);
    if (!s.ok()) Fail(where + ": open after the crash: " + s.ToString() + crash_detail);
    const Model recovered = ReadAll(db.get());

    // kill9: every acknowledged op must be there, the next one may be. Power
    // loss: a prefix that holds every op acknowledged as synced.
    const uint64_t min_ops = f.mode == Mode::kKill9 ? acked : SyncedPrefix(f, cycle, acked);
    uint64_t matched = 0;
    if (!MatchesSomePrefix(model, recovered, f, cycle, min_ops, acked + 1, &matched)) {
      const std::string what = where + ": recovered state is not the state after " +
                               std::to_string(min_ops) + ".." + std::to_string(acked + 1) +
                               " of the acknowledged operations: " +
                               DescribeMismatch(model, recovered, f, cycle, min_ops, acked) + crash_detail;
      if (!f.keep_going) Fail(what);
      std::printf("cycle %3d: FAILED: %s\n", cycle, what.c_str());
      failed_cycles++;
      model = recovered;  // the next cycle starts from what is there
      total_ops += acked;
      continue;
    }
    lost_ops += acked > matched ? acked - matched : 0;
    model = recovered;
    total_ops += acked;
    std::string l0, l1;
    db->GetProperty("lsmkv.num-files-at-level0", &l0);
    db->GetProperty("lsmkv.num-files-at-level1", &l1);
    std::printf("cycle %3d: %6ju ops acknowledged, %6ju recovered, %5zu keys, L0 %s L1 %s files%s\n",
                cycle, acked, static_cast<uintmax_t>(matched), recovered.size(), l0.c_str(), l1.c_str(),
                crash_summary.c_str());
  }
  std::printf("lsmkv_crash_test: %d passed, %d failed (%llu operations acknowledged, %llu "
              "unsynced ones lost to power loss",
              f.cycles - failed_cycles, failed_cycles, static_cast<unsigned long long>(total_ops),
              static_cast<unsigned long long>(lost_ops));
  if (f.mode == Mode::kPowerLossPages) {
    std::printf("; in %d cycles a later page outlived an earlier lost one", reordered_cycles);
  }
  std::printf(")\n");
  if (failed_cycles > 0) {
    std::fflush(stdout);
    std::fprintf(stderr, "lsmkv_crash_test: FAILED: %d of %d cycles recovered a wrong state (seed %llu)\n",
                 failed_cycles, f.cycles, static_cast<unsigned long long>(f.seed));
    return 1;
  }
  std::filesystem::remove_all(f.db);
  return 0;
}
