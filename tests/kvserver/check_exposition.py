#!/usr/bin/env python3
"""Checks a Prometheus text exposition (format 0.0.4) line by line.

    check_exposition.py FILE        exit 0 if every line parses, else 1 with
                                    the first bad line and why
    check_exposition.py --self-test checks that known-bad inputs are refused

Grammar per line: empty; "# HELP name docstring"; "# TYPE name type";
other "#" comments; or a sample
    name [ "{" label="value" { "," label="value" } [ "," ] "}" ] value [ timestamp ]
plus the rules that make an exposition usable: TYPE before the family's
samples and at most once, one HELP per family, a family's lines together,
no duplicate samples, sample names matching the family type (histogram:
_bucket with le, _sum, _count; summary: quantile samples, _sum, _count),
cumulative histogram buckets ending in le="+Inf" equal to _count, and
counters never negative.
"""
import math
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
FLOAT = r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?Inf|NaN"
NAME_RE = re.compile(NAME + r"$")
HELP_RE = re.compile(r"# HELP (" + NAME + r") ((?:[^\\\n]|\\\\|\\n)*)$")
TYPE_RE = re.compile(r"# TYPE (" + NAME + r") (counter|gauge|histogram|summary|untyped)$")
SAMPLE_RE = re.compile(r"(" + NAME + r")(\{.*\})? (" + FLOAT + r")(?: (-?[0-9]+))?$")
LABEL_PAIR_RE = re.compile(r"(" + LABEL + r')="((?:[^"\\\n]|\\\\|\\"|\\n)*)"')


class Bad(Exception):
    pass


def parse_labels(text):
    """'{a="x",b="y"}' -> [("a", "x"), ("b", "y")]."""
    inner = text[1:-1]
    labels = []
    pos = 0
    while pos < len(inner):
        m = LABEL_PAIR_RE.match(inner, pos)
        if not m:
            raise Bad("bad label at: " + inner[pos:])
        labels.append((m.group(1), m.group(2)))
        pos = m.end()
        if pos < len(inner):
            if inner[pos] != ",":
                raise Bad("expected ',' between labels at: " + inner[pos:])
            pos += 1
    names = [n for n, _ in labels]
    if len(set(names)) != len(names):
        raise Bad("repeated label name")
    if any(n.startswith("__") for n in names):
        raise Bad("label names starting with __ are reserved")
    return labels


def to_float(text):
    return float(text.replace("Inf", "inf"))


def family_of(sample_name, types):
    """The family a sample belongs to, given the TYPEs seen so far."""
    for suffix in ("_bucket", "_sum", "_count"):
        if sample_name.endswith(suffix):
            base = sample_name[: -len(suffix)]
            if types.get(base) in ("histogram", "summary"):
                if suffix == "_bucket" and types[base] != "histogram":
                    raise Bad(sample_name + ": _bucket in a summary")
                return base, suffix
    return sample_name, ""


def check(lines):
    types, helps = {}, {}
    finished = set()  # families whose lines are over
    current = None
    seen_samples = set()
    histograms = {}  # (family, labels without le) -> {"buckets": [(le, v)], "count": v}
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\n")
        try:
            if line == "":
                continue
            if line.startswith("#"):
                m_help, m_type = HELP_RE.match(line), TYPE_RE.match(line)
                if line.startswith("# HELP ") and not m_help:
                    raise Bad("malformed HELP")
                if line.startswith("# TYPE ") and not m_type:
                    raise Bad("malformed TYPE")
                m = m_help or m_type
                if not m:
                    continue  # a plain comment
                family = m.group(1)
                if family in finished:
                    raise Bad(family + ": family lines not together")
                if current is not None and current != family:
                    finished.add(current)
                current = family
                if m_help:
                    if family in helps:
                        raise Bad(family + ": second HELP")
                    helps[family] = m.group(2)
                else:
                    if family in types:
                        raise Bad(family + ": second TYPE")
                    if any(f == family for f, _ in seen_samples):
                        raise Bad(family + ": TYPE after its samples")
                    types[family] = m.group(2)
                continue
            m = SAMPLE_RE.match(line)
            if not m:
                raise Bad("not a sample line")
            name, label_text, value_text = m.group(1), m.group(2), m.group(3)
            labels = parse_labels(label_text) if label_text else []
            value = to_float(value_text)
            family, suffix = family_of(name, types)
            if family in finished:
                raise Bad(family + ": family lines not together")
            if current is not None and current != family:
                finished.add(current)
            current = family
            key = (name, tuple(sorted(labels)))
            if key in seen_samples:
                raise Bad("duplicate sample")
            seen_samples.add(key)
            kind = types.get(family, "untyped")
            label_names = [n for n, _ in labels]
            if kind == "counter" and (value < 0 or math.isnan(value)):
                raise Bad("negative counter")
            if kind == "histogram":
                if suffix == "":
                    raise Bad("histogram sample without _bucket/_sum/_count")
                rest = tuple(sorted((n, v) for n, v in labels if n != "le"))
                h = histograms.setdefault((family, rest), {"buckets": [], "count": None})
                if suffix == "_bucket":
                    if "le" not in label_names:
                        raise Bad("_bucket without le")
                    h["buckets"].append((to_float(dict(labels)["le"]), value))
                elif "le" in label_names:
                    raise Bad("le on a non-bucket sample")
                elif suffix == "_count":
                    h["count"] = value
            elif kind == "summary":
                if suffix == "":
                    if "quantile" not in label_names:
                        raise Bad("summary sample without quantile")
                    q = to_float(dict(labels)["quantile"])
                    if not 0 <= q <= 1:
                        raise Bad("quantile outside [0, 1]")
                elif "quantile" in label_names:
                    raise Bad("quantile on _sum/_count")
            elif suffix:
                raise Bad("suffix %s on a %s" % (suffix, kind))
        except (Bad, ValueError) as e:
            raise Bad("line %d: %s: %r" % (number, e, line))
    for (family, rest), h in histograms.items():
        les = [le for le, _ in h["buckets"]]
        if les != sorted(les) or not les or les[-1] != math.inf:
            raise Bad("%s%s: buckets not ascending or no le=\"+Inf\"" % (family, rest))
        values = [v for _, v in h["buckets"]]
        if any(b < a for a, b in zip(values, values[1:])):
            raise Bad("%s%s: buckets not cumulative" % (family, rest))
        if h["count"] is None or h["count"] != values[-1]:
            raise Bad("%s%s: _count differs from the +Inf bucket" % (family, rest))
    return len(seen_samples), len(types)


BAD_INPUTS = [
    'bad metric 1\n',
    'm{x="1"} one\n',
    'm{x="1} 1\n',
    'm{1x="1"} 1\n',
    'm{x="a",x="b"} 1\n',
    '# TYPE m counter\nm -1\n',
    '# TYPE m counter\n# TYPE m gauge\nm 1\n',
    'm 1\n# TYPE m gauge\n',
    '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n',
    '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 1\n',
    '# TYPE h histogram\nh_bucket{le="1"} 1\nh_count 1\nh_sum 1\n',
    '# TYPE s summary\ns 1\n',
    '# TYPE s summary\ns{quantile="2"} 1\n',
    '# HELP m bad \\escape\nm 1\n',
    '# TYPE m gauge\nm 1\nm 2\n',
    '# TYPE m sometype\n',
]
GOOD_INPUT = (
    '# HELP a_total A counter, with \\\\ and \\n.\n# TYPE a_total counter\na_total{x="q\\"",y="1"} 3 1700000000000\n'
    '\n# some comment\n# TYPE h histogram\nh_bucket{le="0.1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 0.3\nh_count 2\n'
    '# TYPE s summary\ns{quantile="0.5"} NaN\ns_sum 0\ns_count 0\nuntyped_thing -Inf\n'
)


def self_test():
    check(GOOD_INPUT.splitlines(True))
    for text in BAD_INPUTS:
        try:
            check(text.splitlines(True))
        except Bad:
            continue
        print("self-test: accepted a bad exposition: %r" % text)
        return 1
    print("self-test: %d bad expositions refused, the good one accepted" % len(BAD_INPUTS))
    return 0


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--self-test":
        return self_test()
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        lines = f.readlines()
    try:
        samples, families = check(lines)
    except Bad as e:
        print("exposition: " + str(e))
        return 1
    print("exposition: %d lines ok (%d samples, %d typed families)" % (len(lines), samples, families))
    return 0


if __name__ == "__main__":
    sys.exit(main())
