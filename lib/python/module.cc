// The Python module `lsmkv` (pybind11) over the C++ API:
//
//   with lsmkv.DB(path, create_if_missing=True) as db:
//       db.put(b"k", b"v", sync=False); db.get(b"k"); db.delete(b"k")
//       db.write(batch); db.items(b"a", b"z", reverse=False); db.snapshot()
//
// Keys and values are bytes-like in, bytes out. Errors raise lsmkv.Error
// subclasses (errors.h). Thread safety: a DB may be used from many Python
// threads; reads, writes, flushes and compactions release the GIL.
//
// Lifetime: iterators and snapshots hold their DB. DB.close() (or leaving
// the `with` block) first invalidates every iterator and snapshot still open
// on it (using one afterwards raises lsmkv.Error), then closes the C++ DB.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <utility>

#include "errors.h"
#include "lsmkv/db.h"
#include "lsmkv/version.h"
#include "options.h"

namespace lsmkv::python {

namespace py = pybind11;

namespace {

// The bytes of a bytes-like argument (bytes, bytearray, memoryview...);
// TypeError for str and other objects. Bytes objects are viewed in place;
// others are copied into *holder.
Slice ToSlice(py::handle obj, const char* what, std::string* holder) {
  if (PyBytes_Check(obj.ptr())) {
    return Slice(PyBytes_AS_STRING(obj.ptr()), static_cast<size_t>(PyBytes_GET_SIZE(obj.ptr())));
  }
  if (PyObject_CheckBuffer(obj.ptr()) && !PyUnicode_Check(obj.ptr())) {
    const py::buffer_info info = py::reinterpret_borrow<py::buffer>(obj).request();
    if (info.ndim > 1 && !(info.strides.empty() || info.itemsize == 1)) {
      throw py::type_error(std::string(what) + " must be a contiguous bytes-like object");
    }
    holder->assign(static_cast<const char*>(info.ptr),
                   static_cast<size_t>(info.size * info.itemsize));
    return Slice(*holder);
  }
  throw py::type_error(std::string(what) + " must be bytes-like (bytes, bytearray, memoryview), not " +
                       std::string(py::str(py::type::of(obj).attr("__name__"))));
}

py::bytes ToBytes(const Slice& s) { return py::bytes(s.data(), s.size()); }

class Child;

// What a DB, its iterators and snapshots share. `db` is reset by close();
// `use` lets operations run without the GIL while close() waits for them:
// operations hold it shared, close() exclusively. `children` and `closed`
// are only touched with the GIL held.
struct DbState {
  std::unique_ptr<DB> db;
  std::shared_mutex use;
  bool closed = false;
  std::set<Child*> children;
};

// An iterator or snapshot: invalidated (its C++ object released) when its
// DB closes first.
class Child {
 public:
  explicit Child(std::shared_ptr<DbState> state) : state_(std::move(state)) {
    state_->children.insert(this);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  virtual ~Child() { state_->children.erase(this); }
  // Releases the C++ object while the DB is still open. REQUIRES: GIL.
  virtual void Invalidate() = 0;

 protected:
  std::shared_ptr<DbState> state_;
};

class PySnapshot : public Child {
 public:
  explicit PySnapshot(std::shared_ptr<DbState> state) : Child(std::move(state)) {
    snapshot_ = state_->db->GetSnapshot();
  }
  ~PySnapshot() override { Invalidate(); }

  void Invalidate() override {
    if (snapshot_ != nullptr) state_->db->ReleaseSnapshot(std::exchange(snapshot_, nullptr));
  }
  // REQUIRES: GIL. Raises if released or its DB is closed.
  const Snapshot* Get() const {
    if (snapshot_ == nullptr) RaiseError("snapshot released (or its DB closed)");
    return snapshot_;
  }
  bool released() const { return snapshot_ == nullptr; }

 private:
  const Snapshot* snapshot_ = nullptr;
};

// ReadOptions for a call taking `snapshot=`. The iterator bounds point into
// the returned holder's strings.
ReadOptions MakeReadOptions(const PySnapshot* snapshot, bool verify_checksums,
                            bool fill_cache) {
  ReadOptions options;
  options.verify_checksums = verify_checksums;
  options.fill_cache = fill_cache;
  if (snapshot != nullptr) options.snapshot = snapshot->Get();
  return options;
}

// The iterator behind DB.items(): (key, value) pairs of [start, stop) in
// key order, or backwards with reverse=True.
class PyItems : public Child {
 public:
  PyItems(std::shared_ptr<DbState> state, ReadOptions options, std::optional<std::string> start,
          std::optional<std::string> stop, bool reverse)
      : Child(std::move(state)), start_(std::move(start)), stop_(std::move(stop)), reverse_(reverse) {
    if (start_) {
      lower_ = *start_;
      options.iterate_lower_bound = &lower_;
    }
    if (stop_) {
      upper_ = *stop_;
      options.iterate_upper_bound = &upper_;
    }
    it_ = state_->db->NewIterator(options);  // copies the bounds
  }
  ~PyItems() override { Invalidate(); }
  void Invalidate() override { it_.reset(); }

  py::tuple Next() {
    if (it_ == nullptr) RaiseError("iterator used after its DB was closed");
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

class PyDB {
 public:
  PyDB(const std::string& path, bool create_if_missing, const py::kwargs& kwargs)
      : state_(std::make_shared<DbState>()) {
    Options options;
    options.create_if_missing = create_if_missing;
    ApplyOptions(kwargs, &options);
    Status s;
    {
      py::gil_scoped_release release;
      s = DB::Open(options, path, &state_->db);
    }
    Check(s);
  }
  ~PyDB() {
    try {
      Close();
    } catch (const py::error_already_set&) {
      // Closing never raises today; if it did, a destructor has nobody to tell.
    }
  }

  void Close() {
    if (state_->closed) return;
    state_->closed = true;
    // Children may unregister themselves while invalidated: iterate a copy.
    const std::set<Child*> children = state_->children;
    for (Child* child : children) child->Invalidate();
    py::gil_scoped_release release;
    std::unique_lock<std::shared_mutex> lock(state_->use);  // waits for GIL-free operations
    state_->db.reset();
  }
  bool closed() const { return state_->closed; }

  // Runs op(db) without the GIL, the DB held open. REQUIRES: GIL.
  template <typename Op>
  Status Run(Op&& op) {
    if (state_->closed) RaiseError("DB is closed");
    py::gil_scoped_release release;
    std::shared_lock<std::shared_mutex> lock(state_->use);
    return op(state_->db.get());
  }

  std::optional<py::bytes> Get(py::handle key, const PySnapshot* snapshot,
                               bool verify_checksums, bool fill_cache) {
    std::string key_holder, value;
    const Slice k = ToSlice(key, "key", &key_holder);
    const ReadOptions options = MakeReadOptions(snapshot, verify_checksums, fill_cache);
    const Status s = Run([&](DB* db) { return db->Get(options, k, &value); });
    if (s.IsNotFound()) return std::nullopt;
    Check(s);
    return py::bytes(value);
  }

  void Put(py::handle key, py::handle value, bool sync) {
    std::string key_holder, value_holder;
    const Slice k = ToSlice(key, "key", &key_holder);
    const Slice v = ToSlice(value, "value", &value_holder);
    WriteOptions options;
    options.sync = sync;
    Check(Run([&](DB* db) { return db->Put(options, k, v); }));
  }

  void Delete(py::handle key, bool sync) {
    std::string key_holder;
    const Slice k = ToSlice(key, "key", &key_holder);
    WriteOptions options;
    options.sync = sync;
    Check(Run([&](DB* db) { return db->Delete(options, k); }));
  }

  void Write(WriteBatch* batch, bool sync) {
    WriteOptions options;
    options.sync = sync;
    Check(Run([&](DB* db) { return db->Write(options, batch); }));
  }

  std::unique_ptr<PyItems> Items(const py::object& start, const py::object& stop,
                                 bool reverse, const PySnapshot* snapshot,
                                 bool fill_cache) {
    if (state_->closed) RaiseError("DB is closed");
    std::string holder;
    std::optional<std::string> lower, upper;
    if (!start.is_none()) lower = ToSlice(start, "start", &holder).ToString();
    if (!stop.is_none()) upper = ToSlice(stop, "stop", &holder).ToString();
    return std::make_unique<PyItems>(state_, MakeReadOptions(snapshot, false, fill_cache),
                                     std::move(lower), std::move(upper), reverse);
  }

  std::unique_ptr<PySnapshot> NewSnapshot() {
    if (state_->closed) RaiseError("DB is closed");
    return std::make_unique<PySnapshot>(state_);
  }

  std::optional<std::string> GetProperty(const std::string& name) {
    std::string value;
    bool found = false;
    (void)Run([&](DB* db) {
      found = db->GetProperty(name, &value);
      return Status::OK();
    });
    if (!found) return std::nullopt;
    return value;
  }

  void Flush() {
    Check(Run([](DB* db) { return db->Flush(); }));
  }

  void CompactRange(const py::object& start, const py::object& stop) {
    std::string start_holder, stop_holder;
    Slice begin, end;
    const bool has_begin = !start.is_none();
    const bool has_end = !stop.is_none();
    if (has_begin) begin = ToSlice(start, "start", &start_holder);
    if (has_end) end = ToSlice(stop, "stop", &stop_holder);
    Check(Run([&](DB* db) {
      return db->CompactRange(has_begin ? &begin : nullptr, has_end ? &end : nullptr);
    }));
  }

  void VerifyChecksums() {
    Check(Run([](DB* db) { return db->VerifyChecksums(); }));
  }

  void Resume() {
    Check(Run([](DB* db) { return db->Resume(); }));
  }

 private:
  std::shared_ptr<DbState> state_;
};

Options OptionsFrom(const py::kwargs& kwargs) {
  Options options;
  ApplyOptions(kwargs, &options);
  return options;
}

}  // namespace

PYBIND11_MODULE(lsmkv, m) {
  m.doc() =
      "lsmkv: an embeddable LSM-tree key-value store.\n\n"
      "    with lsmkv.DB(path, create_if_missing=True) as db:\n"
      "        db.put(b'k', b'v')\n"
      "        db.get(b'k')  # b'v', or None when absent\n";
  m.attr("__version__") = Version();
  RegisterErrors(m);

  py::class_<WriteBatch>(m, "WriteBatch", "Updates applied atomically by DB.write, in order.")
      .def(py::init<>())
      .def(
          "put",
          [](WriteBatch& b, py::handle key, py::handle value) {
            std::string kh, vh;
            b.Put(ToSlice(key, "key", &kh), ToSlice(value, "value", &vh));
          },
          py::arg("key"), py::arg("value"))
      .def(
          "delete",
          [](WriteBatch& b, py::handle key) {
            std::string kh;
            b.Delete(ToSlice(key, "key", &kh));
          },
          py::arg("key"))
      .def("clear", &WriteBatch::Clear)
      .def("__len__", &WriteBatch::Count, "Number of updates.")
      .def("approximate_size", &WriteBatch::ApproximateSize, "Bytes of the encoded batch.")
      .def(
          "append", [](WriteBatch& b, const WriteBatch& other) { b.Append(other); },
          py::arg("other"), "Appends other's updates after this batch's.");

  py::class_<PySnapshot>(m, "Snapshot",
                         "A point-in-time view from DB.snapshot(); pass it as snapshot= to get "
                         "and items. Released by release(), by leaving a `with` block, when "
                         "garbage-collected, or when its DB closes.")
      .def("release", &PySnapshot::Invalidate)
      .def_property_readonly("released", &PySnapshot::released)
      .def("__enter__", [](PySnapshot& s) -> PySnapshot& { return s; },
           py::return_value_policy::reference)
      .def("__exit__", [](PySnapshot& s, py::args) { s.Invalidate(); });

  py::class_<PyItems>(m, "ItemsIterator")
      .def("__iter__", [](PyItems& it) -> PyItems& { return it; },
           py::return_value_policy::reference)
      .def("__next__", &PyItems::Next);

  const std::string db_doc =
      std::string("DB(path, create_if_missing=True, **options): opens (by default creates) the "
                  "database in directory path. Keyword options: ") +
      OptionNames() + ". A context manager: leaving the `with` block closes it.";
  py::class_<PyDB>(m, "DB", db_doc.c_str())
      .def(py::init<const std::string&, bool, const py::kwargs&>(), py::arg("path"),
           py::arg("create_if_missing").noconvert() = true)
      .def("close", &PyDB::Close,
           "Closes the DB (idempotent); open iterators and snapshots become unusable.")
      .def_property_readonly("closed", &PyDB::closed)
      .def("__enter__", [](PyDB& db) -> PyDB& { return db; }, py::return_value_policy::reference)
      .def("__exit__", [](PyDB& db, py::args) { db.Close(); })
      .def("get", &PyDB::Get, py::arg("key"), py::kw_only(), py::arg("snapshot") = py::none(),
           py::arg("verify_checksums") = false, py::arg("fill_cache") = true,
           "The value (bytes), or None when the key is absent.")
      .def("put", &PyDB::Put, py::arg("key"), py::arg("value"), py::kw_only(),
           py::arg("sync") = false,
           "sync=True: durable against power loss when it returns; False: against a process "
           "crash.")
      .def("delete", &PyDB::Delete, py::arg("key"), py::kw_only(), py::arg("sync") = false,
           "Deleting a missing key is not an error.")
      .def("write", &PyDB::Write, py::arg("batch"), py::kw_only(), py::arg("sync") = false,
           "Applies a WriteBatch atomically.")
      .def("items", &PyDB::Items, py::arg("start") = py::none(), py::arg("stop") = py::none(),
           py::kw_only(), py::arg("reverse") = false, py::arg("snapshot") = py::none(),
           py::arg("fill_cache") = true,
           "(key, value) pairs with start <= key < stop (None: unbounded), in key order or "
           "backwards with reverse=True; a consistent point-in-time view.")
      .def("snapshot", &PyDB::NewSnapshot)
      .def("get_property", &PyDB::GetProperty, py::arg("name"),
           "A property's value (e.g. 'lsmkv.stats') or None if unknown.")
      .def("flush", &PyDB::Flush)
      .def("compact_range", &PyDB::CompactRange, py::arg("start") = py::none(),
           py::arg("stop") = py::none(), "Compacts keys in [start, stop] (None: open end).")
      .def("verify_checksums", &PyDB::VerifyChecksums)
      .def("resume", &PyDB::Resume,
           "Clears a background error (e.g. NoSpaceError after a full disk) when that is safe.");

  m.def(
      "destroy_db",
      [](const std::string& path, const py::kwargs& kwargs) {
        Check(DestroyDB(path, OptionsFrom(kwargs)));
      },
      py::arg("path"), "Removes a DB's files and directory (it must not be open).");
  m.def(
      "repair_db",
      [](const std::string& path, const py::kwargs& kwargs) {
        Check(RepairDB(path, OptionsFrom(kwargs)));
      },
      py::arg("path"), "Rebuilds a DB whose MANIFEST is lost or damaged (it must not be open).");
}

}  // namespace lsmkv::python
