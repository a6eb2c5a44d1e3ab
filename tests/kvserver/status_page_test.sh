#!/usr/bin/env bash
# GET / (the HTML status page) and GET /status.json (its data) on the HTTP
# server: the page is HTML that loads status.json; the JSON has every field
# the page draws, with values that follow the writes, flushes and
# compactions made (tests/kvserver/check_status_json.py checks the shape).
#
#   status_page_test.sh PATH/TO/lsmkv-kvserver WORK_DIR
set -euo pipefail
server="$1"
work="$2"
checker="$(dirname "$0")/check_status_json.py"
rm -rf "$work"
mkdir -p "$work"
pid=""
trap '[[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null || true' EXIT

fail() { echo "FAIL: $*" >&2; [[ -f "$work/server.out" ]] && cat "$work/server.out" >&2; exit 1; }
same() { [[ "$1" == "$2" ]] || fail "got [$1], wanted [$2]"; }

# The checker must be able to fail: known-bad documents are refused.
python3 "$checker" --self-test >/dev/null || fail "status checker self-test"

"$server" --db "$work/db" --port 0 >"$work/server.out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$work/server.out" && break
  kill -0 "$pid" 2>/dev/null || fail "server exited at start"
  sleep 0.1
done
base="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/server.out")" || fail "server did not start"

# The page: HTML, refers to its data endpoint, refreshes itself.
code="$(curl -s -o "$work/page.html" -D "$work/page.headers" -w '%{http_code}' "$base/")"
same "$code" 200
grep -qi '^content-type: text/html' "$work/page.headers" || fail "GET / is not text/html"
grep -q '<!DOCTYPE html>' "$work/page.html" || fail "GET / is not an HTML document"
grep -q 'fetch("status.json"' "$work/page.html" || fail "the page does not load status.json"
grep -q 'setInterval(refresh' "$work/page.html" || fail "the page does not refresh itself"
# Other methods on it: 405 with Allow.
same "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/")" 405

# A new DB: empty levels, no jobs, single node.
code="$(curl -s -o "$work/empty.json" -D "$work/json.headers" -w '%{http_code}' "$base/status.json")"
same "$code" 200
grep -qi '^content-type: application/json' "$work/json.headers" || fail "status.json is not JSON"
python3 "$checker" "$work/empty.json" --files 0 --jobs 0 --role "single node" ||
  fail "status.json of a new DB: $(cat "$work/empty.json")"

# About 6 MB of writes (the memtable holds 4 MiB): at least one flush.
python3 - "$work" <<'PY'
import json, sys
for part in range(6):
    with open("%s/bulk%d.json" % (sys.argv[1], part), "w") as f:
        json.dump({"k%d-%04d" % (part, i): "v" * 1000 for i in range(1000)}, f)
PY
for part in 0 1 2 3 4 5; do
  same "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/set" -H 'Content-Type: application/json' \
          --data-binary "@$work/bulk$part.json")" 200
done
# The flush runs in the background: wait for it to be listed.
for _ in $(seq 1 100); do
  curl -s -o "$work/loaded.json" "$base/status.json"
  grep -q '"kind":"flush"' "$work/loaded.json" && break
  sleep 0.1
done
python3 "$checker" "$work/loaded.json" --min-files 1 --min-jobs 1 --min-sequence 6000 \
  --role "single node" || fail "status.json after writes: $(cat "$work/loaded.json")"

kill -TERM "$pid"
wait "$pid" || fail "server did not stop cleanly"
pid=""
echo "status page test: ok"
