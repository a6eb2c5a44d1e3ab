// The merging iterator against a std::map model, with and without lazy
// seeks (children whose probe rules out the sought user key are sought only
// when their bound reaches the top of the heap).
#include "table/merging_iterator.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <functional>

#include "format/dbformat.h"
#include "support/test_util.h"
#include "util/random.h"

namespace lsmkv {

namespace {

const InternalKeyComparator kIcmp(BytewiseComparator());

struct IcmpLess {
  bool operator()(const std::string& a, const std::string& b) const {
    return kIcmp.Compare(a, b) < 0;
  }
};
using Model = std::map<std::string, std::string, IcmpLess>;

// A sorted in-memory child that counts its seeks.
class ModelIterator final : public Iterator {
 public:
  explicit ModelIterator(Model entries) : entries_(std::move(entries)), pos_(entries_.end()) {}

  bool Valid() const override { return pos_ != entries_.end(); }
  void SeekToFirst() override {
    seeks_++;
    pos_ = entries_.begin();
  }
  void SeekToLast() override {
    seeks_++;
    pos_ = entries_.empty() ? entries_.end() : std::prev(entries_.end());
  }
  void Seek(const Slice& target) override {
    seeks_++;
    pos_ = entries_.lower_bound(target.ToString());
  }
  void SeekForPrev(const Slice& target) override {
    seeks_++;
    auto ub = entries_.upper_bound(target.ToString());
    pos_ = ub == entries_.begin() ? entries_.end() : std::prev(ub);
  }
  void Next() override {
    REQUIRE(Valid());
    ++pos_;
  }
  void Prev() override {
    REQUIRE(Valid());
    pos_ = pos_ == entries_.begin() ? entries_.end() : std::prev(pos_);
  }
  Slice key() const override {
    REQUIRE(Valid());
    return pos_->first;
  }
  Slice value() const override {
    REQUIRE(Valid());
    return pos_->second;
  }
  Status status() const override { return Status::OK(); }

  bool HoldsUserKey(const Slice& user_key) const {
    for (const auto& [k, v] : entries_) {
      if (ExtractUserKey(k) == user_key) return true;
    }
    return false;
  }
  int seeks() const { return seeks_; }

 private:
  const Model entries_;
  Model::const_iterator pos_;
  int seeks_ = 0;
};

std::string UserKey(Random* rnd) { return "u" + std::to_string(100 + rnd->Uniform(150)); }

std::string IKey(const std::string& user_key, SequenceNumber seq, ValueType type) {
  std::string k;
  AppendInternalKey(&k, user_key, seq, type);
  return k;
}

// The model's last entry at or before target (SeekForPrev), or end().
Model::const_iterator LastAtOrBefore(const Model& all, const std::string& target) {
  auto ub = all.upper_bound(target);
  return ub == all.begin() ? all.end() : std::prev(ub);
}

// The iterator is OK and at pos of the model (not valid at end()).
void RequireAt(const Iterator* it, const Model& all, Model::const_iterator pos) {
  REQUIRE(it->status().ok());
  REQUIRE(it->Valid() == (pos != all.end()));
  if (it->Valid()) {
    REQUIRE(it->key().ToString() == pos->first);
    REQUIRE(it->value().ToString() == pos->second);
  }
}

struct Fixture {
  Model all;
  std::vector<ModelIterator*> children;  // owned by the merging iterator
  std::unique_ptr<Iterator> merged;

  // probe_mode 0: no probes; 1: exact probes; 2: probes with false positives
  // and some children without a probe.
  Fixture(Random* rnd, int num_children, int probe_mode) {
    std::vector<Model> parts(num_children);
    SequenceNumber seq = 1;
    const int n = static_cast<int>(rnd->Uniform(200));
    for (int i = 0; i < n; i++) {
      // Sequence 0 and deletions too: (u, 0, kTypeDeletion) is the lazy bound.
      const SequenceNumber s = rnd->OneIn(20) ? 0 : seq++;
      const std::string k =
          IKey(UserKey(rnd), s, rnd->OneIn(4) ? kTypeDeletion : kTypeValue);
      if (all.count(k) != 0) continue;  // internal keys are unique across children
      const std::string v = "v" + std::to_string(i);
      all[k] = v;
      parts[rnd->Uniform(num_children)][k] = v;
    }
    std::vector<std::unique_ptr<Iterator>> owned;
    std::vector<UserKeyProbe> probes;
    for (auto& p : parts) {
      auto child = std::make_unique<ModelIterator>(std::move(p));
      ModelIterator* raw = child.get();
      children.push_back(raw);
      owned.push_back(std::move(child));
      if (probe_mode == 0 || (probe_mode == 2 && rnd->OneIn(4))) {
        probes.emplace_back();
      } else if (probe_mode == 1) {
        probes.emplace_back([raw](const Slice& t) { return raw->HoldsUserKey(ExtractUserKey(t)); });
      } else {
        const uint64_t fp_seed = rnd->Next64();
        probes.emplace_back([raw, fp_seed](const Slice& t) {
          return raw->HoldsUserKey(ExtractUserKey(t)) ||
                 (fp_seed ^ std::hash<std::string>()(t.ToString())) % 3 == 0;
        });
      }
    }
    merged = NewMergingIterator(&kIcmp, std::move(owned), std::move(probes));
  }
};

}  // namespace

TEST_CASE("Merging iterator: random walks with lazy seeks match std::map",
          "[table][iterator][merging][model]") {
  const uint64_t seed = test::TestSeed(1414);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  for (int probe_mode = 0; probe_mode < 3; probe_mode++) {
    for (int round = 0; round < 60; round++) {
      INFO("probe mode " << probe_mode << ", round " << round);
      Fixture f(&rnd, 2 + static_cast<int>(rnd.Uniform(6)), probe_mode);
      Iterator* it = f.merged.get();
      Model::const_iterator pos = f.all.end();
      for (int step = 0; step < 300; step++) {
        const uint64_t op = rnd.Uniform(8);
        const std::string target =
            IKey(UserKey(&rnd), rnd.OneIn(5) ? 0 : rnd.Uniform(300), kValueTypeForSeek);
        if (op >= 5 && pos == f.all.end()) continue;  // Next/Prev need a position
        switch (op) {
          case 0:
            it->SeekToFirst();
            pos = f.all.begin();
            break;
          case 1:
            it->SeekToLast();
            pos = f.all.empty() ? f.all.end() : std::prev(f.all.end());
            break;
          case 2:
          case 3:
            it->Seek(target);
            pos = f.all.lower_bound(target);
            break;
          case 4: {
            it->SeekForPrev(target);
            pos = LastAtOrBefore(f.all, target);
            break;
          }
          case 5:
          case 6:
            it->Next();
            ++pos;
            break;
          case 7:
            it->Prev();
            pos = pos == f.all.begin() ? f.all.end() : std::prev(pos);
            break;
        }
        INFO("step " << step << " op " << op);
        RequireAt(it, f.all, pos);
      }
    }
  }
}

TEST_CASE("Merging iterator: a seek for a present key does not seek the children ruled out",
          "[table][iterator][merging]") {
  const uint64_t seed = test::TestSeed(1415);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  int lazy_checked = 0;
  for (int round = 0; round < 50; round++) {
    Fixture f(&rnd, 6, /*probe_mode=*/1);
    if (f.all.empty()) continue;
    for (int step = 0; step < 50; step++) {
      // A user key that is present, sought at a sequence that sees it.
      auto pick = f.all.begin();
      std::advance(pick, rnd.Uniform(f.all.size()));
      const Slice user_key = ExtractUserKey(pick->first);
      const std::string target = IKey(user_key.ToString(), kMaxSequenceNumber, kValueTypeForSeek);
      std::vector<int> before;
      for (ModelIterator* c : f.children) before.push_back(c->seeks());
      f.merged->Seek(target);
      REQUIRE(f.merged->Valid());
      REQUIRE(f.merged->key().ToString() == f.all.lower_bound(target)->first);
      for (size_t i = 0; i < f.children.size(); i++) {
        const bool holds = f.children[i]->HoldsUserKey(user_key);
        INFO("child " << i << " holds the key: " << holds);
        REQUIRE(f.children[i]->seeks() - before[i] == (holds ? 1 : 0));
        if (!holds) lazy_checked++;
      }
      // Stepping on past the key seeks the lazy children as needed; the
      // order stays right (the walk test checks the rest).
      f.merged->Next();
      auto expect = std::next(f.all.lower_bound(target));
      REQUIRE(f.merged->Valid() == (expect != f.all.end()));
      if (f.merged->Valid()) REQUIRE(f.merged->key().ToString() == expect->first);
    }
  }
  REQUIRE(lazy_checked > 100);
}

// Children holding runs of consecutive keys (as levels and tables do), so
// that the same child stays on top for many steps and then hands over: the
// runner-up kept between steps must be forgotten whenever the top changes.
TEST_CASE("Merging iterator: children holding runs of keys, long walks both ways, match std::map",
          "[table][iterator][merging][model]") {
  const uint64_t seed = test::TestSeed(1417);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  for (int round = 0; round < 200; round++) {
    INFO("round " << round);
    const int num_children = 2 + static_cast<int>(rnd.Uniform(7));
    Model all;
    SequenceNumber seq = 1;
    const int n = static_cast<int>(rnd.Uniform(400));
    for (int i = 0; i < n; i++) {
      const std::string k =
          IKey(UserKey(&rnd), rnd.OneIn(20) ? 0 : seq++, rnd.OneIn(4) ? kTypeDeletion : kTypeValue);
      all.emplace(k, "v" + std::to_string(i));
    }
    // Walk the keys in order, handing each run (1 to 30 keys) to a random
    // child; some children get nothing.
    std::vector<Model> parts(num_children);
    size_t child = 0;
    int run_left = 0;
    for (const auto& [k, v] : all) {
      if (run_left == 0) {
        child = rnd.Uniform(num_children);
        run_left = 1 + static_cast<int>(rnd.Uniform(30));
      }
      parts[child][k] = v;
      run_left--;
    }
    std::vector<std::unique_ptr<Iterator>> owned;
    std::vector<UserKeyProbe> probes;
    for (auto& p : parts) {
      auto c = std::make_unique<ModelIterator>(std::move(p));
      ModelIterator* raw = c.get();
      owned.push_back(std::move(c));
      probes.emplace_back([raw](const Slice& t) { return raw->HoldsUserKey(ExtractUserKey(t)); });
    }
    auto merged = NewMergingIterator(&kIcmp, std::move(owned),
                                     rnd.OneIn(2) ? std::move(probes) : std::vector<UserKeyProbe>());
    Model::const_iterator pos = all.end();
    for (int step = 0; step < 100; step++) {
      const uint64_t op = rnd.Uniform(5);
      if (op == 0) {
        merged->SeekToFirst();
        pos = all.begin();
      } else if (op == 1) {
        merged->SeekToLast();
        pos = all.empty() ? all.end() : std::prev(all.end());
      } else if (op == 2) {
        const std::string target = IKey(UserKey(&rnd), rnd.Uniform(500), kValueTypeForSeek);
        merged->Seek(target);
        pos = all.lower_bound(target);
      } else {
        // A run of steps in one direction: across several children's runs.
        const bool forward = op == 3;
        const int steps = 1 + static_cast<int>(rnd.Uniform(60));
        for (int i = 0; i < steps && pos != all.end(); i++) {
          if (forward) {
            merged->Next();
            ++pos;
          } else {
            merged->Prev();
            pos = pos == all.begin() ? all.end() : std::prev(pos);
          }
          REQUIRE(merged->Valid() == (pos != all.end()));
          if (merged->Valid()) REQUIRE(merged->key().ToString() == pos->first);
        }
      }
      INFO("step " << step << " op " << op);
      REQUIRE(merged->status().ok());
      REQUIRE(merged->Valid() == (pos != all.end()));
      if (merged->Valid()) {
        REQUIRE(merged->key().ToString() == pos->first);
        REQUIRE(merged->value().ToString() == pos->second);
      }
    }
  }
}

// Children ordered newest first (ChildOrder::kNewestFirst), as the DB
// passes them: the versions of each user key are spread over the children
// so that a later child holds only older versions. Seeks at random
// sequence numbers (snapshots), deletions, probes on and off, mixed with
// steps both ways, against the std::map of all entries.
struct NewestFirstFixture {
  Model all;
  std::vector<ModelIterator*> children;  // owned by the merging iterator
  std::unique_ptr<Iterator> merged;

  NewestFirstFixture(Random* rnd, int num_children, bool with_probes) {
    std::vector<Model> parts(num_children);
    SequenceNumber seq = 1000;  // counts down: older versions get smaller numbers
    const int num_user_keys = static_cast<int>(rnd->Uniform(80));
    std::set<std::string> user_keys;
    for (int i = 0; i < num_user_keys; i++) user_keys.insert(UserKey(rnd));
    int value_number = 0;
    for (const std::string& u : user_keys) {
      // Newest version first, each in the same child as the one before it
      // or a later one.
      const int versions = 1 + static_cast<int>(rnd->Uniform(4));
      size_t child = rnd->Uniform(num_children);
      for (int v = 0; v < versions; v++) {
        const SequenceNumber s = (v == versions - 1 && rnd->OneIn(10)) ? 0 : seq--;
        const std::string k = IKey(u, s, rnd->OneIn(4) ? kTypeDeletion : kTypeValue);
        const std::string value = "v" + std::to_string(value_number++);
        all[k] = value;
        parts[child][k] = value;
        if (rnd->OneIn(2)) child += rnd->Uniform(num_children - child);
      }
      seq -= rnd->Uniform(3);
    }
    std::vector<std::unique_ptr<Iterator>> owned;
    std::vector<UserKeyProbe> probes;
    for (auto& p : parts) {
      auto child = std::make_unique<ModelIterator>(std::move(p));
      ModelIterator* raw = child.get();
      children.push_back(raw);
      owned.push_back(std::move(child));
      if (with_probes && !rnd->OneIn(4)) {
        probes.emplace_back([raw](const Slice& t) { return raw->HoldsUserKey(ExtractUserKey(t)); });
      } else {
        probes.emplace_back();
      }
    }
    merged = NewMergingIterator(&kIcmp, std::move(owned),
                                with_probes ? std::move(probes) : std::vector<UserKeyProbe>(),
                                ChildOrder::kNewestFirst);
  }
};

TEST_CASE("Merging iterator: children newest first, random walks with snapshots match std::map",
          "[table][iterator][merging][model]") {
  const uint64_t seed = test::TestSeed(1418);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  for (int round = 0; round < 300; round++) {
    INFO("round " << round);
    NewestFirstFixture f(&rnd, 1 + static_cast<int>(rnd.Uniform(7)), rnd.OneIn(2));
    Iterator* it = f.merged.get();
    Model::const_iterator pos = f.all.end();
    for (int step = 0; step < 200; step++) {
      const uint64_t op = rnd.Uniform(9);
      // Present user keys most of the time, at the newest sequence or a
      // snapshot's.
      std::string user_key = UserKey(&rnd);
      if (!f.all.empty() && !rnd.OneIn(4)) {
        auto pick = f.all.begin();
        std::advance(pick, rnd.Uniform(f.all.size()));
        user_key = ExtractUserKey(pick->first).ToString();
      }
      const SequenceNumber at = rnd.OneIn(3) ? kMaxSequenceNumber : rnd.Uniform(1001);
      const std::string target = IKey(user_key, at, kValueTypeForSeek);
      if (op >= 6 && pos == f.all.end()) continue;  // Next/Prev need a position
      switch (op) {
        case 0:
          it->SeekToFirst();
          pos = f.all.begin();
          break;
        case 1:
          it->SeekToLast();
          pos = f.all.empty() ? f.all.end() : std::prev(f.all.end());
          break;
        case 2:
        case 3:
        case 4:
          it->Seek(target);
          pos = f.all.lower_bound(target);
          break;
        case 5: {
          it->SeekForPrev(target);
          pos = LastAtOrBefore(f.all, target);
          break;
        }
        case 6:
        case 7: {
          // A run of steps forward (through the lazy children) ...
          const int steps = 1 + static_cast<int>(rnd.Uniform(8));
          for (int i = 0; i < steps && pos != f.all.end(); i++) {
            it->Next();
            ++pos;
            REQUIRE(it->Valid() == (pos != f.all.end()));
            if (it->Valid()) REQUIRE(it->key().ToString() == pos->first);
          }
          break;
        }
        case 8:
          // ... or back: turning around re-seeks every child, lazy or not.
          it->Prev();
          pos = pos == f.all.begin() ? f.all.end() : std::prev(pos);
          break;
      }
      INFO("step " << step << " op " << op);
      RequireAt(it, f.all, pos);
    }
  }
}

TEST_CASE("Merging iterator: children newest first, a seek stops at the newest version's child",
          "[table][iterator][merging]") {
  const uint64_t seed = test::TestSeed(1419);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  int deeper_skipped = 0;
  for (int round = 0; round < 100; round++) {
    NewestFirstFixture f(&rnd, 2 + static_cast<int>(rnd.Uniform(5)), /*with_probes=*/false);
    if (f.all.empty()) continue;
    for (int step = 0; step < 30; step++) {
      auto pick = f.all.begin();
      std::advance(pick, rnd.Uniform(f.all.size()));
      const Slice user_key = ExtractUserKey(pick->first);
      const std::string target = IKey(user_key.ToString(), kMaxSequenceNumber, kValueTypeForSeek);
      std::vector<int> before;
      for (ModelIterator* c : f.children) before.push_back(c->seeks());
      f.merged->Seek(target);
      REQUIRE(f.merged->Valid());
      REQUIRE(f.merged->key().ToString() == f.all.lower_bound(target)->first);
      // Children up to the first holding the key are sought; none after it.
      size_t first_holder = f.children.size();
      for (size_t i = 0; i < f.children.size() && first_holder == f.children.size(); i++) {
        if (f.children[i]->HoldsUserKey(user_key)) first_holder = i;
      }
      REQUIRE(first_holder < f.children.size());
      for (size_t i = 0; i < f.children.size(); i++) {
        INFO("child " << i << ", first holder " << first_holder);
        REQUIRE(f.children[i]->seeks() - before[i] == (i <= first_holder ? 1 : 0));
        if (i > first_holder && f.children[i]->HoldsUserKey(user_key)) deeper_skipped++;
      }
      // Every version of the key, then the next key, in order.
      auto expect = f.all.lower_bound(target);
      for (int i = 0; i < 5 && expect != f.all.end(); i++) {
        f.merged->Next();
        ++expect;
        REQUIRE(f.merged->Valid() == (expect != f.all.end()));
        if (f.merged->Valid()) REQUIRE(f.merged->key().ToString() == expect->first);
      }
    }
  }
  REQUIRE(deeper_skipped > 100);  // older versions in deeper children were left unsought
}

}  // namespace lsmkv
