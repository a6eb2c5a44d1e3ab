"""Tests of the linearizability checker on hand-made histories, including
ones it must reject. Run: python3 tests/cluster/linearizability_test.py"""
import math
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linearizability import Op, check_history, check_register  # noqa: E402

INF = math.inf


def w(v, call, ret, client=0, key="k"):
    return Op(key, "write", v, None, call, ret, client)


def r(v, call, ret, client=0, key="k"):
    return Op(key, "read", None, v, call, ret, client)


def cas(expected, new, ok, call, ret, client=0, key="k"):
    return Op(key, "cas", (expected, new), ok, call, ret, client)


class CheckerTest(unittest.TestCase):
    def assertLinearizable(self, ops, initial=None):
        ok, message = check_register(ops, initial)
        self.assertTrue(ok, message)

    def assertNotLinearizable(self, ops, initial=None):
        ok, message = check_register(ops, initial)
        self.assertFalse(ok, "accepted a non-linearizable history")
        self.assertIn("not linearizable", message)

    def test_sequential(self):
        self.assertLinearizable([w("a", 0, 1), r("a", 2, 3), w("b", 4, 5), r("b", 6, 7)])

    def test_read_of_initial_absent(self):
        self.assertLinearizable([r(None, 0, 1), w("a", 2, 3)])
        self.assertNotLinearizable([w("a", 0, 1), r(None, 2, 3)])

    def test_stale_read_after_write_returned_is_rejected(self):
        self.assertNotLinearizable([w("a", 0, 1), w("b", 2, 3), r("a", 4, 5)])

    def test_concurrent_write_either_order(self):
        # The read overlaps the write of b: both a and b are allowed.
        self.assertLinearizable([w("a", 0, 1), w("b", 2, 6), r("a", 3, 4, client=1)])
        self.assertLinearizable([w("a", 0, 1), w("b", 2, 6), r("b", 3, 4, client=1)])

    def test_reads_cannot_go_back_in_time(self):
        # Two sequential reads during one write: b then a is impossible.
        self.assertNotLinearizable([w("a", 0, 1), w("b", 2, 10), r("b", 3, 4, client=1), r("a", 5, 6, client=1)])
        self.assertLinearizable([w("a", 0, 1), w("b", 2, 10), r("a", 3, 4, client=1), r("b", 5, 6, client=1)])

    def test_value_never_written_is_rejected(self):
        self.assertNotLinearizable([w("a", 0, 1), r("zzz", 2, 3)])

    def test_unknown_write_may_or_may_not_apply(self):
        self.assertLinearizable([w("a", 0, 1), w("b", 2, INF), r("a", 3, 4), r("b", 5, 6)])
        self.assertLinearizable([w("a", 0, 1), w("b", 2, INF), r("a", 3, 4), r("a", 5, 6)])
        # ...but once seen it cannot be unseen (a lost acknowledged-by-read write).
        self.assertNotLinearizable([w("a", 0, 1), w("b", 2, INF), r("b", 3, 4), r("a", 5, 6)])

    def test_unknown_write_not_before_its_call(self):
        self.assertNotLinearizable([w("a", 0, 1), r("b", 2, 3), w("b", 4, INF)])

    def test_cas(self):
        self.assertLinearizable([w("0", 0, 1), cas("0", "1", True, 2, 3), cas("0", "2", False, 4, 5), r("1", 6, 7)])
        # Two successful CAS from the same expected value: one must fail.
        self.assertNotLinearizable([w("0", 0, 1), cas("0", "1", True, 2, 5), cas("0", "2", True, 3, 6, client=1)])
        # A failed CAS while the value certainly was the expected one.
        self.assertNotLinearizable([w("0", 0, 1), cas("0", "1", False, 2, 3)])
        # CAS on absent.
        self.assertLinearizable([cas(None, "x", True, 0, 1), r("x", 2, 3)])

    def test_unknown_cas(self):
        # An unknown CAS that could succeed may have; a later read tells.
        self.assertLinearizable([w("0", 0, 1), cas("0", "1", None, 2, INF), r("1", 3, 4)])
        self.assertLinearizable([w("0", 0, 1), cas("0", "1", None, 2, INF), r("0", 3, 4)])
        self.assertNotLinearizable([w("0", 0, 1), cas("0", "1", None, 2, INF), r("1", 3, 4), r("0", 5, 6)])

    def test_lost_acknowledged_write(self):
        # The shape a failover that loses a write produces.
        self.assertNotLinearizable([w("a", 0, 1), w("b", 2, 3), r("b", 4, 5), r("a", 6, 7, client=2)])

    def test_compositional_history(self):
        ops = [w("a", 0, 1, key="x"), r("a", 2, 3, key="x"), w("b", 0, 1, key="y"), r(None, 2, 3, key="y")]
        ok, failures = check_history(ops)
        self.assertFalse(ok)
        self.assertEqual(1, len(failures))
        self.assertIn("'y'", failures[0])

    def test_random_sequential_histories_pass_and_corrupted_fail(self):
        seed = int(os.environ.get("LIN_SEED", "12345"))
        rng = random.Random(seed)
        for _ in range(200):
            state = None
            ops = []
            t = 0.0
            for i in range(30):
                kind = rng.choice(["write", "read", "cas"])
                if kind == "write":
                    v = "v%d" % i
                    ops.append(w(v, t, t + 1))
                    state = v
                elif kind == "read":
                    ops.append(r(state, t, t + 1))
                else:
                    expected = rng.choice([state, "nope"])
                    ok = expected == state
                    ops.append(cas(expected, "c%d" % i, ok, t, t + 1))
                    if ok:
                        state = "c%d" % i
                t += 2
            self.assertTrue(check_register(ops)[0], "seed %d" % seed)
            reads = [i for i, op in enumerate(ops) if op.kind == "read"]
            if not reads:
                continue
            i = rng.choice(reads)
            ops[i] = ops[i]._replace(result="never-written")
            self.assertFalse(check_register(ops)[0], "seed %d: corrupted read accepted" % seed)

    def test_concurrent_random_histories_of_a_real_register(self):
        # Operations applied to a real register at a random point inside
        # their interval are always linearizable.
        seed = int(os.environ.get("LIN_SEED", "777"))
        rng = random.Random(seed)
        for _ in range(100):
            events = []
            for c in range(4):
                t = rng.random()
                for j in range(8):
                    call = t
                    point = call + rng.random()
                    ret = point + rng.random()
                    events.append((point, call, ret, c, j))
                    t = ret + rng.random() * 0.1
            events.sort()
            state = None
            ops = []
            for n, (point, call, ret, c, j) in enumerate(events):
                kind = rng.choice(["write", "read", "cas"])
                if kind == "write":
                    v = "w%d" % n
                    ops.append(w(v, call, ret, client=c))
                    state = v
                elif kind == "read":
                    ops.append(r(state, call, ret, client=c))
                else:
                    expected = rng.choice([state, "x"])
                    ok = expected == state
                    ops.append(cas(expected, "c%d" % n, ok, call, ret, client=c))
                    if ok:
                        state = "c%d" % n
            ok, message = check_register(ops)
            self.assertTrue(ok, "seed %d: %s" % (seed, message))


if __name__ == "__main__":
    unittest.main()
