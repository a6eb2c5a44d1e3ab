#!/usr/bin/env python3
"""Checks a GET /status.json document of the HTTP server
(examples/kvserver/status_page.cc): every field the status page draws is
there with the right type, the levels add up, and optional expectations
hold.

    check_status_json.py FILE [--files N] [--min-files N] [--jobs N]
                         [--min-jobs N] [--min-sequence N] [--role ROLE]
    check_status_json.py --self-test   (bad documents must be refused)
"""
import argparse
import json
import sys

NUMBER = (int, float)
TOP = {
    "cluster": dict, "latest_sequence": int, "levels": list, "total_files": int,
    "total_bytes": int, "estimate_num_keys": int, "memtable_bytes": int,
    "immutable_memtables": int, "write_amplification": NUMBER,
    "read_amplification": NUMBER, "space_amplification": NUMBER, "flushes": int,
    "compactions": int, "stall_micros": int, "background_error": bool,
    "recent_jobs": list,
}
LEVEL = {"level": int, "files": int, "bytes": int, "score": NUMBER}
JOB = {"kind": str, "input_level": int, "output_level": int, "input_files": int,
       "output_files": int, "bytes_read": int, "bytes_written": int, "micros": int,
       "seconds_ago": NUMBER}
KINDS = {"flush", "recovery-flush", "compaction", "trivial-move"}


def fields(obj, spec, where):
    if not isinstance(obj, dict):
        return ["%s: not an object" % where]
    errors = []
    for name, kind in spec.items():
        if name not in obj:
            errors.append("%s: no %s" % (where, name))
        elif isinstance(obj[name], bool) and kind is not bool:
            errors.append("%s.%s: a bool" % (where, name))
        elif not isinstance(obj[name], kind):
            errors.append("%s.%s: %r has the wrong type" % (where, name, obj[name]))
    return errors


def check(doc, args):
    errors = fields(doc, TOP, "status")
    if errors:
        return errors
    if not isinstance(doc["cluster"].get("role"), str):
        errors.append("cluster.role missing")
    if len(doc["levels"]) != 7:
        errors.append("%d levels, want 7" % len(doc["levels"]))
    for i, level in enumerate(doc["levels"]):
        errors += fields(level, LEVEL, "levels[%d]" % i)
        if not errors and level["level"] != i:
            errors.append("levels[%d] is level %d" % (i, level["level"]))
    if errors:
        return errors
    if sum(l["files"] for l in doc["levels"]) != doc["total_files"]:
        errors.append("level files do not add up to total_files")
    if sum(l["bytes"] for l in doc["levels"]) != doc["total_bytes"]:
        errors.append("level bytes do not add up to total_bytes")
    if doc["total_bytes"] > 0 and doc["space_amplification"] < 1:
        errors.append("space_amplification below 1 with tables present")
    for i, job in enumerate(doc["recent_jobs"]):
        errors += fields(job, JOB, "recent_jobs[%d]" % i)
        if "kind" in job and job["kind"] not in KINDS:
            errors.append("recent_jobs[%d]: unknown kind %r" % (i, job["kind"]))
        if "error" not in job or not (job["error"] is None or isinstance(job["error"], str)):
            errors.append("recent_jobs[%d]: error must be null or a string" % i)
    if args.files is not None and doc["total_files"] != args.files:
        errors.append("total_files %d, want %d" % (doc["total_files"], args.files))
    if args.min_files is not None and doc["total_files"] < args.min_files:
        errors.append("total_files %d, want >= %d" % (doc["total_files"], args.min_files))
    if args.jobs is not None and len(doc["recent_jobs"]) != args.jobs:
        errors.append("%d jobs, want %d" % (len(doc["recent_jobs"]), args.jobs))
    if args.min_jobs is not None and len(doc["recent_jobs"]) < args.min_jobs:
        errors.append("%d jobs, want >= %d" % (len(doc["recent_jobs"]), args.min_jobs))
    if args.min_sequence is not None and doc["latest_sequence"] < args.min_sequence:
        errors.append("latest_sequence %d, want >= %d" % (doc["latest_sequence"], args.min_sequence))
    if args.role is not None and doc["cluster"].get("role") != args.role:
        errors.append("role %r, want %r" % (doc["cluster"].get("role"), args.role))
    return errors


def parser():
    p = argparse.ArgumentParser()
    p.add_argument("file", nargs="?")
    p.add_argument("--self-test", action="store_true")
    for name in ("files", "min-files", "jobs", "min-jobs", "min-sequence"):
        p.add_argument("--" + name, type=int)
    p.add_argument("--role")
    return p


def self_test():
    good = {name: (0 if kind in (int, NUMBER) else kind()) for name, kind in TOP.items()}
    good["background_error"] = False
    good["cluster"] = {"role": "single node"}
    good["levels"] = [{"level": i, "files": 0, "bytes": 0, "score": 0} for i in range(7)]
    none = parser().parse_args([])
    assert check(good, none) == [], check(good, none)
    bad = []
    for name in TOP:
        doc = dict(good)
        del doc[name]
        bad.append(doc)
    doc = json.loads(json.dumps(good))
    doc["levels"][2]["files"] = 3  # does not add up
    bad.append(doc)
    doc = json.loads(json.dumps(good))
    doc["levels"].pop()
    bad.append(doc)
    doc = json.loads(json.dumps(good))
    doc["recent_jobs"] = [{"kind": "nap"}]
    bad.append(doc)
    doc = json.loads(json.dumps(good))
    doc["cluster"] = {}
    bad.append(doc)
    doc = dict(good, latest_sequence="5")
    bad.append(doc)
    for doc in bad:
        assert check(doc, none), doc
    assert check(good, parser().parse_args(["--min-jobs", "1"]))
    assert check(good, parser().parse_args(["--role", "leader"]))
    print("self-test: ok (%d bad documents refused)" % len(bad))


def main():
    args = parser().parse_args()
    if args.self_test:
        self_test()
        return 0
    with open(args.file) as f:
        doc = json.load(f)
    errors = check(doc, args)
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
