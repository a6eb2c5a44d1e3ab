#!/usr/bin/env python3
"""A leader whose lease renewals stop getting through for longer than it
trusts a renewal, but not long enough for etcd to expire the lease, steps
down -- and must then give its leader key up, so that the cluster elects a
leader again (docs/cluster.md). It used to keep the key alive with its later
renewals, as a candidate, and no node ever led again.

etcd and three nodes (--lease-ttl 10), each talking to etcd through its own
proxy written here. Right after passing one of the leader's lease renewals,
the leader's proxy refuses all its requests for 8.6 s: the leader trusts a
renewal for 8 s (TTL - 20%), etcd keeps the lease for 10 s. Then:
  1. the leader logged stepping down for want of a renewal;
  2. within 30 s a node leads with a valid lease and two followers, and a
     write through it is acknowledged.

  lease_lapse_test.py --server BUILD/examples/lsmkv-kvserver [--workdir DIR]
"""
import argparse
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_client import request  # noqa: E402
from cluster_procs import Etcd, Node, parse_harness_arguments, report_failure, wait_for  # noqa: E402

TTL = 10
TRUSTED = TTL * 0.8   # what a node trusts a renewal for (election.cc)
REFUSED_FOR = 8.6     # past TRUSTED, well before TTL


class EtcdProxy:
    """Forwards one node's etcd requests (all POST) to etcd. Once armed, it
    starts refusing every request (closing the connection unanswered) right
    after the next lease renewal it passed, for a given time."""

    def __init__(self, etcd_url):
        self.target = etcd_url
        self.lock = threading.Lock()
        self.armed_for = 0.0      # guarded by lock
        self.refusing_until = 0.0  # guarded by lock; monotonic time
        self.refused = 0           # guarded by lock
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with proxy.lock:
                    refuse = time.monotonic() < proxy.refusing_until
                    if refuse:
                        proxy.refused += 1
                if refuse:
                    self.close_connection = True
                    return
                forward = urllib.request.Request(proxy.target + self.path, data=body, method="POST",
                                                 headers={"Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(forward, timeout=5) as reply:
                        status, payload = reply.status, reply.read()
                except urllib.error.HTTPError as e:
                    status, payload = e.code, e.read()
                except OSError:
                    self.close_connection = True
                    return
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                if self.path == "/v3/lease/keepalive" and status == 200:
                    with proxy.lock:
                        if proxy.armed_for:
                            proxy.refusing_until = time.monotonic() + proxy.armed_for
                            proxy.armed_for = 0.0

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def refuse_after_next_renewal(self, seconds):
        with self.lock:
            self.armed_for = seconds

    def refusing_until_time(self):
        with self.lock:
            return self.refusing_until

    def stop(self):
        self.server.shutdown()


def leader_of(nodes):
    for node in nodes:
        doc = node.status()
        if doc and doc.get("role") == "leader" and doc.get("lease_valid") and \
                len(doc.get("followers", {})) == len(nodes) - 1:
            return node
    return None


def main():
    args, workdir = parse_harness_arguments(argparse.ArgumentParser(), "lsmkv-lease-lapse-")
    with Etcd(workdir, args.etcd) as etcd:
        proxies = [EtcdProxy(etcd.url) for _ in range(3)]
        nodes = [Node(args.server, workdir, "n%d" % (i + 1), proxies[i].url, "lapse", TTL, 1) for i in range(3)]
        try:
            for node in nodes:
                node.start()
            old = wait_for(lambda: leader_of(nodes), 60, "a leader with two followers")
            proxy = proxies[nodes.index(old)]
            proxy.refuse_after_next_renewal(REFUSED_FOR)
            until = wait_for(proxy.refusing_until_time, TTL, "the leader's next renewal")
            print("0. %s leads; its etcd requests are refused for %.1f s after a renewal" % (old.name, REFUSED_FOR))
            time.sleep(max(0.0, until - time.monotonic()))

            def stepped_down():
                with open(old.log_path) as log:
                    return "stepping down: lease not renewed in time" in log.read()
            wait_for(stepped_down, 10, "%s to step down for want of a renewal" % old.name)
            print("1. %s stepped down (%d requests refused)" % (old.name, proxy.refused))

            new = wait_for(lambda: leader_of(nodes), 30, "a leader again after %s stepped down" % old.name)
            result = request(new.url, "POST", "/set", {"key": "after-lapse", "value": "1"})
            assert result[0] == "ok" and result[1] == 200, result
            print("2. %s leads and acknowledged a write" % new.name)
            print("PASS")
            return 0
        except AssertionError as e:
            return report_failure(e, workdir, nodes)
        finally:
            for node in nodes:
                node.terminate()
            for proxy in proxies:
                proxy.stop()


if __name__ == "__main__":
    sys.exit(main())
