#!/usr/bin/env bash
# The CLI's progress lines: verify, compact and repair draw "WHAT: D of T
# (P%), ..." on a terminal (a pseudo-terminal from script(1) here) and print
# nothing extra when stdout is not a terminal.
#
#   cli_progress_test.sh PATH/TO/lsmkv WORK_DIR
set -euo pipefail
lsmkv="$1"
work="$2"
rm -rf "$work"
mkdir -p "$work"
db="$work/db"
fail() { echo "FAIL: $*" >&2; exit 1; }
contains() { [[ "$1" == *"$2"* ]] || fail "[$1] lacks [$2]"; }
lacks() { [[ "$1" != *"$2"* ]] || fail "[$1] has [$2]"; }
command -v script >/dev/null || fail "script(1) (util-linux) is needed for a pseudo-terminal"

# A DB with several table files: three batches, each flushed by compact.
for round in 1 2 3; do
  for i in $(seq 1 2000); do echo "put key$round-$i value-$round-$i-0123456789abcdef"; done |
    "$lsmkv" --db "$db" batch >/dev/null
  "$lsmkv" --db "$db" compact >"$work/compact-pipe.out"
done

# Not a terminal: the old output only, no progress line, no carriage return.
"$lsmkv" --db "$db" verify >"$work/verify-pipe.out"
out="$(cat "$work/verify-pipe.out")"
contains "$out" "OK: "
lacks "$out" "verify:"
lacks "$out" $'\r'
[[ ! -s "$work/compact-pipe.out" ]] || fail "compact printed to a pipe: $(cat "$work/compact-pipe.out")"

# On a terminal.
on_tty() { script -qec "$*" /dev/null; }
out="$(on_tty "'$lsmkv' --db '$db' verify")"
contains "$out" "verify: "
contains "$out" "(100%)"
contains "$out" " of "
contains "$out" "iB"       # bytes, in KiB/MiB
contains "$out" "OK: "      # the result still follows, on its own line
out="$(on_tty "'$lsmkv' --db '$db' compact")"
contains "$out" "compact: "
contains "$out" "steps (100%)"
out="$(on_tty "'$lsmkv' --db '$db' repair")"
contains "$out" "repair: "
contains "$out" "files (100%)"
contains "$out" "repaired"
# Still a good DB afterwards.
"$lsmkv" --db "$db" get key2-1999 >"$work/get.out"
contains "$(cat "$work/get.out")" "value-2-1999-"
echo "cli_progress_test: all passed"
