"""Per-key linearizability of register histories (Wing & Gong's search with
Lowe's memoization of visited configurations).

An operation is one of
  ("write", value)            -> result None
  ("read", None)              -> result: the value read, None when absent
  ("cas", (expected, new))    -> result True/False (expected None: "absent")
with its call and return times (any monotonic clock). An operation whose
outcome is unknown (timed out, connection lost, or answered "indeterminate")
has ret = math.inf and result None: it may have taken effect at any point
after its call, or never. Reads with an unknown outcome are simply left out
by the caller (they change nothing).

check_register(ops, initial) -> (ok, message). check_history groups a
history by key (linearizability is compositional: a history is linearizable
iff each key's sub-history is).
"""
import math
from collections import defaultdict, namedtuple

Op = namedtuple("Op", "key kind arg result call ret client")


def _apply(op, state):
    """(allowed, new_state) for op on a register holding `state`."""
    if op.kind == "write":
        return True, op.arg
    if op.kind == "read":
        return op.result == state, state
    if op.kind == "cas":
        expected, new = op.arg
        if op.ret == math.inf:  # unknown outcome: took effect iff it could succeed
            return state == expected, new
        if op.result:
            return state == expected, new
        return state != expected, state
    raise ValueError("unknown operation kind %r" % (op.kind,))


def check_register(ops, initial=None, budget=1_000_000):
    """Whether the operations on one register are linearizable.

    Depth-first search over configurations (which operations are
    linearized, and the register's value), each visited once. Operations
    are sorted by call time; `lo` is the first determinate one not yet
    linearized, `extra` the determinate ones after it already linearized,
    `unknown_done` the unknown-outcome ones linearized. A configuration's
    candidates are the operations called before the earliest return among
    the determinate ones still pending (so the scan never passes that
    point); unknown-outcome operations never bound it and may also never be
    linearized at all.
    """
    ops = sorted(ops, key=lambda o: o.call)
    det = [o for o in ops if o.ret != math.inf]
    unk = [o for o in ops if o.ret == math.inf]
    n = len(det)

    def normalize(lo, extra):
        while lo in extra:
            extra = extra - {lo}
            lo += 1
        return lo, extra

    start = normalize(0, frozenset()) + (frozenset(), initial)
    seen = {start}
    stack = [start]
    while stack:
        lo, extra, unknown_done, state = stack.pop()
        if lo >= n:
            return True, "linearizable"
        if len(seen) > budget:
            return False, "search budget exceeded (%d configurations); cannot decide" % budget
        # The earliest return among pending determinate operations bounds
        # which operations may go next; operations called after it return
        # later still, so the scan stops there.
        earliest = math.inf
        window = []
        i = lo
        while i < n and det[i].call <= earliest:
            if i not in extra:
                window.append(i)
                if det[i].ret < earliest:
                    earliest = det[i].ret
            i += 1
        for i in window:
            if det[i].call > earliest:
                continue
            allowed, new_state = _apply(det[i], state)
            if not allowed:
                continue
            config = normalize(lo, extra | {i}) + (unknown_done, new_state)
            if config not in seen:
                seen.add(config)
                stack.append(config)
        for j, op in enumerate(unk):
            if j in unknown_done or op.call > earliest:
                continue
            allowed, new_state = _apply(op, state)
            if not allowed:
                continue
            config = (lo, extra, unknown_done | {j}, new_state)
            if config not in seen:
                seen.add(config)
                stack.append(config)
    return False, _explain(ops, initial)


def _explain(ops, initial):
    lines = ["not linearizable (initial %r); operations by call time:" % (initial,)]
    for op in ops[:60]:
        ret = "?" if op.ret == math.inf else "%.4f" % op.ret
        lines.append("  [%.4f, %s] client %s %s %r -> %r" % (op.call, ret, op.client, op.kind, op.arg, op.result))
    if len(ops) > 60:
        lines.append("  ... %d more" % (len(ops) - 60))
    return "\n".join(lines)


def check_history(ops, initial=None):
    """(ok, messages): every key's sub-history checked on its own."""
    by_key = defaultdict(list)
    for op in ops:
        by_key[op.key].append(op)
    failures = []
    for key in sorted(by_key):
        ok, message = check_register(by_key[key], initial)
        if not ok:
            failures.append("key %r: %s" % (key, message))
    return not failures, failures
