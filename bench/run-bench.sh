#!/usr/bin/env bash
# Installs LevelDB and RocksDB (Debian packages), builds lsmkv_bench in
# Release mode and runs every workload on all three engines, interleaved:
# the default set, reads on a sorted (fillbatch) and on a random
# (fillrandom + overwrite) DB, each read warm (docs/performance.md).
# Extra arguments go to lsmkv_bench (e.g. --num=100000).
#
#   bash bench/run-bench.sh [lsmkv_bench flags...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LSMKV_BENCH_BUILD_DIR:-$root/build-release}"

"$root/cmake/scripts/install-deps.sh" --bench
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLSMKV_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target lsmkv_bench -j "$(nproc)"
exec "$build/bench/lsmkv_bench" --engine=all --db="${TMPDIR:-/tmp}/lsmkv_bench" "$@"
