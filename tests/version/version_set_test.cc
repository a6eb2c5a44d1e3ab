#include "version/version_set.h"

#include <catch2/catch.hpp>

#include "format/filename.h"
#include "support/fault_env.h"
#include "support/mem_env.h"
#include "version/compaction.h"

namespace lsmkv {

namespace {

FileMetaData File(uint64_t number, const std::string& smallest, const std::string& largest,
                  uint64_t size = 1000) {
  FileMetaData f;
  f.number = number;
  f.file_size = size;
  AppendInternalKey(&f.smallest, smallest, 100, kTypeValue);
  AppendInternalKey(&f.largest, largest, 100, kTypeValue);
  return f;
}

struct Fixture {
  MemEnv env;
  InternalKeyComparator icmp{BytewiseComparator()};
  LevelOptions lo;
  std::unique_ptr<VersionSet> versions;

  explicit Fixture(uint64_t target_file_size = 2 << 20) {
    REQUIRE(env.CreateDir("/db").ok());
    lo.target_file_size = target_file_size;
    lo.max_manifest_bytes = 2048;
    lo.level0_file_num_compaction_trigger = 2;
    lo.max_bytes_for_level_base = 10000;
    versions = std::make_unique<VersionSet>("/db", &env, &icmp, lo);
    REQUIRE(versions->CreateNew(BytewiseComparator()->Name()).ok());
    REQUIRE(versions->Recover(BytewiseComparator()->Name()).ok());
    VersionEdit start;
    REQUIRE(versions->WriteSnapshot(start).ok());
  }
  void Reopen() {
    versions = std::make_unique<VersionSet>("/db", &env, &icmp, lo);
    REQUIRE(versions->Recover(BytewiseComparator()->Name()).ok());
  }
};

}  // namespace

TEST_CASE("VersionSet: edits survive reopen and the MANIFEST rolls over", "[version_set]") {
  Fixture f;
  const uint64_t first_manifest = f.versions->manifest_number();
  for (uint64_t i = 0; i < 200; i++) {
    VersionEdit edit;
    edit.AddFile(1, File(100 + i, "k" + std::to_string(1000 + i), "k" + std::to_string(1000 + i) + "z"));
    if (i >= 10) edit.RemoveFile(1, 100 + i - 10);
    REQUIRE(f.versions->LogAndApply(&edit).ok());
  }
  REQUIRE(f.versions->current()->NumFiles(1) == 10);
  REQUIRE(f.versions->manifest_number() != first_manifest);  // rolled over
  // The MANIFEST in use before the roll-over is removed after the switch.
  REQUIRE_FALSE(f.env.FileExists(DescriptorFileName("/db", first_manifest)));
  REQUIRE(f.env.FileExists(DescriptorFileName("/db", f.versions->manifest_number())));
  f.Reopen();
  REQUIRE(f.versions->current()->NumFiles(1) == 10);
  REQUIRE(f.versions->current()->files[1].front()->number == 290);
}

TEST_CASE("VersionSet: bad edits are refused", "[version_set]") {
  Fixture f;
  VersionEdit add;
  add.AddFile(1, File(7, "a", "b"));
  REQUIRE(f.versions->LogAndApply(&add).ok());
  VersionEdit again;
  again.AddFile(2, File(7, "c", "d"));
  REQUIRE(f.versions->LogAndApply(&again).IsCorruption());
  VersionEdit remove_missing;
  remove_missing.RemoveFile(3, 7);
  REQUIRE(f.versions->LogAndApply(&remove_missing).IsCorruption());
  // Levels >= 1 hold disjoint files: an overlapping one is refused (and
  // nothing is written), at level 0 it is fine.
  VersionEdit overlap;
  overlap.AddFile(1, File(8, "b", "c"));
  const Status s = f.versions->LogAndApply(&overlap);
  REQUIRE(s.IsCorruption());
  REQUIRE(s.ToString().find("files 7 and 8 overlap at level 1") != std::string::npos);
  VersionEdit level0;
  level0.AddFile(0, File(8, "b", "c"));
  level0.AddFile(0, File(9, "a", "c"));
  REQUIRE(f.versions->LogAndApply(&level0).ok());
  f.Reopen();
  REQUIRE(f.versions->current()->NumFiles(0) == 2);
  REQUIRE(f.versions->current()->NumFiles(1) == 1);
}

TEST_CASE("VersionSet: picks level 0 by file count, deeper levels by size, round robin",
          "[version_set]") {
  Fixture f;
  const std::set<uint64_t> none;
  REQUIRE(f.versions->PickCompaction(none, false) == nullptr);
  VersionEdit edit;
  edit.AddFile(0, File(10, "a", "m"));
  edit.AddFile(0, File(11, "k", "z"));
  edit.AddFile(1, File(12, "b", "c"));
  edit.AddFile(1, File(13, "x", "y"));
  edit.AddFile(2, File(14, "a", "z"));
  REQUIRE(f.versions->LogAndApply(&edit).ok());
  auto c = f.versions->PickCompaction(none, false);
  REQUIRE(c != nullptr);
  REQUIRE(c->level() == 0);
  REQUIRE(c->inputs[0].size() == 2);  // overlapping level-0 files go together
  REQUIRE(c->inputs[1].size() == 2);
  REQUIRE(c->grandparents.size() == 1);
  REQUIRE_FALSE(c->IsTrivialMove());
  REQUIRE(f.versions->PickCompaction(none, /*level0_busy=*/true) == nullptr);
  REQUIRE(f.versions->PickCompaction({12}, false) == nullptr);  // an input is busy

  // Level 1 over its budget: its files are picked in turn.
  VersionEdit big;
  big.RemoveFile(0, 10);
  big.RemoveFile(0, 11);
  big.RemoveFile(1, 12);
  big.RemoveFile(1, 13);
  big.AddFile(1, File(20, "b", "c", 8000));
  big.AddFile(1, File(21, "x", "y", 8000));
  REQUIRE(f.versions->LogAndApply(&big).ok());
  c = f.versions->PickCompaction(none, false);
  REQUIRE(c != nullptr);
  REQUIRE(c->level() == 1);
  REQUIRE(c->inputs[0][0]->number == 20);
  REQUIRE(f.versions->LogAndApply(&c->edit).ok());  // records the compaction pointer
  c = f.versions->PickCompaction(none, false);
  REQUIRE(c->inputs[0][0]->number == 21);
  f.Reopen();  // the pointer is persistent
  c = f.versions->PickCompaction(none, false);
  REQUIRE(c->inputs[0][0]->number == 21);
}

TEST_CASE("Compaction: base level and output splitting", "[version_set]") {
  Fixture f;
  VersionEdit edit;
  edit.AddFile(1, File(10, "c", "d"));
  edit.AddFile(3, File(11, "f", "g"));
  edit.AddFile(3, File(12, "p", "q"));
  REQUIRE(f.versions->LogAndApply(&edit).ok());
  bool conflict = false;
  const Slice begin("a"), end("z");
  auto c = f.versions->CompactRange(1, false, &begin, &end, {}, false, &conflict);
  REQUIRE(c != nullptr);
  REQUIRE(c->IsBaseLevelForKey("a"));
  REQUIRE_FALSE(c->IsBaseLevelForKey("f"));
  REQUIRE(c->IsBaseLevelForKey("h"));
  REQUIRE_FALSE(c->IsBaseLevelForKey("q"));
  REQUIRE(c->IsBaseLevelForKey("r"));
  REQUIRE(f.versions->CompactRange(1, false, &begin, &end, {10}, false, &conflict) == nullptr);
  REQUIRE(conflict);
  const Slice none_begin("x"), none_end("y");
  REQUIRE(f.versions->CompactRange(1, false, &none_begin, &none_end, {}, false, &conflict) == nullptr);
  REQUIRE_FALSE(conflict);
  // In place: level 1 into itself; the levels below the output still count.
  auto in_place = f.versions->CompactRange(1, true, &begin, &end, {}, false, &conflict);
  REQUIRE(in_place != nullptr);
  REQUIRE(in_place->output_level() == 1);
  REQUIRE(in_place->inputs[1].empty());
  REQUIRE_FALSE(in_place->IsBaseLevelForKey("f"));
}

}  // namespace lsmkv

namespace lsmkv {

// A MANIFEST roll-over that fails (here: renaming CURRENT) leaves the
// edit's fate unknown: every later LogAndApply returns the error without
// appending to the old MANIFEST, until RewriteManifest writes a new one.
TEST_CASE("VersionSet: a failed MANIFEST roll-over is sticky until RewriteManifest", "[version_set]") {
  MemEnv mem;
  FaultEnv env(&mem);
  InternalKeyComparator icmp{BytewiseComparator()};
  LevelOptions lo;
  lo.max_manifest_bytes = 2048;
  REQUIRE(env.CreateDir("/db").ok());
  auto versions = std::make_unique<VersionSet>("/db", &env, &icmp, lo);
  REQUIRE(versions->CreateNew(BytewiseComparator()->Name()).ok());
  REQUIRE(versions->Recover(BytewiseComparator()->Name()).ok());
  REQUIRE(versions->WriteSnapshot(VersionEdit()).ok());
  const uint64_t first_manifest = versions->manifest_number();
  uint64_t next = 100;
  Status s;
  // Edits until the roll-over, whose CURRENT rename fails.
  env.FailNth(FaultEnv::Op::kRename, 1);
  while (s.ok()) {
    VersionEdit edit;
    edit.AddFile(1, File(next, "k" + std::to_string(next), "k" + std::to_string(next) + "z"));
    s = versions->LogAndApply(&edit);
    if (s.ok()) next++;
  }
  env.ClearFailures();
  REQUIRE(versions->manifest_number() == first_manifest);
  REQUIRE(!versions->manifest_error().ok());
  uint64_t size = 0;
  REQUIRE(mem.GetFileSize(DescriptorFileName("/db", first_manifest), &size).ok());
  VersionEdit later;
  later.AddFile(1, File(next + 1, "z1", "z2"));
  REQUIRE(versions->LogAndApply(&later).IsIOError());  // sticky, nothing appended
  uint64_t size_after = 0;
  REQUIRE(mem.GetFileSize(DescriptorFileName("/db", first_manifest), &size_after).ok());
  REQUIRE(size_after == size);
  REQUIRE(versions->RewriteManifest().ok());
  REQUIRE(versions->manifest_error().ok());
  REQUIRE(versions->LogAndApply(&later).ok());
  const int files = versions->current()->NumFiles(1);
  versions = std::make_unique<VersionSet>("/db", &env, &icmp, lo);
  REQUIRE(versions->Recover(BytewiseComparator()->Name()).ok());
  REQUIRE(versions->current()->NumFiles(1) == files);  // the failed edit's file is not there
  REQUIRE(files == static_cast<int>(next - 100) + 1);
}

}  // namespace lsmkv

namespace lsmkv {

TEST_CASE("VersionSet: level0_only picks nothing but a level-0 compaction", "[version_set]") {
  Fixture f;
  VersionEdit edit;
  edit.AddFile(1, File(20, "b", "c", 8000));  // level 1 over its budget (score 1.6)
  edit.AddFile(1, File(21, "x", "y", 8000));
  REQUIRE(f.versions->LogAndApply(&edit).ok());
  REQUIRE(f.versions->PickCompaction({}, false, -1, /*level0_only=*/true) == nullptr);
  VersionEdit l0;
  l0.AddFile(0, File(30, "a", "m"));
  l0.AddFile(0, File(31, "k", "z"));
  REQUIRE(f.versions->LogAndApply(&l0).ok());  // level 0 at its trigger (score 1)
  auto c = f.versions->PickCompaction({}, false, -1, /*level0_only=*/true);
  REQUIRE(c != nullptr);
  REQUIRE(c->level() == 0);
  // Without the restriction, level 1 (the higher score) goes first.
  c = f.versions->PickCompaction({}, false);
  REQUIRE(c != nullptr);
  REQUIRE(c->level() == 1);
}

TEST_CASE("VersionSet: a size compaction of a level far over budget takes its excess in one bite",
          "[version_set]") {
  Fixture f(/*target_file_size=*/1000);  // level-1 budget 10,000 bytes; bites of at most 8 x 1,000
  VersionEdit edit;
  // Level 1: twelve 1,000-byte files "a0".."a9", "b0", "b1" (12,000 bytes,
  // 2,000 over budget), each overlapping level 2's one file.
  for (int i = 0; i < 12; i++) {
    const std::string key = std::string(1, static_cast<char>('a' + i / 10)) + std::to_string(i % 10);
    edit.AddFile(1, File(100 + i, key + "a", key + "z"));
  }
  edit.AddFile(2, File(200, "a", "c"));
  REQUIRE(f.versions->LogAndApply(&edit).ok());

  // Over by 2,000: two files, the first and its neighbour.
  auto c = f.versions->PickCompaction({}, false);
  REQUIRE(c != nullptr);
  REQUIRE(c->level() == 1);
  REQUIRE(c->inputs[0].size() == 2);
  REQUIRE(c->inputs[0][0]->number == 100);
  REQUIRE(c->inputs[0][1]->number == 101);
  REQUIRE(c->inputs[1].size() == 1);

  // Over by 20,000 (30 files): the bite stops at the 8,000-byte cap.
  VersionEdit more;
  for (int i = 12; i < 30; i++) more.AddFile(1, File(100 + i, "c" + std::to_string(100 + i) + "a", "c" + std::to_string(100 + i) + "z"));
  more.AddFile(2, File(201, "c0", "d"));
  REQUIRE(f.versions->LogAndApply(&more).ok());
  c = f.versions->PickCompaction({}, false);
  REQUIRE(c != nullptr);
  REQUIRE(c->inputs[0].size() == 8);
  for (size_t i = 0; i < 8; i++) REQUIRE(c->inputs[0][i]->number == 100 + i);

  // A busy neighbour ends the bite.
  c = f.versions->PickCompaction({103}, false);
  REQUIRE(c != nullptr);
  REQUIRE(c->inputs[0].size() == 3);

  // The compaction pointer moves past the whole bite: the next one starts
  // after it.
  c = f.versions->PickCompaction({}, false);
  REQUIRE(f.versions->LogAndApply(&c->edit).ok());
  c = f.versions->PickCompaction({}, false);
  REQUIRE(c != nullptr);
  REQUIRE(c->inputs[0][0]->number == 108);
  REQUIRE(c->inputs[0].size() == 8);
}

TEST_CASE("VersionSet: a level file with nothing below it still moves down alone", "[version_set]") {
  Fixture f(/*target_file_size=*/1000);
  VersionEdit edit;
  // Level 1 far over budget; level 2 holds only "m".."n".
  for (int i = 0; i < 30; i++) edit.AddFile(1, File(100 + i, "k" + std::to_string(100 + i) + "a", "k" + std::to_string(100 + i) + "z"));
  edit.AddFile(2, File(200, "m", "n"));
  REQUIRE(f.versions->LogAndApply(&edit).ok());
  // The first file overlaps nothing at level 2: a trivial move, no bite.
  auto c = f.versions->PickCompaction({}, false);
  REQUIRE(c != nullptr);
  REQUIRE(c->inputs[0].size() == 1);
  REQUIRE(c->IsTrivialMove());

  // A bite ends before a file that could move down alone.
  VersionEdit shape;
  for (int i = 0; i < 30; i++) shape.RemoveFile(1, 100 + i);
  shape.RemoveFile(2, 200);
  for (int i = 0; i < 30; i++) shape.AddFile(1, File(300 + i, "k" + std::to_string(100 + i) + "a", "k" + std::to_string(100 + i) + "z"));
  shape.AddFile(2, File(400, "k100", "k102z"));  // under the first three level-1 files only
  REQUIRE(f.versions->LogAndApply(&shape).ok());
  c = f.versions->PickCompaction({}, false);
  REQUIRE(c != nullptr);
  REQUIRE(c->inputs[0].size() == 3);
  REQUIRE(c->inputs[1].size() == 1);
}

TEST_CASE("VersionSet: a table out of seek budget is compacted once no size compaction is due", "[version_set]") {
  Fixture f;
  VersionEdit edit;
  edit.AddFile(1, File(10, "c", "f", 1000));
  edit.AddFile(2, File(11, "a", "d", 1000));
  edit.AddFile(2, File(12, "e", "h", 1000));
  edit.AddFile(kNumLevels - 1, File(13, "a", "z", 1000));
  REQUIRE(f.versions->LogAndApply(&edit).ok());
  const std::shared_ptr<const Version> v = f.versions->current();
  const FilePtr file = v->files[1][0];
  // A budget of at least 100 lookups, used up by exactly one charge.
  REQUIRE(file->allowed_seeks.remaining() == 100);
  REQUIRE_FALSE(file->allowed_seeks.Charge(99));
  REQUIRE(file->allowed_seeks.Charge(1));
  REQUIRE_FALSE(file->allowed_seeks.Charge(1));
  REQUIRE(f.versions->PickCompaction({}, false) == nullptr);  // nothing due yet

  // The last level has nothing below; a file of an older Version is not
  // the current one's.
  REQUIRE_FALSE(f.versions->NoteSeekBudgetExhausted(kNumLevels - 1, v->files[kNumLevels - 1][0]));
  auto stale = std::make_shared<const FileMetaData>(*file);
  REQUIRE_FALSE(f.versions->NoteSeekBudgetExhausted(1, stale));
  REQUIRE(f.versions->NoteSeekBudgetExhausted(1, file));
  REQUIRE(f.versions->seek_candidate_number() == 10);
  REQUIRE_FALSE(f.versions->NoteSeekBudgetExhausted(2, v->files[2][0]));  // one candidate at a time

  // Busy, or level 0 only: it waits.
  REQUIRE(f.versions->PickCompaction({11}, false) == nullptr);
  REQUIRE(f.versions->PickCompaction({}, false, -1, /*level0_only=*/true) == nullptr);
  REQUIRE(f.versions->PickCompaction({}, false, /*blocked_output_level=*/2) == nullptr);
  auto c = f.versions->PickCompaction({}, false);
  REQUIRE(c != nullptr);
  REQUIRE(c->read_triggered);
  REQUIRE(c->level() == 1);
  REQUIRE(c->inputs[0].size() == 1);
  REQUIRE(c->inputs[0][0]->number == 10);
  REQUIRE(c->inputs[1].size() == 2);  // both level-2 files overlap [c, f]
  REQUIRE(c->edit.compact_pointers().empty());  // the size round robin is left alone
  REQUIRE(f.versions->seek_candidate_number() == 0);  // taken
  REQUIRE(f.versions->PickCompaction({}, false) == nullptr);

  // A candidate whose file leaves the current Version is dropped.
  REQUIRE(f.versions->NoteSeekBudgetExhausted(2, v->files[2][1]));
  VersionEdit remove;
  remove.RemoveFile(2, 12);
  REQUIRE(f.versions->LogAndApply(&remove).ok());
  REQUIRE(f.versions->seek_candidate_number() == 0);
}

TEST_CASE("Compaction: a level-0 compaction splits at level-1 file boundaries by bytes", "[version_set]") {
  Fixture f;
  VersionEdit edit;
  edit.AddFile(0, File(10, "a", "z", 4000));
  edit.AddFile(0, File(11, "a", "z", 4000));
  edit.AddFile(1, File(20, "b", "c", 1000));
  edit.AddFile(1, File(21, "d", "e", 1000));
  edit.AddFile(1, File(22, "f", "g", 1000));
  edit.AddFile(1, File(23, "h", "i", 1000));
  REQUIRE(f.versions->LogAndApply(&edit).ok());
  auto c = f.versions->PickCompaction({}, false);
  REQUIRE(c != nullptr);
  REQUIRE(c->level() == 0);
  REQUIRE(c->inputs[1].size() == 4);
  REQUIRE(c->SplitPoints(1).empty());
  REQUIRE(c->SplitPoints(2) == std::vector<std::string>{"f"});
  REQUIRE(c->SplitPoints(4) == std::vector<std::string>{"d", "f", "h"});
  REQUIRE(c->SplitPoints(16) == std::vector<std::string>{"d", "f", "h"});  // at most one range per file

  // Uneven files: the split follows the bytes.
  Fixture g;
  VersionEdit uneven;
  uneven.AddFile(0, File(10, "a", "z", 4000));
  uneven.AddFile(0, File(11, "a", "z", 4000));
  uneven.AddFile(1, File(20, "b", "c", 3000));
  uneven.AddFile(1, File(21, "d", "e", 500));
  uneven.AddFile(1, File(22, "f", "g", 500));
  REQUIRE(g.versions->LogAndApply(&uneven).ok());
  c = g.versions->PickCompaction({}, false);
  REQUIRE(c != nullptr);
  REQUIRE(c->SplitPoints(2) == std::vector<std::string>{"d"});

  // Deeper compactions, and level-0 ones with fewer than two level-1
  // inputs, are not split.
  Fixture h;
  VersionEdit deeper;
  deeper.AddFile(1, File(20, "b", "c", 8000));
  deeper.AddFile(1, File(21, "x", "y", 8000));
  deeper.AddFile(2, File(30, "b", "bb", 100));
  deeper.AddFile(2, File(31, "bc", "c", 100));
  REQUIRE(h.versions->LogAndApply(&deeper).ok());
  c = h.versions->PickCompaction({}, false);
  REQUIRE(c != nullptr);
  REQUIRE(c->level() == 1);
  REQUIRE(c->SplitPoints(4).empty());
}

}  // namespace lsmkv
