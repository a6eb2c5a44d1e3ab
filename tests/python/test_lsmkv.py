"""Tests of the Python module lsmkv (lib/python/), with the standard
library's unittest. ctest runs them as python:unittest with PYTHONPATH set
to the built module; by hand:

    PYTHONPATH=build/lib/python python3 -m unittest -v tests/python/test_lsmkv.py

Randomized tests print their seed on failure; LSMKV_TEST_SEED=N replays one.
"""
import glob
import os
import random
import shutil
import tempfile
import threading
import unittest

import lsmkv


def test_seed(fallback):
    return int(os.environ.get("LSMKV_TEST_SEED", fallback))


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.mkdtemp(prefix="lsmkv-py-")
        self.path = os.path.join(self._tmp, "db")

    def tearDown(self):
        shutil.rmtree(self._tmp, ignore_errors=True)


class BasicsTest(TempDirTest):
    def test_put_get_delete_bytes_in_and_out(self):
        with lsmkv.DB(self.path) as db:
            db.put(b"k", b"v")
            self.assertEqual(db.get(b"k"), b"v")
            self.assertIsInstance(db.get(b"k"), bytes)
            self.assertIsNone(db.get(b"absent"))
            db.put(b"empty", b"")
            self.assertEqual(db.get(b"empty"), b"")  # present but empty: not None
            db.put(b"bin\x00key", b"\x00\xff", sync=True)
            self.assertEqual(db.get(b"bin\x00key"), b"\x00\xff")
            db.put(bytearray(b"ba"), memoryview(b"mv"))  # any bytes-like object
            self.assertEqual(db.get(memoryview(b"ba")), b"mv")
            db.delete(b"k", sync=True)
            self.assertIsNone(db.get(b"k"))
            db.delete(b"never-there")  # not an error

    def test_str_is_refused(self):
        with lsmkv.DB(self.path) as db:
            with self.assertRaises(TypeError):
                db.put("text", b"v")
            with self.assertRaises(TypeError):
                db.get("text")
            with self.assertRaises(TypeError):
                db.put(b"k", 5)

    def test_data_survives_reopen(self):
        with lsmkv.DB(self.path) as db:
            db.put(b"a", b"1")
            db.put(b"b", b"2", sync=True)
        with lsmkv.DB(self.path, create_if_missing=False) as db:
            self.assertEqual(db.get(b"a"), b"1")
            self.assertEqual(db.get(b"b"), b"2")

    def test_close_is_idempotent_and_later_calls_raise(self):
        db = lsmkv.DB(self.path)
        self.assertFalse(db.closed)
        db.close()
        db.close()
        self.assertTrue(db.closed)
        with self.assertRaises(lsmkv.Error):
            db.get(b"k")
        with self.assertRaises(lsmkv.Error):
            db.put(b"k", b"v")
        with self.assertRaises(lsmkv.Error):
            db.items()
        # The directory lock was released: it opens again.
        with lsmkv.DB(self.path):
            pass

    def test_options_as_keywords(self):
        with lsmkv.DB(self.path, write_buffer_size=64 << 10, compression="zstd", zstd_level=3,
                      bloom_bits_per_key=0, block_size=1024, paranoid_checks=True,
                      block_cache_capacity=0, max_background_jobs=1) as db:
            for i in range(3000):
                db.put(b"key%05d" % i, b"v" * 100)
            db.flush()
            db.compact_range()
            db.compact_range(b"key00100", None)
            db.verify_checksums()
            db.resume()  # no background error: nothing to do
            self.assertEqual(db.get(b"key02999"), b"v" * 100)
            self.assertIn("level", db.get_property("lsmkv.stats").lower())
            self.assertIsNone(db.get_property("lsmkv.no-such-property"))
        with self.assertRaises(TypeError):
            lsmkv.DB(self.path, no_such_option=1)
        with self.assertRaises(TypeError):
            lsmkv.DB(self.path, create_if_missing=1)  # a bool is expected
        with self.assertRaises(ValueError):
            lsmkv.DB(self.path, compression="snappy")
        with self.assertRaises(ValueError):
            lsmkv.DB(self.path, compression="lz")  # the old codec's name: gone
        with lsmkv.DB(self.path, compression="lz4") as db:  # the default codec, named
            db.put(b"k", b"x" * 1000)
            db.flush()
            self.assertEqual(db.get(b"k"), b"x" * 1000)
        with lsmkv.DB(self.path, wal_recovery_mode="tolerate-corrupted-tail",
                      wal_write_mode="write", wal_retention_bytes=1 << 20,
                      max_log_file_size=64 << 10) as db:
            self.assertEqual(db.get(b"k"), b"x" * 1000)
        for allow in (False, True):  # tables read with pread, then through mappings
            with lsmkv.DB(self.path, allow_mmap_reads=allow) as db:
                self.assertEqual(db.get(b"k"), b"x" * 1000)
        with self.assertRaises(TypeError):
            lsmkv.DB(self.path, allow_mmap_reads=0)  # a bool is expected
        with self.assertRaises(ValueError):
            lsmkv.DB(self.path, wal_recovery_mode="whatever")
        with self.assertRaises(ValueError):
            lsmkv.DB(self.path, wal_write_mode="mmap")
        with self.assertRaises(lsmkv.InvalidArgumentError):
            lsmkv.DB(self.path, max_log_file_size=10)

    def test_module_attributes(self):
        self.assertRegex(lsmkv.__version__, r"^\d+\.\d+\.\d+$")


class ErrorsTest(TempDirTest):
    def test_hierarchy(self):
        for cls in (lsmkv.NotFoundError, lsmkv.CorruptionError, lsmkv.NotSupportedError,
                    lsmkv.InvalidArgumentError, lsmkv.IOError, lsmkv.BusyError):
            self.assertTrue(issubclass(cls, lsmkv.Error), cls)
        self.assertTrue(issubclass(lsmkv.NoSpaceError, lsmkv.IOError))
        self.assertTrue(issubclass(lsmkv.Error, Exception))

    def test_missing_db_without_create_if_missing(self):
        with self.assertRaises(lsmkv.InvalidArgumentError) as ctx:
            lsmkv.DB(self.path, create_if_missing=False)
        self.assertIn("does not exist", str(ctx.exception))

    def test_error_if_exists(self):
        lsmkv.DB(self.path).close()
        with self.assertRaises(lsmkv.InvalidArgumentError):
            lsmkv.DB(self.path, error_if_exists=True)

    def test_bad_option_values_are_refused_by_open(self):
        with self.assertRaises(lsmkv.InvalidArgumentError):
            lsmkv.DB(self.path, max_write_buffer_number=0)

    def test_second_open_is_busy(self):
        with lsmkv.DB(self.path):
            with self.assertRaises(lsmkv.BusyError):
                lsmkv.DB(self.path)

    def test_damaged_table_raises_corruption(self):
        with lsmkv.DB(self.path, compression="none") as db:
            for i in range(2000):
                db.put(b"key%05d" % i, b"value-%05d" % i)
            db.flush()
        tables = glob.glob(os.path.join(self.path, "*.sst"))
        self.assertTrue(tables)
        with open(tables[0], "r+b") as f:
            f.seek(100)  # inside the first data block
            f.write(b"\xde\xad\xbe\xef" * 4)
        with lsmkv.DB(self.path) as db:
            with self.assertRaises(lsmkv.CorruptionError):
                db.verify_checksums()
            with self.assertRaises(lsmkv.CorruptionError):
                list(db.items())

    def test_destroy_and_repair(self):
        with lsmkv.DB(self.path) as db:
            db.put(b"a", b"1")
            with self.assertRaises(lsmkv.BusyError):
                lsmkv.repair_db(self.path)
        lsmkv.repair_db(self.path)
        with lsmkv.DB(self.path) as db:
            self.assertEqual(db.get(b"a"), b"1")
        lsmkv.destroy_db(self.path)
        self.assertFalse(os.path.exists(self.path))


class WriteBatchTest(TempDirTest):
    def test_batch_is_atomic_and_ordered(self):
        with lsmkv.DB(self.path) as db:
            db.put(b"b", b"old")
            batch = lsmkv.WriteBatch()
            batch.put(b"a", b"1")
            batch.delete(b"b")
            batch.put(b"c", b"3")
            batch.put(b"a", b"2")  # later updates win
            self.assertEqual(len(batch), 4)
            self.assertGreater(batch.approximate_size(), 0)
            db.write(batch, sync=True)
            self.assertEqual(db.get(b"a"), b"2")
            self.assertIsNone(db.get(b"b"))
            self.assertEqual(db.get(b"c"), b"3")
            other = lsmkv.WriteBatch()
            other.put(b"d", b"4")
            batch.clear()
            self.assertEqual(len(batch), 0)
            batch.append(other)
            self.assertEqual(len(batch), 1)
            db.write(batch)
            self.assertEqual(db.get(b"d"), b"4")


class ItemsTest(TempDirTest):
    def test_ranges_and_directions_against_a_model(self):
        seed = test_seed(1234)
        rng = random.Random(seed)
        model = {}
        with lsmkv.DB(self.path, write_buffer_size=32 << 10) as db:
            for _ in range(3000):
                key = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4)))
                if rng.random() < 0.2:
                    db.delete(key)
                    model.pop(key, None)
                else:
                    value = os.urandom(rng.randrange(0, 50))
                    db.put(key, value)
                    model[key] = value
                if rng.random() < 0.001:
                    db.flush()
            for _ in range(50):
                bounds = [bytes(rng.randrange(256) for _ in range(rng.randrange(0, 3)))
                          for _ in range(2)]
                start = rng.choice([None, min(bounds)])
                stop = rng.choice([None, max(bounds)])
                expected = sorted((k, v) for k, v in model.items()
                                  if (start is None or k >= start) and (stop is None or k < stop))
                with self.subTest(seed=seed, start=start, stop=stop):
                    self.assertEqual(list(db.items(start, stop)), expected)
                    self.assertEqual(list(db.items(start, stop, reverse=True)),
                                     expected[::-1])

    def test_simple_range(self):
        with lsmkv.DB(self.path) as db:
            for k in (b"a", b"b", b"c", b"d"):
                db.put(k, k.upper())
            self.assertEqual(list(db.items(b"b", b"d")), [(b"b", b"B"), (b"c", b"C")])
            self.assertEqual([k for k, _ in db.items(reverse=True)], [b"d", b"c", b"b", b"a"])
            self.assertEqual(list(db.items(b"x")), [])
            it = iter(db.items())
            self.assertEqual(next(it), (b"a", b"A"))

    def test_iterator_is_a_point_in_time_view(self):
        with lsmkv.DB(self.path) as db:
            db.put(b"a", b"1")
            it = db.items()
            db.put(b"b", b"2")
            self.assertEqual(list(it), [(b"a", b"1")])

    def test_close_invalidates_open_iterators(self):
        db = lsmkv.DB(self.path)
        db.put(b"a", b"1")
        db.put(b"b", b"2")
        it = db.items()
        self.assertEqual(next(it), (b"a", b"1"))
        db.close()
        with self.assertRaises(lsmkv.Error):
            next(it)


class SnapshotTest(TempDirTest):
    def test_reads_as_of_the_snapshot(self):
        with lsmkv.DB(self.path) as db:
            db.put(b"a", b"1")
            db.put(b"b", b"2")
            snap = db.snapshot()
            db.put(b"a", b"changed")
            db.delete(b"b")
            db.put(b"c", b"3")
            self.assertEqual(db.get(b"a", snapshot=snap), b"1")
            self.assertEqual(db.get(b"b", snapshot=snap), b"2")
            self.assertIsNone(db.get(b"c", snapshot=snap))
            self.assertEqual(list(db.items(snapshot=snap)), [(b"a", b"1"), (b"b", b"2")])
            self.assertEqual(db.get(b"a"), b"changed")
            self.assertFalse(snap.released)
            snap.release()
            self.assertTrue(snap.released)
            with self.assertRaises(lsmkv.Error):
                db.get(b"a", snapshot=snap)

    def test_snapshot_as_context_manager_and_after_close(self):
        db = lsmkv.DB(self.path)
        db.put(b"a", b"1")
        with db.snapshot() as snap:
            db.put(b"a", b"2")
            self.assertEqual(db.get(b"a", snapshot=snap), b"1")
        self.assertTrue(snap.released)
        kept = db.snapshot()
        db.close()  # releases the snapshot first
        self.assertTrue(kept.released)


class ThreadsTest(TempDirTest):
    def test_concurrent_writers_and_readers(self):
        with lsmkv.DB(self.path) as db:
            errors = []

            def writer(tid):
                try:
                    for i in range(500):
                        db.put(b"t%d-%04d" % (tid, i), b"x" * 20)
                except Exception as e:  # reported below
                    errors.append(e)

            threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
            for t in threads:
                t.start()
            for _ in range(20):
                sum(1 for _ in db.items())
            for t in threads:
                t.join()
            self.assertEqual(errors, [])
            self.assertEqual(sum(1 for _ in db.items()), 2000)


if __name__ == "__main__":
    unittest.main()
