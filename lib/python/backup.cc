// lsmkv.BackupEngine and lsmkv.BackupInfo (lsmkv/backup.h):
//
//   with lsmkv.BackupEngine(backup_dir) as engine:
//       info = engine.create_new_backup(db)
//       engine.verify(info.id); engine.backups()
//       engine.restore(info.id, new_db_dir)
//
// Every call releases the GIL. `use` lets close() wait for a call running
// without it: calls hold it shared, close() exclusively.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "lsmkv/backup.h"
#include "py_db.h"

namespace lsmkv::python {

namespace {

class PyBackupEngine {
 public:
  explicit PyBackupEngine(const std::string& backup_dir) {
    Status s;
    {
      py::gil_scoped_release release;
      s = BackupEngine::Open(backup_dir, &engine_);
    }
    Check(s);
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    py::gil_scoped_release release;
    std::unique_lock<std::shared_mutex> lock(use_);
    engine_.reset();
  }

  BackupInfo CreateNewBackup(PyDB& db) {
    if (closed_) RaiseError("BackupEngine is closed");
    BackupInfo info;
    // Holds the DB open (py_db.h) as well as this engine.
    Check(RunUnlocked(db.state().get(), [&] {
      return Run([&](BackupEngine* e) { return e->CreateBackup(db.state()->db.get(), &info); });
    }));
    return info;
  }

  std::vector<BackupInfo> Backups() {
    std::vector<BackupInfo> backups;
    Check(Unlocked([&](BackupEngine* e) { return e->ListBackups(&backups); }));
    return backups;
  }

  void Verify(uint32_t id) {
    Check(Unlocked([&](BackupEngine* e) { return e->VerifyBackup(id); }));
  }

  void Restore(uint32_t id, const std::string& db_dir, const std::optional<std::string>& wal_dir) {
    const std::string wal = wal_dir.value_or("");
    Check(Unlocked([&](BackupEngine* e) { return e->RestoreBackup(id, db_dir, wal); }));
  }

  void PurgeOld(uint32_t keep) {
    Check(Unlocked([&](BackupEngine* e) { return e->PurgeOldBackups(keep); }));
  }

  void Delete(uint32_t id) {
    Check(Unlocked([&](BackupEngine* e) { return e->DeleteBackup(id); }));
  }

 private:
  // op(engine) holding use_ shared. REQUIRES: no GIL.
  template <typename Op>
  Status Run(Op&& op) {
    std::shared_lock<std::shared_mutex> lock(use_);
    if (engine_ == nullptr) return Status::InvalidArgument("BackupEngine is closed");
    return op(engine_.get());
  }

  // Run without the GIL. REQUIRES: GIL.
  template <typename Op>
  Status Unlocked(Op&& op) {
    if (closed_) RaiseError("BackupEngine is closed");
    py::gil_scoped_release release;
    return Run(op);
  }

  std::unique_ptr<BackupEngine> engine_;  // reset by close(), under use_
  std::shared_mutex use_;
  bool closed_ = false;  // GIL
};

}  // namespace

void BindBackups(py::module_& m) {
  py::class_<BackupInfo>(m, "BackupInfo", "One backup, from BackupEngine.backups().")
      .def_readonly("id", &BackupInfo::id, "1, 2, 3, ... never reused")
      .def_readonly("sequence", &BackupInfo::sequence,
                    "the backup holds exactly the writes up to this sequence number")
      .def_readonly("timestamp", &BackupInfo::timestamp, "seconds since the epoch")
      .def_readonly("size", &BackupInfo::size_bytes, "bytes of all files it refers to")
      .def_readonly("num_files", &BackupInfo::num_files)
      .def_readonly("bytes_copied", &BackupInfo::bytes_copied,
                    "bytes create_new_backup wrote (0 from backups()); the rest was shared")
      .def("__repr__", [](const BackupInfo& b) {
        return "BackupInfo(id=" + std::to_string(b.id) + ", sequence=" +
               std::to_string(b.sequence) + ", size=" + std::to_string(b.size_bytes) +
               ", num_files=" + std::to_string(b.num_files) + ")";
      });

  py::class_<PyBackupEngine>(
      m, "BackupEngine",
      "BackupEngine(backup_dir): incremental backups of open DBs into backup_dir (created if "
      "missing; one engine per directory at a time, BusyError otherwise). A context manager.")
      .def(py::init<const std::string&>(), py::arg("backup_dir"))
      .def("close", &PyBackupEngine::Close)
      .def("__enter__", [](PyBackupEngine& e) -> PyBackupEngine& { return e; },
           py::return_value_policy::reference)
      .def("__exit__", [](PyBackupEngine& e, py::args) { e.Close(); })
      .def("create_new_backup", &PyBackupEngine::CreateNewBackup, py::arg("db"),
           "Backs up the open DB while it serves reads and writes; returns its BackupInfo. "
           "Table files already backed up are shared, not copied again.")
      .def("backups", &PyBackupEngine::Backups, "BackupInfo of every backup, oldest first.")
      .def("verify", &PyBackupEngine::Verify, py::arg("backup_id"),
           "Re-reads every file of the backup: CorruptionError naming the first damaged one, "
           "NotFoundError for an unknown id.")
      .def("restore", &PyBackupEngine::Restore, py::arg("backup_id"), py::arg("db_dir"),
           py::arg("wal_dir") = py::none(),
           "Writes the backup into db_dir (absent or empty), verifying each file; "
           "NotFoundError for an unknown id (nothing written).")
      .def("purge_old", &PyBackupEngine::PurgeOld, py::arg("keep"),
           "Deletes all but the newest `keep` backups.")
      .def("delete", &PyBackupEngine::Delete, py::arg("backup_id"),
           "Deletes one backup and the files no other backup needs.");
}

}  // namespace lsmkv::python
