#!/usr/bin/env python3
"""The acknowledgement rule and the leader's lease, on a live cluster
(docs/cluster.md): a write is acknowledged only once --sync-replicas
followers hold it, and the leader serves nothing once its lease is gone.

etcd and three nodes (--sync-replicas 1 unless told otherwise):
  1. with both followers stopped (SIGSTOP), a write to the leader is applied
     there but answered 503 {"indeterminate": true}, never 200, and a
     linearizable read of it is refused too (no dirty read);
  2. once one follower runs again, writes are acknowledged, and the
     indeterminate one is then replicated (it was applied on the leader);
  3. with the leader stopped past its lease, the others elect a new leader;
     the old one, resumed, answers writes and reads 307/503 -- never 200 --
     and follows the new leader;
  4. with --sync-replicas 0 (a second cluster) a write is acknowledged with
     both followers stopped.

  ack_test.py --server BUILD/examples/lsmkv-kvserver [--workdir DIR]
"""
import argparse
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_client import request  # noqa: E402
from cluster_procs import Etcd, Node, parse_harness_arguments, wait_for  # noqa: E402

TTL = 2


def leader_of(nodes):
    for node in nodes:
        if node.paused:
            continue
        doc = node.status()
        if doc and doc.get("role") == "leader" and doc.get("lease_valid"):
            followers = doc.get("followers", {})
            if len(followers) == len(nodes) - 1:
                return node
    return None


def raw(node, method, path, body=None):
    """One request to exactly this node (no redirects followed)."""
    import http.client
    import json
    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=10)
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers={"Content-Type": "application/json"} if body is not None else {})
        reply = conn.getresponse()
        return reply.status, reply.read().decode(), reply.getheader("Location")
    finally:
        conn.close()


def start_cluster(args, workdir, etcd, cluster, sync_replicas):
    nodes = [Node(args.server, workdir, "%s-n%d" % (cluster, i + 1), etcd.url, cluster, TTL, sync_replicas)
             for i in range(3)]
    for node in nodes:
        node.start()
    return nodes


def synchronous_part(args, workdir, etcd):
    nodes = start_cluster(args, workdir, etcd, "acks", 1)
    try:
        leader = wait_for(lambda: leader_of(nodes), 30, "a leader with two followers")
        followers = [n for n in nodes if n is not leader]
        status, body, _ = raw(leader, "POST", "/set", {"key": "before", "value": "1"})
        assert status == 200, (status, body)

        for f in followers:
            f.pause()
        time.sleep(1.0)  # the pulls they had open return empty; no one pulls now
        status, body, _ = raw(leader, "POST", "/set", {"key": "unreplicated", "value": "x"})
        assert status == 503 and '"indeterminate":true' in body, \
            "a write no follower holds was answered %d %s" % (status, body)
        status, body, _ = raw(leader, "GET", "/get?key=unreplicated")
        assert status == 503, "a read of an unreplicated write was answered %d %s" % (status, body)
        status, body, _ = raw(leader, "GET", "/get?key=unreplicated&consistency=stale")
        assert status == 200 and body == "x", (status, body)  # applied on the leader
        print("1. with no follower running: write 503 indeterminate, linearizable read 503")

        followers[0].resume()
        status, body, _ = raw(leader, "POST", "/set", {"key": "after", "value": "2"})
        assert status == 200, (status, body)
        wait_for(lambda: request(followers[0].url, "GET", "/get?consistency=stale&key=unreplicated")[1:2] == (200,),
                 10, "the indeterminate write on the follower")
        followers[1].resume()
        print("2. one follower back: acknowledged again; the indeterminate write replicated")

        old = wait_for(lambda: leader_of(nodes), 30, "the cluster to heal")
        old.pause()
        time.sleep(TTL + 2.5)
        new = wait_for(lambda: leader_of([n for n in nodes if n is not old]) or
                       next((n for n in nodes if n is not old and (n.status() or {}).get("role") == "leader"), None),
                       30, "a new leader")
        # Requests sent while it is stopped wait in its listen queue and are
        # served the moment it resumes, racing its own step-down: every one
        # must be refused (the gate checks the lease itself).
        results = []
        lock = threading.Lock()

        def one(i):
            try:
                if i % 2:
                    r = raw(old, "POST", "/set", {"key": "old-leader-%d" % i, "value": "no"})
                else:
                    r = raw(old, "GET", "/get?key=before")
            except OSError as e:  # more than the listen backlog: reset, not served
                r = (0, repr(e), None)
            with lock:
                results.append((i, r[0], r[1]))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        old.resume()
        for t in threads:
            t.join()
        served = [r for r in results if r[1] not in (0, 307, 503)]
        assert not served, "the deposed leader served %d of %d requests after resuming: %s" % (
            len(served), len(results), served[:3])
        wait_for(lambda: (old.status() or {}).get("leader") == new.name, 20, "the old leader to follow")
        status, body, location = raw(old, "POST", "/set", {"key": "via-old", "value": "1"})
        assert status == 307 and location.startswith(new.url), (status, body, location)
        print("3. the old leader, resumed after its lease, answers 307/503 and follows %s" % new.name)
    finally:
        for node in nodes:
            node.terminate()


def asynchronous_part(args, workdir, etcd):
    nodes = start_cluster(args, workdir, etcd, "async", 0)
    try:
        leader = wait_for(lambda: leader_of(nodes), 30, "a leader with two followers")
        for f in nodes:
            if f is not leader:
                f.pause()
        time.sleep(1.0)
        status, body, _ = raw(leader, "POST", "/set", {"key": "async", "value": "1"})
        assert status == 200, (status, body)
        print("4. --sync-replicas 0: acknowledged with both followers stopped")
    finally:
        for node in nodes:
            node.terminate()


def main():
    args, workdir = parse_harness_arguments(argparse.ArgumentParser(), "lsmkv-acks-")
    with Etcd(workdir, args.etcd) as etcd:
        try:
            synchronous_part(args, workdir, etcd)
            asynchronous_part(args, workdir, etcd)
        except AssertionError as e:
            print("FAIL: %s (logs in %s)" % (e, workdir))
            return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
