// lsmkv.Error and its subclasses, one per Status code, and the bridge that
// raises them from a Status.
#ifndef LSMKV_PYTHON_ERRORS_H_
#define LSMKV_PYTHON_ERRORS_H_

#include <pybind11/pybind11.h>

#include "lsmkv/status.h"

namespace lsmkv::python {

// Creates the exception classes in module m (called once, at import).
void RegisterErrors(pybind11::module_& m);

// Raises the lsmkv.Error subclass matching s (a pybind11::error_already_set
// thrown into pybind11, which hands the Python exception to the caller).
// REQUIRES: !s.ok(); the GIL is held.
[[noreturn]] void Raise(const Status& s);

// Raises lsmkv.Error(message) for misuse of the binding itself (an
// operation on a closed DB, a released snapshot, ...).
[[noreturn]] void RaiseError(const char* message);

// Raises the matching error unless s is OK; a Busy status becomes
// lsmkv.Busy (a transaction lost to a conflicting write: retry), a
// subclass of lsmkv.BusyError. For Transaction.commit.
void CheckCommit(const Status& s);

// Raises the matching error unless s is OK.
inline void Check(const Status& s) {
  if (!s.ok()) Raise(s);
}

}  // namespace lsmkv::python

#endif  // LSMKV_PYTHON_ERRORS_H_
