#!/usr/bin/env bash
# The HTTP server end to end, driven with curl: every route, bad input
# refused with 400 and nothing written, synced writes surviving kill -9,
# and SIGTERM finishing in-flight requests and closing the DB cleanly.
#
#   kvserver_test.sh PATH/TO/lsmkv-kvserver WORK_DIR
set -euo pipefail
server="$1"
work="$2"
db="$work/db"
source "$(dirname "$0")/server_lib.sh"

start --sync --max_body_bytes 4096
request GET /health;                       same "$code" 200; contains "$body" '"ok"'

# The three shapes of POST /set, and /test (the original notes' path).
post_json /set '{"key": "k1", "value": "v1"}';                    same "$code" 200; contains "$body" '"written":1'
post_json /set '[{"key": "k2", "value": "v2"}, {"key": "k3", "value": "v3"}]'
same "$code" 200; contains "$body" '"written":2'
post_json /set '{"k4": "v4", "k5": "v5", "k6": ""}';              same "$code" 200; contains "$body" '"written":3'
post_json /test '{"key": "hello", "value": "world"}';             same "$code" 200
request GET "/get?key=hello";              same "$code" 200; same "$body" "world"
request GET "/get?key=k6";                 same "$code" 200; same "$body" ""
request GET "/get?key=absent";             same "$code" 404; contains "$body" '"error"'
request GET "/get";                        same "$code" 400
# Query parameters are URL-decoded: a key with a space and a slash.
post_json /set '{"key": "a b/c", "value": "spaced"}'
request GET "/get?key=a%20b%2Fc";          same "$code" 200; same "$body" "spaced"

# DELETE: absent keys are fine.
request DELETE "/del?key=k1";              same "$code" 200
request GET "/get?key=k1";                 same "$code" 404
request DELETE "/del?key=never-there";     same "$code" 200
request DELETE "/del";                     same "$code" 400

# Scan: [start, end), limit; JSON array of {key, value}.
request GET "/scan?start=k2&end=k5";       same "$code" 200
same "$body" '[{"key":"k2","value":"v2"},{"key":"k3","value":"v3"},{"key":"k4","value":"v4"}]'
request GET "/scan?start=k&limit=2";       same "$body" '[{"key":"k2","value":"v2"},{"key":"k3","value":"v3"}]'
request GET "/scan?limit=abc";             same "$code" 400
request GET /stats;                        same "$code" 200; contains "$body" "write amplification"
request GET /no-such-route;                same "$code" 404

# Bad input: 400 (415 for a wrong content type) with a JSON error, and
# nothing written, not even the valid part of a batch.
before="$(count_keys)"
post_json /set '{"key": "x", "value": '; same "$code" 400; contains "$body" "invalid JSON"
post_json /set '{"key": "x"}';           same "$code" 400; contains "$body" "missing"
post_json /set '{"value": "x"}';         same "$code" 400; contains "$body" "missing"
post_json /set '{"key": "x", "value": [5]}';      same "$code" 400; contains "$body" "must be a string, number"
post_json /set '{"x": {"y": 5}}';                 same "$code" 400; contains "$body" "must be a string, number"
post_json /set '[{"key": "ok", "value": "1"}, {"key": "bad"}]'; same "$code" 400
post_json /set '[{"key": "ok", "value": "1"}, 7]';              same "$code" 400
post_json /set '"just a string"';                               same "$code" 400
big="$(head -c 5000 /dev/zero | tr '\0' x)"
post_json /set "{\"key\": \"big\", \"value\": \"$big\"}"; same "$code" 400; contains "$body" "larger than"
request POST /set -H 'Content-Type: text/plain' --data-binary '{"key": "x", "value": "y"}'
same "$code" 415; contains "$body" "application/json"
same "$(count_keys)" "$before"
request GET "/get?key=ok";                 same "$code" 404

# POST /txn (etcd-style compare / success / failure), one branch applied
# atomically.
post_json /txn '{"compare": [{"key": "cas", "absent": true}], "success": [{"put": {"key": "cas", "value": "1"}}]}'
same "$code" 200; same "$body" '{"succeeded":true}'
request GET "/get?key=cas";                same "$body" "1"
post_json /txn '{"compare": [{"key": "cas", "absent": true}], "success": [{"put": {"key": "cas", "value": "X"}}],
                 "failure": [{"put": {"key": "cas-failed", "value": "yes"}}]}'
same "$code" 200; same "$body" '{"succeeded":false}'
request GET "/get?key=cas";                same "$body" "1"
request GET "/get?key=cas-failed";         same "$body" "yes"
post_json /txn '{"compare": [{"key": "cas", "value": "1"}, {"key": "cas-failed", "value": "yes"}],
                 "success": [{"put": {"key": "cas", "value": "2"}}, {"delete": {"key": "cas-failed"}}]}'
same "$body" '{"succeeded":true}'
request GET "/get?key=cas";                same "$body" "2"
request GET "/get?key=cas-failed";         same "$code" 404
post_json /txn '{}';                       same "$code" 200; same "$body" '{"succeeded":true}'
# Values as in /set: numbers, booleans and null stand for their JSON text,
# in comparisons and puts; Content-Type in any case.
request POST /txn -H 'Content-Type: Application/JSON' --data-binary \
  '{"compare": [{"key": "cas", "value": 2}], "success": [{"put": {"key": "num", "value": 7}}]}'
same "$code" 200; same "$body" '{"succeeded":true}'
request GET "/get?key=num";                same "$body" "7"
# Bad shapes: 400, nothing written (not even a valid first operation).
before="$(count_keys)"
for bad in '[]' '{"compare": {}}' '{"compare": [{"key": "a"}]}' '{"compare": [{"key": "a", "absent": false}]}' \
           '{"compare": [{"key": "a", "value": [1]}]}' '{"success": [{"put": {"key": "t1", "value": {}}}]}' '{"success": [{"put": {"key": "t1", "value": "v"}}, {"put": {"key": "t2"}}]}' \
           '{"success": [{"put": {"key": "t1", "value": "v"}}, {"merge": {"key": "t2"}}]}' \
           '{"success": [{"delete": {"key": "cas", "value": "v"}}]}' '{"succes": []}' '{"compare": [' ; do
  post_json /txn "$bad";                   same "$code" 400; contains "$body" '"error"'
done
request POST /txn -H 'Content-Type: text/plain' --data-binary '{}'; same "$code" 415
same "$(count_keys)" "$before"
request GET "/get?key=cas";                same "$body" "2"
# Compare-and-set increments from 4 concurrent clients, each retrying until
# its CAS succeeds: no increment is lost.
post_json /set '{"key": "counter", "value": "0"}'
clients=()
for c in 1 2 3 4; do
  (
    for _ in $(seq 1 10); do
      while true; do
        v="$(curl -s "$base/get?key=counter")"
        r="$(curl -s -X POST "$base/txn" -H 'Content-Type: application/json' --data-binary \
          "{\"compare\": [{\"key\": \"counter\", \"value\": \"$v\"}], \"success\": [{\"put\": {\"key\": \"counter\", \"value\": \"$((v + 1))\"}}]}")"
        [[ "$r" == *'"succeeded":true'* ]] && break
      done
    done
  ) &
  clients+=($!)
done
wait "${clients[@]}"  # not the server
request GET "/get?key=counter";            same "$body" "40"

# kill -9 after acknowledged synced writes: all of them are there after a
# restart.
for i in $(seq 1 100); do
  post_json /set "{\"key\": \"durable$i\", \"value\": \"value$i\"}"
  same "$code" 200
done
post_json /set "$(printf '{%s"last": "batch"}' "$(for i in $(seq 1 50); do printf '"batch%d": "b%d", ' "$i" "$i"; done)")"
same "$code" 200; contains "$body" '"written":51'
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
start --sync
for i in 1 37 100; do
  request GET "/get?key=durable$i";        same "$code" 200; same "$body" "value$i"
done
request GET "/scan?start=durable&end=durablf&limit=1000"
same "$(grep -o '"key"' <<<"$body" | wc -l)" "100"
request GET "/scan?start=batch&end=batci&limit=1000"
same "$(grep -o '"key"' <<<"$body" | wc -l)" "50"
request GET "/get?key=hello";              same "$body" "world"

# SIGTERM with requests in flight: the server answers what it accepted,
# exits 0 after closing the DB, and every acknowledged write is there.
for i in $(seq 1 40); do
  curl -s -o /dev/null -w '%{http_code}' -X POST "$base/set" -H 'Content-Type: application/json' \
    --data-binary "{\"key\": \"inflight$i\", \"value\": \"v$i\"}" >"$work/inflight$i" 2>/dev/null &
done
sleep 0.05
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
same "$rc" "0"
contains "$(cat "$work/server.out")" "database closed"
wait  # the curls
start
acknowledged=0
for i in $(seq 1 40); do
  if [[ "$(cat "$work/inflight$i")" == "200" ]]; then
    acknowledged=$((acknowledged + 1))
    request GET "/get?key=inflight$i";     same "$code" 200; same "$body" "v$i"
  fi
done
echo "in flight at SIGTERM: $acknowledged of 40 acknowledged, all present"
kill -INT "$pid"
rc=0; wait "$pid" || rc=$?
same "$rc" "0"
pid=""
echo "kvserver_test: all passed"
