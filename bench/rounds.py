#!/usr/bin/env python3
"""Turns the CSVs of several `lsmkv_bench --engine=all --csv=FILE` runs (the
interleaved rounds docs/performance.md asks for) into one Markdown table:
per workload and DB shape, each engine's median ops/s, lsmkv/LevelDB and
lsmkv/RocksDB per run (ratios are taken within a run, never across runs),
and their medians.

    python3 bench/rounds.py round1.csv round2.csv round3.csv

Cold runs (`<workload>-cold`) are left out: they are not counted.
"""
import csv
import statistics
import sys
from collections import OrderedDict


def load(path):
    """{(workload, shape): {engine: ops_per_sec}} for one run, in row order."""
    cells = OrderedDict()
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["workload"].endswith("-cold"):
                continue
            threads = int(row.get("threads") or 1)
            name = row["workload"] + (f":{threads}" if threads > 1 else "")
            key = (name, row.get("db_shape", ""))
            cells.setdefault(key, {})[row["engine"]] = float(row["ops_per_sec"])
    return cells


def ratio(cell, other):
    if "lsmkv" not in cell or other not in cell or cell[other] <= 0:
        return None
    return cell["lsmkv"] / cell[other]


def fmt_ratios(values):
    shown = ", ".join("—" if v is None else f"{v:.2f}" for v in values)
    present = [v for v in values if v is not None]
    median = f"**{statistics.median(present):.2f}**" if present else "—"
    return median, shown


def main(paths):
    if not paths:
        sys.exit(__doc__)
    runs = [load(p) for p in paths]
    keys = list(OrderedDict.fromkeys(k for run in runs for k in run))
    print("| workload | DB shape | lsmkv ops/s | LevelDB ops/s | RocksDB ops/s "
          "| lsmkv/LevelDB median (per run) | lsmkv/RocksDB median (per run) |")
    print("|---|---|---:|---:|---:|---|---|")
    for key in keys:
        cells = [run.get(key, {}) for run in runs]

        def med(engine):
            values = [c[engine] for c in cells if engine in c]
            return f"{statistics.median(values):,.0f}" if values else "—"

        ldb_med, ldb_runs = fmt_ratios([ratio(c, "leveldb") for c in cells])
        rdb_med, rdb_runs = fmt_ratios([ratio(c, "rocksdb") for c in cells])
        print(f"| {key[0]} | {key[1]} | {med('lsmkv')} | {med('leveldb')} | {med('rocksdb')} "
              f"| {ldb_med} ({ldb_runs}) | {rdb_med} ({rdb_runs}) |")


if __name__ == "__main__":
    main(sys.argv[1:])
