#!/usr/bin/env bash
# Every code block in README.md is compiled or run. Each fenced block must
# follow a marker line "<!-- test: KIND -->" saying how:
#   ci            the two commands: the test command is what .ci/run runs;
#                 the demo command is run here (twice: the second run must
#                 recover the first one's data)
#   compile       C++: compiled with -Wall -Wextra -Werror against the
#                 library and run
#   program       C++: compiled the same way and run in a scratch directory;
#                 it must exit 0 and its stdout equal the next block
#                 (program-output)
#   c             C (the C API): compiled as C99 with -pedantic -Werror by
#                 $LSMKV_CC, linked against the library and run; its stdout
#                 must equal the next block (c-output)
#   python        Python: run by $LSMKV_PYTHON with the module built in
#                 $LSMKV_PYTHON_MODULE_DIR; its stdout must equal the next
#                 block (python-output). Without a module built
#                 (-DLSMKV_BUILD_PYTHON=OFF) it is reported as not checked.
#   consumer      CMake: must appear in examples/consumer/CMakeLists.txt,
#                 which tests/package builds against an install
#   run           shell, run from a directory where build/ is the build tree
#   cli           shell, run there too;
#                 its stdout must equal the next block (cli-output)
#   server-start  shell starting the server; run with --port 0
#   server-curl   shell, run against that server; its stdout must equal the
#                 next block (server-output)
# /tmp/ in commands becomes a scratch directory, port 8084 the server's port.
#
#   readme_test.sh SOURCE_DIR BUILD_DIR WORK_DIR CXX LINK_ARGS...
#   (environment: LSMKV_CC, and LSMKV_PYTHON + LSMKV_PYTHON_MODULE_DIR)
set -euo pipefail
src="$1" build="$2" work="$3" cxx="$4"
shift 4
link_args=("$@")
rm -rf "$work"
mkdir -p "$work/blocks"
ln -s "$build" "$work/build"
server_pid=""
trap '[[ -n "$server_pid" ]] && kill -9 "$server_pid" 2>/dev/null || true' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Split the README into blocks/N.KIND files.
awk -v dir="$work/blocks" '
  /^<!-- test: [a-z-]+ -->$/ { kind = $3; next }
  /^```/ {
    if (in_block) { in_block = 0; close(file); next }
    if (kind == "") { printf "README line %d: code block without a test marker\n", NR > "/dev/stderr"; exit 1 }
    n++; file = sprintf("%s/%02d.%s", dir, n, kind); in_block = 1; kind = ""; printf "" > file; next
  }
  in_block { print > file }
' "$src/README.md"
blocks=("$work"/blocks/*)
[[ ${#blocks[@]} -ge 7 ]] || fail "expected at least 7 marked blocks, found ${#blocks[@]}"
localize() { sed -e "s|/tmp/|$work/tmp/|g" "$1"; }
mkdir -p "$work/tmp"

expected_output=""  # the block an output block is compared with
skip_output=0       # the next output block belongs to a block not checked
for block in "${blocks[@]}"; do
  kind="${block##*.}"
  echo "== $(basename "$block")"
  case "$kind" in
    ci)
      grep -qx 'bash tests/run-tests.sh .*' <(sed 's/  */ /g' "$block") || fail "no test command in $block"
      grep -q 'exec bash tests/run-tests.sh' "$src/.ci/run" || fail ".ci/run does not run the README's test command"
      demo="$(grep -o '^bash examples/run-demo.sh' "$block")" || fail "no demo command in $block"
      (cd "$src" && LSMKV_BUILD_DIR="$build" $demo "$work/tmp/demo-db") >"$work/demo1.out"
      (cd "$src" && LSMKV_BUILD_DIR="$build" $demo "$work/tmp/demo-db") >"$work/demo2.out"
      grep -q "a new database" "$work/demo1.out" || fail "demo's first run: $(cat "$work/demo1.out")"
      grep -q "recovered" "$work/demo2.out" || fail "demo's second run: $(cat "$work/demo2.out")"
      ;;
    compile)
      cp "$block" "$work/quickstart.cc"
      "$cxx" -std=c++17 -Wall -Wextra -Werror -I"$src/include" "$work/quickstart.cc" \
        -o "$work/quickstart" "${link_args[@]}" || fail "README C++ block does not compile"
      (cd "$work/tmp" && "$work/quickstart") >"$work/quickstart.out" || fail "quick start failed"
      grep -q "key2 = value2" "$work/quickstart.out" || fail "quick start printed: $(cat "$work/quickstart.out")"
      ;;
    program)
      n="$(basename "$block" .program)"
      cp "$block" "$work/program-$n.cc"
      "$cxx" -std=c++17 -Wall -Wextra -Werror -I"$src/include" "$work/program-$n.cc" \
        -o "$work/program-$n" "${link_args[@]}" || fail "README C++ block $n does not compile"
      mkdir -p "$work/tmp/program-$n"
      (cd "$work/tmp/program-$n" && "$work/program-$n") >"$work/program-$n.out" ||
        fail "README program $n failed: $(cat "$work/program-$n.out")"
      expected_output="$work/program-$n.out"
      ;;
    c)
      cp "$block" "$work/c_example.c"
      "${LSMKV_CC:?LSMKV_CC not set}" -std=c99 -pedantic -Wall -Wextra -Werror -I"$src/include" \
        -c "$work/c_example.c" -o "$work/c_example.o" || fail "README C block does not compile"
      "$cxx" "$work/c_example.o" -o "$work/c_example" "${link_args[@]}" || fail "README C block does not link"
      (cd "$work/tmp" && "$work/c_example") >"$work/c.out" || fail "README C block failed"
      expected_output="$work/c.out"
      ;;
    python)
      if [[ -z "${LSMKV_PYTHON_MODULE_DIR:-}" ]]; then
        echo "   NOT CHECKED: the Python module is not built (configure with -DLSMKV_BUILD_PYTHON=ON)"
        skip_output=1
        continue
      fi
      (cd "$work/tmp" && PYTHONPATH="$LSMKV_PYTHON_MODULE_DIR" PYTHONDONTWRITEBYTECODE=1 \
        "${LSMKV_PYTHON:?LSMKV_PYTHON not set}" "$block") >"$work/python.out" || fail "README Python block failed"
      expected_output="$work/python.out"
      ;;
    consumer)
      while IFS= read -r line; do
        grep -qxF "$line" "$src/examples/consumer/CMakeLists.txt" ||
          fail "README CMake line not in examples/consumer/CMakeLists.txt: $line"
      done <"$block"
      ;;
    run)
      localize "$block" >"$work/run.sh"
      (cd "$work" && bash -e "$work/run.sh") >/dev/null || fail "block failed: $(cat "$block")"
      ;;
    cli)
      localize "$block" >"$work/cli.sh"
      (cd "$work" && bash -e "$work/cli.sh") >"$work/cli.out" || fail "CLI block failed"
      expected_output="$work/cli.out"
      ;;
    server-start)
      cmd="$(localize "$block" | sed -e 's/--port 8084/--port 0/' -e 's/ *&$//')"
      (cd "$work" && exec $cmd) >"$work/server.out" 2>&1 &
      server_pid=$!
      for _ in $(seq 1 100); do grep -q "listening on" "$work/server.out" && break; sleep 0.1; done
      port="$(grep -o '127.0.0.1:[0-9]*' "$work/server.out" | cut -d: -f2)" || fail "server did not start"
      ;;
    server-curl)
      [[ -n "$server_pid" ]] || fail "server-curl block before server-start"
      localize "$block" | sed "s/8084/$port/g" >"$work/curl.sh"
      bash -e "$work/curl.sh" >"$work/curl.out" || fail "curl block failed"
      expected_output="$work/curl.out"
      kill -TERM "$server_pid"
      rc=0; wait "$server_pid" || rc=$?
      server_pid=""
      [[ "$rc" == 0 ]] || fail "server exited $rc after SIGTERM"
      ;;
    cli-output|server-output|program-output|c-output|python-output)
      if [[ $skip_output -eq 1 ]]; then skip_output=0; continue; fi
      [[ -n "$expected_output" ]] || fail "$kind block without a block before it"
      diff -u "$block" "$expected_output" || fail "output differs from the README ($kind)"
      expected_output=""
      ;;
    *) fail "unknown test kind: $kind" ;;
  esac
done
echo "readme_test: all ${#blocks[@]} blocks checked"
