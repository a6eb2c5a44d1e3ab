// SequencedWriter: a writer thread for tests of copies taken from a live DB
// (checkpoints, backups). It applies deterministic batches (puts and
// deletes, 1-4 entries) from one thread and records, for every batch, the
// last sequence number it took: with a single writer, batch k takes the
// Count() numbers after batch k-1's (the first write of a new DB gets 1).
//
// acked() is the last sequence number of the newest batch whose Write
// returned; issued() that of the batch being written (set before Write is
// called). A copy taken by a call that started after acked() was read and
// returned before issued() was read must hold a sequence in
// [acked-before, issued-after] that ends a batch, and exactly the batches
// up to it: StateAt() is that model. WriteUntilCompacted lets the writer
// run on until a compaction happened, between copies.
#ifndef LSMKV_TESTS_SUPPORT_SEQUENCED_WRITER_H_
#define LSMKV_TESTS_SUPPORT_SEQUENCED_WRITER_H_

#include <catch2/catch.hpp>
#include <atomic>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "lsmkv/db.h"
#include "support/test_util.h"

namespace lsmkv::test {

class SequencedWriter {
 public:
  using Model = std::map<std::string, std::string>;

  // Writes into db (which must be new and empty: sequence 0) from a thread.
  SequencedWriter(DB* db, uint64_t seed, int key_space = 3000, size_t value_bytes = 100)
      : db_(db), seed_(seed), key_space_(key_space), value_bytes_(value_bytes) {
    thread_ = std::thread([this] { Run(); });
  }
  ~SequencedWriter() { Stop(); }
  SequencedWriter(const SequencedWriter&) = delete;
  SequencedWriter& operator=(const SequencedWriter&) = delete;

  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }

  uint64_t acked() const { return acked_.load(); }
  uint64_t issued() const { return issued_.load(); }
  // The first failed Write's status (OK if none). Read after Stop().
  const Status& status() const { return status_; }
  size_t batches() const { return batches_.size(); }  // after Stop()

  // After Stop(): whether `sequence` ends a batch (or is 0), and the state
  // after the batches up to it.
  bool EndsBatch(uint64_t sequence) const {
    if (sequence == 0) return true;
    for (const Batch& b : batches_) {
      if (b.last_sequence == sequence) return true;
    }
    return false;
  }
  Model StateAt(uint64_t sequence) const {
    Model model;
    for (const Batch& b : batches_) {
      if (b.last_sequence > sequence) break;
      Apply(b, &model);
    }
    return model;
  }

  // Without a writer object (e.g. in the parent of a killed child that
  // wrote with `seed`): the state after the batches up to `sequence`;
  // false if `sequence` does not end a batch.
  static bool Replay(uint64_t seed, uint64_t sequence, Model* model, int key_space = 3000,
                     size_t value_bytes = 100) {
    model->clear();
    uint64_t at = 0;
    for (uint64_t index = 0; at < sequence; index++) {
      WriteBatch batch;
      const Batch b = MakeBatch(seed, index, key_space, value_bytes, &batch);
      at += batch.Count();
      Apply(b, model);
    }
    return at == sequence;
  }

 private:
  struct Batch {
    std::vector<std::pair<std::string, std::string>> ops;  // value "": delete
    uint64_t last_sequence = 0;
  };

  static void Apply(const Batch& b, Model* model) {
    for (const auto& [key, value] : b.ops) {
      if (value.empty()) {
        model->erase(key);
      } else {
        (*model)[key] = value;
      }
    }
  }

  // Batch `index` of the stream: a pure function of (seed, index).
  static Batch MakeBatch(uint64_t seed, uint64_t index, int key_space, size_t value_bytes,
                         WriteBatch* batch) {
    std::mt19937_64 rnd(seed * 1000003 + index);
    Batch b;
    const int n = 1 + static_cast<int>(rnd() % 4);
    for (int i = 0; i < n; i++) {
      const std::string key = "key" + std::to_string(rnd() % key_space);
      if (rnd() % 5 == 0) {
        batch->Delete(key);
        b.ops.emplace_back(key, "");
      } else {
        std::string value = "v" + std::to_string(index) + "-";
        value.resize(value_bytes, static_cast<char>('a' + index % 26));
        batch->Put(key, value);
        b.ops.emplace_back(key, value);
      }
    }
    return b;
  }

  void Run() {
    uint64_t sequence = 0;
    for (uint64_t index = 0; !stop_.load(); index++) {
      WriteBatch batch;
      Batch b = MakeBatch(seed_, index, key_space_, value_bytes_, &batch);
      sequence += batch.Count();
      b.last_sequence = sequence;
      issued_.store(sequence);
      const Status s = db_->Write(WriteOptions(), &batch);
      if (!s.ok()) {
        status_ = s;
        return;
      }
      batches_.push_back(std::move(b));
      acked_.store(sequence);
    }
  }

  DB* const db_;
  const uint64_t seed_;
  const int key_space_;
  const size_t value_bytes_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> acked_{0};
  std::atomic<uint64_t> issued_{0};
  // Written by the thread; read after Stop() (the join orders them).
  Status status_;
  std::vector<Batch> batches_;
  std::thread thread_;
};

// For tests of copies taken while `writer` writes into db: lets it write
// on until a compaction has moved tables into level 1 (how far it gets in
// a given time depends on the machine's load), so copies taken before and
// after this call have flushes and compactions between them. Fails the
// test, saying how far the writer got, if none did within 60 s.
inline void WriteUntilCompacted(DB* db, const SequencedWriter& writer) {
  const bool compacted = WaitUntil([&] { return FilesAtLevel(db, 1) > 0; });
  INFO("after " << writer.acked() << " sequence numbers written, level 1 has " << FilesAtLevel(db, 1)
                << " files");
  if (!compacted) FAIL("no compaction moved tables into level 1 within 60 s of writing");
}

}  // namespace lsmkv::test

#endif  // LSMKV_TESTS_SUPPORT_SEQUENCED_WRITER_H_
