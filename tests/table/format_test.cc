#include "table/format.h"

#include <lz4.h>

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "support/test_util.h"
#include "util/coding.h"
#include "util/random.h"

namespace lsmkv {

namespace {

// Inputs that exercise every LZ4 path: literal runs, byte runs, short
// periods (overlapping matches), copies of earlier bytes near and far.
std::string Mixed(Random* rnd, size_t n) {
  std::string s;
  while (s.size() < n) {
    switch (rnd->Uniform(6)) {
      case 0:
        s += rnd->Bytes(1 + rnd->Uniform(300));  // literals
        break;
      case 1:
        s.append(1 + rnd->Uniform(2000), static_cast<char>(rnd->Uniform(256)));  // a run
        break;
      case 2: {
        const std::string period = rnd->Bytes(1 + rnd->Uniform(20));
        for (size_t k = rnd->Uniform(50); k > 0; k--) s += period;
        break;
      }
      default:
        if (!s.empty()) {  // a copy of something earlier
          const size_t from = rnd->Uniform(s.size());
          const size_t len = 1 + rnd->Uniform(std::min<size_t>(s.size() - from, 500));
          s += s.substr(from, len);
        }
    }
  }
  s.resize(n);
  return s;
}

// What LZ4 makes of `raw` with no size limit (varint32 size ‖ LZ4 block):
// the reference for the keep-or-store-raw decision.
std::string UnlimitedLz4(const std::string& raw) {
  std::string out;
  PutVarint32(&out, static_cast<uint32_t>(raw.size()));
  const size_t header = out.size();
  const int bound = LZ4_compressBound(static_cast<int>(raw.size()));
  out.resize(header + static_cast<size_t>(bound));
  const int n = LZ4_compress_fast(raw.data(), &out[header], static_cast<int>(raw.size()), bound,
                                  kLz4Acceleration);
  REQUIRE(n > 0);
  out.resize(header + static_cast<size_t>(n));
  return out;
}

// Compresses raw as a table builder does; checks the 12.5% rule against
// UnlimitedLz4 and that the stored form decodes back. The stored bytes and
// their type.
//
// The rule: a block is kept compressed only if that saves at least 1/8. LZ4
// compresses with the output capped there and gives up when its
// conservative end-of-buffer checks (a few bytes of margin) fail, so a
// block within a few bytes of the line may stay raw; one clearly below it
// never does.
std::pair<std::string, CompressionType> StoreAndCheck(const std::string& raw) {
  std::string scratch;
  CompressionType type;
  const Slice stored = MaybeCompress(raw, kLz4Compression, 0, &scratch, &type);
  const size_t max_kept = raw.size() - raw.size() / 8;
  const size_t unlimited = raw.empty() ? 0 : UnlimitedLz4(raw).size();
  INFO("raw " << raw.size() << " stored " << stored.size() << " unlimited " << unlimited);
  if (raw.empty() || unlimited > max_kept) REQUIRE(type == kNoCompression);
  if (!raw.empty() && unlimited + 32 <= max_kept) REQUIRE(type == kLz4Compression);
  if (type == kNoCompression) {
    REQUIRE(stored.data() == raw.data());  // raw, not a copy
    REQUIRE(stored.size() == raw.size());
  } else {
    REQUIRE(stored.size() <= raw.size() - raw.size() / 8);
  }
  BlockContents back;
  const char* error = DecodeBlock(stored, type, &back);
  REQUIRE(error == nullptr);
  REQUIRE(back.data().ToString() == raw);
  return {stored.ToString(), type};
}

// A stored LZ4 block of `raw` (which must compress).
std::string Lz4Stored(const std::string& raw) {
  auto [stored, type] = StoreAndCheck(raw);
  REQUIRE(type == kLz4Compression);
  return stored;
}

// Decodes possibly damaged bytes as an LZ4 block: either an error, or
// exactly the size its header declares. (DecodeBlock writes into a buffer of
// exactly that size, so under ASan any write past it fails the test.)
bool DecodesCleanly(const std::string& stored) {
  BlockContents out;
  const char* error = DecodeBlock(stored, kLz4Compression, &out);
  if (error != nullptr) return false;
  Slice in(stored);
  uint32_t size = 0;
  REQUIRE(GetVarint32(&in, &size));
  REQUIRE(out.size == size);
  return true;
}

}  // namespace

TEST_CASE("Format: LZ4 blocks of edge sizes and patterns round-trip or stay raw", "[format][lz4]") {
  std::vector<std::string> inputs = {"", "a", "ab", "abcd", "aaaa", "aaaaaaaaaaaa",
                                     std::string(13, 'x'), std::string(64, 'x'),
                                     std::string(1 << 20, '\0')};
  for (size_t period : {1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33}) {
    std::string unit;
    for (size_t i = 0; i < period; i++) unit += static_cast<char>('a' + i % 26);
    std::string s;
    while (s.size() < 5000) s += unit;
    INFO("period " << period);
    REQUIRE(Lz4Stored(s + "x").size() < s.size() / 20);  // a period shrinks to almost nothing
  }
  Random rnd(17);
  for (size_t n : {14, 15, 16, 270, 4096, 70000}) inputs.push_back(rnd.Bytes(n) + "tailtail");
  for (const std::string& input : inputs) {
    INFO("input size " << input.size());
    StoreAndCheck(input);
  }
  REQUIRE(Lz4Stored(std::string(1 << 20, '\0')).size() < 5000);
}

TEST_CASE("Format: random LZ4 mixtures round-trip, a block is kept compressed only when it saves 12.5%",
          "[format][lz4]") {
  const uint64_t seed = test::TestSeed(2027);
  INFO("seed " << seed);
  Random rnd(seed);
  int compressed = 0, raw = 0;
  for (int i = 0; i < 300; i++) {
    // Sizes around the 4 KiB block size, a few large ones; mixtures diluted
    // with random bytes so some land on each side of the 12.5% line.
    const size_t n = rnd.OneIn(10) ? 100000 + rnd.Uniform(200000) : 1 + rnd.Uniform(9000);
    std::string input = Mixed(&rnd, n);
    const int noise_percent = static_cast<int>(rnd.Uniform(101));
    for (char& c : input) {
      if (static_cast<int>(rnd.Uniform(100)) < noise_percent) c = static_cast<char>(rnd.Next());
    }
    INFO("round " << i << " size " << n << " noise " << noise_percent << "%");
    const auto [stored, type] = StoreAndCheck(input);
    (type == kLz4Compression ? compressed : raw)++;
  }
  REQUIRE(compressed > 30);
  REQUIRE(raw > 30);
}

TEST_CASE("Format: LZ4 blocks compressed one after another on a thread are independent blocks",
          "[format][lz4]") {
  // MaybeCompress reuses one LZ4 stream state per thread. Each block must
  // still be a block on its own: decodable with no dictionary, long after
  // the raw bytes of the blocks before it changed. A block equal to (or
  // sharing a long prefix with) the one before it is the case a state that
  // was not reset between blocks would compress against the earlier block.
  const uint64_t seed = test::TestSeed(4096);
  INFO("seed " << seed);
  Random rnd(seed);
  std::vector<std::string> raws;  // all kept alive: earlier blocks stay addressable
  std::vector<std::pair<std::string, CompressionType>> stored;
  std::string scratch;
  for (int i = 0; i < 400; i++) {
    std::string raw;
    const std::string previous = raws.empty() ? std::string() : raws.back();
    switch (rnd.Uniform(5)) {
      case 0:
        raw = previous;  // the same bytes again
        break;
      case 1:
        raw = previous.substr(0, previous.size() / 2) + Mixed(&rnd, 1 + rnd.Uniform(3000));
        break;
      case 2:
        raw = rnd.Bytes(1 + rnd.Uniform(3000));  // incompressible: LZ4 gives up mid-block
        break;
      default:
        raw = Mixed(&rnd, 1 + rnd.Uniform(5000));
    }
    if (raw.empty()) raw = Mixed(&rnd, 100);
    raws.push_back(raw);
    CompressionType type;
    const Slice out = MaybeCompress(raws.back(), kLz4Compression, 0, &scratch, &type);
    stored.emplace_back(out.ToString(), type);
  }
  const std::vector<std::string> originals = raws;
  int compressed = 0;
  for (size_t i = 0; i < raws.size(); i++) {
    INFO("block " << i << " of size " << raws[i].size());
    raws[i].assign(raws[i].size(), '\xee');  // nothing may still point at the raw bytes
    if (stored[i].second != kLz4Compression) continue;
    compressed++;
    BlockContents back;
    REQUIRE(DecodeBlock(stored[i].first, kLz4Compression, &back) == nullptr);
    REQUIRE(back.data().ToString() == originals[i]);
    // And liblz4's own safe decoder, with no dictionary, agrees.
    Slice in(stored[i].first);
    uint32_t size = 0;
    REQUIRE(GetVarint32(&in, &size));
    std::string direct(size, '\0');
    REQUIRE(LZ4_decompress_safe(in.data(), &direct[0], static_cast<int>(in.size()), static_cast<int>(size)) ==
            static_cast<int>(size));
    REQUIRE(back.data().ToString() == direct);
  }
  REQUIRE(compressed > 200);
}

TEST_CASE("Format: LZ4 blocks compressed on one thread decode to their inputs, blocks repeating the one before",
          "[format][lz4]") {
  const uint64_t seed = test::TestSeed(2048);
  INFO("seed " << seed);
  Random rnd(seed);
  std::string scratch;
  std::string previous;
  for (int i = 0; i < 300; i++) {
    INFO("block " << i);
    std::string raw;
    switch (rnd.Uniform(4)) {
      case 0:
        raw = previous.empty() ? Mixed(&rnd, 2000) : previous;
        break;
      case 1:
        raw = rnd.Bytes(1 + rnd.Uniform(2500));
        break;
      default:
        raw = Mixed(&rnd, 1 + rnd.Uniform(4000));
    }
    CompressionType type;
    const Slice out = MaybeCompress(raw, kLz4Compression, 0, &scratch, &type);
    const std::string kept = out.ToString();
    const std::string original = raw;
    previous = raw;
    raw.assign(raw.size(), '\x5a');  // the input is gone before the block is read
    BlockContents back;
    REQUIRE(DecodeBlock(kept, type, &back) == nullptr);
    REQUIRE(back.data().ToString() == original);
  }
}

// Flushes compress at kLz4FlushAcceleration: other blocks, decoded by the
// same reader, never larger than the 12.5% rule allows.
TEST_CASE("Format: LZ4 blocks at the flushes' acceleration decode to their inputs", "[format][lz4]") {
  const uint64_t seed = test::TestSeed(20261202);
  INFO("seed " << seed);
  Random rnd(static_cast<uint32_t>(seed));
  std::map<int, size_t> stored_bytes;  // by acceleration
  for (int round = 0; round < 200; round++) {
    // db_bench-like entries: a key, then a value whose second half repeats its first.
    std::string raw;
    const int entries = 1 + static_cast<int>(rnd.Uniform(40));
    for (int i = 0; i < entries; i++) {
      raw += "key" + std::to_string(rnd.Uniform(1000000));
      std::string half;
      for (int j = 0; j < 50; j++) half.push_back(static_cast<char>('a' + rnd.Uniform(26)));
      raw += half + half;
    }
    for (int acceleration : {kLz4Acceleration, kLz4FlushAcceleration, 8}) {
      INFO("round " << round << " acceleration " << acceleration);
      std::string scratch;
      CompressionType type;
      const Slice stored = MaybeCompress(raw, kLz4Compression, 0, &scratch, &type, acceleration);
      if (type == kLz4Compression) REQUIRE(stored.size() <= raw.size() - raw.size() / 8);
      BlockContents back;
      REQUIRE(DecodeBlock(stored, type, &back) == nullptr);
      REQUIRE(back.data().ToString() == raw);
      stored_bytes[acceleration] += stored.size();
    }
  }
  // On such values 2 finds the repeats about as well as 1 (the reason it
  // was chosen for flushes); 8 skips enough of them to notice.
  INFO("stored bytes at 1: " << stored_bytes[1] << ", 2: " << stored_bytes[2] << ", 8: " << stored_bytes[8]);
  REQUIRE(stored_bytes[kLz4FlushAcceleration] <= stored_bytes[kLz4Acceleration] * 105 / 100);
  REQUIRE(stored_bytes[8] > stored_bytes[kLz4Acceleration]);
}

TEST_CASE("Format: damaged LZ4 blocks are refused, never decoded out of bounds", "[format][lz4][corruption]") {
  const uint64_t seed = test::TestSeed(99);
  INFO("seed " << seed);
  Random rnd(seed);
  const std::string raw = Mixed(&rnd, 3000);
  const std::string good = Lz4Stored(raw);
  REQUIRE(DecodesCleanly(good));

  SECTION("every truncation") {
    for (size_t len = 0; len < good.size(); len++) {
      INFO("length " << len);
      REQUIRE_FALSE(DecodesCleanly(good.substr(0, len)));
    }
  }
  SECTION("trailing bytes") {
    REQUIRE_FALSE(DecodesCleanly(good + std::string(1, '\0')));
    REQUIRE_FALSE(DecodesCleanly(good + good));
  }
  SECTION("a wrong decoded size") {
    Slice in(good);
    uint32_t size;
    REQUIRE(GetVarint32(&in, &size));
    for (uint32_t wrong : {0u, 1u, size - 1, size + 1, size * 2, (1u << 30) + 1, 0xffffffffu}) {
      std::string bad;
      PutVarint32(&bad, wrong);
      bad += in.ToString();
      BlockContents out;
      INFO("declared " << wrong << " instead of " << size);
      REQUIRE(DecodeBlock(bad, kLz4Compression, &out) != nullptr);
    }
    BlockContents out;
    REQUIRE(DecodeBlock(std::string(5, '\xff'), kLz4Compression, &out) != nullptr);  // bad varint
    REQUIRE(DecodeBlock(std::string(), kLz4Compression, &out) != nullptr);
  }
  SECTION("every byte changed (then decoded within bounds or refused)") {
    int refused = 0;
    for (size_t pos = 0; pos < good.size(); pos++) {
      for (int trial = 0; trial < 3; trial++) {
        std::string bad = good;
        bad[pos] = static_cast<char>(bad[pos] ^ (1 + rnd.Uniform(255)));
        INFO("byte " << pos);
        refused += DecodesCleanly(bad) ? 0 : 1;
      }
    }
    REQUIRE(refused > 0);
  }
  SECTION("random bytes") {
    for (int i = 0; i < 2000; i++) {
      std::string bad;
      PutVarint32(&bad, static_cast<uint32_t>(rnd.Uniform(5000)));
      bad += rnd.Bytes(rnd.Uniform(200));
      (void)DecodesCleanly(bad);
    }
  }
}

TEST_CASE("Format: compression types and their names", "[format]") {
  REQUIRE(CompressionName(kNoCompression) == "none");
  REQUIRE(CompressionName(kZstdCompression) == "zstd");
  REQUIRE(CompressionName(kLz4Compression) == "lz4");
  REQUIRE(CompressionName(2) == "unknown(2)");  // the retired lz codec
  // On disk, never renumbered.
  REQUIRE(static_cast<int>(kNoCompression) == 0);
  REQUIRE(static_cast<int>(kZstdCompression) == 1);
  REQUIRE(static_cast<int>(kLz4Compression) == 3);
  BlockContents out;
  REQUIRE(std::string(DecodeBlock("xyz", 2, &out)) == "unknown compression type");
}

TEST_CASE("Format: footers of table format 1 and 3 are read, 2 (retired lz) and newer are NotSupported",
          "[format]") {
  Footer footer;
  footer.index = {100, 20};
  footer.properties = {50, 40};
  for (uint32_t version : {0u, 1u, 2u, 3u, 4u}) {
    INFO("version " << version);
    footer.format_version = version;
    std::string encoded;
    footer.EncodeTo(&encoded);
    REQUIRE(encoded.size() == Footer::kEncodedLength);
    Footer decoded;
    const Status s = decoded.DecodeFrom(encoded, "000007.sst");
    INFO(s.ToString());
    if (version == 1 || version == 3) {
      REQUIRE(s.ok());
      REQUIRE(decoded.format_version == version);
      REQUIRE(decoded.index.offset == 100);
      REQUIRE(decoded.properties.size == 40);
    } else {
      REQUIRE(s.IsNotSupported());
      REQUIRE(s.ToString().find("000007.sst") != std::string::npos);
      if (version == 2) REQUIRE(s.ToString().find("retired lz codec") != std::string::npos);
    }
  }
}

}  // namespace lsmkv
