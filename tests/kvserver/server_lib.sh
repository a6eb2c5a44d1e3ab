# Shared by the server's shell tests: start and stop lsmkv-kvserver, make
# requests with curl, and check what comes back. Source it after setting
#   server  path to lsmkv-kvserver
#   work    a scratch directory (emptied here)
#   db      the database directory the server opens
# The server's stdout goes to $work/server.out, its stderr (errors, the
# access log) to $work/server.err; both are printed when a check fails.
rm -rf "$work"
mkdir -p "$work"
pid=""
trap '[[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null || true' EXIT

fail() {
  echo "FAIL: $*" >&2
  local f
  for f in "$work/server.out" "$work/server.err"; do [[ -f "$f" ]] && cat "$f" >&2; done
  exit 1
}
same() { [[ "$1" == "$2" ]] || fail "got [$1], wanted [$2]"; }
contains() { [[ "$1" == *"$2"* ]] || fail "[$1] lacks [$2]"; }

# start [server flags...]: starts the server on a free port; sets $pid and
# $base (http://HOST:PORT).
start() {
  "$server" --db "$db" --port 0 "$@" >"$work/server.out" 2>"$work/server.err" &
  pid=$!
  for _ in $(seq 1 100); do
    if grep -q "listening on" "$work/server.out"; then
      base="$(grep -o 'http://[0-9.]*:[0-9]*' "$work/server.out")"
      return
    fi
    kill -0 "$pid" 2>/dev/null || fail "server exited at start"
    sleep 0.1
  done
  fail "server did not start"
}
# stop: SIGTERM, and the server must exit 0.
stop() {
  kill -TERM "$pid"
  local rc=0
  wait "$pid" || rc=$?
  pid=""
  same "$rc" "0"
}
# request METHOD PATH [curl args...]: sets $code, $body and $headers
# (trailing newlines of the body dropped; headers without CR).
request() {
  local method="$1" path="$2"; shift 2
  code="$(curl -s -X "$method" -D "$work/headers" -o "$work/body" -w '%{http_code}' "$base$path" "$@")"
  body="$(cat "$work/body")"
  headers="$(tr -d '\r' <"$work/headers")"
}
post_json() { request POST "$1" -H 'Content-Type: application/json' --data-binary "$2"; }
count_keys() { request GET "/scan?limit=10000"; grep -o '"key"' <<<"$body" | wc -l; }
