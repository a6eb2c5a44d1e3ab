// The change feed and replica apply in Python (docs/replication.md):
//
//   for seq, batch in leader.get_updates_since(follower.latest_sequence() + 1):
//       follower.write_replicated(seq, batch)
//
// DB.get_updates_since(seq) is an iterator of (sequence, WriteBatch) over
// DB::GetUpdatesSince; DB.write_replicated and DB.wait_for_sequence wrap
// DB::WriteReplicated and DB::WaitForSequence. Reading the WALs and
// waiting run without the GIL, the DB held open (py_db.h); a wait holds it
// open one short slice at a time, so close() need not wait it out.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include "py_db.h"

namespace lsmkv::python {

namespace {

// (sequence, WriteBatch) pairs from an UpdateIterator. A child of the DB:
// closing the DB releases the C++ iterator, which must go first. One
// thread at a time: `in_use_` (GIL) makes a second thread's call raise
// while a step runs without the GIL.
class PyUpdates : public Child {
 public:
  // Registered, and so cleared by close(), before the C++ iterator exists:
  // GetUpdatesSince makes it into slot() while holding the DB open.
  explicit PyUpdates(std::shared_ptr<DbState> state)
      : Child(state, &state->children), state_(std::move(state)) {}
  ~PyUpdates() override { Invalidate(); }
  // REQUIRES: GIL; no step running (close() waits for them).
  void Invalidate() override { it_.reset(); }
  // Where GetUpdatesSince puts the C++ iterator. Written only by an
  // operation holding state_->use shared (close() clears it exclusively).
  std::unique_ptr<UpdateIterator>* slot() { return &it_; }
  bool empty() const { return it_ == nullptr; }

  py::tuple Next() {
    if (it_ == nullptr || state_->closed) {
      RaiseError("update iterator used after its DB was closed");
    }
    if (in_use_) RaiseError("update iterator is in use by another thread");
    // The iterator starts at its first batch; each later call moves on,
    // unless the feed already ended (or failed): then it ends again.
    if (started_ && it_->Valid()) {
      in_use_ = true;
      UpdateIterator* it = it_.get();
      try {
        (void)RunUnlocked(state_.get(), [it] {
          it->Next();
          return Status::OK();
        });
      } catch (...) {
        in_use_ = false;
        throw;
      }
      in_use_ = false;
      // close() may have run between the step and getting the GIL back.
      if (it_ == nullptr) RaiseError("update iterator used after its DB was closed");
    }
    started_ = true;
    if (!it_->Valid()) {
      Check(it_->status());  // a hole in the feed ends it with an error
      throw py::stop_iteration();
    }
    return py::make_tuple(it_->sequence(), py::cast(WriteBatch(it_->batch())));
  }

 private:
  const std::shared_ptr<DbState> state_;
  std::unique_ptr<UpdateIterator> it_;
  bool started_ = false;  // the first batch was handed out
  bool in_use_ = false;   // a step runs without the GIL
};

std::unique_ptr<PyUpdates> GetUpdatesSince(PyDB& db, uint64_t seq) {
  // Registered first: close() may run to its end between the call dropping
  // the DB's lock and this thread getting the GIL back; it then clears the
  // iterator, which is destroyed while its DB still exists.
  auto updates = std::make_unique<PyUpdates>(db.state());
  std::unique_ptr<UpdateIterator>* slot = updates->slot();
  Check(db.Run([&](DB* d) { return d->GetUpdatesSince(seq, slot); }));
  if (updates->empty()) RaiseError("DB is closed");
  return updates;
}

void WriteReplicated(PyDB& db, uint64_t first_seq, WriteBatch* batch, bool sync) {
  WriteOptions options;
  options.sync = sync;
  Check(db.Run([&](DB* d) { return d->WriteReplicated(options, first_seq, batch); }));
}

// A wait is cut into slices this long, each holding the DB open on its own:
// between them close() and Snapshot.release() can run (the next slice then
// raises "DB is closed") and Ctrl-C is checked.
constexpr uint64_t kWaitSliceMicros = 100 * 1000;

bool WaitForSequence(PyDB& db, uint64_t seq, std::optional<double> timeout) {
  // No limit for None, and for timeouts past what a uint64_t of
  // microseconds holds (converting those would be undefined).
  uint64_t limit_micros = UINT64_MAX;
  if (timeout.has_value()) {
    if (!(*timeout >= 0) || std::isnan(*timeout)) {
      throw py::value_error("timeout must be None or a number of seconds >= 0");
    }
    const double micros = *timeout * 1e6;
    if (micros < 1.8e19) limit_micros = static_cast<uint64_t>(micros);
  }
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    const uint64_t done = static_cast<uint64_t>(std::max<int64_t>(elapsed.count(), 0));
    const uint64_t left = limit_micros == UINT64_MAX ? UINT64_MAX
                          : done >= limit_micros     ? 0
                                                     : limit_micros - done;
    const uint64_t slice = std::min(left, kWaitSliceMicros);
    bool reached = false;
    (void)db.Run([&](DB* d) {  // raises "DB is closed" once close() began
      reached = d->WaitForSequence(seq, slice).ok();
      return Status::OK();
    });
    if (reached) return true;
    if (left <= kWaitSliceMicros) return false;  // that was the last slice
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();  // Ctrl-C: KeyboardInterrupt
  }
}

}  // namespace

void BindFeed(py::module_& m, py::class_<PyDB>& db_class) {
  py::class_<PyUpdates>(m, "UpdateIterator",
                        "From DB.get_updates_since(): (sequence, WriteBatch) pairs in order.")
      .def("__iter__", [](PyUpdates& it) -> PyUpdates& { return it; },
           py::return_value_policy::reference)
      .def("__next__", &PyUpdates::Next);

  db_class
      .def("get_updates_since", &GetUpdatesSince, py::arg("seq"),
           "The change feed: an iterator of (sequence, WriteBatch) for the write batches with "
           "sequence numbers >= seq, in order and without a hole; each batch covers sequence "
           ".. sequence + len(batch) - 1 (a batch is split where seq falls inside it). It ends "
           "after the newest write when it gets there (get_updates_since(last + 1) continues "
           "later). Raises NotFoundError when seq is older than the oldest batch kept "
           "(wal_retention_bytes): start the replica again from a checkpoint. Iteration raises "
           "NotFoundError or CorruptionError where a batch is missing instead of skipping it.")
      .def("write_replicated", &WriteReplicated, py::arg("first_seq"), py::arg("batch"),
           py::kw_only(), py::arg("sync") = false,
           "Replica side: applies a batch from another DB's get_updates_since at its own "
           "sequence numbers. InvalidArgumentError, nothing written, unless first_seq == "
           "latest_sequence() + 1 (a gap or a repeat). Durable and recovered like write(); "
           "ordinary writes to the replica break replication.")
      .def("wait_for_sequence", &WaitForSequence, py::arg("seq"), py::kw_only(),
           py::arg("timeout"),
           "Waits (without the GIL) until a write with sequence >= seq is visible: True, or "
           "False after timeout seconds (None: no limit). close() from another thread ends "
           "the wait within about 0.1 s with lsmkv.Error (DB is closed); a signal (Ctrl-C) "
           "is handled meanwhile.");
}

}  // namespace lsmkv::python
