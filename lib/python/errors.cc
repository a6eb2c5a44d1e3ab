#include "errors.h"

namespace lsmkv::python {

namespace py = pybind11;

namespace {

// The classes live as long as the interpreter: they are owned by the module
// and these handles keep one extra reference each, never dropped (no
// destructor runs at interpreter exit).
struct ErrorClasses {
  py::handle error, not_found, corruption, not_supported, invalid_argument, io_error, no_space,
      busy, conflict;
};
ErrorClasses classes;

py::handle NewError(py::module_& m, const char* name, py::handle base, const char* doc) {
  const std::string qualified = std::string("lsmkv.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, base.ptr(), nullptr);
  if (cls == nullptr) throw py::error_already_set();
  m.add_object(name, py::handle(cls));  // the module takes its own reference
  return py::handle(cls);
}

}  // namespace

void RegisterErrors(py::module_& m) {
  classes.error = NewError(m, "Error", PyExc_Exception,
                           "An lsmkv operation failed; the subclass says why.");
  classes.not_found = NewError(m, "NotFoundError", classes.error, "Status NotFound.");
  classes.corruption =
      NewError(m, "CorruptionError", classes.error, "Status Corruption: damaged data found.");
  classes.not_supported = NewError(m, "NotSupportedError", classes.error, "Status NotSupported.");
  classes.invalid_argument =
      NewError(m, "InvalidArgumentError", classes.error,
               "Status InvalidArgument: bad options, a missing DB without create_if_missing, "
               "a key or value over the size limits.");
  classes.io_error = NewError(m, "IOError", classes.error, "Status IOError: the file system failed.");
  classes.no_space = NewError(m, "NoSpaceError", classes.io_error,
                              "An IOError from a full disk (Status::IsNoSpace); see DB.resume().");
  classes.busy = NewError(m, "BusyError", classes.error,
                          "Status Busy: e.g. the DB directory is open elsewhere.");
  classes.conflict = NewError(m, "Busy", classes.busy,
                              "A transaction's commit lost to a conflicting write committed "
                              "after it began; nothing was written. Retry with a new "
                              "transaction.");
}

void CheckCommit(const Status& s) {
  if (s.ok()) return;
  if (!s.IsBusy()) Raise(s);
  PyErr_SetString(classes.conflict.ptr(), s.ToString().c_str());
  throw py::error_already_set();
}

void Raise(const Status& s) {
  py::handle cls = classes.error;
  if (s.IsNotFound()) {
    cls = classes.not_found;
  } else if (s.IsCorruption()) {
    cls = classes.corruption;
  } else if (s.IsNotSupported()) {
    cls = classes.not_supported;
  } else if (s.IsInvalidArgument()) {
    cls = classes.invalid_argument;
  } else if (s.IsNoSpace()) {
    cls = classes.no_space;
  } else if (s.IsIOError()) {
    cls = classes.io_error;
  } else if (s.IsBusy()) {
    cls = classes.busy;
  }
  PyErr_SetString(cls.ptr(), s.ToString().c_str());
  throw py::error_already_set();
}

void RaiseError(const char* message) {
  PyErr_SetString(classes.error.ptr(), message);
  throw py::error_already_set();
}

}  // namespace lsmkv::python
