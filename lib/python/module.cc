// The Python module `lsmkv` (pybind11) over the C++ API:
//
//   with lsmkv.DB(path, create_if_missing=True) as db:
//       db.put(b"k", b"v", sync=False); db.get(b"k"); db.delete(b"k")
//       db.write(batch); db.items(b"a", b"z", reverse=False); db.snapshot()
//
//       db.transaction(), db.checkpoint(dir); lsmkv.BackupEngine(dir)
//       db.get_updates_since(seq), db.write_replicated(seq, batch)
//
// Keys and values are bytes-like in, bytes out. Errors raise lsmkv.Error
// subclasses (errors.h). Thread safety: a DB may be used from many Python
// threads; reads, writes, flushes and compactions release the GIL.
// Lifetimes and locking: py_db.h. This file binds the DB, its snapshots,
// iterators and write batches; transaction.cc, backup.cc and feed.cc the
// rest.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>

#include "errors.h"
#include "lsmkv/db.h"
#include "lsmkv/version.h"
#include "options.h"
#include "py_db.h"

namespace lsmkv::python {

namespace py = pybind11;

namespace {

Options OptionsFrom(const py::kwargs& kwargs) {
  Options options;
  ApplyOptions(kwargs, &options);
  return options;
}

// iter(batch): its updates as tuples, collected first (a handler cannot
// yield), e.g. from a batch of the change feed.
py::iterator BatchUpdates(const WriteBatch& batch) {
  class Collector : public WriteBatch::Handler {
   public:
    void Put(const Slice& key, const Slice& value) override {
      updates.append(py::make_tuple("put", ToBytes(key), ToBytes(value)));
    }
    void Delete(const Slice& key) override {
      updates.append(py::make_tuple("delete", ToBytes(key), py::none()));
    }
    py::list updates;
  };
  Collector collector;
  Check(batch.Iterate(&collector));  // Corruption only for bytes decoded unchecked from disk
  return py::iter(collector.updates);
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
          py::arg("other"), "Appends other's updates after this batch's.")
      .def("__iter__", &BatchUpdates,
           "The updates in order: (\"put\", key, value) and (\"delete\", key, None) tuples "
           "(a copy: changing the batch afterwards does not change them).");

  py::class_<PySnapshot>(m, "Snapshot",
                         "A point-in-time view from DB.snapshot(); pass it as snapshot= to get "
                         "and items. Released by release(), by leaving a `with` block, when "
                         "garbage-collected, or when its DB closes.")
      .def("release", &PySnapshot::Release)
      .def_property_readonly("released", &PySnapshot::released)
      .def("__enter__", [](PySnapshot& s) -> PySnapshot& { return s; },
           py::return_value_policy::reference)
      .def("__exit__", [](PySnapshot& s, py::args) { s.Release(); });

  py::class_<PyItems>(m, "ItemsIterator")
      .def("__iter__", [](PyItems& it) -> PyItems& { return it; },
           py::return_value_policy::reference)
      .def("__next__", &PyItems::Next);

  const std::string db_doc =
      std::string("DB(path, create_if_missing=True, **options): opens (by default creates) the "
                  "database in directory path. Keyword options: ") +
      OptionNames() + ". A context manager: leaving the `with` block closes it.";
  py::class_<PyDB> db_class(m, "DB", db_doc.c_str());
  db_class
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
           "Clears a background error (e.g. NoSpaceError after a full disk) when that is safe.")
      .def("get_int_property", &PyDB::GetIntProperty, py::arg("name"),
           "A numeric statistic (e.g. 'lsmkv.total-sst-bytes'; docs/statistics.md) as an int, "
           "or None if unknown.")
      .def("latest_sequence", &PyDB::LatestSequence,
           "Sequence number of the last write applied (0 for a new DB); every update takes one.")
      .def("checkpoint", &PyDB::Checkpoint, py::arg("path"),
           "Writes a consistent, openable copy of the DB into path (which must not exist; its "
           "parent must) and returns the last sequence number it holds.")
      .def("approximate_sizes", &PyDB::ApproximateSizes, py::arg("ranges"),
           "For each (start, stop) pair, about how many bytes of table files hold keys in "
           "[start, stop) (memtables not counted); a list of ints.");
  BindTransactions(m, db_class);
  BindBackups(m);
  BindFeed(m, db_class);

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
  BindTestHooks(m);
}

}  // namespace lsmkv::python
