"""Checkpoints, backups and the DB's numeric introspection in the Python
module: DB.checkpoint, lsmkv.BackupEngine, DB.latest_sequence,
DB.get_int_property, DB.approximate_sizes. Run by ctest (python:unittest)
with the other test_*.py files; by hand:

    cd tests/python && PYTHONPATH=../../build/lib/python python3 -m unittest -v test_backups
"""
import glob
import os

import lsmkv
from test_lsmkv import TempDirTest


class CheckpointTest(TempDirTest):
    def test_checkpoint_holds_the_writes_up_to_its_sequence(self):
        copy = os.path.join(self._tmp, "copy")
        with lsmkv.DB(self.path) as db:
            db.put(b"a", b"1")
            db.flush()
            db.put(b"b", b"2")  # still in the WAL
            seq = db.checkpoint(copy)
            self.assertEqual(seq, db.latest_sequence())
            db.put(b"c", b"3")
            with self.assertRaises(lsmkv.InvalidArgumentError) as ctx:
                db.checkpoint(copy)  # exists already
            self.assertIn("exists", str(ctx.exception))
            with self.assertRaises(lsmkv.Error):
                db.checkpoint(os.path.join(self._tmp, "no", "parent"))
        with lsmkv.DB(copy, create_if_missing=False) as db:
            self.assertEqual(list(db.items()), [(b"a", b"1"), (b"b", b"2")])
            self.assertEqual(db.latest_sequence(), seq)


class BackupEngineTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.backups = os.path.join(self._tmp, "backups")

    def test_create_list_verify_restore_purge_delete(self):
        with lsmkv.DB(self.path) as db, lsmkv.BackupEngine(self.backups) as engine:
            for i in range(2000):
                db.put(b"k%05d" % i, b"v" * 50)
            db.put(b"state", b"first")
            first = engine.create_new_backup(db)
            db.put(b"state", b"second")
            second = engine.create_new_backup(db)
            self.assertEqual((first.id, second.id), (1, 2))
            self.assertEqual(second.sequence, db.latest_sequence())
            self.assertGreater(first.bytes_copied, 0)
            listed = engine.backups()
            self.assertEqual([b.id for b in listed], [1, 2])
            self.assertLess(listed[0].sequence, listed[1].sequence)
            self.assertGreater(listed[0].size, 0)
            self.assertGreater(listed[1].num_files, 0)
            self.assertGreater(listed[0].timestamp, 1500000000)
            self.assertIn("BackupInfo(id=1", repr(listed[0]))
            engine.verify(1)
            engine.verify(2)
            with self.assertRaises(lsmkv.NotFoundError):
                engine.verify(99)

            # A missing id: NotFoundError and nothing written.
            missing = os.path.join(self._tmp, "restore-missing")
            with self.assertRaises(lsmkv.NotFoundError):
                engine.restore(99, missing)
            self.assertFalse(os.path.exists(missing))

            restored1 = os.path.join(self._tmp, "restore1")
            restored2 = os.path.join(self._tmp, "restore2")
            wal2 = os.path.join(self._tmp, "restore2-wal")
            engine.restore(1, restored1)
            engine.restore(2, restored2, wal_dir=wal2)
            with self.assertRaises(lsmkv.Error):
                engine.restore(1, restored1)  # not empty

            engine.purge_old(1)
            self.assertEqual([b.id for b in engine.backups()], [2])
            engine.delete(2)
            self.assertEqual(engine.backups(), [])
            with self.assertRaises(lsmkv.NotFoundError):
                engine.delete(2)
        with lsmkv.DB(restored1, create_if_missing=False) as db:
            self.assertEqual(db.get(b"state"), b"first")
            self.assertEqual(db.get(b"k01999"), b"v" * 50)
        with lsmkv.DB(restored2, create_if_missing=False, wal_dir=wal2) as db:
            self.assertEqual(db.get(b"state"), b"second")

    def test_one_engine_per_directory_and_closed_engine(self):
        engine = lsmkv.BackupEngine(self.backups)
        with self.assertRaises(lsmkv.BusyError):
            lsmkv.BackupEngine(self.backups)
        engine.close()
        engine.close()  # idempotent
        with self.assertRaises(lsmkv.Error):
            engine.backups()
        with lsmkv.BackupEngine(self.backups) as again:  # the lock was released
            self.assertEqual(again.backups(), [])

    def test_verify_reports_a_damaged_file(self):
        with lsmkv.DB(self.path) as db, lsmkv.BackupEngine(self.backups) as engine:
            for i in range(500):
                db.put(b"k%05d" % i, b"v" * 100)
            db.flush()
            info = engine.create_new_backup(db)
            files = sorted(f for f in glob.glob(os.path.join(self.backups, "files", "*"))
                           if os.path.getsize(f) > 1000)
            self.assertTrue(files)
            with open(files[0], "r+b") as f:
                f.seek(100)
                byte = f.read(1)
                f.seek(100)
                f.write(bytes([byte[0] ^ 0xFF]))
            with self.assertRaises(lsmkv.CorruptionError):
                engine.verify(info.id)
            with self.assertRaises(lsmkv.Error):
                engine.restore(info.id, os.path.join(self._tmp, "from-damaged"))
            self.assertFalse(os.path.exists(os.path.join(self._tmp, "from-damaged", "CURRENT")))

    def test_closed_db_is_refused(self):
        db = lsmkv.DB(self.path)
        db.close()
        with lsmkv.BackupEngine(self.backups) as engine:
            with self.assertRaises(lsmkv.Error):
                engine.create_new_backup(db)
            with self.assertRaises(TypeError):
                engine.create_new_backup("not a DB")


class IntrospectionTest(TempDirTest):
    def test_latest_sequence_counts_updates(self):
        with lsmkv.DB(self.path) as db:
            self.assertEqual(db.latest_sequence(), 0)
            db.put(b"a", b"1")
            self.assertEqual(db.latest_sequence(), 1)
            batch = lsmkv.WriteBatch()
            batch.put(b"b", b"2")
            batch.delete(b"a")
            db.write(batch)
            self.assertEqual(db.latest_sequence(), 3)

    def test_int_properties(self):
        with lsmkv.DB(self.path) as db:
            db.put(b"a", b"1" * 1000)
            db.flush()
            self.assertGreater(db.get_int_property("lsmkv.total-sst-bytes"), 0)
            self.assertEqual(db.get_int_property("lsmkv.num-files"), 1)
            self.assertEqual(sum(db.get_int_property("lsmkv.num-files-at-level%d" % level)
                                 for level in range(7)), 1)
            self.assertEqual(db.get_int_property("lsmkv.flushes"), 1)
            self.assertIsNone(db.get_int_property("lsmkv.no-such-thing"))
            self.assertIsNone(db.get_int_property("lsmkv.stats"))  # text, not a number

    def test_approximate_sizes(self):
        with lsmkv.DB(self.path, compression="none") as db:
            for i in range(4000):
                db.put(b"k%05d" % i, b"x" * 100)
            db.flush()
            first, second, inverted, empty = db.approximate_sizes(
                [(b"k00000", b"k02000"), [b"k02000", b"k04000"], (b"z", b"a"), (b"a", b"b")])
            self.assertGreater(first, 100000)
            self.assertGreater(second, 100000)
            self.assertEqual(inverted, 0)
            self.assertLess(empty, 10000)
            self.assertEqual(db.approximate_sizes([]), [])
            with self.assertRaises(TypeError):
                db.approximate_sizes([(b"a",)])
            with self.assertRaises(TypeError):
                db.approximate_sizes([("a", "b")])


if __name__ == "__main__":
    import unittest
    unittest.main()
