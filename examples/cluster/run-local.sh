#!/usr/bin/env bash
# A three-node lsmkv cluster on this machine (docs/cluster.md): one etcd and
# three lsmkv-kvserver nodes, n1..n3, on 127.0.0.1:8084-8086, data under DIR
# (default ./lsmkv-cluster). Waits until all three nodes name the same
# leader, prints it, and stops everything on Ctrl-C.
#
#   examples/cluster/run-local.sh [DIR]
#
# Environment: LSMKV_KVSERVER (the server binary; default: the build tree's,
# else lsmkv-kvserver on PATH), LSMKV_CLUSTER_PORT (first node's port, 8084),
# ETCD_PORT (etcd's client port, 2379; the peer port is the next one),
# LEASE_TTL (seconds, 5), SYNC_REPLICAS (1).
set -euo pipefail

dir="${1:-./lsmkv-cluster}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
server="${LSMKV_KVSERVER:-}"
if [[ -z "$server" ]]; then
  if [[ -x "$here/../../build/examples/lsmkv-kvserver" ]]; then
    server="$here/../../build/examples/lsmkv-kvserver"
  else
    server="$(command -v lsmkv-kvserver || true)"
  fi
fi
[[ -x "$server" ]] || { echo "run-local.sh: lsmkv-kvserver not found (set LSMKV_KVSERVER)" >&2; exit 1; }
command -v etcd >/dev/null || { echo "run-local.sh: etcd not found (cmake/scripts/install-deps.sh installs etcd-server)" >&2; exit 1; }
command -v curl >/dev/null || { echo "run-local.sh: curl not found" >&2; exit 1; }
port="${LSMKV_CLUSTER_PORT:-8084}"
etcd_port="${ETCD_PORT:-2379}"
etcd_url="http://127.0.0.1:$etcd_port"
mkdir -p "$dir"

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo "stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped"
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

etcd --name lsmkv-local --data-dir "$dir/etcd" \
  --listen-client-urls "$etcd_url" --advertise-client-urls "$etcd_url" \
  --listen-peer-urls "http://127.0.0.1:$((etcd_port + 1))" \
  --initial-advertise-peer-urls "http://127.0.0.1:$((etcd_port + 1))" \
  --initial-cluster "lsmkv-local=http://127.0.0.1:$((etcd_port + 1))" >"$dir/etcd.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -sf "$etcd_url/health" >/dev/null && break
  sleep 0.1
done
curl -sf "$etcd_url/health" >/dev/null || { echo "etcd did not start; see $dir/etcd.log" >&2; exit 1; }

for i in 1 2 3; do
  "$server" --node "n$i" --etcd "$etcd_url" --port "$((port + i - 1))" --db "$dir/n$i" \
    --lease-ttl "${LEASE_TTL:-5}" --sync-replicas "${SYNC_REPLICAS:-1}" >"$dir/n$i.log" 2>&1 &
  pids+=($!)
done

# The leader each node names ("" if none or unreachable).
leader_seen_by() {
  curl -s --max-time 2 "http://127.0.0.1:$1/cluster" | sed -n 's/.*"leader":"\([^"]*\)".*/\1/p' || true
}
# Ready once all three nodes name the same leader: until then a node that has
# not heard of the election yet answers 503 instead of redirecting a write.
leader=""
for _ in $(seq 300); do
  seen=("$(leader_seen_by "$port")" "$(leader_seen_by "$((port + 1))")" "$(leader_seen_by "$((port + 2))")")
  if [[ -n "${seen[0]}" && "${seen[0]}" == "${seen[1]}" && "${seen[0]}" == "${seen[2]}" ]]; then
    leader="${seen[0]}"
    break
  fi
  sleep 0.1
done
[[ -n "$leader" ]] || { echo "the nodes did not agree on a leader within 30 s; see $dir/*.log" >&2; exit 1; }
leader_url="$(curl -s "http://127.0.0.1:$port/cluster" | sed -n 's/.*"leader_url":"\([^"]*\)".*/\1/p')"
echo "leader: $leader at $leader_url"
echo "nodes: http://127.0.0.1:$port http://127.0.0.1:$((port + 1)) http://127.0.0.1:$((port + 2)) (logs in $dir)"
echo "try: curl -L -X POST -H 'Content-Type: application/json' -d '{\"key\":\"k\",\"value\":\"v\"}' http://127.0.0.1:$port/set"
echo "Ctrl-C stops everything"
while true; do sleep 1; done
