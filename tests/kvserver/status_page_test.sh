#!/usr/bin/env bash
# GET / (the HTML status page) and GET /status.json (its data) on the HTTP
# server: the page is HTML that loads status.json and refreshes itself; the
# JSON has every field the page draws, with values that follow the writes
# and the flush they cause (tests/kvserver/check_status_json.py checks the
# shape and the expectations).
#
#   status_page_test.sh PATH/TO/lsmkv-kvserver WORK_DIR
set -euo pipefail
server="$1"
work="$2"
checker="$(dirname "$0")/check_status_json.py"
db="$work/db"
source "$(dirname "$0")/server_lib.sh"

# The checker must be able to fail: known-bad documents are refused.
python3 "$checker" --self-test >/dev/null || fail "status checker self-test"

start

# The page: HTML, refers to its data endpoint, refreshes itself.
request GET /
same "$code" 200
contains "$(tr 'A-Z' 'a-z' <<<"$headers")" "content-type: text/html"
contains "$body" "<!DOCTYPE html>"
contains "$body" 'fetch("status.json"'
contains "$body" "setInterval(refresh"
request POST /
same "$code" 405

# A new DB: no tables, no jobs, single node.
request GET /status.json
same "$code" 200
contains "$(tr 'A-Z' 'a-z' <<<"$headers")" "content-type: application/json"
python3 "$checker" "$work/body" --files 0 --jobs 0 --role "single node" ||
  fail "status.json of a new DB: $body"

# About 6 MB of writes (the memtable holds 4 MiB): at least one flush.
python3 - "$work" <<'PY'
import json, sys
for part in range(6):
    with open("%s/bulk%d.json" % (sys.argv[1], part), "w") as f:
        json.dump({"k%d-%04d" % (part, i): "v" * 1000 for i in range(1000)}, f)
PY
for part in 0 1 2 3 4 5; do
  post_json /set "@$work/bulk$part.json"
  same "$code" 200
done
# The flush runs in the background: wait until the document shows all of
# it. The job is listed a moment before its table is installed (the
# MANIFEST write in between), so waiting for the job alone could catch
# total_files still 0.
after_writes=(--min-files 1 --min-jobs 1 --min-sequence 6000 --role "single node")
for _ in $(seq 1 300); do
  request GET /status.json
  python3 "$checker" "$work/body" "${after_writes[@]}" >/dev/null 2>&1 && break
  sleep 0.1
done
python3 "$checker" "$work/body" "${after_writes[@]}" || fail "status.json after writes: $body"

stop
echo "status page test: ok"
