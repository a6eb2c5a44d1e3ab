#!/usr/bin/env bash
# The lsmkv CLI end to end: every command, binary keys surviving a round
# trip (escaped and --hex), exit codes 0/1/2, damage found by verify and
# fixed by repair.
#
#   cli_test.sh PATH/TO/lsmkv WORK_DIR
set -euo pipefail
lsmkv="$1"
work="$2"
rm -rf "$work"
mkdir -p "$work"
db="$work/db"

fail() { echo "FAIL: $*" >&2; exit 1; }
# expect RC COMMAND...: runs the command, checks its exit status, keeps
# stdout in $out and stderr in $err.
expect() {
  local want="$1"; shift
  local rc=0
  "$@" >"$work/stdout" 2>"$work/stderr" || rc=$?
  out="$(cat "$work/stdout")"
  err="$(cat "$work/stderr")"
  [[ "$rc" == "$want" ]] || fail "exit $rc (wanted $want): $*
stdout: $out
stderr: $err"
}
same() { [[ "$1" == "$2" ]] || fail "got [$1], wanted [$2]"; }
contains() { [[ "$1" == *"$2"* ]] || fail "[$1] lacks [$2]"; }

# put / get / delete, with escaped binary bytes.
expect 0 "$lsmkv" --db "$db" put hello world
expect 0 "$lsmkv" --db "$db" get hello;               same "$out" "world"
expect 0 "$lsmkv" --db "$db" put 'bin\x00key' 'a b\x01\\'
expect 0 "$lsmkv" --db "$db" get 'bin\x00key';        same "$out" 'a\x20b\x01\x5c'
expect 0 "$lsmkv" --db "$db" --hex get 62696e006b6579;  same "$out" "612062015c"
expect 0 "$lsmkv" --db "$db" --hex put ff00 0102
expect 0 "$lsmkv" --db "$db" get '\xff\x00';          same "$out" '\x01\x02'
expect 1 "$lsmkv" --db "$db" get absent;              contains "$err" "not found"
expect 0 "$lsmkv" --db "$db" delete hello
expect 0 "$lsmkv" --db "$db" delete hello             # absent: not an error

# cas: compare-and-set; exit 1 and nothing written when the value differs
# or the key is absent; 2 for a wrong command line.
casdb="$work/casdb"
expect 1 "$lsmkv" --db "$casdb" cas counter 1 2;      contains "$err" "does not exist"
expect 0 "$lsmkv" --db "$casdb" put counter 1
expect 0 "$lsmkv" --db "$casdb" cas counter 1 2
expect 0 "$lsmkv" --db "$casdb" get counter;          same "$out" "2"
expect 1 "$lsmkv" --db "$casdb" cas counter 1 3;      contains "$err" "value is 2, not 1"
expect 0 "$lsmkv" --db "$casdb" get counter;          same "$out" "2"
expect 1 "$lsmkv" --db "$casdb" cas nokey 1 3;        contains "$err" "absent"
expect 1 "$lsmkv" --db "$casdb" get nokey
expect 0 "$lsmkv" --db "$casdb" --hex cas 636f756e746572 32 ff00
expect 0 "$lsmkv" --db "$casdb" get counter;          same "$out" '\xff\x00'
expect 2 "$lsmkv" --db "$casdb" cas counter 1;        contains "$err" "usage: lsmkv cas"
expect 2 "$lsmkv" --db "$casdb" --hex cas counter 1 2 # not hex
expect 1 "$lsmkv" --db "$db" get hello

# Command-line errors exit 2 and say why.
expect 2 "$lsmkv";                                     contains "$err" "usage"
expect 2 "$lsmkv" --db "$db" frobnicate;               contains "$err" "unknown command"
expect 2 "$lsmkv" put k v;                             contains "$err" "needs --db"
expect 2 "$lsmkv" --db "$db" put onlykey;              contains "$err" "usage: lsmkv put"
expect 2 "$lsmkv" --db "$db" get 'bad\x4';             contains "$err" "malformed"
expect 2 "$lsmkv" --db "$db" --hex get abc;            contains "$err" "malformed"
expect 2 "$lsmkv" --db "$db" scan --limit x;           contains "$err" "--limit"
expect 2 "$lsmkv" --db "$db" --bogus get k;            contains "$err" "unknown option"
expect 2 "$lsmkv" --db "$db" --wal_write_mode x get k; contains "$err" "--wal_write_mode"
# Each WAL write mode writes and reads back.
for mode in auto mapped write; do
  expect 0 "$lsmkv" --db "$work/waldb" --wal_write_mode "$mode" put "wal-$mode" "$mode"
  expect 0 "$lsmkv" --db "$work/waldb" get "wal-$mode"; same "$out" "$mode"
done
expect 0 "$lsmkv" help;                                contains "$out" "dump-manifest"
# A missing database is an error, not created by reads.
expect 1 "$lsmkv" --db "$work/nothing" get k;          contains "$err" "does not exist"
[[ ! -e "$work/nothing" ]] || fail "a read created a database"

# batch: atomic, and a malformed line writes nothing.
printf 'put k1 v1\nput k2 v2\n\n# a comment\nput k3 v3\ndelete k2\nput k4 v4\n' >"$work/batch"
expect 0 "$lsmkv" --db "$db" batch <"$work/batch";     contains "$out" "applied 5 operations"
printf 'put k5 v5\nput k6\n' >"$work/bad-batch"
expect 2 "$lsmkv" --db "$db" batch <"$work/bad-batch"; contains "$err" "line 2"
expect 1 "$lsmkv" --db "$db" get k5

# scan: bounds [from, to), limit, reverse.
expect 0 "$lsmkv" --db "$db" scan --from k1 --to k4
same "$out" $'k1\tv1\nk3\tv3'
expect 0 "$lsmkv" --db "$db" scan --from k --limit 2
same "$out" $'k1\tv1\nk3\tv3'
expect 0 "$lsmkv" --db "$db" scan --from k --to k9 --reverse --limit 2
same "$out" $'k4\tv4\nk3\tv3'
expect 0 "$lsmkv" --db "$db" scan
same "$(echo "$out" | wc -l)" "5"

# Round trip: every byte value in keys and values, scanned out of one DB
# and batched into another, scans the same (escaped and hex).
for mode in "" "--hex"; do
  src="$work/src$mode" dst="$work/dst$mode"
  for i in $(seq 0 255); do
    printf -v k '\\x%02xkey%d' "$i" "$i"
    printf -v v 'v\\x%02x\\x20end' "$(( (i * 7) % 256 ))"
    echo "put $k $v"
  done >"$work/all-bytes"
  expect 0 "$lsmkv" --db "$src" batch <"$work/all-bytes"
  expect 0 "$lsmkv" --db "$src" $mode scan
  scanned="$out"
  same "$(echo "$scanned" | wc -l)" "256"
  echo "$scanned" | awk -F'\t' '{ print "put " $1 " " $2 }' >"$work/replay"
  expect 0 "$lsmkv" --db "$dst" $mode batch <"$work/replay"
  expect 0 "$lsmkv" --db "$dst" $mode scan
  same "$out" "$scanned"
done

# stats, compact, verify.
for i in $(seq 1 300); do echo "put key$i value$i"; done >"$work/many"
expect 0 "$lsmkv" --db "$db" batch <"$work/many"
expect 0 "$lsmkv" --db "$db" compact
expect 0 "$lsmkv" --db "$db" stats;                    contains "$out" "level files"
contains "$out" "file="
expect 0 "$lsmkv" --db "$db" verify;                   contains "$out" "OK"

# dump-sst, dump-wal, dump-manifest.
dumped=""
for table in "$db"/*.sst; do
  expect 0 "$lsmkv" dump-sst "$table";                 contains "$out" "properties: entries="
  contains "$out" "index"
  dumped+="$out"
done
contains "$dumped" "put key1 @"; contains "$dumped" "= value1"
expect 0 "$lsmkv" --db "$db" put walkey walvalue
expect 0 "$lsmkv" --db "$db" delete k1
wal="$(ls "$db"/*.log | tail -1)"
expect 0 "$lsmkv" dump-wal "$wal";                     contains "$out" "del k1"
expect 0 "$lsmkv" --db "$db" dump-manifest;            contains "$out" "comparator lsmkv.BytewiseComparator"
contains "$out" "add L"
expect 2 "$lsmkv" dump-wal "$table";                   contains "$err" "not a WAL"
expect 1 "$lsmkv" dump-sst "$work/batch"

# Damage: a flipped byte in a table's first data block fails verify; repair
# salvages and the DB opens again.
expect 0 "$lsmkv" --db "$db" compact
table="$(ls -S "$db"/*.sst | head -1)"  # the largest
printf '\xAA' | dd of="$table" bs=1 seek=20 conv=notrunc status=none
expect 1 "$lsmkv" --db "$db" verify;                   contains "$err" "Corruption"
expect 1 "$lsmkv" dump-sst "$table";                   contains "$err" "Corruption"
expect 0 "$lsmkv" --db "$db" repair;                   contains "$out" "repaired"
expect 0 "$lsmkv" --db "$db" verify
# The damaged file was set aside (the report is in LOG.old once verify's
# open rotated LOG).
contains "$(cat "$db/LOG.old" "$db/LOG")" "lost/"
expect 0 "$lsmkv" --db "$db" scan

# tail: the change feed, with WALs kept for it across these short-lived opens.
feed="$work/feed"
expect 0 "$lsmkv" --db "$feed" --wal_retention_bytes 1000000 put a 1
expect 0 "$lsmkv" --db "$feed" --wal_retention_bytes 1000000 put 'b\x00' 2
expect 0 "$lsmkv" --db "$feed" --wal_retention_bytes 1000000 delete a
expect 0 "$lsmkv" --db "$feed" --wal_retention_bytes 1000000 tail --from 2
same "$out" "sequence 2: 1 updates
  put b\x00 2
sequence 3: 1 updates
  delete a"
expect 0 "$lsmkv" --db "$feed" --wal_retention_bytes 1000000 tail --limit 1;          same "$out" "sequence 1: 1 updates
  put a 1"
expect 0 "$lsmkv" --db "$feed" --wal_retention_bytes 1000000 tail --from 4;  same "$out" ""
expect 2 "$lsmkv" --db "$feed" tail --from x
expect 0 "$lsmkv" --db "$feed" put c 3                 # no retention: the WALs go
expect 0 "$lsmkv" --db "$feed" tail --from 5;           same "$out" ""
expect 1 "$lsmkv" --db "$feed" tail --from 1;           contains "$err" "NotFound: change feed: no longer kept"

# checkpoint and backup create|list|verify|restore|purge|delete.
cp_db="$work/cp-db" backups="$work/backups"
expect 0 "$lsmkv" --db "$cp_db" batch <"$work/many"
expect 0 "$lsmkv" --db "$cp_db" compact
expect 0 "$lsmkv" --db "$cp_db" put extra in-wal
expect 0 "$lsmkv" --db "$cp_db" checkpoint "$work/cp";   same "$out" "checkpoint at sequence 301"
expect 0 "$lsmkv" --db "$work/cp" get extra;             same "$out" "in-wal"
expect 0 "$lsmkv" --db "$work/cp" scan
same "$(echo "$out" | wc -l)" "301"
expect 1 "$lsmkv" --db "$cp_db" checkpoint "$work/cp";   contains "$err" "already exists"
expect 2 "$lsmkv" --db "$cp_db" checkpoint;              contains "$err" "usage"
expect 0 "$lsmkv" --db "$cp_db" backup create --backup_dir "$backups"
contains "$out" "backup 1: sequence 301"
expect 0 "$lsmkv" --db "$cp_db" put extra second
expect 0 "$lsmkv" --db "$cp_db" backup create --backup_dir "$backups"
contains "$out" "backup 2: sequence 302"
copied="$(echo "$out" | sed -E 's/.*, ([0-9]+) bytes copied/\1/')"
total="$(echo "$out" | sed -E 's/.* files, ([0-9]+) bytes,.*/\1/')"
(( copied * 2 < total )) || fail "second backup copied $copied of $total bytes"
expect 0 "$lsmkv" --db "$cp_db" put extra third
expect 0 "$lsmkv" --db "$cp_db" backup create --backup_dir "$backups"
expect 0 "$lsmkv" backup list --backup_dir "$backups"
same "$(echo "$out" | cut -f1,2)" $'1\tsequence 301\n2\tsequence 302\n3\tsequence 303'
expect 0 "$lsmkv" backup verify 2 --backup_dir "$backups";  same "$out" "backup 2: OK"
expect 0 "$lsmkv" backup restore 2 "$work/restored" --backup_dir "$backups"
same "$out" "restored backup 2 (sequence 302)"
expect 0 "$lsmkv" --db "$work/restored" get extra;       same "$out" "second"
expect 1 "$lsmkv" backup restore 2 "$work/restored" --backup_dir "$backups"
contains "$err" "not empty"
expect 0 "$lsmkv" backup restore 3 "$work/restored-split" --wal_dir "$work/restored-wal" --backup_dir "$backups"
expect 0 "$lsmkv" --db "$work/restored-split" --wal_dir "$work/restored-wal" get extra
same "$out" "third"
expect 0 "$lsmkv" backup purge 2 --backup_dir "$backups"; same "$out" "2 backups kept"
expect 1 "$lsmkv" backup verify 1 --backup_dir "$backups"; contains "$err" "no such backup"
expect 0 "$lsmkv" backup delete 2 --backup_dir "$backups"; same "$out" "backup 2 deleted"
expect 0 "$lsmkv" backup list --backup_dir "$backups"
same "$(echo "$out" | cut -f1)" "3"
# Damage in a stored table: verify and restore fail (exit 1) and name it.
stored="$(ls -S "$backups"/files/*.sst_* | head -1)"
printf '\xAA' | dd of="$stored" bs=1 seek=100 conv=notrunc status=none
expect 1 "$lsmkv" backup verify 3 --backup_dir "$backups"; contains "$err" "Corruption"
contains "$err" "$(basename "$stored")"
expect 1 "$lsmkv" backup restore 3 "$work/restored-bad" --backup_dir "$backups"
contains "$err" "Corruption"
[[ ! -e "$work/restored-bad" ]] || fail "a failed restore left its target behind"
# Command-line errors.
expect 2 "$lsmkv" backup list;                           contains "$err" "--backup_dir"
expect 2 "$lsmkv" backup frob --backup_dir "$backups";   contains "$err" "usage"
expect 2 "$lsmkv" backup verify x --backup_dir "$backups"; contains "$err" "usage"
expect 2 "$lsmkv" backup create --backup_dir "$backups"; contains "$err" "needs --db"
expect 0 "$lsmkv" help;                                  contains "$out" "backup restore"

echo "cli_test: all passed"
