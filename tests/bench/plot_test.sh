#!/usr/bin/env bash
# lsmkv_bench --csv writes one well-formed row per engine and workload, and
# bench/plot.py turns two such files (two DB sizes) into SVG charts. Exit 77
# (ctest: skipped) when matplotlib is missing, after checking the CSV.
#
#   plot_test.sh LSMKV_BENCH PYTHON3 PLOT_PY WORK_DIR
set -euo pipefail
bench="$1" python="$2" plot="$3" work="$4"
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

for num in 2000 3000; do
  "$bench" --engine=all --num=$num --benchmarks=fillseq,readrandom --histogram=1 \
    --db="$work/db" --csv="$work/run-$num.csv" >"$work/bench-$num.out"
done
engines="$(grep -Ec '^(lsmkv|leveldb|rocksdb) +fillseq ' "$work/bench-2000.out")"
"$python" - "$work/run-2000.csv" "$engines" <<'PY' || fail "CSV check"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
engines = int(sys.argv[2])
assert len(rows) == 2 * engines, (len(rows), engines)
assert [r["workload"] for r in rows[:engines]] == ["fillseq"] * engines, rows
assert rows[0]["engine"] == "lsmkv" and rows[0]["num"] == "2000", rows[0]
assert {r["db_shape"] for r in rows} == {"sorted"}, rows
for r in rows:
    assert float(r["ops_per_sec"]) > 0 and float(r["micros_per_op"]) > 0, r
    assert float(r["p50_us"]) <= float(r["p99_us"]) <= float(r["p999_us"]), r
print("csv: %d rows ok" % len(rows))
PY

# Debian's python3-matplotlib belongs to /usr/bin/python3, which may not be
# the python3 CMake found first (e.g. a pyenv one).
if ! "$python" -c 'import matplotlib' 2>/dev/null && [[ -x /usr/bin/python3 ]]; then
  python=/usr/bin/python3
fi
rc=0
"$python" "$plot" --out "$work/charts" "$work/run-2000.csv" "$work/run-3000.csv" >"$work/plot.out" || rc=$?
if [[ $rc -eq 77 ]]; then
  echo "matplotlib missing: charts not checked (cmake/scripts/install-deps.sh --plot)"
  exit 77
fi
[[ $rc -eq 0 ]] || fail "plot.py exited $rc"
expected=(throughput-2000.svg throughput-3000.svg latency-2000.svg latency-3000.svg
          cost-by-size.svg)
if [[ "$engines" -gt 1 ]]; then
  expected+=(ratios-2000.svg ratios-3000.svg ratios-by-size.svg)
fi
for f in "${expected[@]}"; do
  [[ -s "$work/charts/$f" ]] || fail "missing chart $f: $(cat "$work/plot.out")"
  grep -q "<svg" "$work/charts/$f" || fail "$f is not SVG"
done
echo "plot_test: ${#expected[@]} charts written"
