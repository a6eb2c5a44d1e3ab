// Machine-readable statistics: GetIntProperty agrees with every figure of
// the lsmkv.stats text, lsmkv.stats.json holds every figure (parsed with
// nlohmann-json), the latency histograms count the operations, and
// GetApproximateSizes follows the data.
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "db/db_impl.h"
#include "db/db_stats.h"
#include "lsmkv/db.h"
#include "support/mem_env.h"
#include "support/test_util.h"
#include "util/random.h"

namespace lsmkv {

namespace {

uint64_t IntProp(DB* db, const std::string& name) {
  uint64_t v = 0;
  INFO(name);
  REQUIRE(db->GetIntProperty(name, &v));
  std::string text;
  REQUIRE(db->GetProperty(name, &text));  // the same figure as text
  REQUIRE(text == std::to_string(v));
  return v;
}

// The numbers of the first match of `pattern` in text.
std::vector<double> Numbers(const std::string& text, const std::string& pattern) {
  std::smatch m;
  INFO("pattern " << pattern);
  REQUIRE(std::regex_search(text, m, std::regex(pattern)));
  std::vector<double> out;
  for (size_t i = 1; i < m.size(); i++) out.push_back(std::stod(m[i]));
  return out;
}

const char* kN = "([0-9.]+)";

// Every integer statistic's name.
std::vector<std::string> IntStatNames() {
  std::vector<std::string> names;
  ForEachIntStat(DbStats(), [&](const std::string& name, StatKind, uint64_t) { names.push_back(name); });
  return names;
}

// A DB with tables on two levels, memtable data, reads, synced writes.
struct Loaded {
  MemEnv env;
  Options options;
  std::unique_ptr<DB> db;
  int gets = 0, writes = 0, synced = 0;

  Loaded() {
    options.env = &env;
    options.create_if_missing = true;
    options.write_buffer_size = 64 << 10;
    REQUIRE(DB::Open(options, "/db", &db).ok());
    Random rnd(7);
    for (int i = 0; i < 3000; i++) {
      Put("k" + std::to_string(rnd.Uniform(2000)), std::string(40, 'a' + i % 26), false);
    }
    REQUIRE(db->CompactRange(nullptr, nullptr).ok());
    for (int i = 0; i < 1500; i++) Put("k" + std::to_string(rnd.Uniform(4000)), "second", i % 100 == 0);
    REQUIRE(db->Flush().ok());
    for (int i = 0; i < 50; i++) Put("m" + std::to_string(i), "in the memtable", false);
    std::string value;
    for (int i = 0; i < 800; i++) {
      (void)db->Get(ReadOptions(), "k" + std::to_string(i * 5), &value);
      gets++;
    }
    static_cast<DBImpl*>(db.get())->TEST_WaitForBackgroundWork();
  }
  void Put(const std::string& k, const std::string& v, bool sync) {
    WriteOptions wo;
    wo.sync = sync;
    REQUIRE(db->Put(wo, k, v).ok());
    (sync ? synced : writes)++;
  }
};

}  // namespace

TEST_CASE("Stats: GetIntProperty matches every figure of lsmkv.stats", "[db][stats]") {
  Loaded f;
  DB* db = f.db.get();
  std::string text;
  REQUIRE(db->GetProperty("lsmkv.stats", &text));
  INFO(text);
  const auto P = [&](const std::string& name) { return static_cast<double>(IntProp(db, name)); };

  auto n = Numbers(text, std::string("memtables: active ") + kN + " entries / " + kN + " bytes, " + kN + " immutable");
  REQUIRE(n[0] == P("lsmkv.active-memtable-entries"));
  REQUIRE(n[0] == 50);
  REQUIRE(n[1] == P("lsmkv.active-memtable-bytes"));
  REQUIRE(n[2] == P("lsmkv.num-immutable-memtables"));
  REQUIRE(Numbers(text, std::string("last sequence: ") + kN)[0] == P("lsmkv.last-sequence"));
  REQUIRE(P("lsmkv.last-sequence") == 3000 + 1500 + 50);

  n = Numbers(text, std::string("tables: ") + kN + " files, " + kN + " bytes, " + kN + " entries \\(estimated keys " + kN);
  REQUIRE(n[0] == P("lsmkv.num-files"));
  REQUIRE(n[1] == P("lsmkv.total-sst-bytes"));
  REQUIRE(n[2] == P("lsmkv.table-entries"));
  REQUIRE(n[3] == P("lsmkv.estimate-num-keys"));
  REQUIRE(P("lsmkv.estimate-num-keys") == P("lsmkv.table-entries") + 50);

  n = Numbers(text, std::string("user bytes written: ") + kN + ", WAL bytes: " + kN + ", flushed: " + kN +
                        ", compacted: " + kN);
  REQUIRE(n[0] == P("lsmkv.user-bytes-written"));
  REQUIRE(n[1] == P("lsmkv.wal-bytes-written"));
  REQUIRE(n[2] == P("lsmkv.flush-bytes"));
  REQUIRE(n[3] == P("lsmkv.compaction-bytes-written"));
  const double amp = (n[1] + n[2] + n[3]) / n[0];
  REQUIRE(Numbers(text, std::string("write amplification: ") + kN)[0] == Approx(amp).margin(0.0051));

  n = Numbers(text, std::string("write groups: ") + kN + " \\(" + kN + " synced\\)");
  REQUIRE(n[0] == P("lsmkv.write-groups"));
  REQUIRE(n[1] == P("lsmkv.synced-write-groups"));
  REQUIRE(n[1] == f.synced);  // one writer: every synced Put led its own group

  n = Numbers(text, std::string("flushes: ") + kN + " \\(" + kN + " placed below level 0\\) in " + kN +
                        " s, stall: " + kN + " s, compactions at once \\(max\\): " + kN);
  REQUIRE(n[0] == P("lsmkv.flushes"));
  REQUIRE(n[1] == P("lsmkv.flushes-below-level0"));
  REQUIRE(n[2] == Approx(P("lsmkv.flush-micros") / 1e6).margin(0.0005));
  REQUIRE(n[3] == Approx(P("lsmkv.stall-micros") / 1e6).margin(0.0005));
  REQUIRE(n[4] == P("lsmkv.max-concurrent-compactions"));

  n = Numbers(text, std::string("stalls: ") + kN + " writes slowed down \\(" + kN + " s\\), " + kN + " stops");
  REQUIRE(n[0] == P("lsmkv.write-slowdowns"));
  REQUIRE(n[1] == Approx(P("lsmkv.slowdown-micros") / 1e6).margin(0.0005));
  REQUIRE(n[2] == P("lsmkv.write-stops"));

  n = Numbers(text, std::string("compactions: ") + kN + ", read " + kN + " bytes, wrote " + kN + " bytes, dropped " +
                        kN + " entries, " + kN + " s");
  REQUIRE(n[0] == P("lsmkv.compactions"));
  REQUIRE(n[1] == P("lsmkv.compaction-bytes-read"));
  REQUIRE(n[2] == P("lsmkv.compaction-bytes-written"));
  REQUIRE(n[3] == P("lsmkv.compaction-entries-dropped"));
  REQUIRE(n[3] > 0);  // 3000 writes over 2000 keys
  REQUIRE(n[4] == Approx(P("lsmkv.compaction-micros") / 1e6).margin(0.0005));

  n = Numbers(text, std::string("gets: ") + kN + ", tables probed: " + kN + " \\(read amplification " + kN +
                        " per get\\), bloom useful: " + kN + ", bloom useless: " + kN);
  REQUIRE(n[0] == P("lsmkv.gets"));
  REQUIRE(n[0] == f.gets);
  REQUIRE(n[1] == P("lsmkv.tables-probed"));
  REQUIRE(n[2] == Approx(n[1] / n[0]).margin(0.0051));
  REQUIRE(n[3] == P("lsmkv.bloom-useful"));
  REQUIRE(n[4] == P("lsmkv.bloom-useless"));

  n = Numbers(text, std::string("block cache: ") + kN + " bytes of " + kN + ", hits " + kN + ", misses " + kN);
  REQUIRE(n[0] == P("lsmkv.block-cache-bytes"));
  REQUIRE(n[1] == P("lsmkv.block-cache-capacity"));
  REQUIRE(n[1] == f.options.block_cache_capacity);
  REQUIRE(n[2] == P("lsmkv.block-cache-hits"));
  REQUIRE(n[3] == P("lsmkv.block-cache-misses"));
  REQUIRE(n[2] + n[3] > 0);

  n = Numbers(text, std::string("memory: ") + kN + " bytes \\(memtables, block cache, " + kN + " bytes pinned");
  REQUIRE(n[0] == P("lsmkv.approximate-memory-usage"));
  REQUIRE(n[1] == P("lsmkv.table-cache-pinned-bytes"));

  n = Numbers(text, std::string("wal corrupted records skipped at open: ") + kN + " \\(" + kN + " bytes\\)");
  REQUIRE(n[0] == P("lsmkv.wal-corrupted-records"));
  REQUIRE(n[1] == P("lsmkv.wal-corrupted-bytes"));
  n = Numbers(text, std::string("background errors: none, resumed ") + kN);
  REQUIRE(n[0] == P("lsmkv.resumes"));
  REQUIRE(P("lsmkv.background-error") == 0);

  for (const char* op : {"get", "write", "synced-write", "flush", "compaction"}) {
    const std::string q = std::string("lsmkv.latency.") + op + ".";
    n = Numbers(text, std::string("\n  ") + op + ": count " + kN + " mean " + kN + " p50 " + kN + " p99 " + kN +
                          " p99.9 " + kN + " max " + kN);
    INFO(op);
    REQUIRE(n[0] == P(q + "count"));
    REQUIRE(n[1] == Approx(P(q + "sum-nanos") / std::max(1.0, n[0]) / 1000).margin(0.0011));
    REQUIRE(n[2] == Approx(P(q + "p50-nanos") / 1000).margin(0.0011));
    REQUIRE(n[3] == Approx(P(q + "p99-nanos") / 1000).margin(0.0011));
    REQUIRE(n[4] == Approx(P(q + "p999-nanos") / 1000).margin(0.0011));
    REQUIRE(n[5] == Approx(P(q + "max-nanos") / 1000).margin(0.0011));
    REQUIRE(P(q + "p50-nanos") <= P(q + "p99-nanos"));
    REQUIRE(P(q + "p99-nanos") <= P(q + "p999-nanos"));
    REQUIRE(P(q + "p999-nanos") <= P(q + "max-nanos"));
    std::string one;
    REQUIRE(db->GetProperty(std::string("lsmkv.latency.") + op, &one));
    REQUIRE(one.find("count " + std::to_string(static_cast<uint64_t>(n[0])) + " ") == 0);
  }
  // Every operation is counted: Put is one Write; Flush and CompactRange
  // go around Write.
  REQUIRE(P("lsmkv.latency.get.count") == f.gets);
  REQUIRE(P("lsmkv.latency.write.count") == f.writes);
  REQUIRE(P("lsmkv.latency.synced-write.count") == f.synced);
  REQUIRE(P("lsmkv.latency.flush.count") >= P("lsmkv.flushes"));
  REQUIRE(P("lsmkv.latency.compaction.count") > 0);

  // The level table: one row per level with files or compactions.
  int rows = 0;
  for (int level = 0; level < kNumLevels; level++) {
    const std::string l = std::to_string(level);
    const double files = P("lsmkv.num-files-at-level" + l);
    const double compactions = P("lsmkv.compactions-at-level" + l);
    std::smatch m;
    const std::regex row("\nL" + l + " +" + kN + " +" + kN + " +" + kN + " +" + kN + " +" + kN + " +" + kN + " +" + kN +
                         "\n");
    if (files == 0 && compactions == 0) {
      REQUIRE_FALSE(std::regex_search(text, m, row));
      continue;
    }
    rows++;
    INFO("level " << level);
    REQUIRE(std::regex_search(text, m, row));
    REQUIRE(std::stod(m[1]) == files);
    REQUIRE(std::stod(m[2]) == Approx(P("lsmkv.bytes-at-level" + l) / 1048576.0).margin(0.0051));
    REQUIRE(std::stod(m[4]) == compactions);
    REQUIRE(std::stod(m[5]) == Approx(P("lsmkv.compaction-bytes-read-at-level" + l) / 1048576.0).margin(0.0051));
    REQUIRE(std::stod(m[6]) == Approx(P("lsmkv.compaction-bytes-written-at-level" + l) / 1048576.0).margin(0.0051));
    REQUIRE(std::stod(m[7]) == Approx(P("lsmkv.compaction-micros-at-level" + l) / 1e6).margin(0.0051));
  }
  REQUIRE(rows >= 2);

  // Unknown names and bad arguments.
  uint64_t v = 0;
  REQUIRE_FALSE(db->GetIntProperty("lsmkv.stats", &v));
  REQUIRE_FALSE(db->GetIntProperty("lsmkv.num-files-at-level7", &v));
  REQUIRE_FALSE(db->GetIntProperty("lsmkv.nonsense", &v));
  REQUIRE_FALSE(db->GetIntProperty("leveldb.num-files-at-level0", &v));
  REQUIRE_FALSE(db->GetIntProperty("lsmkv.gets", nullptr));
  std::string s;
  REQUIRE_FALSE(db->GetProperty("lsmkv.latency.nonsense", &s));
}

TEST_CASE("Stats: lsmkv.stats.json parses and holds every figure", "[db][stats]") {
  Loaded f;
  DB* db = f.db.get();
  std::string text;
  REQUIRE(db->GetProperty("lsmkv.stats.json", &text));
  INFO(text);
  nlohmann::json j;
  REQUIRE_NOTHROW(j = nlohmann::json::parse(text));
  REQUIRE(j.is_object());
  std::set<std::string> seen;
  for (const char* section : {"counters", "gauges"}) {
    REQUIRE(j[section].is_object());
    for (const auto& [name, value] : j[section].items()) {
      INFO(name);
      REQUIRE(value.is_number_unsigned());
      REQUIRE(value.get<uint64_t>() == IntProp(db, name));
      REQUIRE(seen.insert(name).second);  // in one section only
    }
  }
  const auto names = IntStatNames();
  REQUIRE(seen == std::set<std::string>(names.begin(), names.end()));
  REQUIRE(seen.size() > 100);
  REQUIRE(j["counters"].contains("lsmkv.user-bytes-written"));
  REQUIRE(j["gauges"].contains("lsmkv.num-files-at-level0"));

  const auto& ratios = j["ratios"];
  const double user = static_cast<double>(IntProp(db, "lsmkv.user-bytes-written"));
  const double disk = static_cast<double>(IntProp(db, "lsmkv.wal-bytes-written") + IntProp(db, "lsmkv.flush-bytes") +
                                          IntProp(db, "lsmkv.compaction-bytes-written"));
  REQUIRE(ratios["lsmkv.write-amplification"].get<double>() == Approx(disk / user).epsilon(1e-5));
  REQUIRE(ratios["lsmkv.read-amplification"].get<double>() ==
          Approx(static_cast<double>(IntProp(db, "lsmkv.tables-probed")) / f.gets).epsilon(1e-5));
  for (int level = 0; level < kNumLevels; level++) {
    REQUIRE(ratios["lsmkv.score-at-level" + std::to_string(level)].is_number());
  }

  for (const char* op : {"get", "write", "synced-write", "flush", "compaction"}) {
    INFO(op);
    const auto& h = j["latency"][op];
    const std::string q = std::string("lsmkv.latency.") + op + ".";
    REQUIRE(h["unit"] == "nanoseconds");
    REQUIRE(h["count"].get<uint64_t>() == IntProp(db, q + "count"));
    REQUIRE(h["sum"].get<uint64_t>() == IntProp(db, q + "sum-nanos"));
    REQUIRE(h["max"].get<uint64_t>() == IntProp(db, q + "max-nanos"));
    REQUIRE(std::llround(h["p50"].get<double>()) == static_cast<long long>(IntProp(db, q + "p50-nanos")));
    REQUIRE(h["p99"].is_number());
    REQUIRE(h["p99.9"].is_number());
    REQUIRE(h["mean"].is_number());
    uint64_t in_buckets = 0;
    double last_upper = -1;
    for (const auto& b : h["buckets"]) {
      REQUIRE(b.size() == 3);
      REQUIRE(b[0].get<double>() >= last_upper);  // ascending, disjoint
      REQUIRE(b[1].get<double>() > b[0].get<double>());
      last_upper = b[1].get<double>();
      in_buckets += b[2].get<uint64_t>();
    }
    REQUIRE(in_buckets == h["count"].get<uint64_t>());
  }
}

TEST_CASE("Stats: a fresh DB reports zeros and valid JSON", "[db][stats]") {
  MemEnv env;
  Options options;
  options.env = &env;
  options.create_if_missing = true;
  options.block_cache_capacity = 0;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  std::string text;
  REQUIRE(db->GetProperty("lsmkv.stats.json", &text));
  nlohmann::json j;
  REQUIRE_NOTHROW(j = nlohmann::json::parse(text));
  REQUIRE(j["ratios"]["lsmkv.write-amplification"] == 0);
  REQUIRE(j["latency"]["get"]["count"] == 0);
  REQUIRE(j["latency"]["get"]["buckets"].empty());
  REQUIRE(IntProp(db.get(), "lsmkv.block-cache-capacity") == 0);
  REQUIRE(IntProp(db.get(), "lsmkv.user-bytes-written") == 0);
}

TEST_CASE("Stats: GetApproximateSizes grows with the range and is ~0 for an empty one", "[db][stats]") {
  MemEnv env;
  Options options;
  options.env = &env;
  options.create_if_missing = true;
  options.compression = kNoCompression;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  Random rnd(test::TestSeed(11));
  const auto key = [](int i) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "k%06d", i);
    return std::string(buf);
  };
  constexpr int kKeys = 10000;
  constexpr int kValueSize = 500;
  for (int i = 0; i < kKeys; i++) REQUIRE(db->Put(WriteOptions(), key(i), rnd.Bytes(kValueSize)).ok());
  REQUIRE(db->Flush().ok());
  REQUIRE(db->CompactRange(nullptr, nullptr).ok());
  const uint64_t total = IntProp(db.get(), "lsmkv.total-sst-bytes");
  REQUIRE(total > kKeys * kValueSize);

  const std::string k0 = key(0), k1000 = key(1000), k5000 = key(5000), kend = key(kKeys), mid_a = key(2000) + "a",
                    mid_b = key(2000) + "b";
  const Range ranges[] = {Range(k0, k1000),   Range(k0, k5000), Range(k0, kend),      Range(k1000, k1000),
                          Range(k5000, k1000), Range(mid_a, mid_b), Range("a", "b"), Range("z", "zz")};
  uint64_t sizes[8];
  REQUIRE(db->GetApproximateSizes(ranges, 8, sizes).ok());
  INFO(sizes[0] << " " << sizes[1] << " " << sizes[2] << " " << sizes[5] << " total " << total);
  const double per_key = static_cast<double>(total) / kKeys;
  REQUIRE(sizes[0] == Approx(1000 * per_key).epsilon(0.1));
  REQUIRE(sizes[1] == Approx(5000 * per_key).epsilon(0.1));
  REQUIRE(sizes[2] == Approx(total).epsilon(0.1));
  REQUIRE(sizes[0] < sizes[1]);
  REQUIRE(sizes[1] < sizes[2]);
  REQUIRE(sizes[3] == 0);  // start == limit
  REQUIRE(sizes[4] == 0);  // start > limit
  REQUIRE(sizes[5] <= 2 * options.block_size);  // no key inside: at most a block's granularity
  REQUIRE(sizes[6] == 0);  // before every key
  REQUIRE(sizes[7] == 0);  // after every key

  // Growing the range never shrinks the size.
  uint64_t previous = 0;
  for (int end = 0; end <= kKeys; end += 500) {
    const std::string limit = key(end);
    const Range r(k0, limit);
    uint64_t size = 0;
    REQUIRE(db->GetApproximateSizes(&r, 1, &size).ok());
    REQUIRE(size >= previous);
    previous = size;
  }

  REQUIRE(db->GetApproximateSizes(nullptr, 0, nullptr).ok());
  REQUIRE(db->GetApproximateSizes(ranges, -1, sizes).IsInvalidArgument());
  REQUIRE(db->GetApproximateSizes(nullptr, 1, sizes).IsInvalidArgument());
  REQUIRE(db->GetApproximateSizes(ranges, 1, nullptr).IsInvalidArgument());
}

namespace {

// A DB implementing only what the contract requires: the defaults of the
// newer methods answer for it.
class MinimalDB final : public DB {
 public:
  Status Put(const WriteOptions&, const Slice&, const Slice&) override { return Status::OK(); }
  Status Delete(const WriteOptions&, const Slice&) override { return Status::OK(); }
  Status Write(const WriteOptions&, WriteBatch*) override { return Status::OK(); }
  Status Get(const ReadOptions&, const Slice&, std::string*) override { return Status::NotFound(""); }
  std::unique_ptr<Iterator> NewIterator(const ReadOptions&) override { return nullptr; }
  const Snapshot* GetSnapshot() override { return nullptr; }
  void ReleaseSnapshot(const Snapshot*) override {}
  bool GetProperty(const Slice&, std::string*) override { return false; }
  Status Flush() override { return Status::OK(); }
  Status CompactRange(const Slice*, const Slice*) override { return Status::OK(); }
  Status VerifyChecksums() override { return Status::OK(); }
};

}  // namespace

TEST_CASE("Stats: the DB base class defaults", "[db][stats]") {
  MinimalDB db;
  uint64_t v = 0;
  REQUIRE_FALSE(db.GetIntProperty("lsmkv.gets", &v));
  const Range r("a", "b");
  REQUIRE(db.GetApproximateSizes(&r, 1, &v).IsNotSupported());
}

}  // namespace lsmkv
