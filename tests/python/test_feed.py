"""The change feed and replica apply in the Python module:
DB.get_updates_since, DB.write_replicated, DB.wait_for_sequence and
iterating a WriteBatch. Run by ctest (python:unittest) with the other
test_*.py files; by hand:

    cd tests/python && PYTHONPATH=../../build/lib/python python3 -m unittest -v test_feed

The randomized test prints its seed on any failure; LSMKV_TEST_SEED=N replays
it.
"""
import gc
import os
import random
import threading
import time

import lsmkv
from test_lsmkv import TempDirTest, test_seed


def catch_up(leader, follower, msg=""):
    """Applies the leader's feed from the follower's next sequence on;
    returns the number of batches applied."""
    expected = follower.latest_sequence() + 1
    applied = 0
    for seq, batch in leader.get_updates_since(expected):
        assert seq == expected, (seq, expected, msg)  # no hole, no repeat
        assert len(batch) > 0, msg
        follower.write_replicated(seq, batch)
        expected = seq + len(batch)
        applied += 1
    return applied


class ChangeFeedTest(TempDirTest):
    def open(self, name, **options):
        return lsmkv.DB(os.path.join(self._tmp, name), **options)

    def test_replica_follows_random_writes_to_equality(self):
        seed = test_seed(random.randrange(1 << 30))
        try:
            self.replica_follows_random_writes(seed)
        except Exception as e:  # any failure, not only the asserts, names the seed
            raise AssertionError("seed %d (LSMKV_TEST_SEED=%d replays it): %r"
                                 % (seed, seed, e)) from e

    def replica_follows_random_writes(self, seed):
        rnd = random.Random(seed)
        model = {}
        leader_options = dict(wal_retention_bytes=64 << 20, write_buffer_size=64 << 10)
        with self.open("leader", **leader_options) as leader, self.open("follower") as follower:
            for round_ in range(4):
                for _ in range(300):
                    key = b"k%03d" % rnd.randrange(200)
                    op = rnd.random()
                    if op < 0.6:
                        value = os.urandom(rnd.randrange(1, 300))
                        leader.put(key, value)
                        model[key] = value
                    elif op < 0.8:
                        leader.delete(key)
                        model.pop(key, None)
                    else:
                        batch = lsmkv.WriteBatch()
                        for _ in range(rnd.randrange(1, 5)):
                            k = b"k%03d" % rnd.randrange(200)
                            if rnd.random() < 0.7:
                                v = b"b%d" % rnd.randrange(1000)
                                batch.put(k, v)
                                model[k] = v
                            else:
                                batch.delete(k)
                                model.pop(k, None)
                        leader.write(batch)
                if round_ == 1:
                    leader.flush()  # the flushed WALs are archived, still in the feed
                msg = "seed %d, round %d" % (seed, round_)
                self.assertGreater(catch_up(leader, follower, msg), 0, msg)
                self.assertEqual(dict(follower.items()), model, msg)
                self.assertEqual(list(follower.items()), list(leader.items()), msg)
                self.assertEqual(follower.latest_sequence(), leader.latest_sequence(), msg)
            self.assertEqual(catch_up(leader, follower), 0)  # nothing new

    def test_batches_read_back_and_split_where_the_start_falls(self):
        with self.open("leader") as db:
            batch = lsmkv.WriteBatch()
            batch.put(b"a", b"1")
            batch.delete(b"b")
            batch.put(b"c", b"")
            db.write(batch)
            db.put(b"d", b"4")
            feed = list(db.get_updates_since(1))
            self.assertEqual([seq for seq, _ in feed], [1, 4])
            self.assertEqual(list(feed[0][1]),
                             [("put", b"a", b"1"), ("delete", b"b", None), ("put", b"c", b"")])
            self.assertEqual(list(feed[1][1]), [("put", b"d", b"4")])
            self.assertIsInstance(feed[0][1], lsmkv.WriteBatch)
            seq, rest = next(db.get_updates_since(2))
            self.assertEqual(seq, 2)
            self.assertEqual(list(rest), [("delete", b"b", None), ("put", b"c", b"")])
            # Sequence 0 means from the start.
            self.assertEqual([s for s, _ in db.get_updates_since(0)], [1, 4])

    def test_end_of_feed_then_continue(self):
        with self.open("leader") as db:
            db.put(b"a", b"1")
            it = db.get_updates_since(db.latest_sequence() + 1)
            self.assertEqual(list(it), [])  # valid and empty
            self.assertEqual(list(it), [])  # and it stays ended
            db.put(b"b", b"2")
            self.assertEqual([(s, list(b)) for s, b in db.get_updates_since(2)],
                             [(2, [("put", b"b", b"2")])])

    def test_gap_and_repeat_refused(self):
        with self.open("follower") as db:
            batch = lsmkv.WriteBatch()
            batch.put(b"k", b"v")
            with self.assertRaises(lsmkv.InvalidArgumentError):
                db.write_replicated(2, batch)  # a gap: the DB is at 0
            db.write_replicated(1, batch, sync=True)
            with self.assertRaises(lsmkv.InvalidArgumentError) as ctx:
                db.write_replicated(1, batch)  # a repeat
            self.assertIn("gap or a repeat", str(ctx.exception))
            with self.assertRaises(lsmkv.InvalidArgumentError):
                db.write_replicated(0, batch)
            self.assertEqual(db.latest_sequence(), 1)
            self.assertEqual(list(db.items()), [(b"k", b"v")])
        # Durable like write(): reopened, it resumes at 2.
        with self.open("follower", create_if_missing=False) as db:
            self.assertEqual(db.latest_sequence(), 1)
            db.write_replicated(2, batch)
            self.assertEqual(db.latest_sequence(), 2)

    def test_not_found_past_retention(self):
        # wal_retention_bytes=0: the WALs flushes made obsolete are deleted
        # (the newest only after the next MANIFEST edit): after a few
        # flushes the feed no longer reaches back to sequence 1.
        with self.open("leader") as db:
            for i in range(100):
                db.put(b"k%d" % i, b"v")
            for _ in range(4):
                db.flush()
                db.put(b"after", b"flush")
                try:
                    list(db.get_updates_since(1))
                except lsmkv.NotFoundError as e:
                    self.assertIn("older than the oldest batch kept", str(e))
                    break
            else:
                self.fail("sequence 1 still in the feed after 4 flushes")
            last = db.latest_sequence()
            self.assertEqual([s for s, _ in db.get_updates_since(last)], [last])

    def test_wait_for_sequence(self):
        with self.open("leader") as db:
            db.put(b"a", b"1")
            self.assertTrue(db.wait_for_sequence(1, timeout=0))
            self.assertFalse(db.wait_for_sequence(2, timeout=0.01))
            with self.assertRaises(ValueError):
                db.wait_for_sequence(2, timeout=-1)
            with self.assertRaises(ValueError):
                db.wait_for_sequence(2, timeout=float("nan"))
            # Woken by a write, whatever the timeout: None and huge ones
            # mean no limit (1e10 s once overflowed and spun, starving the
            # writer; 1e14 s was undefined behaviour converted to us).
            for seq, timeout in enumerate([60, None, 1e10, 1e14, 1e300, float("inf")], 2):
                writer = threading.Timer(0.05, lambda s=seq: db.put(b"k%d" % s, b"v"))
                writer.start()
                try:
                    self.assertTrue(db.wait_for_sequence(seq, timeout=timeout), timeout)
                finally:
                    writer.join()
                self.assertEqual(db.latest_sequence(), seq)

    def test_iterator_unusable_after_close(self):
        db = self.open("leader")
        db.put(b"a", b"1")
        db.put(b"b", b"2")
        it = db.get_updates_since(1)
        self.assertEqual(next(it)[0], 1)
        db.close()
        with self.assertRaises(lsmkv.Error):
            next(it)
        with self.assertRaises(lsmkv.Error):
            db.get_updates_since(1)
        with self.assertRaises(lsmkv.Error):
            db.write_replicated(3, lsmkv.WriteBatch())
        # Closing released the C++ iterator (it calls back into its DB when
        # destroyed): dropping the Python object now touches nothing freed.
        del it
        gc.collect()

    def test_close_while_another_thread_reads_the_feed(self):
        # close() may come while a step runs without the GIL, or between
        # that step and the thread getting the GIL back: the thread gets
        # lsmkv.Error or the end of the feed, never a freed iterator.
        for attempt in range(20):
            db = self.open("leader%d" % attempt)  # 4 MiB memtable: one WAL
            for i in range(2000):
                db.put(b"k%05d" % i, b"v" * 100)
            it = db.get_updates_since(1)
            outcome = []

            def read():
                count = 0
                try:
                    for _ in it:
                        count += 1
                    outcome.append(("end", count))
                except lsmkv.Error as e:
                    outcome.append(("error", str(e)))

            reader = threading.Thread(target=read)
            reader.start()
            time.sleep(0.001 * (attempt % 5))
            db.close()
            reader.join()
            self.assertEqual(len(outcome), 1)
            if outcome[0][0] == "end":
                self.assertEqual(outcome[0][1], 2000)
            else:
                self.assertIn("closed", outcome[0][1])

    def test_close_ends_a_wait_in_progress(self):
        # A wait holds the DB open one short slice at a time: close() from
        # another thread ends it with "DB is closed" instead of waiting out
        # its 60 s (or forever) while holding the DB open.
        for timeout in (60, None):
            db = self.open("leader-%s" % timeout)
            db.put(b"a", b"1")
            result = []
            started = threading.Event()

            def wait():
                started.set()
                try:
                    result.append(db.wait_for_sequence(2, timeout=timeout))
                except lsmkv.Error as e:
                    result.append(str(e))

            waiter = threading.Thread(target=wait, daemon=True)
            waiter.start()
            started.wait()
            time.sleep(0.05)  # most often the wait is in progress when close() comes
            begun = time.monotonic()
            db.close()
            waiter.join(timeout=30)
            self.assertFalse(waiter.is_alive(), "close() did not end the wait")
            self.assertEqual(result, ["DB is closed"])
            # A hang guard, not a timing claim: far below the 60 s timeout.
            self.assertLess(time.monotonic() - begun, 5)

    def test_snapshot_release_during_a_wait(self):
        # Snapshot.release() takes the DB's lock exclusively too: it runs
        # between two slices of a wait instead of after the whole wait.
        with self.open("leader") as db:
            db.put(b"a", b"1")
            snapshot = db.snapshot()
            released = threading.Event()

            def release():
                snapshot.release()
                released.set()
                db.put(b"b", b"2")  # then ends the wait

            waiter_result = []
            waiter = threading.Thread(
                target=lambda: waiter_result.append(db.wait_for_sequence(2, timeout=None)),
                daemon=True)
            waiter.start()
            time.sleep(0.05)
            releaser = threading.Thread(target=release, daemon=True)
            releaser.start()
            releaser.join(timeout=30)
            self.assertTrue(released.is_set(), "release() waited for the whole wait")
            waiter.join(timeout=30)
            self.assertEqual(waiter_result, [True])

    def test_close_right_after_get_updates_since_drops_the_lock(self):
        # close() running to its end in the window between get_updates_since
        # dropping the DB's lock and getting the GIL back (held open by a
        # test hook) must clear the new iterator: the call raises, and no
        # iterator of the freed DB is left to run its destructor on it.
        db = self.open("leader")
        db.put(b"a", b"1")
        outcome = []

        def read():
            try:
                outcome.append(db.get_updates_since(1))
            except lsmkv.Error as e:
                outcome.append(str(e))

        lsmkv._test_hold_after_unlock(True)
        try:
            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            while lsmkv._test_held_after_unlock() == 0:
                time.sleep(0.001)
            db.close()  # runs to its end: the reader holds neither the lock nor the GIL
        finally:
            lsmkv._test_hold_after_unlock(False)
        reader.join()
        self.assertEqual(outcome, ["DB is closed"])
        del outcome[:]
        gc.collect()
