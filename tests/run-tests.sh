#!/usr/bin/env bash
# The README's second command: installs what is needed, builds with
# -Wall -Wextra -Werror and runs the whole test suite with ctest (unit tests,
# 30-cycle kill -9 / power-loss / power-loss-with-directory-entries /
# out-of-order-page-loss crash tests, the CLI, the HTTP server and the
# README's code blocks end to end, the C API test program, the Python
# module's unittest suite, the bench smoke run and the find_package/
# pkg-config consumer tests), then the unit tests (and the C API test) again
# under ASan+UBSan and under TSan.
#
# When clang++ with libFuzzer is present, the fuzz targets (WAL reader,
# table/block reader, MANIFEST edit decoder, write batch decoder) are built
# with ASan+UBSan and each runs for ~20 s from tests/fuzz/corpus.
#
#   bash tests/run-tests.sh [--quick] [--long]
#     --quick: skip the sanitizer builds and the fuzzers
#     --long:  also run the tests labelled "long" (1,000 cycles of each crash
#              test mode)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LSMKV_BUILD_DIR:-$root/build}"
jobs="$(nproc)"
quick=0
long=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --long) long=1 ;;
    *) echo "usage: tests/run-tests.sh [--quick] [--long]" >&2; exit 2 ;;
  esac
done

"$root/cmake/scripts/install-deps.sh" --bench  # the bench smoke test compares engines

run_suite() {  # build-dir, extra cmake args...
  local dir="$1"
  shift
  echo "=== configure $dir $*"
  cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLSMKV_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

# The main build also builds the Python module, so its tests (python:unittest)
# and the README's Python block run in CI.
run_suite "$build" -DLSMKV_BUILD_PYTHON=ON
exclude=(-LE long)
[[ $long -eq 1 ]] && exclude=()
(cd "$build" && ctest --output-on-failure -j "$jobs" --timeout 900 "${exclude[@]}")

if [[ $quick -eq 0 ]]; then
  # Sanitizer runs cover the unit tests; the package tests rebuild the
  # library without sanitizers and would only repeat the run above.
  run_suite "$build-asan" -DLSMKV_SANITIZE=address,undefined -DLSMKV_BUILD_BENCH=OFF \
    -DLSMKV_BUILD_EXAMPLES=OFF
  (cd "$build-asan" && ctest --output-on-failure -j "$jobs" -L unit --timeout 900)
  run_suite "$build-tsan" -DLSMKV_SANITIZE=thread -DLSMKV_BUILD_BENCH=OFF \
    -DLSMKV_BUILD_EXAMPLES=OFF
  (cd "$build-tsan" && TSAN_OPTIONS="halt_on_error=1" ctest --output-on-failure -j "$jobs" -L unit --timeout 900)
fi
if [[ $quick -eq 0 ]]; then
  if command -v clang++ >/dev/null 2>&1 &&
     echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, long) { return 0; }' |
       clang++ -x c++ -fsanitize=fuzzer - -o /dev/null 2>/dev/null; then
    echo "=== fuzz (clang, ASan+UBSan, Clang thread-safety analysis with -Werror)"
    CXX=clang++ cmake -S "$root" -B "$build-fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLSMKV_FUZZ=ON \
      -DLSMKV_SANITIZE=address,undefined -DLSMKV_WERROR=ON -DLSMKV_BUILD_TESTS=OFF \
      -DLSMKV_BUILD_BENCH=OFF -DLSMKV_BUILD_EXAMPLES=OFF >/dev/null
    cmake --build "$build-fuzz" -j "$jobs"
    for target in wal_reader table_reader version_edit write_batch lz4_block; do
      corpus="$(mktemp -d)"
      log="$(mktemp)"
      echo "fuzz_$target: ${LSMKV_FUZZ_SECONDS:-20} s"
      if ! "$build-fuzz/tests/fuzz/fuzz_$target" -max_total_time="${LSMKV_FUZZ_SECONDS:-20}" \
          -print_final_stats=1 "$corpus" "$root/tests/fuzz/corpus/$target" >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "fuzz_$target found a problem; the input is in the current directory (crash-*)" >&2
        exit 1
      fi
      grep -E "number_of_executed_units|new_units_added" "$log" || true
      rm -rf "$corpus" "$log"
    done
  else
    echo "=== fuzz: skipped (no clang++ with libFuzzer)"
  fi
fi
echo "all test runs passed"
