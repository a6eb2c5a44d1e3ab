// The change feed and replica apply in Python (docs/replication.md):
//
//   for seq, batch in leader.get_updates_since(follower.latest_sequence() + 1):
//       follower.write_replicated(seq, batch)
//
// DB.get_updates_since(seq) is an iterator of (sequence, WriteBatch) over
// DB::GetUpdatesSince; DB.write_replicated and DB.wait_for_sequence wrap
// DB::WriteReplicated and DB::WaitForSequence. Reading the WALs and
// waiting run without the GIL, the DB held open (py_db.h).
#include <pybind11/pybind11.h>

#include <cmath>
#include <memory>
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
  PyUpdates(std::shared_ptr<DbState> state, std::unique_ptr<UpdateIterator> it)
      : Child(state, &state->children), state_(std::move(state)), it_(std::move(it)) {}
  ~PyUpdates() override { Invalidate(); }
  // REQUIRES: GIL; no step running (close() waits for them).
  void Invalidate() override { it_.reset(); }

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
  std::unique_ptr<UpdateIterator> it;
  Check(db.Run([&](DB* d) { return d->GetUpdatesSince(seq, &it); }));
  return std::make_unique<PyUpdates>(db.state(), std::move(it));
}

void WriteReplicated(PyDB& db, uint64_t first_seq, WriteBatch* batch, bool sync) {
  WriteOptions options;
  options.sync = sync;
  Check(db.Run([&](DB* d) { return d->WriteReplicated(options, first_seq, batch); }));
}

bool WaitForSequence(PyDB& db, uint64_t seq, double timeout) {
  if (!(timeout >= 0) || !std::isfinite(timeout)) {
    throw py::value_error("timeout must be a finite number of seconds >= 0");
  }
  const auto micros = static_cast<uint64_t>(timeout * 1e6);
  bool reached = false;
  (void)db.Run([&](DB* d) {
    reached = d->WaitForSequence(seq, micros).ok();
    return Status::OK();
  });
  return reached;
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
           "False after timeout seconds. close() waits for a wait in progress.");
}

}  // namespace lsmkv::python
