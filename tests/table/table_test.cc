#include "table/table.h"

#include <catch2/catch.hpp>
#include <map>

#include "format/dbformat.h"
#include "support/mem_env.h"
#include "support/test_util.h"
#include "table/block.h"
#include "table/table_builder.h"
#include "util/coding.h"
#include "util/hash.h"
#include "util/random.h"

namespace lsmkv {

namespace {

using Model = std::map<std::string, std::string>;
const std::string kFile = "/t/000001.sst";

struct TableFixture {
  MemEnv env;
  TableOptions options;
  // How Open reads the file: MemEnv's stand-in for a mapping (reads point
  // into the file's bytes) or its pread (reads copy into the scratch).
  bool mmap_reads = true;
  std::shared_ptr<Table> table;

  Status BuildAndOpen(const Model& model) {
    std::unique_ptr<WritableFile> file;
    Status s = env.NewWritableFile(kFile, &file);
    if (!s.ok()) return s;
    TableBuilder builder(options, file.get(), 1700000000);
    for (const auto& [k, v] : model) builder.Add(k, v);
    builder.mutable_properties()->num_tombstones = 7;
    s = builder.Finish();
    if (!s.ok()) return s;
    uint64_t size;
    REQUIRE(env.GetFileSize(kFile, &size).ok());
    REQUIRE(size == builder.FileSize());
    return Open();
  }

  Status Open() {
    uint64_t size;
    Status s = env.GetFileSize(kFile, &size);
    if (!s.ok()) return s;
    return OpenAs(size);
  }

  // Opens the table as if it were `size` bytes long (its recorded size).
  Status OpenAs(uint64_t size) {
    RandomAccessFileOptions file_options;
    file_options.allow_mmap_reads = mmap_reads;
    std::unique_ptr<RandomAccessFile> file;
    Status s = env.NewRandomAccessFileWithOptions(kFile, file_options, &file);
    if (!s.ok()) return s;
    return Table::Open(options, kFile, std::move(file), size, 1, &table);
  }

  std::string Contents() {
    std::string data;
    REQUIRE(ReadFileToString(&env, kFile, &data).ok());
    return data;
  }

  // The compression type byte of every data block, in order (read from the
  // file through the footer and the index block).
  std::vector<uint8_t> DataBlockTypes() {
    const std::string data = Contents();
    Footer footer;
    const Slice tail(data.data() + data.size() - Footer::kEncodedLength, Footer::kEncodedLength);
    REQUIRE(footer.DecodeFrom(tail, kFile).ok());
    auto index = std::make_shared<const Block>(
        data.substr(footer.index.offset, footer.index.size));
    std::vector<uint8_t> types;
    auto it = Block::NewIterator(index, options.comparator);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      Slice value = it->value();
      BlockHandle handle;
      REQUIRE(handle.DecodeFrom(&value).ok());
      types.push_back(static_cast<uint8_t>(data[handle.offset + handle.size]));
    }
    REQUIRE(it->status().ok());
    return types;
  }

  // Reads everything; the iterator's final status.
  Status ReadAll(Model* out) {
    ReadOptions ro;
    ro.verify_checksums = true;
    auto it = table->NewIterator(ro);
    for (it->SeekToFirst(); it->Valid(); it->Next()) (*out)[it->key().ToString()] = it->value().ToString();
    return it->status();
  }
};

void CheckTable(TableFixture& f, const Model& model, Random* rnd) {
  Model read;
  REQUIRE(f.ReadAll(&read).ok());
  REQUIRE(read == model);
  REQUIRE(f.table->properties().num_entries == model.size());
  REQUIRE(f.table->properties().num_tombstones == 7);
  REQUIRE(f.table->properties().creation_time == 1700000000);
  REQUIRE(f.table->properties().format_version == kTableFormatVersion);

  auto it = f.table->NewIterator(ReadOptions());
  it->SeekToLast();
  for (auto r = model.rbegin(); r != model.rend(); ++r) {
    REQUIRE(it->Valid());
    REQUIRE(it->key().ToString() == r->first);
    it->Prev();
    if (std::distance(model.rbegin(), r) > 2000) break;  // enough reverse steps
  }
  for (int i = 0; i < 300 && !model.empty(); i++) {
    auto pick = model.begin();
    std::advance(pick, rnd->Uniform(model.size()));
    Table::GetResult result;
    std::string k, v;
    REQUIRE(f.table->Get(ReadOptions(), pick->first, &result, &k, &v).ok());
    REQUIRE(result == Table::GetResult::kFound);
    REQUIRE(k == pick->first);
    REQUIRE(v == pick->second);
    const std::string target = rnd->Bytes(rnd->Uniform(12));
    it->Seek(target);
    auto lb = model.lower_bound(target);
    REQUIRE(it->Valid() == (lb != model.end()));
    if (it->Valid()) REQUIRE(it->key().ToString() == lb->first);
    it->SeekForPrev(target);
    auto ub = model.upper_bound(target);
    REQUIRE(it->Valid() == (ub != model.begin()));
    if (it->Valid()) REQUIRE(it->key().ToString() == std::prev(ub)->first);
  }
}

// Random walks over a table of many small blocks: runs of Next and Prev
// cross block boundaries (the two-level iterator caches its block
// iterator's key at each step), mixed with every seek. With internal keys
// and the DB's comparator too (the block iterator compares those inline).
template <typename Less>
void WalkTable(TableFixture& f, const std::map<std::string, std::string, Less>& model,
               const std::vector<std::string>& targets, Random* rnd) {
  auto it = f.table->NewIterator(ReadOptions());
  auto pos = model.end();
  for (int step = 0; step < 400; step++) {
    const uint64_t op = rnd->Uniform(6);
    const std::string& target = targets[rnd->Uniform(targets.size())];
    INFO("step " << step << " op " << op);
    if (op == 0) {
      it->SeekToFirst();
      pos = model.begin();
    } else if (op == 1) {
      it->SeekToLast();
      pos = model.empty() ? model.end() : std::prev(model.end());
    } else if (op == 2) {
      it->Seek(target);
      pos = model.lower_bound(target);
    } else if (op == 3) {
      it->SeekForPrev(target);
      auto ub = model.upper_bound(target);
      pos = ub == model.begin() ? model.end() : std::prev(ub);
    } else {
      const int steps = 1 + static_cast<int>(rnd->Uniform(80));
      for (int i = 0; i < steps && pos != model.end(); i++) {
        if (op == 4) {
          it->Next();
          ++pos;
        } else {
          it->Prev();
          pos = pos == model.begin() ? model.end() : std::prev(pos);
        }
        REQUIRE(it->Valid() == (pos != model.end()));
        if (it->Valid()) REQUIRE(it->key().ToString() == pos->first);
      }
    }
    REQUIRE(it->status().ok());
    REQUIRE(it->Valid() == (pos != model.end()));
    if (it->Valid()) {
      REQUIRE(it->key().ToString() == pos->first);
      REQUIRE(it->value().ToString() == pos->second);
    }
  }
}

// Forwards reads to a file and counts DropResidentPages calls.
class DropCountingFile final : public RandomAccessFile {
 public:
  DropCountingFile(std::unique_ptr<RandomAccessFile> target, int* drops)
      : target_(std::move(target)), drops_(drops) {}
  Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
    return target_->Read(offset, n, result, scratch);
  }
  void DropResidentPages() const override {
    ++*drops_;
    target_->DropResidentPages();
  }

 private:
  const std::unique_ptr<RandomAccessFile> target_;
  int* const drops_;
};

// A DB that only writes opens every table its compactions write; what Open
// read (footer, index, filter, properties) must not stay in the process's
// resident set, or the RSS grows with the number of tables.
TEST_CASE("Table: Open drops the pages it read, and the table reads the same after", "[table]") {
  TableFixture f;
  Model model;
  Random rnd(test::TestSeed(77));
  for (int i = 0; i < 2000; i++) model["key" + std::to_string(rnd.Uniform(100000))] = std::string(50, 'v');
  REQUIRE(f.BuildAndOpen(model).ok());
  uint64_t size = 0;
  REQUIRE(f.env.GetFileSize(kFile, &size).ok());
  std::unique_ptr<RandomAccessFile> file;
  REQUIRE(f.env.NewRandomAccessFile(kFile, &file).ok());
  int drops = 0;
  REQUIRE(Table::Open(f.options, kFile, std::make_unique<DropCountingFile>(std::move(file), &drops), size, 2,
                      &f.table)
              .ok());
  REQUIRE(drops == 1);
  Model read;
  REQUIRE(f.ReadAll(&read).ok());
  REQUIRE(read == model);
  REQUIRE(drops == 1);  // reads alone drop nothing
}

TEST_CASE("Table: every index entry is a restart point, so an index seek is a binary search",
          "[table]") {
  TableFixture f;
  f.options.block_size = 256;
  Model model;
  for (int i = 0; i < 5000; i++) model["key" + std::to_string(100000 + i)] = std::string(40, 'v');
  REQUIRE(f.BuildAndOpen(model).ok());
  const std::string data = f.Contents();
  Footer footer;
  const Slice tail(data.data() + data.size() - Footer::kEncodedLength, Footer::kEncodedLength);
  REQUIRE(footer.DecodeFrom(tail, kFile).ok());
  const std::string index = data.substr(footer.index.offset, footer.index.size);
  const uint32_t num_restarts = DecodeFixed32(index.data() + index.size() - 4);
  const size_t data_blocks = f.DataBlockTypes().size();
  REQUIRE(data_blocks > 100);
  REQUIRE(num_restarts == data_blocks);
}

TEST_CASE("Table: random walks across many small blocks match std::map", "[table][iterator][model]") {
  const uint64_t seed = test::TestSeed(1418);
  INFO("seed " << seed << " (LSMKV_TEST_SEED overrides)");
  Random rnd(seed);
  const InternalKeyComparator icmp(BytewiseComparator());
  struct IcmpLess {
    const InternalKeyComparator* icmp;
    bool operator()(const std::string& a, const std::string& b) const {
      return icmp->Compare(a, b) < 0;
    }
  };
  for (int round = 0; round < 12; round++) {
    const bool internal_keys = round % 2 == 1;
    INFO("round " << round << (internal_keys ? ", internal keys" : ", user keys"));
    TableFixture f;
    f.options.block_size = 64 + rnd.Uniform(512);
    std::vector<std::string> targets;
    const int n = static_cast<int>(rnd.Uniform(3000));
    if (!internal_keys) {
      Model model;
      for (int i = 0; i < n; i++) {
        // Shared prefixes of every length, and keys past the inline buffer.
        std::string k = "k" + std::to_string(rnd.Uniform(100000));
        if (rnd.OneIn(8)) k += std::string(rnd.Uniform(100), 'x');
        model[k] = rnd.Bytes(rnd.Uniform(40));
        targets.push_back(k);
        targets.push_back(k + "\x01");
      }
      targets.push_back("");
      targets.push_back("z");
      REQUIRE(f.BuildAndOpen(model).ok());
      WalkTable(f, model, targets, &rnd);
    } else {
      f.options.comparator = &icmp;
      std::map<std::string, std::string, IcmpLess> model(IcmpLess{&icmp});
      SequenceNumber seq = 1;
      for (int i = 0; i < n; i++) {
        const std::string user_key = "key" + std::to_string(10000 + rnd.Uniform(2000));
        std::string k;
        AppendInternalKey(&k, user_key, seq++, rnd.OneIn(5) ? kTypeDeletion : kTypeValue);
        model[k] = rnd.Bytes(rnd.Uniform(40));
        std::string t;
        AppendInternalKey(&t, user_key, rnd.Uniform(seq + 1), kValueTypeForSeek);
        targets.push_back(t);
      }
      std::string t;
      AppendInternalKey(&t, "a", 0, kValueTypeForSeek);
      targets.push_back(t);
      t.clear();
      AppendInternalKey(&t, "z", 0, kValueTypeForSeek);
      targets.push_back(t);
      std::unique_ptr<WritableFile> file;
      REQUIRE(f.env.NewWritableFile(kFile, &file).ok());
      TableBuilder builder(f.options, file.get(), 1700000000);
      for (const auto& [k, v] : model) builder.Add(k, v);
      REQUIRE(builder.Finish().ok());
      REQUIRE(f.Open().ok());
      WalkTable(f, model, targets, &rnd);
    }
  }
}

}  // namespace

TEST_CASE("Table: round-trips of 0, 1 and 100k entries, each codec, bloom on and off, mapped or pread",
          "[table]") {
  const bool mmap_reads = GENERATE(false, true);
  const uint64_t seed = test::TestSeed(404);
  INFO("seed " << seed << " mmap_reads " << mmap_reads);
  Random rnd(seed);
  for (CompressionType compression : {kNoCompression, kZstdCompression, kLz4Compression}) {
    for (int bloom : {0, 10}) {
      for (size_t n : {size_t{0}, size_t{1}, size_t{100000}}) {
        INFO("compression " << int(compression) << " bloom " << bloom << " entries " << n);
        TableFixture f;
        f.mmap_reads = mmap_reads;
        f.options.compression = compression;
        f.options.bloom_bits_per_key = bloom;
        Model model;
        while (model.size() < n) {
          // Random binary keys (with '\0'), some empty values, compressible values.
          std::string value = rnd.OneIn(10) ? std::string() : std::string(rnd.Uniform(60), 'v') + rnd.Bytes(4);
          model[rnd.Bytes(1 + rnd.Uniform(10))] = value;
        }
        REQUIRE(f.BuildAndOpen(model).ok());
        CheckTable(f, model, &rnd);
        if (n == 100000) {
          const auto& p = f.table->properties();
          REQUIRE(p.num_data_blocks > 100);
          REQUIRE(p.compression == compression);
          REQUIRE(p.bloom_bits_per_key == static_cast<uint64_t>(bloom));
          if (compression != kNoCompression) {
            // The values are mostly 'v': the codec must have shrunk the blocks.
            REQUIRE(p.data_bytes < (p.raw_key_bytes + p.raw_value_bytes) * 3 / 4);
          }
        }
      }
    }
  }
}

TEST_CASE("Table: values larger than a block and than 1 MiB, mapped or pread", "[table]") {
  Random rnd(9);
  TableFixture f;
  f.mmap_reads = GENERATE(false, true);
  INFO("mmap_reads " << f.mmap_reads);
  Model model;
  model["a"] = "";
  model["b"] = rnd.Bytes(10000);        // > block_size
  model["c"] = rnd.Bytes((1 << 20) + 7);  // > 1 MiB, incompressible: stored raw
  model["d"] = std::string(3 << 20, 'z');  // compressible
  model[std::string("e\0", 2)] = "x";
  REQUIRE(f.BuildAndOpen(model).ok());
  CheckTable(f, model, &rnd);
}

TEST_CASE("Table: the bloom filter skips absent keys without reading data", "[table]") {
  TableFixture f;
  ShardedLRUCache cache(1 << 20);
  f.options.block_cache = &cache;
  Model model;
  for (int i = 0; i < 10000; i++) model["key" + std::to_string(i)] = "v";
  REQUIRE(f.BuildAndOpen(model).ok());
  int filtered = 0;
  for (int i = 0; i < 1000; i++) {
    Table::GetResult result;
    std::string k, v;
    REQUIRE(f.table->Get(ReadOptions(), "absent" + std::to_string(i), &result, &k, &v).ok());
    filtered += result == Table::GetResult::kFilteredOut;
  }
  REQUIRE(filtered >= 970);
  REQUIRE(cache.misses() + cache.hits() <= 30);  // few data blocks were touched
}

TEST_CASE("Table: every sampled bit flip is Corruption, never wrong data, mapped or pread",
          "[table][corruption]") {
  const uint64_t seed = test::TestSeed(77);
  TableFixture f;
  f.mmap_reads = GENERATE(false, true);
  INFO("seed " << seed << " mmap_reads " << f.mmap_reads);
  Random rnd(seed);
  Model model;
  for (int i = 0; i < 3000; i++) model["key" + std::to_string(100000 + i)] = "value-" + std::to_string(i * 7);
  REQUIRE(f.BuildAndOpen(model).ok());
  const std::string good = f.Contents();
  int detected_at_open = 0, detected_on_read = 0;
  for (int trial = 0; trial < 400; trial++) {
    // Sample every region: a uniform offset, plus the last 300 bytes (index,
    // properties, footer) more often.
    const size_t pos = trial % 2 == 0 ? rnd.Uniform(good.size())
                                      : good.size() - 1 - rnd.Uniform(std::min<size_t>(300, good.size()));
    std::string bad = good;
    bad[pos] = static_cast<char>(bad[pos] ^ (1 << rnd.Uniform(8)));
    REQUIRE(f.env.SetContents(kFile, bad).ok());
    INFO("flipped byte " << pos << " of " << good.size());
    const Status s = f.Open();
    if (!s.ok()) {
      REQUIRE(s.IsCorruption());
      detected_at_open++;
      continue;
    }
    Model read;
    const Status r = f.ReadAll(&read);
    REQUIRE(r.IsCorruption());  // every byte is covered by a checksum
    for (const auto& [k, v] : read) REQUIRE(model.at(k) == v);  // what was returned is right
    detected_on_read++;
  }
  REQUIRE(detected_at_open > 0);
  REQUIRE(detected_on_read > 0);
}

TEST_CASE("Table: truncated files, wrong magic, a footer pointing outside, mapped or pread",
          "[table][corruption]") {
  TableFixture f;
  f.mmap_reads = GENERATE(false, true);
  INFO("mmap_reads " << f.mmap_reads);
  Model model;
  for (int i = 0; i < 500; i++) model["k" + std::to_string(i)] = std::string(50, 'x');
  REQUIRE(f.BuildAndOpen(model).ok());
  const std::string good = f.Contents();

  SECTION("truncated") {
    for (size_t len : {size_t{0}, size_t{10}, size_t{71}, good.size() / 2, good.size() - 1}) {
      REQUIRE(f.env.SetContents(kFile, good.substr(0, len)).ok());
      const Status s = f.Open();
      INFO(len << ": " << s.ToString());
      REQUIRE(s.IsCorruption());
      REQUIRE(s.ToString().find(kFile) != std::string::npos);
    }
  }
  SECTION("shorter than the size recorded for it (a file cut after the MANIFEST named it)") {
    for (size_t len : {size_t{0}, size_t{71}, good.size() / 2, good.size() - 1}) {
      REQUIRE(f.env.SetContents(kFile, good.substr(0, len)).ok());
      const Status s = f.OpenAs(good.size());
      INFO(len << ": " << s.ToString());
      REQUIRE((s.IsCorruption() || s.IsIOError()));
      REQUIRE(s.ToString().find(kFile) != std::string::npos);
    }
  }
  SECTION("cut while open: pread sees the short file, Corruption on the blocks past its end") {
    f.mmap_reads = false;  // (a mapping would fault instead: see db_table_reads_test)
    REQUIRE(f.Open().ok());
    REQUIRE(f.env.SetContents(kFile, good.substr(0, good.size() / 2)).ok());
    Model read;
    const Status s = f.ReadAll(&read);
    INFO(s.ToString());
    REQUIRE(s.IsCorruption());
    REQUIRE(s.ToString().find("truncated block") != std::string::npos);
    REQUIRE(!read.empty());
    for (const auto& [k, v] : read) REQUIRE(model.at(k) == v);
  }
  SECTION("wrong magic") {
    std::string bad = good;
    bad[bad.size() - 1] = 'X';
    REQUIRE(f.env.SetContents(kFile, bad).ok());
    const Status s = f.Open();
    REQUIRE(s.IsCorruption());
    REQUIRE(s.ToString().find("magic") != std::string::npos);
  }
  SECTION("footer points outside the file (with a valid footer checksum)") {
    Footer footer;
    const Slice tail(good.data() + good.size() - Footer::kEncodedLength, Footer::kEncodedLength);
    REQUIRE(footer.DecodeFrom(tail, kFile).ok());
    footer.index.offset = good.size() + 100;
    std::string bad = good.substr(0, good.size() - Footer::kEncodedLength);
    footer.EncodeTo(&bad);
    REQUIRE(f.env.SetContents(kFile, bad).ok());
    const Status s = f.Open();
    REQUIRE(s.IsCorruption());
    REQUIRE(s.ToString().find("outside") != std::string::npos);
  }
  SECTION("a newer format version is refused clearly") {
    Footer footer;
    const Slice tail(good.data() + good.size() - Footer::kEncodedLength, Footer::kEncodedLength);
    REQUIRE(footer.DecodeFrom(tail, kFile).ok());
    footer.format_version = kTableFormatVersion + 1;
    std::string bad = good.substr(0, good.size() - Footer::kEncodedLength);
    footer.EncodeTo(&bad);
    REQUIRE(f.env.SetContents(kFile, bad).ok());
    const Status s = f.Open();
    REQUIRE(s.IsNotSupported());
    REQUIRE(s.ToString().find("format version") != std::string::npos);
  }
}

TEST_CASE("Table: LZ4 keeps a block compressed only when it saves 12.5%, the rest are stored raw",
          "[table][lz4]") {
  const uint64_t seed = test::TestSeed(4242);
  INFO("seed " << seed);
  Random rnd(seed);
  TableFixture f;
  f.options.compression = kLz4Compression;
  Model model;
  // Keys a*: compressible values; b*: random bytes, which LZ4 cannot shrink.
  for (int i = 0; i < 2000; i++) {
    model["a" + std::to_string(10000 + i)] = std::string(60, 'v') + rnd.Bytes(10);
    model["b" + std::to_string(10000 + i)] = rnd.Bytes(120);
  }
  REQUIRE(f.BuildAndOpen(model).ok());
  CheckTable(f, model, &rnd);
  const std::vector<uint8_t> types = f.DataBlockTypes();
  REQUIRE(types.size() == f.table->properties().num_data_blocks);
  size_t lz4 = 0, raw = 0;
  for (size_t i = 0; i < types.size(); i++) {
    INFO("block " << i << " of " << types.size());
    REQUIRE((types[i] == kLz4Compression || types[i] == kNoCompression));
    (types[i] == kLz4Compression ? lz4 : raw)++;
  }
  // The a* blocks come first and compress; the b* blocks do not.
  REQUIRE(lz4 > 5);
  REQUIRE(raw > 5);
  REQUIRE(types.front() == kLz4Compression);
  REQUIRE(types.back() == kNoCompression);
}

// A damaged LZ4 block whose checksum still matches (a bug or a forged
// file, not a bit flip: the checksum catches those) must be Corruption
// naming the file and offset, never a crash or wrong data.
TEST_CASE("Table: an LZ4 block that does not decode is Corruption, even with a valid checksum",
          "[table][lz4][corruption]") {
  TableFixture f;
  f.options.compression = kLz4Compression;
  Model model;
  for (int i = 0; i < 3000; i++) model["key" + std::to_string(100000 + i)] = std::string(80, 'v');
  REQUIRE(f.BuildAndOpen(model).ok());
  const std::string good = f.Contents();
  const std::vector<uint8_t> types = f.DataBlockTypes();
  REQUIRE(types.at(1) == kLz4Compression);

  // The second data block: find its handle, break its LZ4 bytes, re-seal.
  Footer footer;
  REQUIRE(footer.DecodeFrom(Slice(good.data() + good.size() - Footer::kEncodedLength,
                                  Footer::kEncodedLength),
                            kFile)
              .ok());
  auto index = std::make_shared<const Block>(good.substr(footer.index.offset, footer.index.size));
  auto it = Block::NewIterator(index, f.options.comparator);
  it->SeekToFirst();
  it->Next();
  REQUIRE(it->Valid());
  const std::string second_key = it->key().ToString();
  Slice value = it->value();
  BlockHandle handle;
  REQUIRE(handle.DecodeFrom(&value).ok());

  BlockContents raw_block;
  REQUIRE(DecodeBlock(good.substr(handle.offset, handle.size), kLz4Compression, &raw_block) == nullptr);
  for (const std::string how : {"wrong size", "stream ends early", "garbage"}) {
    INFO(how);
    std::string stored = good.substr(handle.offset, handle.size);
    if (how == "wrong size") {
      stored[0] = static_cast<char>(stored[0] ^ 0x01);  // varint32 raw size, low byte
    } else if (how == "stream ends early") {
      // A valid LZ4 stream of the first half only, zero-padded to the
      // block's length, under the full block's size.
      const std::string half = raw_block.data().ToString().substr(0, raw_block.size / 2);
      std::string scratch;
      CompressionType type;
      const Slice half_stored = MaybeCompress(half, kLz4Compression, 0, &scratch, &type);
      REQUIRE(type == kLz4Compression);
      Slice lz4_half = half_stored;
      uint32_t ignored;
      REQUIRE(GetVarint32(&lz4_half, &ignored));
      std::string forged;
      PutVarint32(&forged, static_cast<uint32_t>(raw_block.size));
      forged += lz4_half.ToString();
      REQUIRE(forged.size() <= stored.size());
      forged.resize(stored.size(), '\0');
      stored = forged;
    } else {
      for (size_t i = 2; i < stored.size(); i++) stored[i] = static_cast<char>(0xf0 | (i & 0x0f));
    }
    BlockContents ignored_contents;
    REQUIRE(DecodeBlock(stored, kLz4Compression, &ignored_contents) != nullptr);
    std::string bad = good;
    bad.replace(handle.offset, handle.size, stored);
    const char type = static_cast<char>(kLz4Compression);
    EncodeFixed64(&bad[handle.offset + handle.size + 1],
                  Hash64WithSeed(stored.data(), stored.size(), static_cast<uint8_t>(type) + 1));
    REQUIRE(f.env.SetContents(kFile, bad).ok());
    REQUIRE(f.Open().ok());  // data blocks are read lazily

    Model read;
    const Status s = f.ReadAll(&read);
    INFO(s.ToString());
    REQUIRE(s.IsCorruption());
    REQUIRE(s.ToString().find("lz4") != std::string::npos);
    REQUIRE(s.ToString().find(kFile) != std::string::npos);
    REQUIRE(s.ToString().find("offset " + std::to_string(handle.offset)) != std::string::npos);
    for (const auto& [k, v] : read) REQUIRE(model.at(k) == v);
    REQUIRE(read.size() < model.size());

    Table::GetResult result;
    std::string k, v;
    REQUIRE(f.table->Get(ReadOptions(), second_key, &result, &k, &v).IsCorruption());
  }
}

TEST_CASE("Table: format version 2 tables (the retired lz codec) are NotSupported", "[table]") {
  TableFixture f;
  f.options.compression = kZstdCompression;
  Model model;
  for (int i = 0; i < 500; i++) model["key" + std::to_string(i)] = std::string(50, 'v');
  REQUIRE(f.BuildAndOpen(model).ok());
  const std::string good = f.Contents();
  Footer footer;
  const Slice tail(good.data() + good.size() - Footer::kEncodedLength, Footer::kEncodedLength);
  REQUIRE(footer.DecodeFrom(tail, kFile).ok());
  footer.format_version = 2;
  std::string old = good.substr(0, good.size() - Footer::kEncodedLength);
  footer.EncodeTo(&old);
  REQUIRE(f.env.SetContents(kFile, old).ok());
  const Status s = f.Open();
  INFO(s.ToString());
  REQUIRE(s.IsNotSupported());
  REQUIRE(s.ToString().find("retired lz codec") != std::string::npos);
  REQUIRE(s.ToString().find(kFile) != std::string::npos);
}

TEST_CASE("Table: format version 1 tables (zstd, before lz existed) still read", "[table]") {
  Random rnd(31);
  TableFixture f;
  f.options.compression = kZstdCompression;
  Model model;
  for (int i = 0; i < 5000; i++) model["key" + std::to_string(i)] = std::string(50, 'v') + rnd.Bytes(8);
  REQUIRE(f.BuildAndOpen(model).ok());
  // Rewrite the footer as version 1 wrote it: the same bytes but the version.
  const std::string good = f.Contents();
  Footer footer;
  const Slice tail(good.data() + good.size() - Footer::kEncodedLength, Footer::kEncodedLength);
  REQUIRE(footer.DecodeFrom(tail, kFile).ok());
  REQUIRE(footer.format_version == kTableFormatVersion);
  footer.format_version = 1;
  std::string old = good.substr(0, good.size() - Footer::kEncodedLength);
  footer.EncodeTo(&old);
  REQUIRE(f.env.SetContents(kFile, old).ok());
  REQUIRE(f.Open().ok());
  Model read;
  REQUIRE(f.ReadAll(&read).ok());
  REQUIRE(read == model);
}

}  // namespace lsmkv
