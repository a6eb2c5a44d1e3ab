// Block::Read: a data block read, checked and decoded into one allocation
// (table/block.h), against the model of its entries and against ReadBlock,
// through files that copy (pread) and files that point into memory of their
// own (a mapping).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "support/test_util.h"
#include "table/block.h"
#include "table/block_builder.h"
#include "table/format.h"
#include "util/coding.h"
#include "util/random.h"

namespace lsmkv {

namespace {

// A file over a string. copies: Read copies into the caller's scratch, as
// pread does; otherwise it returns a pointer into the string, as a mapping
// does.
class StringFile final : public RandomAccessFile {
 public:
  StringFile(std::string contents, bool copies) : contents_(std::move(contents)), copies_(copies) {}
  Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
    if (offset > contents_.size()) {
      *result = Slice();
      return Status::OK();
    }
    n = std::min(n, contents_.size() - static_cast<size_t>(offset));
    if (copies_) {
      std::memcpy(scratch, contents_.data() + offset, n);
      *result = Slice(scratch, n);
    } else {
      *result = Slice(contents_.data() + offset, n);
    }
    return Status::OK();
  }

 private:
  const std::string contents_;
  const bool copies_;
};

// Appends `raw` to *file as a table writer stores a block of `type` (kept
// raw when compressing does not pay); its handle.
BlockHandle AppendBlock(const std::string& raw, CompressionType type, std::string* file) {
  std::string scratch;
  CompressionType stored_type;
  const Slice stored = MaybeCompress(raw, type, 3, &scratch, &stored_type);
  BlockHandle handle{file->size(), stored.size()};
  file->append(stored.data(), stored.size());
  AppendBlockTrailer(stored, stored_type, file);
  return handle;
}

// Appends `stored` with a trailer of `type` whose checksum is right.
BlockHandle AppendStored(const std::string& stored, uint8_t type, std::string* file) {
  BlockHandle handle{file->size(), stored.size()};
  file->append(stored);
  AppendBlockTrailer(stored, static_cast<CompressionType>(type), file);
  return handle;
}

std::string BuildBlock(const std::map<std::string, std::string>& entries) {
  BlockBuilder builder(BlockBuilder::kRestartInterval);
  for (const auto& [k, v] : entries) builder.Add(k, v);
  return builder.Finish().ToString();
}

std::map<std::string, std::string> RandomEntries(Random* rnd, int n) {
  std::map<std::string, std::string> entries;
  while (static_cast<int>(entries.size()) < n) {
    // Repeated value bytes so that the compressors keep the block compressed.
    entries["key" + rnd->Bytes(1 + rnd->Uniform(12))] =
        std::string(rnd->Uniform(60), 'v') + rnd->Bytes(rnd->Uniform(40));
  }
  return entries;
}

// Every entry of block, in order.
std::vector<std::pair<std::string, std::string>> Entries(const std::shared_ptr<const Block>& block) {
  std::vector<std::pair<std::string, std::string>> out;
  auto it = Block::NewIterator(block, BytewiseComparator());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    out.emplace_back(it->key().ToString(), it->value().ToString());
  }
  REQUIRE(it->status().ok());
  return out;
}

std::vector<std::pair<std::string, std::string>> Entries(
    const std::map<std::string, std::string>& model) {
  return {model.begin(), model.end()};
}

}  // namespace

TEST_CASE("Block::Read: blocks of every compression read back, and outlive the next reads",
          "[block][format]") {
  const uint64_t seed = test::TestSeed(4242);
  INFO("seed " << seed);
  Random rnd(seed);
  for (CompressionType type : {kNoCompression, kLz4Compression, kZstdCompression}) {
    for (bool copies : {true, false}) {
      INFO("compression " << CompressionName(type) << ", file copies " << copies);
      // Several blocks in one file; all are read first, then all checked,
      // so a block that kept a pointer into the reading thread's scratch
      // (or the file's buffer) would show another block's bytes.
      std::string contents;
      std::vector<std::map<std::string, std::string>> models;
      std::vector<BlockHandle> handles;
      for (int n : {0, 1, 17, 100, 400, 30}) {
        models.push_back(RandomEntries(&rnd, n));
        handles.push_back(AppendBlock(BuildBlock(models.back()), type, &contents));
      }
      StringFile file(contents, copies);
      std::vector<std::shared_ptr<const Block>> blocks(handles.size());
      for (size_t i = 0; i < handles.size(); i++) {
        REQUIRE(Block::Read(&file, "t.sst", handles[i], &blocks[i]).ok());
      }
      for (size_t i = 0; i < handles.size(); i++) {
        INFO("block " << i);
        REQUIRE(Entries(blocks[i]) == Entries(models[i]));
        // The same bytes as ReadBlock's path.
        BlockContents old_path;
        REQUIRE(ReadBlock(&file, "t.sst", handles[i], &old_path, copies).ok());
        REQUIRE(blocks[i]->size() == old_path.size);
        REQUIRE(Entries(blocks[i]) == Entries(std::make_shared<const Block>(std::move(old_path))));
        // Seeks land where the model says.
        auto it = Block::NewIterator(blocks[i], BytewiseComparator());
        for (int probe = 0; probe < 20; probe++) {
          const std::string target = "key" + rnd.Bytes(rnd.Uniform(4));
          it->Seek(target);
          auto want = models[i].lower_bound(target);
          REQUIRE(it->Valid() == (want != models[i].end()));
          if (it->Valid()) REQUIRE(it->key().ToString() == want->first);
        }
      }
    }
  }
}

TEST_CASE("Block::Read: damaged blocks are Corruption naming the file and offset",
          "[block][format][corruption]") {
  for (bool copies : {true, false}) {
    INFO("file copies " << copies);
    std::map<std::string, std::string> model{{"a", std::string(200, 'x')}, {"b", "y"}};
    const std::string raw = BuildBlock(model);
    std::string contents = "head";  // the block starts at offset 4
    const BlockHandle good = AppendBlock(raw, kLz4Compression, &contents);
    std::shared_ptr<const Block> block;

    // A flipped byte: the checksum says so.
    {
      std::string damaged = contents;
      damaged[good.offset + 2] ^= 0x40;
      StringFile file(damaged, copies);
      const Status s = Block::Read(&file, "t.sst", good, &block);
      REQUIRE(s.IsCorruption());
      REQUIRE(s.ToString().find("t.sst: block checksum mismatch at offset 4") != std::string::npos);
      REQUIRE(block == nullptr);
    }
    // The file ends inside the block's trailer.
    {
      StringFile file(contents.substr(0, contents.size() - 3), copies);
      const Status s = Block::Read(&file, "t.sst", good, &block);
      REQUIRE(s.IsCorruption());
      REQUIRE(s.ToString().find("truncated block") != std::string::npos);
    }
    // A handle past the 1 GiB limit is refused before any read.
    {
      StringFile file(contents, copies);
      const Status s = Block::Read(&file, "t.sst", BlockHandle{4, uint64_t{1} << 31}, &block);
      REQUIRE(s.IsCorruption());
      REQUIRE(s.ToString().find("block too large") != std::string::npos);
    }
    // Checksums that match bytes that do not decode: a wrong LZ4 size
    // header (larger and smaller than the block), a cut LZ4 stream, an
    // unknown compression type, a zstd frame that is not one.
    {
      std::string stored_lz4;
      CompressionType t;
      std::string scratch;
      stored_lz4 = MaybeCompress(raw, kLz4Compression, 0, &scratch, &t).ToString();
      REQUIRE(t == kLz4Compression);
      Slice body(stored_lz4);
      uint32_t declared;
      REQUIRE(GetVarint32(&body, &declared));
      REQUIRE(declared == raw.size());
      std::string bigger, smaller, lying;
      PutVarint32(&bigger, declared + 1);
      bigger += body.ToString();
      // A size no LZ4 stream of this length can expand to (64 MiB): refused
      // before anything is allocated for it.
      PutVarint32(&lying, 64u << 20);
      lying += body.ToString();
      PutVarint32(&smaller, declared - 1);
      smaller += body.ToString();
      const std::string cut = stored_lz4.substr(0, stored_lz4.size() - 5);
      struct Case {
        std::string stored;
        uint8_t type;
        const char* message;
      };
      for (const Case& c : {Case{bigger, kLz4Compression, "lz4 decompression failed"},
                            Case{smaller, kLz4Compression, "lz4 decompression failed"},
                            Case{cut, kLz4Compression, "lz4 decompression failed"},
                            Case{lying, kLz4Compression, "bad lz4 block size"},
                            Case{std::string(5, '\xff'), kLz4Compression, "bad lz4 block size"},
                            Case{raw, 9, "unknown compression type"},
                            Case{raw, kZstdCompression, "bad zstd frame"}}) {
        INFO(c.message);
        std::string file_bytes;
        const BlockHandle h = AppendStored(c.stored, c.type, &file_bytes);
        // A good block first: a failed read must not leave it in *block.
        const BlockHandle good = AppendStored(raw, kNoCompression, &file_bytes);
        StringFile file(file_bytes, copies);
        REQUIRE(Block::Read(&file, "t.sst", good, &block).ok());
        REQUIRE(block != nullptr);
        const Status s = Block::Read(&file, "t.sst", h, &block);
        REQUIRE(s.IsCorruption());
        REQUIRE(block == nullptr);
        REQUIRE(s.ToString().find(c.message) != std::string::npos);
        // ReadBlock reports the same.
        BlockContents old_path;
        REQUIRE(ReadBlock(&file, "t.sst", h, &old_path, copies).ToString() == s.ToString());
      }
    }
    // A block too short for its restart count reads, and its iterator
    // reports Corruption rather than reading outside the block.
    {
      std::string file_bytes;
      const BlockHandle h = AppendStored("ab", kNoCompression, &file_bytes);
      const BlockHandle empty = AppendStored("", kNoCompression, &file_bytes);
      StringFile file(file_bytes, copies);
      for (const BlockHandle& handle : {h, empty}) {
        REQUIRE(Block::Read(&file, "t.sst", handle, &block).ok());
        auto it = Block::NewIterator(block, BytewiseComparator());
        it->SeekToFirst();
        REQUIRE_FALSE(it->Valid());
        REQUIRE(it->status().IsCorruption());
        it->Seek("a");
        REQUIRE_FALSE(it->Valid());
      }
    }
  }
}

}  // namespace lsmkv
