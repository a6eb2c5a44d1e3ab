// The objects behind lsmkv.DB, its snapshots and iterators, shared by the
// module's files (module.cc binds them; transaction.cc, backup.cc and
// feed.cc use PyDB).
//
// Lifetime: iterators (change-feed iterators too), snapshots and
// transactions ("children") hold their
// DB's state. DB.close() (or leaving the `with` block) first invalidates
// every child still open (using one afterwards raises lsmkv.Error), then
// closes the C++ DB.
//
// Locking: `DbState::use` lets operations run without the GIL while
// close() waits for them: an operation holds it shared from before it
// touches a C++ object until it is done; close() takes it exclusively
// before invalidating the children and resetting the DB, so no child's C++
// object (a snapshot, a transaction) is released under a running
// operation. The children sets and `closed` are touched with the GIL held.
#ifndef LSMKV_PYTHON_PY_DB_H_
#define LSMKV_PYTHON_PY_DB_H_

#include <pybind11/pybind11.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <utility>

#include "errors.h"
#include "lsmkv/db.h"
#include "options.h"

namespace lsmkv::python {

namespace py = pybind11;

// The bytes of a bytes-like argument (bytes, bytearray, memoryview...);
// TypeError for str and other objects. Bytes objects are viewed in place;
// others are copied into *holder.
Slice ToSlice(py::handle obj, const char* what, std::string* holder);

inline py::bytes ToBytes(const Slice& s) { return py::bytes(s.data(), s.size()); }

class Child;

// A set of children to invalidate together. REQUIRES: GIL for every use.
using ChildSet = std::set<Child*>;

// What a DB and its children share. `db` is reset by close().
struct DbState {
  std::unique_ptr<DB> db;
  std::shared_mutex use;  // see the file comment
  bool closed = false;    // set at the start of close(); GIL
  ChildSet children;      // GIL
};

// An iterator, snapshot or transaction: invalidated (its C++ object
// released) when what it depends on goes first. `owner` keeps the object
// holding `registry` alive.
class Child {
 public:
  Child(std::shared_ptr<void> owner, ChildSet* registry)
      : owner_(std::move(owner)), registry_(registry) {
    registry_->insert(this);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  virtual ~Child() { registry_->erase(this); }
  // Releases the C++ object. REQUIRES: GIL; no operation on it running.
  virtual void Invalidate() = 0;

 private:
  const std::shared_ptr<void> owner_;
  ChildSet* const registry_;
};

// Invalidates every member of set (which may shrink meanwhile).
inline void InvalidateAll(const ChildSet& set) {
  const ChildSet copy = set;
  for (Child* child : copy) child->Invalidate();
}

// Test hook (lsmkv._test_hold_after_unlock, tests/python/test_feed.py):
// while armed, RunUnlocked stops between dropping state->use and taking
// the GIL back -- the window in which close() can run to its end -- until
// the test releases it. Off (one relaxed load) unless a test arms it.
extern std::atomic<bool> test_hold_after_unlock_armed;
void TestHoldAfterUnlock();  // blocks while armed; REQUIRES: no GIL

// Runs op() without the GIL, holding state->use shared; the DB is open
// throughout. Raises lsmkv.Error if it is closed. REQUIRES: GIL. Anything
// op() makes that needs the DB must be registered as a child before the
// call (and written by op() while the lock is held): close() may run to its
// end after the lock is dropped and before the GIL is back.
template <typename Op>
Status RunUnlocked(DbState* state, Op&& op) {
  if (state->closed) RaiseError("DB is closed");
  bool closed_meanwhile = false;
  Status s;
  {
    py::gil_scoped_release release;
    {
      std::shared_lock<std::shared_mutex> lock(state->use);
      if (state->db == nullptr) {
        closed_meanwhile = true;
      } else {
        s = op();
      }
    }
    if (test_hold_after_unlock_armed.load(std::memory_order_relaxed)) TestHoldAfterUnlock();
  }
  if (closed_meanwhile) RaiseError("DB is closed");
  return s;
}

class PySnapshot : public Child {
 public:
  explicit PySnapshot(std::shared_ptr<DbState> state)
      : Child(state, &state->children), state_(std::move(state)) {
    snapshot_ = state_->db->GetSnapshot();
  }
  ~PySnapshot() override { Invalidate(); }

  void Invalidate() override {
    if (snapshot_ != nullptr) state_->db->ReleaseSnapshot(std::exchange(snapshot_, nullptr));
  }
  // User-facing release(): waits for operations reading through it.
  void Release() {
    if (snapshot_ == nullptr) return;
    std::unique_lock<std::shared_mutex> lock(state_->use, std::defer_lock);
    {
      py::gil_scoped_release release;
      lock.lock();
    }
    Invalidate();
  }
  // REQUIRES: GIL. Raises if released or its DB is closed.
  const Snapshot* Get() const {
    if (snapshot_ == nullptr) RaiseError("snapshot released (or its DB closed)");
    return snapshot_;
  }
  bool released() const { return snapshot_ == nullptr; }

 private:
  const std::shared_ptr<DbState> state_;
  const Snapshot* snapshot_ = nullptr;
};

// ReadOptions for a call taking `snapshot=`.
inline ReadOptions MakeReadOptions(const PySnapshot* snapshot, bool verify_checksums,
                                   bool fill_cache) {
  ReadOptions options;
  options.verify_checksums = verify_checksums;
  options.fill_cache = fill_cache;
  if (snapshot != nullptr) options.snapshot = snapshot->Get();
  return options;
}

// (key, value) pairs of [start, stop) in key order, or backwards with
// reverse=True, from an Iterator made by `make` (with the bounds set in
// the options it is given). Used by DB.items() and Transaction.items().
// Runs with the GIL held (each step is short).
class PyItems : public Child {
 public:
  PyItems(std::shared_ptr<void> owner, ChildSet* registry, ReadOptions options,
          std::optional<std::string> start, std::optional<std::string> stop, bool reverse,
          const std::function<std::unique_ptr<Iterator>(const ReadOptions&)>& make)
      : Child(std::move(owner), registry),
        start_(std::move(start)),
        stop_(std::move(stop)),
        reverse_(reverse) {
    if (start_) {
      lower_ = *start_;
      options.iterate_lower_bound = &lower_;
    }
    if (stop_) {
      upper_ = *stop_;
      options.iterate_upper_bound = &upper_;
    }
    it_ = make(options);  // copies the bounds
  }
  ~PyItems() override { Invalidate(); }
  void Invalidate() override { it_.reset(); }

  py::tuple Next() {
    if (it_ == nullptr) RaiseError("iterator used after its DB (or transaction) was closed");
    if (!started_) {
      started_ = true;
      reverse_ ? it_->SeekToLast() : it_->SeekToFirst();
    } else if (it_->Valid()) {
      reverse_ ? it_->Prev() : it_->Next();
    }
    if (!it_->Valid()) {
      Check(it_->status());  // a damaged block ends the scan with an error
      throw py::stop_iteration();
    }
    return py::make_tuple(ToBytes(it_->key()), ToBytes(it_->value()));
  }

 private:
  const std::optional<std::string> start_, stop_;
  Slice lower_, upper_;
  const bool reverse_;
  bool started_ = false;
  std::unique_ptr<Iterator> it_;
};

// The optional bytes-like bounds of an items() call, copied.
inline std::optional<std::string> OptionalBytes(const py::object& obj, const char* what) {
  if (obj.is_none()) return std::nullopt;
  std::string holder;
  return ToSlice(obj, what, &holder).ToString();
}

class PyDB {
 public:
  PyDB(const std::string& path, bool create_if_missing, const py::kwargs& kwargs);
  ~PyDB();

  void Close();
  bool closed() const { return state_->closed; }
  const std::shared_ptr<DbState>& state() const { return state_; }

  // Runs op(db) without the GIL, the DB held open. REQUIRES: GIL.
  template <typename Op>
  Status Run(Op&& op) {
    return RunUnlocked(state_.get(), [&] { return op(state_->db.get()); });
  }

  std::optional<py::bytes> Get(py::handle key, const PySnapshot* snapshot, bool verify_checksums,
                               bool fill_cache);
  void Put(py::handle key, py::handle value, bool sync);
  void Delete(py::handle key, bool sync);
  void Write(WriteBatch* batch, bool sync);
  std::unique_ptr<PyItems> Items(const py::object& start, const py::object& stop, bool reverse,
                                 const PySnapshot* snapshot, bool fill_cache);
  std::unique_ptr<PySnapshot> NewSnapshot();
  std::optional<std::string> GetProperty(const std::string& name);
  std::optional<uint64_t> GetIntProperty(const std::string& name);
  void Flush();
  void CompactRange(const py::object& start, const py::object& stop);
  void VerifyChecksums();
  void Resume();
  uint64_t LatestSequence();
  // Returns the sequence number the checkpoint holds.
  uint64_t Checkpoint(const std::string& dir);
  // [(start, stop), ...] -> [bytes, ...]
  py::list ApproximateSizes(const py::iterable& ranges);

 private:
  std::shared_ptr<DbState> state_;
};

// Binds lsmkv.Transaction and DB.transaction (transaction.cc).
void BindTransactions(py::module_& m, py::class_<PyDB>& db_class);
// Binds lsmkv.BackupEngine and lsmkv.BackupInfo (backup.cc).
void BindBackups(py::module_& m);
// Binds lsmkv.UpdateIterator, DB.get_updates_since, DB.write_replicated and
// DB.wait_for_sequence (feed.cc).
void BindFeed(py::module_& m, py::class_<PyDB>& db_class);
// Binds lsmkv._test_hold_after_unlock and lsmkv._test_held_after_unlock
// (test_hooks.cc).
void BindTestHooks(py::module_& m);

}  // namespace lsmkv::python

#endif  // LSMKV_PYTHON_PY_DB_H_
