#!/usr/bin/env bash
# Installs LevelDB and RocksDB (Debian packages), builds lsmkv_bench in
# Release mode and runs every workload on all three engines, interleaved:
# the default set, reads on a sorted (fillbatch) and on a random
# (fillrandom + overwrite) DB, each read warm (docs/performance.md).
# Extra arguments go to lsmkv_bench (e.g. --num=100000).
# With --scale, runs the large-scale set instead (bench/run-scale.sh: 10M
# entries, 1M with 2 and 4 reader threads, 4 KiB and 64 KiB values), its
# outputs and CSVs in $LSMKV_BENCH_OUT (default build-release/scale-results);
# arguments after --scale are run-scale.sh's (run names, "--" flags).
# With --rounds=N (first argument), runs the default set N times, one
# interleaved --engine=all run after another, keeps each run's output and
# CSV in $LSMKV_BENCH_OUT (default build-release/rounds) and prints the
# medians with every run's ratios (bench/rounds.py).
#
#   bash bench/run-bench.sh [lsmkv_bench flags...]
#   bash bench/run-bench.sh --rounds=3 [lsmkv_bench flags...]
#   bash bench/run-bench.sh --scale [10m|1m|value4k|value64k...] [-- flags...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LSMKV_BENCH_BUILD_DIR:-$root/build-release}"

"$root/cmake/scripts/install-deps.sh" --bench
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLSMKV_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target lsmkv_bench -j "$(nproc)"
if [[ "${1:-}" == "--scale" ]]; then
  shift
  exec bash "$root/bench/run-scale.sh" "$build/bench/lsmkv_bench" \
    "${LSMKV_BENCH_OUT:-$build/scale-results}" "$@"
fi
if [[ "${1:-}" == --rounds=* ]]; then
  rounds="${1#--rounds=}"
  shift
  out="${LSMKV_BENCH_OUT:-$build/rounds}"
  mkdir -p "$out"
  csvs=()
  for ((i = 1; i <= rounds; i++)); do
    echo "=== round $i of $rounds: $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    "$build/bench/lsmkv_bench" --engine=all --db="${TMPDIR:-/tmp}/lsmkv_bench" \
      --csv="$out/round$i.csv" "$@" | tee "$out/round$i.txt"
    csvs+=("$out/round$i.csv")
  done
  echo "=== done: $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  exec python3 "$root/bench/rounds.py" "${csvs[@]}"
fi
exec "$build/bench/lsmkv_bench" --engine=all --db="${TMPDIR:-/tmp}/lsmkv_bench" "$@"
