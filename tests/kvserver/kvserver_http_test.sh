#!/usr/bin/env bash
# The HTTP server's protocol details, driven with curl: JSON numbers,
# booleans and null as values, Content-Type case, 405 with Allow, bearer
# tokens and --host, GET /scan with encoding=hex and a continuation cursor,
# the access log.
#
#   kvserver_http_test.sh PATH/TO/lsmkv-kvserver WORK_DIR
set -euo pipefail
server="$1"
work="$2"
db="$work/db"
source "$(dirname "$0")/server_lib.sh"

start --access-log

# JSON numbers, booleans and null are stored as their JSON text.
post_json /set '{"key": "n", "value": 5}';             same "$code" 200
request GET "/get?key=n";                               same "$body" "5"
post_json /set '[{"key": "f", "value": -1.5e2}, {"key": "t", "value": true}, {"key": "z", "value": null}]'
same "$code" 200; contains "$body" '"written":3'
request GET "/get?key=f";                               same "$body" "-150.0"
request GET "/get?key=t";                               same "$body" "true"
request GET "/get?key=z";                               same "$body" "null"
post_json /set '{"big": 12345678901234567890, "no": false, "s": "text"}'; same "$code" 200
request GET "/get?key=big";                             same "$body" "12345678901234567890"
request GET "/get?key=no";                              same "$body" "false"
# Objects and arrays as values, and non-string keys, are still refused.
post_json /set '{"key": "o", "value": {"a": 1}}';       same "$code" 400; contains "$body" "string, number, boolean or null"
post_json /set '{"o": [1, 2]}';                         same "$code" 400; contains "$body" 'value of \"o\"'
post_json /set '{"key": 5, "value": "x"}';              same "$code" 400; contains "$body" '\"key\" must be a string'
request GET "/get?key=o";                               same "$code" 404

# Content-Type: any case, parameters and spaces allowed; others 415.
request POST /set -H 'Content-Type: Application/JSON ; charset=UTF-8' --data-binary '{"ct": "1"}'
same "$code" 200
request POST /set -H 'content-type: APPLICATION/json' --data-binary '{"ct2": "1"}'
same "$code" 200
request POST /set -H 'Content-Type: application/jsonx' --data-binary '{"ct3": "1"}'
same "$code" 415

# A known path with the wrong method: 405 and Allow; unknown paths: 404.
request POST "/get?key=n";                              same "$code" 405
contains "$headers" "Allow: GET, HEAD"; contains "$body" '"error"'
request GET /set;                                       same "$code" 405; contains "$headers" "Allow: POST"
request PUT /del;                                       same "$code" 405; contains "$headers" "Allow: DELETE"
request PATCH /scan;                                    same "$code" 405; contains "$headers" "Allow: GET, HEAD"
request GET /nope;                                      same "$code" 404; contains "$body" "no such route"
request HEAD "/get?key=n" -I;                           same "$code" 200

# GET /scan with encoding=hex and a continuation cursor.
post_json /set '{"p\u0000bin": "\u0001\u00ff"}';       same "$code" 200
request GET "/scan?encoding=hex&start=70&end=71"
same "$body" '[{"key":"700062696e","value":"01c3bf"}]'
request GET "/scan?encoding=hex&start=7"; same "$code" 400; contains "$body" "hex"
request GET "/scan?encoding=base64";      same "$code" 400
for i in $(seq -w 1 25); do post_json /set "{\"page$i\": \"v$i\"}" >/dev/null; done
cursor=""
pages=0
seen=""
while :; do
  request GET "/scan?start=page&end=pagf&limit=10${cursor:+&cursor=$cursor}"
  same "$code" 200
  seen+="$(grep -o '"key":"page[0-9]*"' <<<"$body" | tr -d '\n')"
  pages=$((pages + 1))
  cursor="$(sed -n 's/^X-Next-Cursor: //p' <<<"$headers")"
  [[ -z "$cursor" ]] && break
  # A write between pages does not disturb the walk.
  [[ $pages -eq 1 ]] && post_json /set '{"page00": "before the cursor"}' >/dev/null
  [[ $pages -gt 5 ]] && fail "cursor does not advance"
done
same "$pages" "3"
expected=""
for i in $(seq -w 1 25); do expected+="\"key\":\"page$i\""; done
same "$seen" "$expected"
request GET "/scan?cursor=xyz";           same "$code" 400; contains "$body" "cursor"
request GET "/scan?start=page&limit=26&end=pagf"  # 25 pages + page00: exactly all
[[ "$headers" != *X-Next-Cursor* ]] || fail "cursor on the last page"

# The access log: one line per request, on stderr.
stop
lines="$(grep -c '"GET /get?key=n" 200' "$work/server.err" || true)"
same "$lines" "1"
grep -q '"POST /get?key=n" 405' "$work/server.err" || fail "405 not logged"
grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z 127\.0\.0\.1 "GET /scan' "$work/server.err" ||
  fail "log line format: $(head -3 "$work/server.err")"
# Off by default.
start
request GET /health; same "$code" 200
stop
[[ ! -s "$work/server.err" ]] || fail "access log without --access-log: $(cat "$work/server.err")"

# Bearer token: required everywhere but /health.
start --auth-token s3cret
request GET /health;                                    same "$code" 200
request GET "/get?key=n";                               same "$code" 401
contains "$headers" "WWW-Authenticate: Bearer"
request GET "/get?key=n" -H 'Authorization: Bearer wrong'; same "$code" 401
request GET "/get?key=n" -H 'Authorization: Bearer s3cret2'; same "$code" 401
request GET "/get?key=n" -H 'Authorization: Basic s3cret'; same "$code" 401
request GET "/get?key=n" -H 'Authorization: Bearer s3cret'; same "$code" 200; same "$body" "5"
request GET "/get?key=n" -H 'Authorization: bearer s3cret'; same "$code" 200
request GET /nope;                                      same "$code" 401  # no route probing
post_json /set '{"unauth": "x"}';                       same "$code" 401
stop
printf 's3cret-from-file\n' >"$work/token"
start --auth-token-file "$work/token"
request GET "/get?key=n" -H 'Authorization: Bearer s3cret-from-file'; same "$code" 200
request GET "/get?key=unauth" -H 'Authorization: Bearer s3cret-from-file'; same "$code" 404
stop

# --host: a non-loopback address needs a token; loopback ones do not.
rc=0; "$server" --db "$db" --port 0 --host 0.0.0.0 >"$work/refused.out" 2>&1 || rc=$?
same "$rc" "2"; contains "$(cat "$work/refused.out")" "without --auth-token"
rc=0; "$server" --db "$db" --port 0 --host example.invalid >"$work/refused.out" 2>&1 || rc=$?
same "$rc" "2"
start --host 127.0.0.2
request GET /health; same "$code" 200
stop
start --host 0.0.0.0 --auth-token s3cret
base="${base/0.0.0.0/127.0.0.1}"
request GET "/get?key=n" -H 'Authorization: Bearer s3cret'; same "$code" 200
request GET "/get?key=n";                               same "$code" 401
stop
echo "kvserver_http_test: all passed"
