#!/usr/bin/env bash
# GET /metrics on the HTTP server: every line of the scrape parses as
# Prometheus text exposition (tests/kvserver/check_exposition.py), and the
# request counts, request latencies and the DB's own statistics move with
# the requests made.
#
#   metrics_test.sh PATH/TO/lsmkv-kvserver WORK_DIR
set -euo pipefail
server="$1"
work="$2"
checker="$(dirname "$0")/check_exposition.py"
db="$work/db"
source "$(dirname "$0")/server_lib.sh"

# The checker must be able to fail: known-bad expositions are refused.
python3 "$checker" --self-test >/dev/null || fail "exposition checker self-test"

start

# scrape FILE: fetches /metrics into FILE and checks every line.
scrape() {
  local code
  code="$(curl -s -o "$1" -w '%{http_code}' "$base/metrics")"
  same "$code" 200
  python3 "$checker" "$1" || fail "bad exposition in $1"
}
# value FILE SAMPLE: the value of the sample line exactly "SAMPLE value"
# (0 when absent).
value() {
  awk -v s="$2" '{ v = $NF; $NF = ""; sub(/ $/, ""); if ($0 == s) { print v; found = 1 } }
                 END { if (!found) print 0 }' "$1"
}

scrape "$work/before"
same "$(value "$work/before" 'lsmkv_user_bytes_written_total')" 0
grep -q '^# TYPE lsmkv_latency_seconds summary$' "$work/before" || fail "no latency summary"
grep -q '^# TYPE lsmkv_level_num_files gauge$' "$work/before" || fail "no per-level gauge"

for i in 1 2 3 4 5; do
  post_json /set "{\"key\": \"k$i\", \"value\": \"v$i\"}"
  same "$code" 200
done
for i in 1 2 3 4 5 6 7; do
  curl -s -o /dev/null "$base/get?key=k$i"   # k6, k7: 404
done
same "$(curl -s -o /dev/null -w '%{http_code}' "$base/no-such-route")" 404

# Request counts per route, method and status; the scrapes before count too.
# The server counts a request once it has written the response (its access
# log hook), so the client may have the answer -- and send the scrape -- a
# moment before the request is counted: scrape until every request made so
# far is, then check each figure.
scrapes_before=1
request_counts() {  # FILE: the figures checked below, one line
  local sample
  for sample in 'lsmkv_http_requests_total{route="/set",method="POST",code="200"}' \
                'lsmkv_http_requests_total{route="/get",method="GET",code="200"}' \
                'lsmkv_http_requests_total{route="/get",method="GET",code="404"}' \
                'lsmkv_http_requests_total{route="other",method="GET",code="404"}' \
                'lsmkv_http_requests_total{route="/metrics",method="GET",code="200"}' \
                'lsmkv_http_request_duration_seconds_count{route="/get"}' \
                'lsmkv_http_request_duration_seconds_bucket{route="/set",le="+Inf"}'; do
    printf '%s ' "$(value "$1" "$sample")"
  done
}
for _ in $(seq 1 50); do
  scrape "$work/after"
  [[ "$(request_counts "$work/after")" == "5 5 2 1 $scrapes_before 7 5 " ]] && break
  scrapes_before=$((scrapes_before + 1))
  sleep 0.1
done
same "$(value "$work/after" 'lsmkv_http_requests_total{route="/set",method="POST",code="200"}')" 5
same "$(value "$work/after" 'lsmkv_http_requests_total{route="/get",method="GET",code="200"}')" 5
same "$(value "$work/after" 'lsmkv_http_requests_total{route="/get",method="GET",code="404"}')" 2
same "$(value "$work/after" 'lsmkv_http_requests_total{route="other",method="GET",code="404"}')" 1
same "$(value "$work/after" 'lsmkv_http_requests_total{route="/metrics",method="GET",code="200"}')" "$scrapes_before"
same "$(value "$work/after" 'lsmkv_http_request_duration_seconds_count{route="/get"}')" 7
same "$(value "$work/after" 'lsmkv_http_request_duration_seconds_bucket{route="/set",le="+Inf"}')" 5
# The DB's figures: 5 writes and 7 reads reached it.
same "$(value "$work/after" 'lsmkv_latency_seconds_count{op="write"}')" 5
same "$(value "$work/after" 'lsmkv_latency_seconds_count{op="get"}')" 7
same "$(value "$work/after" 'lsmkv_gets_total')" 7
same "$(value "$work/after" 'lsmkv_write_groups_total')" 5
same "$(value "$work/after" 'lsmkv_active_memtable_entries')" 5
bytes="$(value "$work/after" 'lsmkv_user_bytes_written_total')"
[[ "$bytes" -gt 0 ]] || fail "user bytes written did not move: $bytes"
wal="$(value "$work/after" 'lsmkv_wal_bytes_written_total')"
[[ "$wal" -ge "$bytes" ]] || fail "WAL bytes $wal < user bytes $bytes"

stop
echo "metrics_test: all passed ($(wc -l <"$work/after") lines in the last scrape)"
