#!/usr/bin/env bash
# The large-scale set of docs/performance.md ("Scale"), all three engines
# interleaved in each run: 10M entries, 1M with 2 and 4 reader threads, and
# 4 KiB / 64 KiB values. Each run writes OUT_DIR/<name>.txt (the bench's
# output) and OUT_DIR/<name>.csv (for bench/plot.py). Runs are niced; on a
# shared machine, note the load average (printed before each run).
#
#   bash bench/run-scale.sh LSMKV_BENCH OUT_DIR [RUN...] [-- lsmkv_bench flags...]
#
# RUN is any of 10m 1m value4k value64k (default: all, in that order).
# Flags after "--" are appended to every run (a later flag wins, e.g.
# "-- --num=20000" for a quick try). bash bench/run-bench.sh --scale builds
# lsmkv_bench in Release mode and calls this.
set -euo pipefail
bench="$1" out="$2"
shift 2
runs=() extra=()
while [[ $# -gt 0 ]]; do
  if [[ "$1" == "--" ]]; then shift; extra=("$@"); break; fi
  runs+=("$1"); shift
done
[[ ${#runs[@]} -gt 0 ]] || runs=(10m 1m value4k value64k)
mkdir -p "$out"
db="${TMPDIR:-/tmp}/lsmkv_bench_scale"

# name -> lsmkv_bench flags (besides --engine=all --db --csv).
flags_for() {
  case "$1" in
    # 10M random keys: writes, then warm point reads and seeks (500k each).
    10m) echo "--num=10000000 --reads=500000 --histogram=1" \
              "--benchmarks=fillrandom,overwrite,readrandom,seekrandom" ;;
    # 1M: the same set (the 1M side of the 1M-vs-10M charts), then reads
    # with 1, 2 and 4 threads, each thread its own keys, and N readers
    # beside one writer.
    1m) echo "--num=1000000 --reads=500000 --histogram=1 --benchmarks=fillrandom,overwrite," \
             "readrandom,seekrandom,readrandom:2,readrandom:4,readwhilewriting," \
             "readwhilewriting:2,readwhilewriting:4" | sed 's/, /,/g' ;;
    # ~400 MB of values per engine.
    value4k) echo "--num=100000 --value_size=4096 --reads=200000 --benchmarks=fillrandom,readrandom" ;;
    value64k) echo "--num=6400 --value_size=65536 --reads=50000 --benchmarks=fillrandom,readrandom" ;;
    *) echo "run-scale.sh: unknown run '$1' (10m, 1m, value4k, value64k)" >&2; exit 2 ;;
  esac
}

for run in "${runs[@]}"; do
  read -r -a flags <<<"$(flags_for "$run")"
  echo "=== $run: $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/$run.txt"
  echo "lsmkv_bench --engine=all ${flags[*]} ${extra[*]}" | tee -a "$out/$run.txt"
  nice -n 5 "$bench" --engine=all --db="$db" --csv="$out/$run.csv" "${flags[@]}" "${extra[@]}" \
    | tee -a "$out/$run.txt"
  echo "=== $run done: $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)" \
    | tee -a "$out/$run.txt"
  rm -rf "$db"
done
