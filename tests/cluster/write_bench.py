#!/usr/bin/env python3
"""Write throughput and latency of the server: single node, and a
three-node cluster with --sync-replicas 0 and 1 (docs/cluster.md).

Each configuration runs `--clients` threads posting 100-byte values to
distinct keys on the leader (keep-alive connections) for `--seconds`,
after a warm-up; prints one JSON line per configuration. The client is
Python: its own cost (~0.1-0.3 ms per request) is in every figure, so
compare the configurations with each other, not with a C++ client.

  write_bench.py --server BUILD/examples/lsmkv-kvserver [--seconds S] [--clients N] [--sync]
"""
import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_procs import Etcd, Node, free_port, http_json  # noqa: E402


def load(port, seconds, clients, label):
    latencies = []
    errors = [0]
    lock = threading.Lock()
    stop_at = [0.0]
    start_evt = threading.Event()

    def worker(c):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        n = 0
        value = "x" * 100
        start_evt.wait()
        while time.monotonic() < stop_at[0]:
            n += 1
            body = json.dumps({"key": "bench-%s-%d-%d" % (label, c, n), "value": value})
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/set", body=body, headers={"Content-Type": "application/json"})
                reply = conn.getresponse()
                reply.read()
                ok = reply.status == 200
                if reply.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            t1 = time.perf_counter()
            if ok:
                mine.append(t1 - t0)
            else:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    began = time.monotonic()
    stop_at[0] = began + seconds
    start_evt.set()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 3) if latencies else None

    return {"config": label, "clients": clients, "writes_per_s": round(len(latencies) / elapsed),
            "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": round(latencies[-1] * 1000, 3) if latencies else None,
            "errors": errors[0]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--etcd", default="etcd")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--sync", action="store_true")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="lsmkv-wbench-")
    extra = ["--sync"] if args.sync else []
    try:
        port = free_port()
        proc = subprocess.Popen([args.server, "--db", os.path.join(workdir, "single"), "--port", str(port)] + extra,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while http_json("http://127.0.0.1:%d/health" % port) is None:
            time.sleep(0.1)
        load(port, 1, args.clients, "warmup")
        print(json.dumps(load(port, args.seconds, args.clients, "single-node")), flush=True)
        proc.terminate()
        proc.wait()
        etcd = Etcd(workdir, args.etcd)
        try:
            for replicas in (0, 1):
                nodes = [Node(args.server, workdir, "s%d-n%d" % (replicas, i), etcd.url, "bench%d" % replicas, 5,
                              replicas, extra) for i in range(3)]
                for n in nodes:
                    n.start()
                leader = None
                while leader is None:
                    for n in nodes:
                        doc = n.status()
                        if doc and doc.get("role") == "leader" and len(doc.get("followers", {})) == 2:
                            leader = n
                    time.sleep(0.1)
                load(leader.port, 1, args.clients, "warmup")
                print(json.dumps(load(leader.port, args.seconds, args.clients,
                                      "cluster-sync-replicas-%d" % replicas)), flush=True)
                for n in nodes:
                    n.terminate()
        finally:
            etcd.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
