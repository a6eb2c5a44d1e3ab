// TEST ONLY. Makes the mapped WAL writer of PosixEnv (PosixMappedLogFile
// in posix_mapped_log_file.cc) meet the refusals of file systems (and the
// failing pages) this machine does not have, so tests can check its
// write(2) fallback and its errors anywhere. Production code never calls
// this; with the faults off (the default) the writer checks one relaxed
// atomic per mapped region and per 64 KiB it faults in.
//
// Thread safety: the setter may be called from any thread; a file picks the
// faults up the next time it reserves, maps or faults in a region.
#ifndef LSMKV_ENV_POSIX_ENV_TESTING_H_
#define LSMKV_ENV_POSIX_ENV_TESTING_H_

namespace lsmkv {

struct MappedLogFaults {
  // errno the reservation of a region (fallocate) fails with, without
  // reserving anything, as on a file system without fallocate
  // (EOPNOTSUPP) or a full one (ENOSPC). 0: no fault.
  int reserve_error = 0;
  // errno the mapping of a region (mmap) fails with, after its reservation
  // succeeded, as on a file system without shared writable mappings
  // (ENODEV, EINVAL). 0: no fault.
  int map_error = 0;
  // errno the faulting-in of a region's pages (madvise
  // MADV_POPULATE_WRITE, Linux 5.14+) fails with, as when the kernel cannot
  // read a page back (EFAULT; ENOMEM is ignored by the writer; EINVAL
  // switches the file's faulting-in off). 0: no fault. Injected in place of
  // the call, so it does not need the call; but a file that has heard
  // EINVAL (from the kernel, or injected) no longer asks, and no fault
  // reaches it after that.
  int populate_error = 0;
  // The faults hit regions with this index and later in every mapped log
  // file (0: the first region, at offset 0; regions are 64 KiB, 128 KiB,
  // ... up to 1 MiB, so region 2 starts at 192 KiB).
  int first_region = 0;
};

// Applies to every mapped log file of every PosixEnv in the process until
// called again; MappedLogFaults{} turns the faults off.
void TEST_SetMappedLogFaults(const MappedLogFaults& faults);

}  // namespace lsmkv

#endif  // LSMKV_ENV_POSIX_ENV_TESTING_H_
