#!/usr/bin/env bash
# Smoke run of lsmkv_bench's scale modes on a tiny DB, so they cannot rot:
# per-workload thread counts (readrandom:2, readwhilewriting:4), large values
# (--value_size=4096) and the resources line / CSV columns (write-amp,
# stall, space-amp, RSS). Nothing is timed or compared; the checks are on
# what is reported: every engine reports each run, the live-byte count the
# bench keeps is exact after fillseq, and lsmkv's figures come from its own
# statistics.
#
#   scale_smoke.sh LSMKV_BENCH PYTHON3 WORK_DIR
set -euo pipefail
bench="$1" python="$2" work="$3"
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bench" --engine=all --num=1500 --value_size=4096 --write_buffer_size=1048576 \
  --benchmarks=fillseq,fillrandom,overwrite,readrandom:2,readwhilewriting:4,deleterandom \
  --db="$work/db" --csv="$work/scale.csv" >"$work/scale.out"
grep -Eq '^lsmkv +readrandom:2 ' "$work/scale.out" || fail "no readrandom:2 line"
grep -Eq '^ratio +readwhilewriting:4 ' "$work/scale.out" || fail "no ratio line for readwhilewriting:4"
runs="$(grep -Ec '^(lsmkv|leveldb|rocksdb) +[a-z]+(:[0-9]+)?(-cold)? +:' "$work/scale.out")"
resources="$(grep -Ec '^(lsmkv|leveldb|rocksdb) +resources: write-amp ' "$work/scale.out")"
[[ "$runs" -gt 0 && "$runs" -eq "$resources" ]] || fail "$runs runs but $resources resources lines"
grep -q '^resources after each run: .*RSS: ' "$work/scale.out" || fail "no resources header"

"$python" - "$work/scale.csv" <<'PY' || fail "CSV check"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
by = {(r["engine"], r["workload"]): r for r in rows}
engines = sorted({r["engine"] for r in rows})
assert "lsmkv" in engines, engines
mib = 1048576.0
for e in engines:
    assert by[(e, "readrandom")]["threads"] == "2", by[(e, "readrandom")]
    assert by[(e, "readwhilewriting")]["threads"] == "4", by[(e, "readwhilewriting")]
    assert by[(e, "fillseq")]["threads"] == "1"
    # fillseq writes keys 0..num-1 once: live bytes are exactly num * (16 + 4096).
    live = float(by[(e, "fillseq")]["live_mib"]) * mib
    assert abs(live - 1500 * (16 + 4096)) < 1, (e, live)
    # deleterandom removes some of the live keys.
    assert float(by[(e, "deleterandom")]["live_mib"]) < float(by[(e, "readwhilewriting")]["live_mib"])
    for r in (by[(e, w)] for w in ("fillrandom", "overwrite", "readrandom", "deleterandom")):
        assert float(r["disk_mib"]) > 0 and float(r["space_amp"]) > 0, r
        assert float(r["rss_peak_mib"]) >= float(r["rss_start_mib"]) > 0, r
        assert float(r["rss_anon_mib"]) > 0 and float(r["rss_file_mib"]) >= 0, r
# lsmkv's own statistics: after overwrite (~12 MiB through a 1 MiB write
# buffer) tables have been written, and stall time is a number.
ow = by[("lsmkv", "overwrite")]
assert float(ow["write_amp"]) > 0.1, ow
assert ow["stall_s"] != "", ow
if "leveldb" in engines:
    assert by[("leveldb", "overwrite")]["stall_s"] == "", "LevelDB reports no stall time"
    assert float(by[("leveldb", "overwrite")]["write_amp"]) > 0.1
if "rocksdb" in engines:
    assert float(by[("rocksdb", "overwrite")]["write_amp"]) > 0.1
    assert by[("rocksdb", "overwrite")]["stall_s"] != ""
print("scale csv: %d rows ok" % len(rows))
PY
echo "scale_smoke: ok"
