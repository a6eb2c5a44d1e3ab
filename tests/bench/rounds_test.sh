#!/usr/bin/env bash
# bench/rounds.py on two tiny interleaved runs: one table row per workload
# and DB shape (the random shape's reads apart from the sorted ones), cold
# runs left out, and each ratio cell listing both runs' ratios beside
# their median. Nothing is timed or compared.
#
#   rounds_test.sh LSMKV_BENCH PYTHON3 ROUNDS_PY WORK_DIR
set -euo pipefail
bench="$1" python="$2" rounds="$3" work="$4"
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; cat "$work/table.md" >&2 || true; exit 1; }

for i in 1 2; do
  "$bench" --engine=all --num=1500 --db="$work/db" --csv="$work/round$i.csv" \
    --benchmarks=fillbatch,readrandom,fillrandom,overwrite,readrandom >"$work/round$i.out"
done
"$python" "$rounds" "$work/round1.csv" "$work/round2.csv" >"$work/table.md"

grep -q '^| workload | DB shape |' "$work/table.md" || fail "no header"
! grep -q -- '-cold' "$work/table.md" || fail "a cold run was counted"
[[ "$(grep -c '^| readrandom | sorted |' "$work/table.md")" -eq 1 ]] || fail "sorted readrandom row"
[[ "$(grep -c '^| readrandom | random |' "$work/table.md")" -eq 1 ]] || fail "random readrandom row"
# lsmkv/LevelDB cell: "**median** (run1, run2)".
grep -Eq '^\| overwrite \| random \|.*\| \*\*[0-9.]+\*\* \([0-9.]+, [0-9.]+\) \|' "$work/table.md" \
  || fail "overwrite row lacks a median and two per-run ratios"
"$python" "$rounds" >/dev/null 2>&1 && fail "no arguments should be an error"
echo "rounds_test: ok"
