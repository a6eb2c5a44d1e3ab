// lsmkv.Transaction and DB.transaction(): optimistic transactions
// (lsmkv/transaction.h) as a context manager that commits when the block
// succeeds and rolls back when it raises:
//
//   while True:
//       try:
//           with db.transaction() as txn:
//               txn.put(b"k", txn.get(b"k") + b"!")
//           break
//       except lsmkv.Busy:   # a conflicting write won: retry
//           continue
//
// One thread at a time per transaction. Everything but commit runs with
// the GIL held (the writes are buffered in memory); commit releases it
// while holding the DB open (py_db.h), and the transaction is marked busy
// meanwhile so another thread's call raises instead of racing it.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>

#include "lsmkv/transaction.h"
#include "py_db.h"

namespace lsmkv::python {

namespace {

// The C++ transaction and the iterators reading through it, which must go
// first. Touched with the GIL held.
struct TxnState {
  std::unique_ptr<Transaction> txn;
  ChildSet iterators;
};

IsolationLevel ToIsolation(const std::string& name) {
  if (name == "serializable") return IsolationLevel::kSerializable;
  if (name == "snapshot") return IsolationLevel::kSnapshot;
  throw py::value_error("isolation must be \"serializable\" or \"snapshot\", not \"" + name +
                        "\"");
}

class PyTransaction : public Child {
 public:
  PyTransaction(std::shared_ptr<DbState> db_state, const WriteOptions& write_options,
                const TransactionOptions& txn_options)
      : Child(db_state, &db_state->children),
        db_state_(std::move(db_state)),
        state_(std::make_shared<TxnState>()) {
    state_->txn = db_state_->db->BeginTransaction(write_options, txn_options);
  }
  ~PyTransaction() override { Invalidate(); }

  // Rolls back (the C++ destructor does) after destroying its iterators.
  void Invalidate() override {
    InvalidateAll(state_->iterators);
    state_->txn.reset();
  }

  std::optional<py::bytes> Get(py::handle key) {
    std::string key_holder, value;
    const Slice k = ToSlice(key, "key", &key_holder);
    const Status s = Txn()->Get(ReadOptions(), k, &value);
    if (s.IsNotFound()) return std::nullopt;
    Check(s);
    return py::bytes(value);
  }

  void Put(py::handle key, py::handle value) {
    std::string key_holder, value_holder;
    Check(Txn()->Put(ToSlice(key, "key", &key_holder), ToSlice(value, "value", &value_holder)));
  }

  void Delete(py::handle key) {
    std::string key_holder;
    Check(Txn()->Delete(ToSlice(key, "key", &key_holder)));
  }

  std::unique_ptr<PyItems> Items(const py::object& start, const py::object& stop, bool reverse) {
    Transaction* txn = Txn();
    return std::make_unique<PyItems>(
        state_, &state_->iterators, ReadOptions(), OptionalBytes(start, "start"),
        OptionalBytes(stop, "stop"), reverse,
        [txn](const ReadOptions& options) { return txn->NewIterator(options); });
  }

  void SetSavePoint() { Txn()->SetSavePoint(); }
  void RollbackToSavePoint() { Check(Txn()->RollbackToSavePoint()); }

  void Commit() {
    Transaction* txn = Txn();
    finished_ = true;
    committing_ = true;
    Status s;
    try {
      s = RunUnlocked(db_state_.get(), [&] { return txn->Commit(); });
    } catch (...) {
      committing_ = false;
      throw;
    }
    committing_ = false;
    CheckCommit(s);
  }

  void Rollback() {
    Transaction* txn = Txn();
    finished_ = true;
    Check(txn->Rollback());
  }

  // Leaving the `with` block: commit on success, roll back on an exception
  // (which then propagates). Nothing if the block already finished it.
  bool Exit(const py::object& exc_type) {
    if (finished_ || state_->txn == nullptr) return false;
    if (exc_type.is_none()) {
      Commit();
    } else {
      Rollback();
    }
    return false;
  }

  bool finished() const { return finished_; }

 private:
  // The live transaction; raises when the DB closed or another thread is
  // committing it. REQUIRES: GIL.
  Transaction* Txn() {
    if (committing_) RaiseError("transaction is being committed by another thread");
    if (state_->txn == nullptr || db_state_->closed) {
      RaiseError("transaction used after its DB was closed");
    }
    return state_->txn.get();
  }

  const std::shared_ptr<DbState> db_state_;
  const std::shared_ptr<TxnState> state_;
  bool finished_ = false;    // commit or rollback was called
  bool committing_ = false;  // commit runs without the GIL
};

}  // namespace

void BindTransactions(py::module_& m, py::class_<PyDB>& db_class) {
  py::class_<PyTransaction>(
      m, "Transaction",
      "From DB.transaction(): reads see the DB as of its start plus its own writes; nothing is "
      "written before commit. As a context manager it commits when the block ends normally "
      "(raising lsmkv.Busy when a conflicting write committed first: retry) and rolls back "
      "when the block raises.")
      .def("__enter__", [](PyTransaction& t) -> PyTransaction& { return t; },
           py::return_value_policy::reference)
      .def("__exit__",
           [](PyTransaction& t, const py::object& exc_type, const py::object&,
              const py::object&) { return t.Exit(exc_type); })
      .def("get", &PyTransaction::Get, py::arg("key"),
           "The value (bytes) as this transaction sees it, or None.")
      .def("put", &PyTransaction::Put, py::arg("key"), py::arg("value"))
      .def("delete", &PyTransaction::Delete, py::arg("key"))
      .def("items", &PyTransaction::Items, py::arg("start") = py::none(),
           py::arg("stop") = py::none(), py::kw_only(), py::arg("reverse") = false,
           "(key, value) pairs in [start, stop) as this transaction sees them (its pending "
           "writes merged in). Under serializable isolation the range walked is validated at "
           "commit.")
      .def("set_savepoint", &PyTransaction::SetSavePoint)
      .def("rollback_to_savepoint", &PyTransaction::RollbackToSavePoint,
           "Undoes the writes since the latest save point and removes it; NotFoundError when "
           "there is none.")
      .def("commit", &PyTransaction::Commit,
           "Applies every write atomically, or raises lsmkv.Busy (nothing written) when a "
           "conflicting write committed after the transaction began.")
      .def("rollback", &PyTransaction::Rollback, "Drops the pending writes.")
      .def_property_readonly("finished", &PyTransaction::finished,
                             "True once commit or rollback was called.");

  db_class.def(
      "transaction",
      [](PyDB& db, const std::string& isolation, bool sync) {
        if (db.closed()) RaiseError("DB is closed");
        TransactionOptions txn_options;
        txn_options.isolation = ToIsolation(isolation);
        WriteOptions write_options;
        write_options.sync = sync;
        return std::make_unique<PyTransaction>(db.state(), write_options, txn_options);
      },
      py::kw_only(), py::arg("isolation") = "serializable", py::arg("sync") = false,
      "Begins a transaction. isolation=\"serializable\" (the default: commit fails when a "
      "later write touched a key it read or wrote, or a range it iterated) or \"snapshot\" "
      "(only keys it wrote). sync=True: the commit is durable against power loss.");
}

}  // namespace lsmkv::python
