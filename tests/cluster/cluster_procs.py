"""Processes for the cluster harness: one etcd and lsmkv-kvserver nodes on
free ports of 127.0.0.1, each with its own directory and log; and what every
harness script's main() shares (its arguments, its work directory, waiting)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request


def parse_harness_arguments(parser, workdir_prefix):
    """Adds the arguments every cluster test takes (--server, --etcd,
    --workdir) to parser, parses the command line and prepares the run's
    work directory: --workdir emptied (a rerun starts clean), or a new
    temporary directory named workdir_prefix* when none was given.
    Returns (args, workdir)."""
    parser.add_argument("--server", required=True)
    parser.add_argument("--etcd", default="etcd")
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args()
    workdir = args.workdir or tempfile.mkdtemp(prefix=workdir_prefix)
    if args.workdir and os.path.exists(workdir):
        shutil.rmtree(workdir)
    os.makedirs(workdir, exist_ok=True)
    return args, workdir


def wait_for(predicate, timeout, what):
    """Polls predicate() every 0.1 s; returns its first true value, or raises
    AssertionError naming `what` after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def report_failure(error, workdir, nodes):
    """Prints a failed check, where the logs are and each node's /cluster
    view; returns the test's exit status (1)."""
    print("FAIL: %s (logs in %s)" % (error, workdir))
    for node in nodes:
        print("%s /cluster: %s" % (node.name, node.status()))
    return 1


_ports_handed_out = set()


def free_port():
    """A port of 127.0.0.1 free right now and not handed out before by this
    process: the kernel may offer a port again once its socket is closed,
    and two servers of one test given the same port would collide when the
    second binds. (Another program may still take it before the server
    binds it: Etcd retries with new ports when it cannot start.)"""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _ports_handed_out:
            _ports_handed_out.add(port)
            return port


def http_json(url, timeout=1.0):
    """GET url -> parsed JSON, or None on any failure."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return json.loads(reply.read().decode())
    except Exception:  # noqa: BLE001 - unreachable, paused, bad JSON: all "no answer"
        return None


class Etcd:
    """A single-member etcd in workdir/etcd, healthy once constructed; a
    context manager that stops it on leaving."""

    def __init__(self, workdir, etcd_binary="etcd"):
        self.dir = os.path.join(workdir, "etcd")
        self.log = open(os.path.join(workdir, "etcd.log"), "w")
        # A port found free may be taken before etcd binds it (etcd then
        # exits): start again on other ports, from an empty data directory.
        for _ in range(3):
            shutil.rmtree(self.dir, ignore_errors=True)
            self.client_port = free_port()
            self.peer_port = free_port()
            self.url = "http://127.0.0.1:%d" % self.client_port
            self.proc = subprocess.Popen(
                [etcd_binary, "--name", "harness", "--data-dir", self.dir,
                 "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
                 "--listen-peer-urls", "http://127.0.0.1:%d" % self.peer_port,
                 "--initial-advertise-peer-urls", "http://127.0.0.1:%d" % self.peer_port,
                 "--initial-cluster", "harness=http://127.0.0.1:%d" % self.peer_port],
                stdout=self.log, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and self.proc.poll() is None:
                if http_json(self.url + "/health") is not None:
                    return
                time.sleep(0.1)
            if self.proc.poll() is None:
                break  # running but not healthy: not a port clash
            self.log.write("(etcd exited with %d; starting it again on other ports)\n" % self.proc.returncode)
            self.log.flush()
        self.stop()  # not left running when the test gives up
        raise RuntimeError("etcd did not become healthy; see %s" % self.log.name)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


class Node:
    """One lsmkv-kvserver of the cluster; survives kill/restart cycles."""

    def __init__(self, binary, workdir, name, etcd_url, cluster, lease_ttl, sync_replicas, extra=()):
        self.binary = binary
        self.name = name
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.db = os.path.join(workdir, name)
        self.args = [binary, "--db", self.db, "--port", str(self.port), "--etcd", etcd_url, "--node", name,
                     "--cluster", cluster, "--lease-ttl", str(lease_ttl), "--sync-replicas", str(sync_replicas)]
        self.args += list(extra)
        self.log_path = os.path.join(workdir, name + ".log")
        self.proc = None
        self.paused = False

    def start(self):
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.paused = False

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        if self.running():
            self.proc.kill()
            self.proc.wait()
        self.paused = False

    def pause(self):
        os.kill(self.proc.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self):
        if self.running():
            os.kill(self.proc.pid, signal.SIGCONT)
        self.paused = False

    def terminate(self, timeout=30):
        """SIGTERM (a clean stop); kill -9 if it does not stop in time."""
        if not self.running():
            return
        if self.paused:
            self.resume()
        self.proc.terminate()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def status(self, timeout=1.0):
        return http_json(self.url + "/cluster", timeout)
