#!/usr/bin/env python3
"""Fault-injection test of the lsmkv cluster (docs/cluster.md).

Starts etcd and three lsmkv-kvserver nodes on free ports, runs concurrent
clients (unique-key writes; reads, writes and compare-and-set through /txn
on a few hot keys), injects one fault at a time -- kill -9, SIGSTOP longer
than the lease then SIGCONT, clean restart; of the leader or a follower --
waiting for the cluster to heal in between, then checks:
  - every acknowledged write is on the final leader and, after convergence,
    on every node, and nothing is there that was never attempted;
  - the hot keys' histories are linearizable (linearizability.py), with
    unknown-outcome operations allowed either way;
  - all nodes converge to the same contents and sequence.
Prints a summary (faults, acknowledged, unknown, lost, failover times) and
exits 1 on any violation.

  cluster_test.py --server BUILD/examples/lsmkv-kvserver [--duration S]
                  [--fault-interval S] [--seed N] [--sync-replicas N]
                  [--workdir DIR] [--keep]
"""
import argparse
import json
import math
import os
import random
import shutil
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_client import request  # noqa: E402
from cluster_procs import Etcd, Node, parse_harness_arguments  # noqa: E402
from linearizability import Op, check_history  # noqa: E402

HOT_KEYS = ["hot-0", "hot-1"]


class Recorder:
    """What the clients did, shared by their threads (lock guards all)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked = {}          # unique key -> value, acknowledged
        self.unknown = {}        # unique key -> value, outcome unknown
        self.attempted = set()   # every unique key ever sent
        self.hot_ops = []        # linearizability.Op for the hot keys
        self.ack_times = []      # monotonic times of acknowledged writes
        self.counts = {"ok": 0, "unknown": 0, "failed": 0}

    def count(self, outcome):
        with self.lock:
            self.counts[outcome] += 1


class Cluster:
    def __init__(self, args, workdir):
        self.args = args
        self.etcd = Etcd(workdir, args.etcd)
        extra = ["--sync"] if args.sync else []
        self.nodes = [Node(args.server, workdir, "n%d" % (i + 1), self.etcd.url, "harness", args.lease_ttl,
                           args.sync_replicas, extra) for i in range(3)]
        for node in self.nodes:
            node.start()

    def urls(self):
        return [n.url for n in self.nodes]

    def leader(self):
        """The node every answering node agrees leads, or None."""
        for node in self.nodes:
            if node.paused or not node.running():
                continue
            doc = node.status()
            if doc and doc.get("role") == "leader" and doc.get("lease_valid"):
                return node
        return None

    def wait_healthy(self, timeout):
        """A leader whose two followers caught up with it: the cluster can
        take the next fault."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            leader = self.leader()
            doc = leader.status() if leader else None
            if doc:
                followers = doc.get("followers", {})
                if len(followers) == len(self.nodes) - 1 and all(
                        v >= doc["applied"] for v in followers.values()):
                    return True
            time.sleep(0.2)
        return False

    def stop(self):
        for node in self.nodes:
            node.terminate()
        self.etcd.stop()


def client_loop(cluster, rec, client_id, stop, rng, hot):
    urls = cluster.urls()
    target = rng.randrange(len(urls))
    last_read = {}
    n = 0
    while not stop.is_set():
        n += 1
        url = urls[target]
        if not hot:
            key = "u-%d-%d" % (client_id, n)
            value = "v-%d-%d" % (client_id, n)
            with rec.lock:
                rec.attempted.add(key)
            result = request(url, "POST", "/set", {"key": key, "value": value})
            if result[0] == "ok" and result[1] == 200:
                with rec.lock:
                    rec.acked[key] = value
                    rec.ack_times.append(time.monotonic())
                rec.count("ok")
            elif result[0] == "failed" or (result[0] == "ok" and 400 <= result[1] < 500):
                rec.count("failed")
                target = rng.randrange(len(urls))
                time.sleep(0.05)
            else:
                with rec.lock:
                    rec.unknown[key] = value
                rec.count("unknown")
                target = rng.randrange(len(urls))
            continue
        key = rng.choice(HOT_KEYS)
        kind = rng.choice(["read", "read", "write", "cas"])
        call = time.monotonic()
        if kind == "read":
            result = request(url, "GET", "/get?key=" + key)
            ret = time.monotonic()
            if result[0] == "ok" and result[1] in (200, 404):
                value = result[2].decode() if result[1] == 200 else None
                last_read[key] = value
                with rec.lock:
                    rec.hot_ops.append(Op(key, "read", None, value, call, ret, client_id))
                rec.count("ok")
            else:
                rec.count(result[0] if result[0] != "ok" else "failed")
                target = rng.randrange(len(urls))
                time.sleep(0.05)
            continue
        value = "h-%d-%d" % (client_id, n)
        if kind == "write":
            result = request(url, "POST", "/set", {"key": key, "value": value})
            op = Op(key, "write", value, None, call, None, client_id)
        else:
            # What this client last read, else what the watcher saw: a
            # recent value, so that many CAS succeed.
            expected = last_read[key] if key in last_read and rng.random() < 0.7 else rec.last_seen.get(key)
            compare = {"key": key, "value": expected} if expected is not None else {"key": key, "absent": True}
            result = request(url, "POST", "/txn", {"compare": [compare],
                                                   "success": [{"put": {"key": key, "value": value}}]})
            op = Op(key, "cas", (expected, value), None, call, None, client_id)
        ret = time.monotonic()
        if result[0] == "ok" and result[1] == 200:
            if kind == "cas":
                succeeded = bool(json.loads(result[2].decode()).get("succeeded"))
                op = op._replace(result=succeeded)
            with rec.lock:
                rec.hot_ops.append(op._replace(ret=ret))
                rec.ack_times.append(ret)
            rec.count("ok")
        elif result[0] == "failed" or (result[0] == "ok" and 400 <= result[1] < 500):
            rec.count("failed")
            target = rng.randrange(len(urls))
            time.sleep(0.05)
        else:
            with rec.lock:
                rec.hot_ops.append(op._replace(ret=math.inf))
            rec.count("unknown")
            target = rng.randrange(len(urls))


def hot_value_watcher(cluster, rec, stop):
    """Keeps rec.last_seen[key] near the hot keys' values so CAS often
    succeeds (a stale view only makes a CAS fail, which is fine)."""
    rec.last_seen = {}
    urls = cluster.urls()
    i = 0
    while not stop.is_set():
        for key in HOT_KEYS:
            result = request(urls[i % len(urls)], "GET", "/get?key=%s&consistency=stale" % key, timeout=1.0)
            if result[0] == "ok" and result[1] == 200:
                rec.last_seen[key] = result[2].decode()
            i += 1
        time.sleep(0.05)


def measure_failover(cluster, t0, timeout=60):
    """Seconds from t0 (a fault on the leader) until a write sent after it
    is acknowledged: probe writes to each node in turn."""
    deadline = time.monotonic() + timeout
    i = 0
    while time.monotonic() < deadline:
        node = cluster.nodes[i % len(cluster.nodes)]
        i += 1
        result = request(node.url, "POST", "/set", {"key": "failover-probe", "value": str(i)}, timeout=1.0)
        if result[0] == "ok" and result[1] == 200:
            return time.monotonic() - t0
        time.sleep(0.02)
    return None


def inject_faults(cluster, rec, args, rng, stop, log):
    """One fault at a time, cycling through every (kind, role) pair; waits
    for the cluster to heal before each."""
    faults = []
    failovers = []
    ttl = args.lease_ttl
    plan = [(k, r) for k in ("kill9", "pause", "restart") for r in ("leader", "follower")]
    rng.shuffle(plan)
    next_at = time.monotonic() + args.fault_interval
    while not stop.is_set():
        if time.monotonic() < next_at:
            time.sleep(0.1)
            continue
        if not cluster.wait_healthy(60):
            log("cluster did not heal within 60 s before the next fault")
            return faults, failovers, False
        leader = cluster.leader()
        if leader is None:
            continue
        kind, role = plan[len(faults) % len(plan)]
        victim = leader if role == "leader" else rng.choice([n for n in cluster.nodes if n is not leader])
        t0 = time.monotonic()
        log("fault %d: %s %s (%s)" % (len(faults) + 1, kind, victim.name, role))
        probe = None
        if role == "leader":
            probe_result = {}
            probe = threading.Thread(target=lambda: probe_result.update(s=measure_failover(cluster, t0)))
        # Down briefly (a killed leader may come back before its key
        # expires and lead again) or past the lease (another node leads).
        downtime = rng.uniform(0.3, 1.0) if len(faults) % 2 else ttl + rng.uniform(1.0, 3.0)
        if kind == "kill9":
            victim.kill9()
            if probe:
                probe.start()
            time.sleep(downtime)
            victim.start()
        elif kind == "pause":
            victim.pause()
            if probe:
                probe.start()
            time.sleep(ttl + rng.uniform(1.0, 2.5))
            victim.resume()
        else:
            victim.terminate()
            if probe:
                probe.start()
            time.sleep(downtime)
            victim.start()
        faults.append((kind, role, t0))
        if probe:
            probe.join()
            if probe_result.get("s") is not None:
                failovers.append(probe_result["s"])
                log("  failover: %.2f s" % probe_result["s"])
        next_at = time.monotonic() + args.fault_interval * rng.uniform(0.7, 1.3)
    return faults, failovers, True


def scan_all(node):
    """Every key-value on one node (stale read, paginated)."""
    contents = {}
    start = ""
    while True:
        from urllib.parse import quote
        path = "/scan?consistency=stale&limit=10000&start=" + quote(start, safe="")
        result = request(node.url, "GET", path, timeout=10)
        if result[0] != "ok" or result[1] != 200:
            return None
        items = json.loads(result[2].decode())
        if isinstance(items, dict):  # a paginated shape {"items": [...], ...}
            items = items.get("items", [])
        for item in items:
            contents[item["key"]] = item["value"]
        if len(items) < 10000:
            return contents
        start = items[-1]["key"] + "\x00"


def converge(cluster, timeout):
    """Waits until every node has the same sequence; returns their statuses."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        docs = [n.status(2.0) for n in cluster.nodes]
        last = docs
        if all(docs) and len({d["applied"] for d in docs}) == 1 and sum(
                d["role"] == "leader" for d in docs) == 1:
            return docs
        time.sleep(0.3)
    return None if last is None else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--fault-interval", type=float, default=6)
    parser.add_argument("--lease-ttl", type=int, default=2)
    parser.add_argument("--sync-replicas", type=int, default=1)
    parser.add_argument("--sync", action="store_true")
    parser.add_argument("--writers", type=int, default=3)
    parser.add_argument("--hot-clients", type=int, default=3)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args, workdir = parse_harness_arguments(parser, "lsmkv-cluster-")
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    started = time.monotonic()

    def log(message):
        print("[%7.2f] %s" % (time.monotonic() - started, message), flush=True)

    log("seed %d, work directory %s" % (seed, workdir))
    cluster = Cluster(args, workdir)
    problems = []
    try:
        if not cluster.wait_healthy(60):
            problems.append("no healthy cluster within 60 s of starting")
            raise RuntimeError(problems[-1])
        log("leader: %s" % cluster.leader().name)
        rec = Recorder()
        rec.last_seen = {}
        stop = threading.Event()
        threads = [threading.Thread(target=hot_value_watcher, args=(cluster, rec, stop), daemon=True)]
        for c in range(args.writers + args.hot_clients):
            threads.append(threading.Thread(
                target=client_loop,
                args=(cluster, rec, c, stop, random.Random(seed * 31 + c), c >= args.writers), daemon=True))
        for t in threads:
            t.start()
        fault_stop = threading.Event()
        fault_result = {}

        def run_faults():
            fault_result["value"] = inject_faults(cluster, rec, args, random.Random(seed * 7), fault_stop, log)

        fault_thread = threading.Thread(target=run_faults, daemon=True)
        fault_thread.start()
        time.sleep(args.duration)
        fault_stop.set()
        fault_thread.join()
        faults, failovers, healed = fault_result["value"]
        if not healed:
            problems.append("the cluster did not heal between faults")
        # Quiet period with clients still running, then stop them.
        time.sleep(2)
        stop.set()
        for t in threads:
            t.join(15)

        for node in cluster.nodes:  # every node up for the final checks
            if node.paused:
                node.resume()
            if not node.running():
                node.start()
        docs = converge(cluster, 90)
        if docs is None:
            problems.append("nodes did not converge to one sequence within 90 s")
            docs = [n.status(2.0) for n in cluster.nodes]
            log("statuses: %s" % json.dumps(docs))
        # converge() counted roles; the leader must also trust its lease,
        # which a renewal late on a loaded machine can briefly cost it.
        leader = None
        deadline = time.monotonic() + 30
        while leader is None and time.monotonic() < deadline:
            leader = cluster.leader()
            if leader is None:
                time.sleep(0.2)
        contents = {n.name: scan_all(n) for n in cluster.nodes}
        final = contents.get(leader.name) if leader else None
        if final is None:
            problems.append("could not read the final leader's contents")
            final = {}
        lost = [k for k, v in rec.acked.items() if final.get(k) != v]
        if lost:
            problems.append("%d acknowledged writes missing or different on the final leader, e.g. %s" %
                            (len(lost), lost[:5]))
        for name, c in contents.items():
            if c is None:
                problems.append("could not scan %s" % name)
            elif c != final:
                diff = sorted(set(c.items()) ^ set(final.items()))[:5]
                problems.append("%s differs from the leader, e.g. %s" % (name, diff))
        phantom = [k for k in final if k.startswith("u-") and k not in rec.acked and k not in rec.unknown]
        if phantom:
            problems.append("keys never acknowledged nor unknown are present: %s" % phantom[:5])
        # The final hot values, read after everything, close each history.
        end = time.monotonic() + 1
        hot_ops = list(rec.hot_ops)
        for key in HOT_KEYS:
            hot_ops.append(Op(key, "read", None, final.get(key), end, end + 1, "final"))
        ok, failures = check_history(hot_ops)
        if not ok:
            problems.extend(failures)
        cas_ops = [o for o in rec.hot_ops if o.kind == "cas" and o.ret != math.inf]
        summary = {
            "seed": seed,
            "sync_replicas": args.sync_replicas,
            "duration_s": round(time.monotonic() - started, 1),
            "faults": len(faults),
            "faults_by_kind": {k: sum(1 for f in faults if f[0] == k) for k in ("kill9", "pause", "restart")},
            "leader_faults": sum(1 for f in faults if f[1] == "leader"),
            "acknowledged_unique_writes": len(rec.acked),
            "unknown_unique_writes": len(rec.unknown),
            "unknown_unique_writes_present": sum(1 for k in rec.unknown if k in final),
            "hot_key_ops_checked": len(hot_ops),
            "cas_succeeded": sum(1 for o in cas_ops if o.result),
            "cas_failed": sum(1 for o in cas_ops if not o.result),
            "requests": rec.counts,
            "lost": len(lost),
            "failover_s": {"count": len(failovers),
                           "p50": round(sorted(failovers)[len(failovers) // 2], 2) if failovers else None,
                           "max": round(max(failovers), 2) if failovers else None},
            "final_sequence": docs[0]["applied"] if docs and docs[0] else None,
        }
        print("summary " + json.dumps(summary, sort_keys=True), flush=True)
    except Exception as e:  # noqa: BLE001 - reported as a failure below
        problems.append("harness error: %r" % (e,))
    finally:
        cluster.stop()
    if problems:
        for p in problems:
            print("FAIL: " + p, flush=True)
        print("(seed %d; logs in %s)" % (seed, workdir), flush=True)
        return 1
    print("PASS", flush=True)
    if not args.keep and not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
