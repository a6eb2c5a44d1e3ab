"""Transactions in the Python module: DB.transaction() as a context manager,
lsmkv.Busy on conflicts (a retry loop catches it), isolation levels, save
points, items(), and lifetimes. Run by ctest (python:unittest) with the
other test_*.py files; by hand:

    cd tests/python && PYTHONPATH=../../build/lib/python python3 -m unittest -v test_transactions

Randomized tests print their seed on failure; LSMKV_TEST_SEED=N replays one.
"""
import random
import threading
import unittest

import lsmkv
from test_lsmkv import TempDirTest, test_seed


def increment(db, key, interfere=None):
    """Adds 1 to the decimal number at key in a transaction, retrying on
    lsmkv.Busy. interfere(attempt) runs before each commit. Returns the
    number of attempts."""
    attempts = 0
    while True:
        attempts += 1
        try:
            with db.transaction() as txn:
                txn.put(key, b"%d" % (int(txn.get(key) or b"0") + 1))
                if interfere is not None:
                    interfere(attempts)
            return attempts
        except lsmkv.Busy:
            continue


class TransactionTest(TempDirTest):
    def test_commits_when_the_block_succeeds(self):
        with lsmkv.DB(self.path) as db:
            db.put(b"old", b"1")
            with db.transaction() as txn:
                txn.put(b"k", b"v")
                txn.delete(b"old")
                self.assertEqual(txn.get(b"k"), b"v")  # its own writes
                self.assertIsNone(txn.get(b"old"))
                self.assertIsNone(db.get(b"k"))  # nothing outside before commit
                self.assertEqual(db.get(b"old"), b"1")
                self.assertFalse(txn.finished)
            self.assertTrue(txn.finished)
            self.assertEqual(db.get(b"k"), b"v")
            self.assertIsNone(db.get(b"old"))

    def test_rolls_back_when_the_block_raises(self):
        with lsmkv.DB(self.path) as db:
            with self.assertRaises(KeyError):
                with db.transaction() as txn:
                    txn.put(b"k", b"v")
                    raise KeyError("boom")  # propagates, not swallowed
            self.assertTrue(txn.finished)
            self.assertIsNone(db.get(b"k"))

    def test_explicit_commit_rollback_and_calls_after(self):
        with lsmkv.DB(self.path) as db:
            txn = db.transaction()
            txn.put(b"a", b"1")
            txn.commit()
            with self.assertRaises(lsmkv.InvalidArgumentError):
                txn.put(b"b", b"2")
            with self.assertRaises(lsmkv.InvalidArgumentError):
                txn.commit()
            txn = db.transaction(sync=True)
            txn.put(b"c", b"3")
            txn.rollback()
            # The with block does nothing more once the transaction finished.
            with db.transaction() as inner:
                inner.put(b"d", b"4")
                inner.rollback()
            self.assertEqual(db.get(b"a"), b"1")
            self.assertIsNone(db.get(b"c"))
            self.assertIsNone(db.get(b"d"))
            abandoned = db.transaction()
            abandoned.put(b"e", b"5")
            del abandoned  # garbage-collected: rolled back
            self.assertIsNone(db.get(b"e"))

    def test_conflict_raises_busy_and_a_retry_loop_recovers(self):
        self.assertTrue(issubclass(lsmkv.Busy, lsmkv.BusyError))
        self.assertTrue(issubclass(lsmkv.Busy, lsmkv.Error))
        with lsmkv.DB(self.path) as db:
            db.put(b"n", b"5")

            def interfere(attempt):
                if attempt == 1:
                    db.put(b"n", b"10")  # commits first: the transaction read n

            self.assertEqual(increment(db, b"n", interfere), 2)
            self.assertEqual(db.get(b"n"), b"11")
            self.assertEqual(increment(db, b"n"), 1)
            self.assertEqual(db.get(b"n"), b"12")
            # The losing commit wrote nothing.
            txn = db.transaction()
            txn.get(b"n")
            txn.put(b"side", b"effect")
            db.put(b"n", b"0")
            with self.assertRaises(lsmkv.Busy) as ctx:
                txn.commit()
            self.assertIn("Busy", str(ctx.exception))
            self.assertIsNone(db.get(b"side"))

    def test_isolation_levels(self):
        with lsmkv.DB(self.path) as db:
            db.put(b"x", b"0")
            # Snapshot isolation ignores what was only read...
            with db.transaction(isolation="snapshot") as txn:
                txn.get(b"x")
                txn.put(b"y", b"1")
                db.put(b"x", b"1")
            self.assertEqual(db.get(b"y"), b"1")
            # ...but not a key both wrote.
            with self.assertRaises(lsmkv.Busy):
                with db.transaction(isolation="snapshot") as txn:
                    txn.put(b"x", b"txn")
                    db.put(b"x", b"outside")
            self.assertEqual(db.get(b"x"), b"outside")
            # Serializable refuses the read conflict.
            with self.assertRaises(lsmkv.Busy):
                with db.transaction(isolation="serializable") as txn:
                    txn.get(b"x")
                    txn.put(b"y", b"2")
                    db.put(b"x", b"again")
            self.assertEqual(db.get(b"y"), b"1")
            with self.assertRaises(ValueError):
                db.transaction(isolation="chaos")

    def test_items_merge_pending_writes_and_guard_the_range(self):
        with lsmkv.DB(self.path) as db:
            for k in (b"a", b"b", b"c", b"d"):
                db.put(k, k.upper())
            with db.transaction() as txn:
                txn.put(b"bb", b"new")
                txn.delete(b"c")
                self.assertEqual(list(txn.items(b"b", b"d")), [(b"b", b"B"), (b"bb", b"new")])
                self.assertEqual([k for k, _ in txn.items(reverse=True)], [b"d", b"bb", b"b", b"a"])
            # A phantom: a key inserted into a range the transaction walked.
            with self.assertRaises(lsmkv.Busy):
                with db.transaction() as txn:
                    total = sum(len(v) for _, v in txn.items(b"a", b"z"))
                    txn.put(b"total", b"%d" % total)
                    db.put(b"ab", b"phantom")
            self.assertIsNone(db.get(b"total"))

    def test_savepoints(self):
        with lsmkv.DB(self.path) as db:
            with db.transaction() as txn:
                txn.put(b"a", b"1")
                txn.set_savepoint()
                txn.put(b"b", b"2")
                txn.delete(b"a")
                txn.rollback_to_savepoint()
                self.assertEqual(txn.get(b"a"), b"1")
                self.assertIsNone(txn.get(b"b"))
                with self.assertRaises(lsmkv.NotFoundError):
                    txn.rollback_to_savepoint()  # none left
            self.assertEqual(db.get(b"a"), b"1")
            self.assertIsNone(db.get(b"b"))

    def test_close_invalidates_open_transactions_and_their_iterators(self):
        db = lsmkv.DB(self.path)
        db.put(b"a", b"1")
        txn = db.transaction()
        txn.put(b"b", b"2")
        items = txn.items()
        self.assertEqual(next(items), (b"a", b"1"))
        db.close()
        with self.assertRaises(lsmkv.Error):
            txn.get(b"a")
        with self.assertRaises(lsmkv.Error):
            next(items)
        with self.assertRaises(lsmkv.Error):
            db.transaction()
        with lsmkv.DB(self.path) as db:
            self.assertIsNone(db.get(b"b"))  # rolled back

    def test_randomized_against_a_model(self):
        seed = test_seed(random.randrange(1 << 30))
        rng = random.Random(seed)
        model = {}
        try:
            with lsmkv.DB(self.path, write_buffer_size=64 << 10) as db:
                for _ in range(200):
                    pending = dict(model)
                    saved = []
                    txn = db.transaction(isolation=rng.choice(["snapshot", "serializable"]))
                    for _ in range(rng.randrange(1, 12)):
                        key = b"k%02d" % rng.randrange(40)
                        op = rng.random()
                        if op < 0.45:
                            value = b"v%d" % rng.randrange(1000)
                            txn.put(key, value)
                            pending[key] = value
                        elif op < 0.65:
                            txn.delete(key)
                            pending.pop(key, None)
                        elif op < 0.8:
                            self.assertEqual(txn.get(key), pending.get(key))
                        elif op < 0.9:
                            txn.set_savepoint()
                            saved.append(dict(pending))
                        elif saved:
                            txn.rollback_to_savepoint()
                            pending = saved.pop()
                    self.assertEqual(list(txn.items()), sorted(pending.items()))
                    if rng.random() < 0.8:
                        txn.commit()
                        model = pending
                    else:
                        txn.rollback()
                    self.assertEqual(list(db.items()), sorted(model.items()))
        except AssertionError:
            print("test_randomized_against_a_model: LSMKV_TEST_SEED=%d" % seed)
            raise

    def test_concurrent_increments_lose_no_update(self):
        with lsmkv.DB(self.path) as db:
            errors, attempts = [], []

            def worker():
                try:
                    for _ in range(50):
                        attempts.append(increment(db, b"counter"))
                except Exception as e:  # reported below
                    errors.append(e)

            threads = [threading.Thread(target=worker) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(errors, [])
            self.assertEqual(db.get(b"counter"), b"200")
            self.assertEqual(len(attempts), 200)


if __name__ == "__main__":
    unittest.main()
