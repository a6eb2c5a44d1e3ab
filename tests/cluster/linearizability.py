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


def check_register(ops, initial=None, budget=2_000_000):
    """Whether the operations on one register are linearizable."""
    ops = sorted(ops, key=lambda o: o.call)
    n = len(ops)
    determinate = 0
    for i, op in enumerate(ops):
        if op.ret != math.inf:
            determinate |= 1 << i
    seen = set()
    stack = [(0, initial)]
    visited = 0
    while stack:
        mask, state = stack.pop()
        if mask & determinate == determinate:
            return True, "linearizable"
        visited += 1
        if visited > budget:
            return False, "search budget exceeded (%d configurations); cannot decide" % budget
        # Minimal operations: called before every pending operation returned.
        earliest_return = math.inf
        for i in range(n):
            if not mask >> i & 1 and ops[i].ret < earliest_return:
                earliest_return = ops[i].ret
        for i in range(n):
            if mask >> i & 1 or ops[i].call > earliest_return:
                continue
            allowed, new_state = _apply(ops[i], state)
            if not allowed:
                continue
            # An unknown-outcome CAS that could not succeed had no effect:
            # nothing to place.
            config = (mask | 1 << i, new_state)
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
