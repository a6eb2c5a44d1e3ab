// PyDB (py_db.h): lsmkv.DB's methods over the C++ DB.
#include "py_db.h"

#include <vector>

namespace lsmkv::python {

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
  throw py::type_error(std::string(what) +
                       " must be bytes-like (bytes, bytearray, memoryview), not " +
                       std::string(py::str(py::type::of(obj).attr("__name__"))));
}

PyDB::PyDB(const std::string& path, bool create_if_missing, const py::kwargs& kwargs)
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

PyDB::~PyDB() {
  try {
    Close();
  } catch (const py::error_already_set&) {
    // Closing never raises today; if it did, a destructor has nobody to tell.
  }
}

void PyDB::Close() {
  if (state_->closed) return;
  state_->closed = true;
  std::unique_lock<std::shared_mutex> lock(state_->use, std::defer_lock);
  {
    py::gil_scoped_release release;
    lock.lock();  // waits for the operations running without the GIL
  }
  InvalidateAll(state_->children);
  std::unique_ptr<DB> db = std::move(state_->db);
  py::gil_scoped_release release;
  db.reset();  // waits for background work: without the GIL
}

std::optional<py::bytes> PyDB::Get(py::handle key, const PySnapshot* snapshot,
                                   bool verify_checksums, bool fill_cache) {
  std::string key_holder, value;
  const Slice k = ToSlice(key, "key", &key_holder);
  const ReadOptions options = MakeReadOptions(snapshot, verify_checksums, fill_cache);
  const Status s = Run([&](DB* db) { return db->Get(options, k, &value); });
  if (s.IsNotFound()) return std::nullopt;
  Check(s);
  return py::bytes(value);
}

void PyDB::Put(py::handle key, py::handle value, bool sync) {
  std::string key_holder, value_holder;
  const Slice k = ToSlice(key, "key", &key_holder);
  const Slice v = ToSlice(value, "value", &value_holder);
  WriteOptions options;
  options.sync = sync;
  Check(Run([&](DB* db) { return db->Put(options, k, v); }));
}

void PyDB::Delete(py::handle key, bool sync) {
  std::string key_holder;
  const Slice k = ToSlice(key, "key", &key_holder);
  WriteOptions options;
  options.sync = sync;
  Check(Run([&](DB* db) { return db->Delete(options, k); }));
}

void PyDB::Write(WriteBatch* batch, bool sync) {
  WriteOptions options;
  options.sync = sync;
  Check(Run([&](DB* db) { return db->Write(options, batch); }));
}

std::unique_ptr<PyItems> PyDB::Items(const py::object& start, const py::object& stop,
                                     bool reverse, const PySnapshot* snapshot, bool fill_cache) {
  if (state_->closed) RaiseError("DB is closed");
  DB* db = state_->db.get();
  return std::make_unique<PyItems>(
      state_, &state_->children, MakeReadOptions(snapshot, false, fill_cache),
      OptionalBytes(start, "start"), OptionalBytes(stop, "stop"), reverse,
      [db](const ReadOptions& options) { return db->NewIterator(options); });
}

std::unique_ptr<PySnapshot> PyDB::NewSnapshot() {
  if (state_->closed) RaiseError("DB is closed");
  return std::make_unique<PySnapshot>(state_);
}

std::optional<std::string> PyDB::GetProperty(const std::string& name) {
  std::string value;
  bool found = false;
  (void)Run([&](DB* db) {
    found = db->GetProperty(name, &value);
    return Status::OK();
  });
  if (!found) return std::nullopt;
  return value;
}

std::optional<uint64_t> PyDB::GetIntProperty(const std::string& name) {
  uint64_t value = 0;
  bool found = false;
  (void)Run([&](DB* db) {
    found = db->GetIntProperty(name, &value);
    return Status::OK();
  });
  if (!found) return std::nullopt;
  return value;
}

void PyDB::Flush() {
  Check(Run([](DB* db) { return db->Flush(); }));
}

void PyDB::CompactRange(const py::object& start, const py::object& stop) {
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

void PyDB::VerifyChecksums() {
  Check(Run([](DB* db) { return db->VerifyChecksums(); }));
}

void PyDB::Resume() {
  Check(Run([](DB* db) { return db->Resume(); }));
}

uint64_t PyDB::LatestSequence() {
  uint64_t seq = 0;
  (void)Run([&](DB* db) {
    seq = db->GetLatestSequenceNumber();
    return Status::OK();
  });
  return seq;
}

uint64_t PyDB::Checkpoint(const std::string& dir) {
  uint64_t seq = 0;
  Check(Run([&](DB* db) { return db->CreateCheckpoint(dir, &seq); }));
  return seq;
}

py::list PyDB::ApproximateSizes(const py::iterable& ranges) {
  std::vector<std::string> bounds;  // start, stop, start, stop, ...
  for (py::handle range : ranges) {
    if (!py::isinstance<py::sequence>(range) || py::len(range) != 2) {
      throw py::type_error("each range must be a (start, stop) pair");
    }
    const py::sequence pair = py::reinterpret_borrow<py::sequence>(range);
    std::string holder;
    bounds.push_back(ToSlice(pair[0], "start", &holder).ToString());
    bounds.push_back(ToSlice(pair[1], "stop", &holder).ToString());
  }
  std::vector<Range> rs(bounds.size() / 2);
  for (size_t i = 0; i < rs.size(); i++) rs[i] = Range(bounds[2 * i], bounds[2 * i + 1]);
  std::vector<uint64_t> sizes(rs.size());
  Check(Run([&](DB* db) {
    return db->GetApproximateSizes(rs.data(), static_cast<int>(rs.size()), sizes.data());
  }));
  py::list result;
  for (uint64_t size : sizes) result.append(size);
  return result;
}

}  // namespace lsmkv::python
