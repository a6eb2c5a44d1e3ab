#!/usr/bin/env python3
"""A follower's epoch fencing, against fake leaders (docs/cluster.md).

etcd and one real node (n1), with two more registered nodes that never
answer (so that n1 never campaigns); two fake leaders written here take
etcd's leader key in turn and answer n1's feed pulls:
  1. fake A holds the key (epoch EA) and sends put a=1: n1 applies it;
  2. fake B takes the key (epoch EB > EA) but answers with epoch EA -- an
     old leader's batch, as a paused leader that woke up would send -- with
     put b=stale: n1 must refuse it (sequence stays, b absent) and remember
     EB as the highest epoch seen;
  3. B answers with epoch EB and put b=2: n1 applies it.
Exit 0 when all hold.

  fencing_test.py --server BUILD/examples/lsmkv-kvserver [--workdir DIR]
"""
import argparse
import base64
import json
import os
import struct
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_client import request  # noqa: E402
from cluster_procs import Etcd, Node, parse_harness_arguments, wait_for  # noqa: E402

CLUSTER = "fence"


def etcd_call(etcd, path, body):
    req = urllib.request.Request(etcd.url + path, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as reply:
        return json.loads(reply.read().decode())


def b64(text):
    return base64.b64encode(text.encode()).decode()


def register_silent_peers(etcd):
    """Registers two nodes that never answer (<cluster>/nodes/...), so that
    n1 may not campaign: with --sync-replicas 1 a candidate must hear from
    all but one of the registered nodes (election_rule.h), and alone n1
    would otherwise take the leader key in the moment between the test
    revoking fake A's lease and fake B taking the key."""
    for name in ("silent-1", "silent-2"):
        etcd_call(etcd, "/v3/kv/put", {"key": b64(CLUSTER + "/nodes/" + name), "value": b64("http://127.0.0.1:1")})


def take_leader_key(etcd, name, url):
    """Creates <cluster>/leader for a fake; returns (epoch, lease)."""
    lease = etcd_call(etcd, "/v3/lease/grant", {"TTL": "60"})["ID"]
    key = b64(CLUSTER + "/leader")
    reply = etcd_call(etcd, "/v3/kv/txn", {
        "compare": [{"key": key, "target": "CREATE", "result": "EQUAL", "create_revision": "0"}],
        "success": [{"request_put": {"key": key, "value": b64(json.dumps({"node": name, "url": url})),
                                     "lease": lease}}]})
    assert reply.get("succeeded"), reply
    return int(reply["header"]["revision"]), lease


def encode_batch(sequence, puts):
    out = struct.pack("<QI", sequence, len(puts))
    for key, value in puts:
        out += b"\x01" + struct.pack("<I", len(key)) + key.encode() + struct.pack("<I", len(value)) + value.encode()
    return out


class FakeLeader:
    """Answers /cluster/feed with whatever `answer` holds: (epoch, timeline,
    {from_sequence: body})."""

    def __init__(self, name):
        self.name = name
        self.answer = None
        self.pulls = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urlsplit(self.path)
                if url.path == "/cluster":
                    body = json.dumps({"node": fake.name, "role": "leader", "applied": 0,
                                       "timeline_epoch": 0}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if url.path != "/cluster/feed" or fake.answer is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.pulls.append(params)
                epoch, timeline, batches = fake.answer
                body = batches.get(int(params["from"]), b"")
                if not body:
                    time.sleep(0.1)
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("X-Lsmkv-Epoch", str(epoch))
                self.send_header("X-Lsmkv-Timeline", timeline)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


def stale_get(node, key):
    result = request(node.url, "GET", "/get?consistency=stale&key=" + key)
    if result[0] != "ok":
        return ("error", result)
    return result[2].decode() if result[1] == 200 else None


def main():
    args, workdir = parse_harness_arguments(argparse.ArgumentParser(), "lsmkv-fencing-")
    with Etcd(workdir, args.etcd) as etcd:
        fake_a = FakeLeader("fake-a")
        fake_b = FakeLeader("fake-b")
        node = None
        try:
            register_silent_peers(etcd)
            epoch_a, lease_a = take_leader_key(etcd, "fake-a", fake_a.url)
            fake_a.answer = (epoch_a, "%d:0" % epoch_a, {1: encode_batch(1, [("a", "1")])})
            node = Node(args.server, workdir, "n1", etcd.url, CLUSTER, 2, 1)
            node.start()
            wait_for(lambda: (node.status() or {}).get("applied") == 1, 60, "n1 to apply fake A's batch")
            assert stale_get(node, "a") == "1"
            print("1. n1 applied epoch %d's batch" % epoch_a)
            # n1 may not campaign in the moment between the revoke and fake
            # B's key only while it knows the silent peers: wait until its
            # member list (read from etcd) holds all three nodes.
            wait_for(lambda: len((node.status() or {}).get("members", [])) >= 3, 60,
                     "n1 to list the silent peers as members")

            etcd_call(etcd, "/v3/lease/revoke", {"ID": lease_a})
            epoch_b, _ = take_leader_key(etcd, "fake-b", fake_b.url)
            assert epoch_b > epoch_a
            # B answers as an old leader would: epoch A's number.
            fake_b.answer = (epoch_a, "%d:0" % epoch_a, {2: encode_batch(2, [("b", "stale")])})
            wait_for(lambda: len(fake_b.pulls) >= 5, 60, "n1 to pull from fake B")
            time.sleep(1.0)
            # status() is None when the reply takes over a second (a loaded
            # machine): ask until it answers, never index None.
            status = wait_for(node.status, 60, "n1's status")
            assert status["highest_epoch"] == epoch_b, status
            assert status["applied"] == 1, "n1 applied a batch from epoch %d after seeing %d: %s" % (
                epoch_a, epoch_b, status)
            assert stale_get(node, "b") is None, "the old epoch's write is visible"
            assert all(int(p["epoch"]) == epoch_b for p in fake_b.pulls), fake_b.pulls[:3]
            print("2. n1 refused epoch %d's batch after seeing epoch %d (%d pulls)" % (
                epoch_a, epoch_b, len(fake_b.pulls)))

            fake_b.answer = (epoch_b, "%d:0,%d:1" % (epoch_a, epoch_b), {2: encode_batch(2, [("b", "2")])})
            wait_for(lambda: (node.status() or {}).get("applied") == 2, 60, "n1 to apply fake B's batch")
            assert stale_get(node, "b") == "2"
            assert wait_for(node.status, 60, "n1's status")["timeline"] == "%d:0,%d:1" % (epoch_a, epoch_b)
            print("3. n1 applied epoch %d's batch and adopted its timeline" % epoch_b)
            print("PASS")
            return 0
        except AssertionError as e:
            print("FAIL: %s (logs in %s)" % (e, workdir))
            return 1
        finally:
            if node:
                node.terminate()
            fake_a.stop()
            fake_b.stop()


if __name__ == "__main__":
    sys.exit(main())
