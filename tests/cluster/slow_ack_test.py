#!/usr/bin/env python3
"""A write whose followers acknowledge it later than the leader's lease was
trusted at the time of the write -- but while the leader keeps renewing that
lease -- is acknowledged, not answered 503 (docs/cluster.md,
"Acknowledgement"). The leader's reply used to wait only until the lease
expiry it read before the wait, so a healthy write became "indeterminate"
whenever its acknowledgements took longer than the lease's remaining trust.

etcd and three nodes (--lease-ttl 2, --sync-replicas 1): the leader trusts a
renewal for 1.5 s (TTL - 0.5 s) and renews every 0.67 s; it waits for
acknowledgements at most 2 x TTL = 4 s.
  1. both followers are stopped (SIGSTOP) and a write is sent to the leader;
     STALL = 2.5 s later (past any lease expiry the leader could have read
     before the wait, well before the 4 s cap) they run again; the write is
     answered 200, after at least STALL, and the same leader (same epoch)
     still leads;
  2. the write is on both followers.

  slow_ack_test.py --server BUILD/examples/lsmkv-kvserver [--workdir DIR]
"""
import argparse
import http.client
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_client import request  # noqa: E402
from cluster_procs import Etcd, Node, parse_harness_arguments, report_failure, wait_for  # noqa: E402

TTL = 2
TRUSTED = TTL - 0.5  # the longest a renewal is trusted for with TTL 2 (election.cc)
CAP = 2 * TTL        # the longest the leader waits for acknowledgements
STALL = 2.5          # past TRUSTED, well before CAP


def leader_of(nodes):
    for node in nodes:
        doc = node.status()
        if doc and doc.get("role") == "leader" and doc.get("lease_valid") and \
                len(doc.get("followers", {})) == len(nodes) - 1:
            return node, doc
    return None


def post(node, path, body, timeout):
    """One POST to exactly this node -> (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=timeout)
    try:
        conn.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
        reply = conn.getresponse()
        return reply.status, reply.read().decode()
    finally:
        conn.close()


def main():
    assert TRUSTED < STALL < CAP - 1.0
    args, workdir = parse_harness_arguments(argparse.ArgumentParser(), "lsmkv-slow-ack-")
    with Etcd(workdir, args.etcd) as etcd:
        nodes = [Node(args.server, workdir, "n%d" % (i + 1), etcd.url, "slowack", TTL, 1) for i in range(3)]
        try:
            for node in nodes:
                node.start()
            leader, before = wait_for(lambda: leader_of(nodes), 60, "a leader with two followers")
            followers = [n for n in nodes if n is not leader]
            status, body = post(leader, "/set", {"key": "warm-up", "value": "1"}, 10)
            assert status == 200, (status, body)

            for f in followers:
                f.pause()
            time.sleep(0.5)  # the pulls they had open are answered into their sockets
            result = {}

            def write():
                started = time.monotonic()
                try:
                    result["reply"] = post(leader, "/set", {"key": "slow-ack", "value": "v"}, CAP + 6)
                except OSError as e:
                    result["reply"] = (0, repr(e))
                result["seconds"] = time.monotonic() - started

            writer = threading.Thread(target=write)
            writer.start()
            time.sleep(STALL)
            for f in followers:
                f.resume()
            writer.join()
            status, body = result["reply"]
            assert status == 200, ("a write acknowledged %.1f s after it was sent (the leader renewing its lease "
                                   "all along) was answered %d %s" % (STALL, status, body.strip()))
            assert result["seconds"] >= STALL, result  # the followers really held it back
            after = (leader.status() or {})
            assert after.get("role") == "leader" and after.get("epoch") == before.get("epoch"), (before, after)
            print("1. followers stopped for %.1f s (a renewal is trusted %.1f s): the write is answered 200 "
                  "after %.2f s, %s still leads epoch %s" % (STALL, TRUSTED, result["seconds"], leader.name,
                                                              after.get("epoch")))

            for f in followers:
                wait_for(lambda: request(f.url, "GET", "/get?consistency=stale&key=slow-ack")[1:3] == (200, b"v"),
                         10, "the write on " + f.name)
            print("2. the write is on both followers")
            print("PASS")
            return 0
        except AssertionError as e:
            return report_failure(e, workdir, nodes)
        finally:
            for node in nodes:
                node.terminate()


if __name__ == "__main__":
    sys.exit(main())
