#include "options.h"

#include <cstdint>
#include <string>

namespace lsmkv::python {

namespace py = pybind11;

namespace {

// Python bools are ints; an int where a bool is expected (or the reverse)
// is refused to catch swapped arguments.
bool ToBool(const std::string& name, py::handle value) {
  if (!py::isinstance<py::bool_>(value)) throw py::type_error(name + " must be a bool");
  return value.cast<bool>();
}

template <typename T>
T ToInt(const std::string& name, py::handle value) {
  if (py::isinstance<py::bool_>(value) || !py::isinstance<py::int_>(value)) {
    throw py::type_error(name + " must be an int");
  }
  try {
    return value.cast<T>();
  } catch (const py::cast_error&) {
    throw py::value_error(name + " is out of range");
  }
}

CompressionType ToCompression(py::handle value) {
  if (!py::isinstance<py::str>(value)) {
    throw py::type_error("compression must be \"lz4\", \"zstd\" or \"none\"");
  }
  const std::string name = value.cast<std::string>();
  if (name == "lz4") return kLz4Compression;
  if (name == "zstd") return kZstdCompression;
  if (name == "none") return kNoCompression;
  throw py::value_error("compression must be \"lz4\", \"zstd\" or \"none\", not \"" + name + "\"");
}

WalRecoveryMode ToWalRecoveryMode(py::handle value) {
  const char* const choices =
      "\"point-in-time\", \"absolute-consistency\", \"tolerate-corrupted-tail\" or "
      "\"skip-any-corrupted\"";
  if (!py::isinstance<py::str>(value)) {
    throw py::type_error(std::string("wal_recovery_mode must be ") + choices);
  }
  const std::string name = value.cast<std::string>();
  if (name == "point-in-time") return WalRecoveryMode::kPointInTime;
  if (name == "absolute-consistency") return WalRecoveryMode::kAbsoluteConsistency;
  if (name == "tolerate-corrupted-tail") return WalRecoveryMode::kTolerateCorruptedTailRecords;
  if (name == "skip-any-corrupted") return WalRecoveryMode::kSkipAnyCorruptedRecords;
  throw py::value_error(std::string("wal_recovery_mode must be ") + choices + ", not \"" + name +
                        "\"");
}

WalWriteMode ToWalWriteMode(py::handle value) {
  if (!py::isinstance<py::str>(value)) {
    throw py::type_error("wal_write_mode must be \"auto\", \"mapped\" or \"write\"");
  }
  const std::string name = value.cast<std::string>();
  if (name == "auto") return WalWriteMode::kAuto;
  if (name == "mapped") return WalWriteMode::kMapped;
  if (name == "write") return WalWriteMode::kWrite;
  throw py::value_error("wal_write_mode must be \"auto\", \"mapped\" or \"write\", not \"" +
                        name + "\"");
}

}  // namespace

const char* OptionNames() {
  return "create_if_missing, error_if_exists, paranoid_checks, wal_dir, write_buffer_size, "
         "max_write_buffer_number, max_background_jobs, block_size, bloom_bits_per_key, "
         "compression (\"lz4\", \"zstd\", \"none\"), zstd_level, block_cache_capacity, "
         "max_open_files, allow_mmap_reads, target_file_size, max_bytes_for_level_base, "
         "level0_file_num_compaction_trigger, level0_slowdown_writes_trigger, "
         "level0_stop_writes_trigger, wal_retention_bytes, max_log_file_size, "
         "wal_recovery_mode (\"point-in-time\", \"absolute-consistency\", "
         "\"tolerate-corrupted-tail\", \"skip-any-corrupted\"), wal_write_mode (\"auto\", "
         "\"mapped\", \"write\")";
}

void ApplyOptions(const py::kwargs& kwargs, Options* o) {
  for (const auto& [key, value] : kwargs) {
    const std::string name = py::str(key);
    if (name == "create_if_missing") {
      o->create_if_missing = ToBool(name, value);
    } else if (name == "error_if_exists") {
      o->error_if_exists = ToBool(name, value);
    } else if (name == "paranoid_checks") {
      o->paranoid_checks = ToBool(name, value);
    } else if (name == "wal_dir") {
      if (!py::isinstance<py::str>(value)) throw py::type_error("wal_dir must be a str");
      o->wal_dir = value.cast<std::string>();
    } else if (name == "write_buffer_size") {
      o->write_buffer_size = ToInt<size_t>(name, value);
    } else if (name == "max_write_buffer_number") {
      o->max_write_buffer_number = ToInt<int>(name, value);
    } else if (name == "max_background_jobs") {
      o->max_background_jobs = ToInt<int>(name, value);
    } else if (name == "block_size") {
      o->block_size = ToInt<size_t>(name, value);
    } else if (name == "bloom_bits_per_key") {
      o->bloom_bits_per_key = ToInt<int>(name, value);
    } else if (name == "compression") {
      o->compression = ToCompression(value);
    } else if (name == "zstd_level") {
      o->zstd_level = ToInt<int>(name, value);
    } else if (name == "block_cache_capacity") {
      o->block_cache_capacity = ToInt<size_t>(name, value);
    } else if (name == "max_open_files") {
      o->max_open_files = ToInt<int>(name, value);
    } else if (name == "allow_mmap_reads") {
      o->allow_mmap_reads = ToBool(name, value);
    } else if (name == "target_file_size") {
      o->target_file_size = ToInt<size_t>(name, value);
    } else if (name == "max_bytes_for_level_base") {
      o->max_bytes_for_level_base = ToInt<uint64_t>(name, value);
    } else if (name == "level0_file_num_compaction_trigger") {
      o->level0_file_num_compaction_trigger = ToInt<int>(name, value);
    } else if (name == "level0_slowdown_writes_trigger") {
      o->level0_slowdown_writes_trigger = ToInt<int>(name, value);
    } else if (name == "level0_stop_writes_trigger") {
      o->level0_stop_writes_trigger = ToInt<int>(name, value);
    } else if (name == "wal_retention_bytes") {
      o->wal_retention_bytes = ToInt<uint64_t>(name, value);
    } else if (name == "max_log_file_size") {
      o->max_log_file_size = ToInt<size_t>(name, value);
    } else if (name == "wal_recovery_mode") {
      o->wal_recovery_mode = ToWalRecoveryMode(value);
    } else if (name == "wal_write_mode") {
      o->wal_write_mode = ToWalWriteMode(value);
    } else {
      throw py::type_error("unexpected keyword argument '" + name + "' (options: " +
                           OptionNames() + ")");
    }
  }
}

}  // namespace lsmkv::python
