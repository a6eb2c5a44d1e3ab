#!/usr/bin/env bash
# examples/cluster/run-local.sh: starts etcd and three nodes, prints the
# leader, serves a write through a follower's redirect, and stops every
# process on SIGINT (Ctrl-C).
#   run_local_test.sh SOURCE_DIR SERVER WORKDIR
set -euo pipefail
src="$1"; server="$2"; work="$3"
rm -rf "$work"; mkdir -p "$work"
# Three consecutive free ports for the nodes, two for etcd (a port found
# free can be taken by the time etcd binds it: the start is retried).
pick_ports() {
  python3 - <<'PY'
import random, socket
def free(ports):
    socks = []
    try:
        for p in ports:
            s = socket.socket(); s.bind(("127.0.0.1", p)); socks.append(s)
        return True
    except OSError:
        return False
    finally:
        for s in socks: s.close()
rng = random.Random()
while True:
    base = rng.randrange(20000, 60000)
    if free(range(base, base + 3)): break
while True:
    etcd = rng.randrange(20000, 60000)
    if abs(etcd - base) > 5 and free([etcd, etcd + 1]): break
print(base, etcd)
PY
}
for attempt in 1 2 3; do
  read -r base etcd_port < <(pick_ports)
  # A background job of a script ignores SIGINT (and bash cannot trap a
  # signal ignored on entry): restore the default first, as a terminal's
  # foreground job has it, so SIGINT below is the Ctrl-C of an interactive run.
  rm -rf "$work/data"
  LSMKV_KVSERVER="$server" LSMKV_CLUSTER_PORT=$base ETCD_PORT=$etcd_port LEASE_TTL=2 \
    setsid python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' \
    bash "$src/examples/cluster/run-local.sh" "$work/data" >"$work/out.txt" 2>&1 &
  script=$!
  for _ in $(seq 600); do
    grep -q '^leader: ' "$work/out.txt" && break
    kill -0 "$script" 2>/dev/null || break
    sleep 0.1
  done
  grep -q '^leader: ' "$work/out.txt" && break
  wait "$script" 2>/dev/null || true
  echo "attempt $attempt:"; cat "$work/out.txt"
done
cat "$work/out.txt"
grep -q '^leader: n[123] at http://127.0.0.1:' "$work/out.txt" || { echo "FAIL: no leader line"; kill -TERM -- -$script 2>/dev/null; exit 1; }
# On a failure: what every node says of the cluster, and the logs' tails.
show_cluster() {
  for j in 0 1 2; do echo "node $j /cluster: $(curl -s --max-time 2 "http://127.0.0.1:$((base + j))/cluster")"; done
  for log in "$work"/data/n*.log; do echo "--- $log"; tail -n 20 "$log"; done
}
# A write sent to every node in turn (followers redirect; curl -L follows).
# run-local.sh prints the leader only once all three nodes name it, so no
# node may answer 503 here.
for i in 0 1 2; do
  reply="$(curl -s -L --max-time 20 -w ' http=%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d "{\"key\":\"k$i\",\"value\":\"v$i\"}" "http://127.0.0.1:$((base + i))/set" || true)"
  if ! grep -q '"written":1' <<<"$reply"; then
    echo "FAIL: write via node $i: $reply"; show_cluster; kill -TERM -- -$script 2>/dev/null; exit 1
  fi
done
[[ "$(curl -sf -L --max-time 20 "http://127.0.0.1:$((base + 1))/get?key=k2")" == v2 ]] || { echo "FAIL: linearizable read"; kill -TERM -- -$script 2>/dev/null; exit 1; }
kill -INT "$script"  # the script only, as its trap must stop the rest
for _ in $(seq 300); do kill -0 "$script" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$script" 2>/dev/null; then echo "FAIL: run-local.sh did not stop on SIGINT"; kill -TERM -- -$script; exit 1; fi
grep -q '^stopped' "$work/out.txt" || { echo "FAIL: did not report stopping"; exit 1; }
if pgrep -f -- "--db $work/data/n" >/dev/null || pgrep -f -- "--data-dir $work/data/etcd" >/dev/null; then
  echo "FAIL: processes left running"; exit 1
fi
echo PASS
