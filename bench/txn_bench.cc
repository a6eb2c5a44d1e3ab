// lsmkv_txn_bench: transactional read-modify-write throughput and the
// commit overhead of a one-write transaction, for lsmkv and (when built in)
// RocksDB's OptimisticTransactionDB in the same run.
//
//   lsmkv_txn_bench [--dir=D] [--ops=N] [--repeats=R] [--sync=0|1]
//
// rmw: each operation reads a counter key and writes it back plus one, in
// a transaction retried until it commits; keys drawn uniformly from
// --low_keys (low contention) or --high_keys (high contention); 1, 2 and 4
// threads. Modes:
//   plain        Get + Put without a transaction (no isolation: the floor)
//   txn          lsmkv, kSerializable (validated in the write-group leader)
//   txn-snapshot lsmkv, kSnapshot
//   txn-1lock    lsmkv kSerializable with every Commit under one global
//                mutex: what validating under a single validation lock
//                (validate, write, record, unlock) costs in serialization
//   rocksdb-occ  RocksDB OptimisticTransactionDB, GetForUpdate + Put
// commit: one thread; a one-write transaction (Put + Commit) against a
// plain Put, --repeats runs each, medians.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "lsmkv/db.h"
#include "lsmkv/transaction.h"

#ifdef LSMKV_BENCH_HAVE_ROCKSDB
#include <rocksdb/db.h>
#include <rocksdb/utilities/optimistic_transaction_db.h>
#include <rocksdb/utilities/transaction.h>
#endif

namespace {

struct Flags {
  std::string dir = "/tmp/lsmkv-txn-bench";
  int ops = 20000;     // committed operations per rmw run (all threads)
  int repeats = 5;     // runs per measurement; the median is reported
  bool sync = false;
  int low_keys = 100000;
  int high_keys = 4;
  bool rmw = true;     // --workloads=rmw,commit (default both)
  bool commit = true;
  std::string modes;  // --modes=a,b: only these rmw modes (default all)
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "lsmkv_txn_bench: %s\n", what.c_str());
  std::exit(1);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string Key(uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "counter%08llu", static_cast<unsigned long long>(i));
  return buf;
}

// One engine/mode under test: Setup loads the keys; Rmw does one committed
// read-modify-write of key (returns the attempts it took); Put1 is a
// one-write transaction (txn modes) or a plain put.
class Target {
 public:
  virtual ~Target() = default;
  virtual int Rmw(const std::string& key) = 0;
  virtual void Put1(const std::string& key, const std::string& value) = 0;
};

class LsmkvTarget final : public Target {
 public:
  enum class Mode { kPlain, kTxn, kTxnSnapshot, kTxnOneLock };
  LsmkvTarget(const Flags& flags, Mode mode, int keys) : mode_(mode) {
    lsmkv::Options options;
    options.create_if_missing = true;
    const std::string dir = flags.dir + "/lsmkv-" + std::to_string(static_cast<int>(mode));
    (void)lsmkv::DestroyDB(dir, options);
    lsmkv::Status s = lsmkv::DB::Open(options, dir, &db_);
    if (!s.ok()) Die("open lsmkv: " + s.ToString());
    write_.sync = flags.sync;
    for (int i = 0; i < keys; i++) {
      if (!db_->Put(lsmkv::WriteOptions(), Key(i), "0").ok()) Die("load");
    }
  }
  int Rmw(const std::string& key) override {
    if (mode_ == Mode::kPlain) {
      std::string v;
      if (!db_->Get(lsmkv::ReadOptions(), key, &v).ok()) Die("get");
      if (!db_->Put(write_, key, std::to_string(std::stoll(v) + 1)).ok()) Die("put");
      return 1;
    }
    lsmkv::TransactionOptions t;
    t.isolation = mode_ == Mode::kTxnSnapshot ? lsmkv::IsolationLevel::kSnapshot
                                              : lsmkv::IsolationLevel::kSerializable;
    for (int attempt = 1;; attempt++) {
      auto txn = db_->BeginTransaction(write_, t);
      std::string v;
      if (!txn->Get(lsmkv::ReadOptions(), key, &v).ok()) Die("txn get");
      if (!txn->Put(key, std::to_string(std::stoll(v) + 1)).ok()) Die("txn put");
      lsmkv::Status s;
      if (mode_ == Mode::kTxnOneLock) {
        std::lock_guard<std::mutex> l(commit_mu_);
        s = txn->Commit();
      } else {
        s = txn->Commit();
      }
      if (s.ok()) return attempt;
      if (!s.IsBusy()) Die("commit: " + s.ToString());
    }
  }
  void Put1(const std::string& key, const std::string& value) override {
    if (mode_ == Mode::kPlain) {
      if (!db_->Put(write_, key, value).ok()) Die("put");
      return;
    }
    auto txn = db_->BeginTransaction(write_);
    if (!txn->Put(key, value).ok() || !txn->Commit().ok()) Die("txn put");
  }

 private:
  const Mode mode_;
  std::unique_ptr<lsmkv::DB> db_;
  lsmkv::WriteOptions write_;
  std::mutex commit_mu_;
};

#ifdef LSMKV_BENCH_HAVE_ROCKSDB
class RocksTarget final : public Target {
 public:
  RocksTarget(const Flags& flags, bool transactional, int keys) : transactional_(transactional) {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.write_buffer_size = 4 << 20;  // as lsmkv's default
    const std::string dir = flags.dir + (transactional ? "/rocksdb-occ" : "/rocksdb-plain");
    (void)rocksdb::DestroyDB(dir, options);
    rocksdb::OptimisticTransactionDB* db = nullptr;
    rocksdb::Status s = rocksdb::OptimisticTransactionDB::Open(options, dir, &db);
    if (!s.ok()) Die("open rocksdb: " + s.ToString());
    db_.reset(db);
    write_.sync = flags.sync;
    for (int i = 0; i < keys; i++) {
      if (!db_->Put(rocksdb::WriteOptions(), Key(i), "0").ok()) Die("load");
    }
  }
  int Rmw(const std::string& key) override {
    if (!transactional_) {
      std::string v;
      if (!db_->Get(rocksdb::ReadOptions(), key, &v).ok()) Die("get");
      if (!db_->Put(write_, key, std::to_string(std::stoll(v) + 1)).ok()) Die("put");
      return 1;
    }
    for (int attempt = 1;; attempt++) {
      std::unique_ptr<rocksdb::Transaction> txn(db_->BeginTransaction(write_));
      std::string v;
      if (!txn->GetForUpdate(rocksdb::ReadOptions(), key, &v).ok()) Die("txn get");
      if (!txn->Put(key, std::to_string(std::stoll(v) + 1)).ok()) Die("txn put");
      const rocksdb::Status s = txn->Commit();
      if (s.ok()) return attempt;
      if (!s.IsBusy() && !s.IsTryAgain()) Die("commit: " + s.ToString());
    }
  }
  void Put1(const std::string& key, const std::string& value) override {
    if (!transactional_) {
      if (!db_->Put(write_, key, value).ok()) Die("put");
      return;
    }
    std::unique_ptr<rocksdb::Transaction> txn(db_->BeginTransaction(write_));
    if (!txn->Put(key, value).ok() || !txn->Commit().ok()) Die("txn put");
  }

 private:
  const bool transactional_;
  std::unique_ptr<rocksdb::OptimisticTransactionDB> db_;
  rocksdb::WriteOptions write_;
};
#endif

struct Mode {
  const char* name;
  std::function<std::unique_ptr<Target>(int keys)> make;
};

std::vector<Mode> Modes(const Flags& flags) {
  using M = LsmkvTarget::Mode;
  std::vector<Mode> modes = {
      {"plain", [&](int k) { return std::make_unique<LsmkvTarget>(flags, M::kPlain, k); }},
      {"txn", [&](int k) { return std::make_unique<LsmkvTarget>(flags, M::kTxn, k); }},
      {"txn-snapshot", [&](int k) { return std::make_unique<LsmkvTarget>(flags, M::kTxnSnapshot, k); }},
      {"txn-1lock", [&](int k) { return std::make_unique<LsmkvTarget>(flags, M::kTxnOneLock, k); }},
  };
#ifdef LSMKV_BENCH_HAVE_ROCKSDB
  modes.push_back({"rocksdb-plain", [&](int k) { return std::make_unique<RocksTarget>(flags, false, k); }});
  modes.push_back({"rocksdb-occ", [&](int k) { return std::make_unique<RocksTarget>(flags, true, k); }});
#endif
  return modes;
}

// Committed rmw operations per second and attempts per commit.
std::pair<double, double> RunRmw(Target* target, int threads, int keys, int ops) {
  std::atomic<long> attempts{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; t++) {
    workers.emplace_back([&, t] {
      std::mt19937_64 rnd(1234 + t);
      long mine = 0;
      for (int i = t; i < ops; i += threads) mine += target->Rmw(Key(rnd() % keys));
      attempts += mine;
    });
  }
  for (auto& w : workers) w.join();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {ops / secs, static_cast<double>(attempts.load()) / ops};
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; i++) {
    const char* a = argv[i];
    if (std::strncmp(a, "--dir=", 6) == 0) {
      flags.dir = a + 6;
    } else if (std::strncmp(a, "--ops=", 6) == 0) {
      flags.ops = std::atoi(a + 6);
    } else if (std::strncmp(a, "--repeats=", 10) == 0) {
      flags.repeats = std::atoi(a + 10);
    } else if (std::strncmp(a, "--sync=", 7) == 0) {
      flags.sync = std::atoi(a + 7) != 0;
    } else if (std::strncmp(a, "--high_keys=", 12) == 0) {
      flags.high_keys = std::atoi(a + 12);
    } else if (std::strncmp(a, "--modes=", 8) == 0) {
      flags.modes = std::string(",") + (a + 8) + ",";
    } else if (std::strncmp(a, "--workloads=", 12) == 0) {
      const std::string w = a + 12;
      flags.rmw = w.find("rmw") != std::string::npos;
      flags.commit = w.find("commit") != std::string::npos;
    } else if (std::strncmp(a, "--low_keys=", 11) == 0) {
      flags.low_keys = std::atoi(a + 11);
    } else {
      std::fprintf(stderr,
                   "usage: lsmkv_txn_bench [--dir=D] [--ops=N] [--repeats=R] [--sync=0|1] "
                   "[--low_keys=N] [--high_keys=N] [--workloads=rmw,commit] [--modes=txn,...]\n");
      return 2;
    }
  }
  if (flags.ops <= 0 || flags.repeats <= 0 || flags.low_keys <= 0 || flags.high_keys <= 0) Die("bad flags");
  std::string mkdir = "mkdir -p '" + flags.dir + "'";
  if (std::system(mkdir.c_str()) != 0) Die("cannot create " + flags.dir);

  if (flags.rmw) {
    std::printf("read-modify-write, %d ops per run, median of %d runs, sync=%d\n", flags.ops,
              flags.repeats, flags.sync ? 1 : 0);
  std::printf("%-14s %-10s %7s %12s %10s\n", "mode", "contention", "threads", "ops/s", "attempts");
  for (const Mode& mode : Modes(flags)) {
    if (!flags.modes.empty() && flags.modes.find(std::string(",") + mode.name + ",") == std::string::npos) continue;
    for (const auto& [label, keys] : {std::pair<const char*, int>{"low", flags.low_keys},
                                      std::pair<const char*, int>{"high", flags.high_keys}}) {
      auto target = mode.make(keys);
      for (int threads : {1, 2, 4}) {
        std::vector<double> rates, tries;
        for (int r = 0; r < flags.repeats; r++) {
          const auto [rate, attempts] = RunRmw(target.get(), threads, keys, flags.ops);
          rates.push_back(rate);
          tries.push_back(attempts);
        }
        std::printf("%-14s %-10s %7d %12.0f %10.3f\n", mode.name, label, threads, Median(rates),
                    Median(tries));
        std::fflush(stdout);
      }
    }
  }
  }
  if (!flags.commit) return 0;

  // Commit overhead: alternate plain and one-write-transaction runs so
  // drift in machine load hits both alike.
  std::printf("\none-write commit vs plain Put, 1 thread, %d ops per run, median of %d runs\n",
              flags.ops, flags.repeats);
  const auto measure_put1 = [&](Target* target) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < flags.ops; i++) target->Put1(Key(i % flags.low_keys), "value");
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() /
           flags.ops;
  };
  const std::vector<Mode> modes = Modes(flags);
  const auto find = [&](const char* name) -> const Mode* {
    for (const Mode& m : modes) {
      if (std::strcmp(m.name, name) == 0) return &m;
    }
    return nullptr;
  };
  std::vector<std::pair<const char*, const char*>> pairs = {{"plain", "txn"}};
#ifdef LSMKV_BENCH_HAVE_ROCKSDB
  pairs.push_back({"rocksdb-plain", "rocksdb-occ"});
#endif
  for (const auto& [plain_name, txn_name] : pairs) {
    auto plain = find(plain_name)->make(0);
    auto txn = find(txn_name)->make(0);
    std::vector<double> p, t, ratio;
    for (int r = 0; r < flags.repeats; r++) {
      p.push_back(measure_put1(plain.get()));
      t.push_back(measure_put1(txn.get()));
      ratio.push_back(t.back() / p.back());
    }
    std::printf("%-14s put %.2f us   %-12s commit %.2f us   ratio %.2fx (median of per-run ratios)\n",
                plain_name, Median(p), txn_name, Median(t), Median(ratio));
  }
  return 0;
}
