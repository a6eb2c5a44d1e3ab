// Test-only hooks of the Python module (names start with "_test_"; not
// part of the API): they make races between threads deterministic in
// tests/python. See TestHoldAfterUnlock in py_db.h.
#include <pybind11/pybind11.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "py_db.h"

namespace lsmkv::python {

std::atomic<bool> test_hold_after_unlock_armed{false};

namespace {

// Guards the fields below; never held with the GIL wanted (the held
// thread has released the GIL, the Python side never blocks under it).
std::mutex hold_mu;
std::condition_variable hold_cv;
int hold_entered = 0;  // threads that reached the hold since it was armed

}  // namespace

void TestHoldAfterUnlock() {
  std::unique_lock<std::mutex> lock(hold_mu);
  if (!test_hold_after_unlock_armed.load()) return;
  hold_entered++;
  hold_cv.notify_all();
  hold_cv.wait(lock, [] { return !test_hold_after_unlock_armed.load(); });
}

void BindTestHooks(py::module_& m) {
  m.def(
      "_test_hold_after_unlock",
      [](bool armed) {
        std::lock_guard<std::mutex> lock(hold_mu);
        if (armed) hold_entered = 0;
        test_hold_after_unlock_armed.store(armed);
        hold_cv.notify_all();
      },
      py::arg("armed"),
      "Test only: while armed, calls that ran without the GIL stop before taking it back.");
  m.def(
      "_test_held_after_unlock",
      [] {
        std::lock_guard<std::mutex> lock(hold_mu);
        return hold_entered;
      },
      "Test only: how many calls reached the hold since it was armed.");
}

}  // namespace lsmkv::python
