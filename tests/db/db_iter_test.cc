// The DB iterator against a std::map model: random writes, then random walks
// mixing Seek, SeekForPrev, SeekToFirst/Last, Next and Prev, checked at
// every step, at the current state and at older snapshots.
#include <catch2/catch.hpp>
#include <map>

#include "lsmkv/db.h"
#include "support/mem_env.h"
#include "support/test_util.h"
#include "util/random.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;

// Walks `it` and a model iterator side by side.
class Walker {
 public:
  Walker(Iterator* it, const Model* model) : it_(it), model_(model), pos_(model->end()) {}

  void Check() {
    REQUIRE(it_->status().ok());
    REQUIRE(it_->Valid() == (pos_ != model_->end()));
    if (it_->Valid()) {
      REQUIRE(it_->key().ToString() == pos_->first);
      REQUIRE(it_->value().ToString() == pos_->second);
    }
  }

  void Step(Random* rnd, const std::string& target) {
    const uint64_t op = rnd->Uniform(7);
    if (!it_->Valid() && op >= 5) return Step(rnd, target);  // Next/Prev need a position
    switch (op) {
      case 0:
        it_->SeekToFirst();
        pos_ = model_->begin();
        break;
      case 1:
        it_->SeekToLast();
        pos_ = model_->empty() ? model_->end() : std::prev(model_->end());
        break;
      case 2:
        it_->Seek(target);
        pos_ = model_->lower_bound(target);
        break;
      case 3: {
        it_->SeekForPrev(target);
        auto ub = model_->upper_bound(target);
        pos_ = ub == model_->begin() ? model_->end() : std::prev(ub);
        break;
      }
      case 4:
        break;  // just check
      case 5:
        it_->Next();
        ++pos_;
        break;
      case 6:
        it_->Prev();
        pos_ = pos_ == model_->begin() ? model_->end() : std::prev(pos_);
        break;
    }
    Check();
  }

 private:
  Iterator* it_;
  const Model* model_;
  Model::const_iterator pos_;
};

}  // namespace

TEST_CASE("DB iterator: random walks match std::map, also at snapshots", "[db][iterator][model]") {
  const uint64_t seed = test::TestSeed(77);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  MemEnv env;
  Options options;
  options.env = &env;
  options.create_if_missing = true;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());

  Model model;
  std::vector<std::pair<const Snapshot*, Model>> snapshots;
  const auto random_key = [&] {
    // Small key space with shared prefixes and an embedded NUL.
    std::string k = "k" + std::to_string(rnd.Uniform(300));
    if (rnd.OneIn(10)) k.push_back('\0');
    return k;
  };
  for (int round = 0; round < 20; round++) {
    for (int i = 0; i < 500; i++) {
      const std::string k = random_key();
      if (rnd.OneIn(3)) {
        REQUIRE(db->Delete(WriteOptions(), k).ok());
        model.erase(k);
      } else {
        const std::string v = "v" + std::to_string(round) + "." + std::to_string(i);
        REQUIRE(db->Put(WriteOptions(), k, v).ok());
        model[k] = v;
      }
    }
    if (round % 4 == 0) snapshots.emplace_back(db->GetSnapshot(), model);
    if (round == 10) {
      for (auto& s : snapshots) db->ReleaseSnapshot(s.first);
      snapshots.clear();
      db.reset();
      REQUIRE(DB::Open(options, "/db", &db).ok());
    }

    // The current state.
    {
      auto it = db->NewIterator(ReadOptions());
      Walker w(it.get(), &model);
      for (int step = 0; step < 500; step++) w.Step(&rnd, random_key());
    }
    // Each live snapshot.
    for (auto& [snap, snap_model] : snapshots) {
      ReadOptions ro;
      ro.snapshot = snap;
      auto it = db->NewIterator(ro);
      Walker w(it.get(), &snap_model);
      for (int step = 0; step < 200; step++) w.Step(&rnd, random_key());
    }
  }
  for (auto& s : snapshots) db->ReleaseSnapshot(s.first);
}

TEST_CASE("DB iterator: empty DB and fully deleted DB", "[db][iterator]") {
  MemEnv env;
  Options options;
  options.env = &env;
  options.create_if_missing = true;
  std::unique_ptr<DB> db;
  REQUIRE(DB::Open(options, "/db", &db).ok());
  for (int pass = 0; pass < 2; pass++) {
    auto it = db->NewIterator(ReadOptions());
    it->SeekToFirst();
    REQUIRE_FALSE(it->Valid());
    it->SeekToLast();
    REQUIRE_FALSE(it->Valid());
    it->Seek("a");
    REQUIRE_FALSE(it->Valid());
    it->SeekForPrev("z");
    REQUIRE_FALSE(it->Valid());
    REQUIRE(it->status().ok());
    it.reset();
    for (const char* k : {"a", "b", "c"}) {
      REQUIRE(db->Put(WriteOptions(), k, "v").ok());
      REQUIRE(db->Delete(WriteOptions(), k).ok());
    }
  }
}

}  // namespace lsmkv
