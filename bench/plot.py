#!/usr/bin/env python3
"""Turns lsmkv_bench --csv results into SVG charts (Debian: python3-matplotlib,
installed by cmake/scripts/install-deps.sh --plot).

    python3 bench/plot.py [--out DIR] RESULTS.csv [MORE.csv ...]

Writes into DIR (default: the current directory):
  ratios-<num>.svg      lsmkv's throughput over LevelDB's and RocksDB's, per
                        workload (1.0 = as fast), for each entry count found
  ratios-by-size.svg    lsmkv/LevelDB per workload at each entry count side
                        by side (e.g. 1M vs 10M), when there is more than one
  cost-by-size.svg      each engine's cost per operation at the largest entry
                        count over its cost at the smallest (1.0 = no growth),
                        when there is more than one
  throughput-<num>.svg  ops/s per workload and engine (log scale)
  latency-<num>.svg     p50 / p99 / p99.9 per workload and engine, when the
                        runs had --histogram=1
Several CSV files of the same setup (repeated runs) are combined by taking
the median of each engine/workload/num cell. Exit status 77 when matplotlib
is missing (the test suite reports that as skipped).
"""
import argparse
import csv
import os
import statistics
import sys
from collections import defaultdict

ENGINE_ORDER = ["lsmkv", "leveldb", "rocksdb"]
COLORS = {"lsmkv": "#1f77b4", "leveldb": "#ff7f0e", "rocksdb": "#2ca02c"}


def load(paths):
    """{(num, workload, engine): {column: [values over runs]}} plus the
    workloads in first-seen order. A workload run on more than one DB shape
    (a read on the sorted and on the random DB) is labelled
    "workload [shape]" so its shapes stay apart; one run with more than one
    thread (readrandom:4) is "workload x4"."""
    rows = []
    for path in paths:
        with open(path, newline="") as f:
            these = list(csv.DictReader(f))
        if not these:
            raise SystemExit(f"plot.py: {path}: no rows")
        rows += these
    shapes = defaultdict(set)
    for row in rows:
        shapes[row["workload"]].add(row.get("db_shape", ""))
    cells = defaultdict(lambda: defaultdict(list))
    workloads = []
    for row in rows:
        label = row["workload"]
        if len(shapes[label]) > 1:
            label += f" [{row['db_shape']}]"
        if row.get("threads", "1") not in ("", "1"):
            label += f" x{row['threads']}"
        key = (int(row["num"]), label, row["engine"])
        if label not in workloads:
            workloads.append(label)
        for column in ("ops_per_sec", "p50_us", "p99_us", "p999_us"):
            if row.get(column):
                cells[key][column].append(float(row[column]))
    return cells, workloads


def median(cells, num, workload, engine, column):
    values = cells.get((num, workload, engine), {}).get(column)
    return statistics.median(values) if values else None


def human(num):
    for unit, size in (("M", 1_000_000), ("K", 1_000)):
        if num >= size and num % size == 0:
            return f"{num // size}{unit}"
    return str(num)


def grouped_bars(plt, title, ylabel, workloads, series, path, log=False, reference=None):
    """series: [(label, color, [value or None per workload])]."""
    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(workloads) + 2), 4.2))
    width = 0.8 / max(len(series), 1)
    for i, (label, color, values) in enumerate(series):
        xs = [w + (i - (len(series) - 1) / 2) * width for w in range(len(workloads))]
        heights = [v if v is not None else 0 for v in values]
        ax.bar(xs, heights, width, label=label, color=color)
    if reference is not None:
        ax.axhline(reference, color="black", linewidth=0.8, linestyle="--")
    if log:
        ax.set_yscale("log")
    ax.set_xticks(range(len(workloads)))
    ax.set_xticklabels(workloads, rotation=35, ha="right")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, format="svg", metadata={"Date": None})  # no timestamp: same input, same file
    plt.close(fig)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="+")
    parser.add_argument("--out", default=".")
    args = parser.parse_args()
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("plot.py: matplotlib is missing (Debian: apt-get install python3-matplotlib)",
              file=sys.stderr)
        return 77
    matplotlib.rcParams["svg.hashsalt"] = "lsmkv"  # the same input gives the same SVG

    cells, workloads = load(args.csv)
    os.makedirs(args.out, exist_ok=True)
    nums = sorted({num for num, _, _ in cells})
    engines = [e for e in ENGINE_ORDER if any(k[2] == e for k in cells)]
    engines += sorted({k[2] for k in cells} - set(engines))
    written = []
    for num in nums:
        others = [e for e in engines if e != "lsmkv"]
        if "lsmkv" in engines and others:
            series = []
            for other in others:
                values = []
                for w in workloads:
                    mine = median(cells, num, w, "lsmkv", "ops_per_sec")
                    theirs = median(cells, num, w, other, "ops_per_sec")
                    values.append(mine / theirs if mine and theirs else None)
                series.append((f"lsmkv / {other}", COLORS.get(other, "grey"), values))
            written.append(grouped_bars(
                plt, f"lsmkv throughput relative to LevelDB and RocksDB ({human(num)} entries)",
                "ratio of ops/s (>1: lsmkv faster)", workloads, series,
                os.path.join(args.out, f"ratios-{num}.svg"), reference=1.0))
        series = [(e, COLORS.get(e, "grey"),
                   [median(cells, num, w, e, "ops_per_sec") for w in workloads]) for e in engines]
        written.append(grouped_bars(
            plt, f"Throughput ({human(num)} entries)", "ops/s (log scale)", workloads, series,
            os.path.join(args.out, f"throughput-{num}.svg"), log=True))
        latency_series = []
        for e in engines:
            for column, label, alpha in (("p50_us", "p50", 1.0), ("p99_us", "p99", 0.7),
                                         ("p999_us", "p99.9", 0.45)):
                values = [median(cells, num, w, e, column) for w in workloads]
                if any(v is not None for v in values):
                    color = matplotlib.colors.to_rgba(COLORS.get(e, "grey"), alpha)
                    latency_series.append((f"{e} {label}", color, values))
        if latency_series:
            written.append(grouped_bars(
                plt, f"Latency percentiles ({human(num)} entries)", "microseconds (log scale)",
                workloads, latency_series, os.path.join(args.out, f"latency-{num}.svg"), log=True))
    # The by-size charts show the workloads run at more than one size (a
    # 1M-only threaded read has nothing to compare with).
    at_sizes = [w for w in workloads
                if sum(any((n, w, e) in cells for e in engines) for n in nums) > 1]
    if len(nums) > 1 and "leveldb" in engines and at_sizes:
        series = []
        palette = ["#1f77b4", "#9467bd", "#8c564b", "#e377c2"]
        for i, num in enumerate(nums):
            values = []
            for w in at_sizes:
                mine = median(cells, num, w, "lsmkv", "ops_per_sec")
                theirs = median(cells, num, w, "leveldb", "ops_per_sec")
                values.append(mine / theirs if mine and theirs else None)
            series.append((f"{human(num)} entries", palette[i % len(palette)], values))
        written.append(grouped_bars(
            plt, "lsmkv / LevelDB throughput by DB size", "ratio of ops/s", at_sizes, series,
            os.path.join(args.out, "ratios-by-size.svg"), reference=1.0))
    if len(nums) > 1 and at_sizes:
        small, large = nums[0], nums[-1]
        series = []
        for e in engines:
            values = []
            for w in at_sizes:
                before = median(cells, small, w, e, "ops_per_sec")
                after = median(cells, large, w, e, "ops_per_sec")
                values.append(before / after if before and after else None)
            series.append((e, COLORS.get(e, "grey"), values))
        written.append(grouped_bars(
            plt, f"Cost per operation at {human(large)} over {human(small)} entries",
            "ratio of time per op (>1: slower when larger)", at_sizes, series,
            os.path.join(args.out, "cost-by-size.svg"), reference=1.0))
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
