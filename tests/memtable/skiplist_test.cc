#include "memtable/skiplist.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <thread>
#include <vector>

#include "support/test_util.h"
#include "util/arena.h"
#include "util/random.h"

namespace lsmkv {

namespace {

using Key = uint64_t;
struct Cmp {
  int operator()(const Key& a, const Key& b) const { return a < b ? -1 : (a > b ? 1 : 0); }
};
using List = SkipList<Key, Cmp>;

// A forward scan from the first key yields exactly the model, in order;
// leaves *it past the end.
void RequireScanMatches(List::Iterator* it, const std::set<Key>& model) {
  it->SeekToFirst();
  for (Key k : model) {
    REQUIRE(it->Valid());
    REQUIRE(it->key() == k);
    it->Next();
  }
  REQUIRE_FALSE(it->Valid());
}

}  // namespace

TEST_CASE("SkipList: empty list", "[skiplist]") {
  Arena arena;
  List list(Cmp(), &arena);
  REQUIRE_FALSE(list.Contains(10));
  List::Iterator it(&list);
  REQUIRE_FALSE(it.Valid());
  it.SeekToFirst();
  REQUIRE_FALSE(it.Valid());
  it.Seek(100);
  REQUIRE_FALSE(it.Valid());
  it.SeekForPrev(100);
  REQUIRE_FALSE(it.Valid());
  it.SeekToLast();
  REQUIRE_FALSE(it.Valid());
}

TEST_CASE("SkipList: random inserts match std::set", "[skiplist]") {
  const uint64_t seed = test::TestSeed(301);
  INFO("seed " << seed);
  Random rnd(seed);
  Arena arena;
  List list(Cmp(), &arena);
  std::set<Key> model;
  for (int i = 0; i < 20000; i++) {
    const Key k = rnd.Uniform(50000);
    if (model.insert(k).second) list.Insert(k);
  }
  for (Key k = 0; k < 50000; k += 7) REQUIRE(list.Contains(k) == (model.count(k) > 0));

  List::Iterator it(&list);
  RequireScanMatches(&it, model);

  it.SeekToLast();
  for (auto r = model.rbegin(); r != model.rend(); ++r) {
    REQUIRE(it.Valid());
    REQUIRE(it.key() == *r);
    it.Prev();
  }
  REQUIRE_FALSE(it.Valid());

  for (int i = 0; i < 2000; i++) {
    const Key target = rnd.Uniform(50010);
    it.Seek(target);
    auto lb = model.lower_bound(target);
    REQUIRE(it.Valid() == (lb != model.end()));
    if (it.Valid()) REQUIRE(it.key() == *lb);
    it.SeekForPrev(target);
    auto ub = model.upper_bound(target);
    REQUIRE(it.Valid() == (ub != model.begin()));
    if (it.Valid()) REQUIRE(it.key() == *std::prev(ub));
  }
}

// One writer inserts increasing keys while readers scan. A reader must see a
// sorted sequence, and every key present when its scan began.
// Appends take the tail fast path; inserts in the middle and before the
// first key take the search. Mixed, every level must stay sorted and
// complete: checked through Seek (which descends through all levels), a
// full scan, SeekToLast and Prev.
TEST_CASE("SkipList: appends mixed with middle inserts match std::set", "[skiplist]") {
  const uint64_t seed = test::TestSeed(77);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  Arena arena;
  List list(Cmp(), &arena);
  std::set<Key> model;
  Key next_append = 1000000;
  for (int i = 0; i < 20000; i++) {
    Key k;
    switch (rnd.Uniform(4)) {
      case 0: k = rnd.Uniform(next_append); break;  // somewhere in the middle
      case 1: k = next_append += 1 + rnd.Uniform(1000); break;  // append
      default: k = next_append += 1; break;  // dense append
    }
    if (!model.insert(k).second) continue;
    list.Insert(k);
    if (i % 1000 == 0) {
      List::Iterator it(&list);
      it.SeekToLast();
      REQUIRE(it.Valid());
      REQUIRE(it.key() == *model.rbegin());
    }
  }
  List::Iterator it(&list);
  RequireScanMatches(&it, model);
  for (int i = 0; i < 2000; i++) {
    const Key target = rnd.Uniform(next_append + 10);
    it.Seek(target);
    const auto m = model.lower_bound(target);
    REQUIRE(it.Valid() == (m != model.end()));
    if (m != model.end()) REQUIRE(it.key() == *m);
    REQUIRE(list.Contains(target) == (model.count(target) > 0));
  }
  it.SeekToLast();
  for (auto m = model.rbegin(); m != model.rend() && std::distance(model.rbegin(), m) < 500; ++m) {
    REQUIRE(it.Valid());
    REQUIRE(it.key() == *m);
    it.Prev();
  }
}

TEST_CASE("SkipList: one writer, concurrent lock-free readers", "[skiplist][concurrency]") {
  constexpr Key kKeys = 100000;
  Arena arena;
  List list(Cmp(), &arena);
  std::atomic<Key> published{0};  // keys [0, published) are inserted
  std::atomic<bool> failed{false};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; r++) {
    readers.emplace_back([&, r] {
      Random rnd(r + 1);
      while (published.load(std::memory_order_acquire) < kKeys && !failed.load()) {
        const Key floor = published.load(std::memory_order_acquire);
        List::Iterator it(&list);
        const Key start = floor == 0 ? 0 : rnd.Uniform(floor);
        it.Seek(start);
        Key expected = start;
        // Every key in [start, floor) must be there, in order.
        while (expected < floor) {
          if (!it.Valid() || it.key() != expected) {
            failed = true;
            return;
          }
          it.Next();
          expected++;
        }
        // Anything past floor must still be sorted.
        Key prev = expected == 0 ? 0 : expected - 1;
        for (int steps = 0; it.Valid() && steps < 100; steps++, it.Next()) {
          if (it.key() < prev) {
            failed = true;
            return;
          }
          prev = it.key();
        }
      }
    });
  }
  for (Key k = 0; k < kKeys; k++) {
    list.Insert(k);
    published.store(k + 1, std::memory_order_release);
  }
  for (auto& t : readers) t.join();
  REQUIRE_FALSE(failed.load());
}

}  // namespace lsmkv
