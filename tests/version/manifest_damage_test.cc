// How VersionSet::Recover reads a damaged MANIFEST: damage confined to the
// last edit (what a power cut leaves of an edit whose sync never returned,
// in any pattern of lost and kept pages) is a clean end; damage with an
// intact edit after it fails recovery.
#include <catch2/catch.hpp>

#include "db/repair_manifest.h"
#include "format/filename.h"
#include "support/mem_env.h"
#include "version/version_set.h"
#include "wal/log_format.h"

namespace lsmkv {

namespace {

// `count` files on level 1 numbered from `first`, with keys of `key_size`
// bytes, so an edit can be made to span several log blocks.
VersionEdit AddFiles(uint64_t first, int count, size_t key_size = 8) {
  VersionEdit edit;
  for (int i = 0; i < count; i++) {
    FileMetaData f;
    f.number = first + i;
    f.file_size = 1000;
    const std::string key = std::to_string(first + i) + std::string(key_size, 'k');
    AppendInternalKey(&f.smallest, key + "a", 100, kTypeValue);
    AppendInternalKey(&f.largest, key + "z", 100, kTypeValue);
    edit.AddFile(1, f);
  }
  return edit;
}

struct Manifest {
  MemEnv env;
  InternalKeyComparator icmp{BytewiseComparator()};
  LevelOptions lo;
  std::unique_ptr<VersionSet> versions;
  std::vector<uint64_t> edit_offsets;  // where each applied edit starts

  Manifest() {
    REQUIRE(env.CreateDir("/db").ok());
    lo.max_manifest_bytes = 64 << 20;  // no roll-over in these tests
    versions = std::make_unique<VersionSet>("/db", &env, &icmp, lo);
    REQUIRE(versions->CreateNew(BytewiseComparator()->Name()).ok());
    REQUIRE(versions->Recover(BytewiseComparator()->Name()).ok());
    REQUIRE(versions->WriteSnapshot(VersionEdit()).ok());
  }
  std::string Name() const { return DescriptorFileName("/db", versions->manifest_number()); }
  uint64_t Size() {
    uint64_t size = 0;
    REQUIRE(env.GetFileSize(Name(), &size).ok());
    return size;
  }
  void Apply(VersionEdit edit) {
    edit_offsets.push_back(Size());
    REQUIRE(versions->LogAndApply(&edit).ok());
  }
  // Zeroes [from, to) of the MANIFEST, as a lost page reads after a crash.
  // False if those bytes were zeros already.
  bool Zero(uint64_t from, uint64_t to) {
    const std::string name = Name();
    std::string data;
    REQUIRE(ReadFileToString(&env, name, &data).ok());
    REQUIRE(to <= data.size());
    const std::string before = data;
    std::fill(data.begin() + from, data.begin() + to, '\0');
    REQUIRE(env.SetContents(name, data).ok());
    return data != before;
  }
  Status Reopen() {
    versions = std::make_unique<VersionSet>("/db", &env, &icmp, lo);
    return versions->Recover(BytewiseComparator()->Name());
  }
  int Level1Files() const { return versions->current()->NumFiles(1); }
};

}  // namespace

TEST_CASE("MANIFEST: any zeroed range inside the last edit is a torn tail", "[version_set][manifest]") {
  Manifest m;
  m.Apply(AddFiles(10, 3));
  m.Apply(AddFiles(20, 4));
  const uint64_t start = m.edit_offsets.back();
  const uint64_t end = m.Size();
  // Every range that keeps some later byte of the edit: a lost page before
  // a kept one (the header zeroed), or a lost page inside it.
  for (uint64_t from = start; from < end; from += 7) {
    for (uint64_t to = from + 1; to < end; to += 11) {
      CAPTURE(start, end, from, to);
      Manifest copy;
      copy.Apply(AddFiles(10, 3));
      copy.Apply(AddFiles(20, 4));
      const bool damaged = copy.Zero(from, to);
      REQUIRE(copy.Reopen().ok());
      // The state before the torn edit (or after it, if the range held zeros).
      REQUIRE(copy.Level1Files() == (damaged ? 3 : 7));
      REQUIRE(copy.versions->dropped_torn_edit().IsCorruption() == damaged);
    }
  }
}

TEST_CASE("MANIFEST: a zeroed range with an intact edit after it fails recovery",
          "[version_set][manifest]") {
  for (uint64_t cut : {0, 1, 7, 30}) {
    CAPTURE(cut);
    Manifest m;
    m.Apply(AddFiles(10, 3));
    m.Apply(AddFiles(20, 4));
    m.Apply(AddFiles(30, 1));
    const uint64_t start = m.edit_offsets[1];
    REQUIRE(m.Zero(start + cut, start + cut + 5));
    const Status s = m.Reopen();
    REQUIRE(s.IsCorruption());
  }
}

TEST_CASE("MANIFEST: a last edit across blocks that lost its first page is a torn tail",
          "[version_set][manifest]") {
  Manifest m;
  m.Apply(AddFiles(10, 3));
  m.Apply(AddFiles(1000, 400, 100));  // ~100 KiB: FIRST, MIDDLE and LAST fragments
  const uint64_t start = m.edit_offsets.back();
  REQUIRE(m.Size() - start > 2 * log::kBlockSize);
  SECTION("the FIRST fragment's header is lost, the later blocks kept") {
    REQUIRE(m.Zero(start, start + 100));
  }
  SECTION("a page of the MIDDLE fragment is lost") {
    const uint64_t middle = (start / log::kBlockSize + 1) * log::kBlockSize + 4096;
    REQUIRE(m.Zero(middle, middle + 4096));
  }
  SECTION("the LAST fragment's page is lost") {
    const uint64_t last = (m.Size() - 1) / log::kBlockSize * log::kBlockSize;
    REQUIRE(last > start + log::kBlockSize);
    REQUIRE(m.Zero(last, std::min<uint64_t>(last + 4096, m.Size())));
  }
  REQUIRE(m.Reopen().ok());
  REQUIRE(m.Level1Files() == 3);
}

TEST_CASE("MANIFEST: a damaged edit across blocks with an intact edit after it fails recovery",
          "[version_set][manifest]") {
  Manifest m;
  m.Apply(AddFiles(10, 3));
  m.Apply(AddFiles(1000, 400, 100));
  const uint64_t start = m.edit_offsets.back();
  m.Apply(AddFiles(5000, 1));
  REQUIRE(m.Zero(start + log::kBlockSize, start + log::kBlockSize + 200));
  REQUIRE(m.Reopen().IsCorruption());
}

TEST_CASE("MANIFEST: damage in the only record fails with that damage", "[version_set][manifest]") {
  Manifest m;
  m.Apply(AddFiles(10, 300, 100));  // a snapshot of ~70 KiB once rewritten
  REQUIRE(m.Reopen().ok());
  REQUIRE(m.versions->WriteSnapshot(VersionEdit()).ok());  // a new MANIFEST: one record
  REQUIRE(m.Size() > 2 * log::kBlockSize);
  REQUIRE(m.Zero(log::kBlockSize + 100, log::kBlockSize + 200));
  const Status s = m.Reopen();
  INFO(s.ToString());
  REQUIRE(s.IsCorruption());
  REQUIRE(s.ToString().find("empty MANIFEST") == std::string::npos);  // says what is damaged
}

TEST_CASE("MANIFEST: damage from one edit into the last reads as a torn tail (media damage limit)",
          "[version_set][manifest]") {
  // Offsets cannot tell this from a power cut (which can only tear the
  // last edit): the edits from the damage on are dropped, and Open logs it.
  Manifest m;
  m.Apply(AddFiles(10, 3));
  m.Apply(AddFiles(20, 4));
  m.Apply(AddFiles(30, 2));
  REQUIRE(m.Zero(m.edit_offsets[1] + 20, m.edit_offsets[2] + 12));
  REQUIRE(m.Reopen().ok());
  REQUIRE(m.Level1Files() == 3);
  REQUIRE(m.versions->dropped_torn_edit().IsCorruption());
}

TEST_CASE("MANIFEST: RepairDB's reading of an old MANIFEST follows the same rule",
          "[version_set][manifest]") {
  Manifest m;
  m.Apply(AddFiles(10, 3));
  m.Apply(AddFiles(20, 4));
  const uint64_t number = m.versions->manifest_number();
  const uint64_t second = m.edit_offsets[1];
  SECTION("damage in the last edit: the state before it") {
    REQUIRE(m.Zero(second, second + 20));
    ManifestState state;
    REQUIRE(ReadManifestState(&m.env, "/db", number, &state).ok());
    REQUIRE(state.tables.size() == 3);
  }
  SECTION("damage before an intact edit: Corruption") {
    REQUIRE(m.Zero(m.edit_offsets[0], m.edit_offsets[0] + 20));
    ManifestState state;
    REQUIRE(ReadManifestState(&m.env, "/db", number, &state).IsCorruption());
  }
}

}  // namespace lsmkv
